"""Links checked live before they cost money, against a local HTTP server: `publish` and
`schedule` refuse a dead article link; before a first post the daemon's publisher defers
the thread, checks again, and fails it after [links] recheck_hours; the blog and about
links are fetched at most once a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import bot.posting.links
from bot.cli import cli
from bot.errors import DeadLinkError
from bot.lifecycle import ThreadStatus
from bot.posting.links import LinkGate
from bot.posting.publisher import Publisher, PublishLimits
from bot.settings import database_url
from bot.store import Store
from bot.testing.fakes import FakeX
from bot.web.links import LinkCheck, check_links
from threads.options import Prices

from .conftest import EXAMPLE, write_publish_config
from .http_server import LocalServer, Reply, serve

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
PAGE = b"<html><head><meta property='og:image' content='/c.png'></head><body>post</body></html>"


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with serve({"/": Reply(body=PAGE), "/about": Reply(body=PAGE)}) as local:
        yield local


def _gate(site: LocalServer, store: Store | None) -> LinkGate:
    return LinkGate(
        site_urls=[site.url + "/", site.url + "/about", site.url + "/posts/"],
        daily=frozenset({site.url + "/", site.url + "/about"}),
        recheck=dt.timedelta(hours=6),
        timeout=2.0,
        store=store,
    )


def test_the_owners_links_are_checked_once_each_the_blog_once_a_day(
    site: LocalServer, store: Store
) -> None:
    site.routes["/posts/a"] = Reply(body=b"<html><head></head><body>no card</body></html>")
    gate = _gate(site, store)
    texts = [
        f"Read it: {site.url}/posts/a?utm_source=x&utm_content=section-1 1/2",
        f"Blog {site.url}/?utm_source=x · about {site.url}/about · "
        f"a recommendation https://other.example.org/x 2/2",
        f"again {site.url}/posts/a?utm_source=x&utm_content=section-2",
    ]
    assert gate.urls(texts) == [f"{site.url}/posts/a", f"{site.url}/", f"{site.url}/about"]
    findings = gate.findings(texts, NOW, where="a.md")
    assert [(f.severity, f.code) for f in findings] == [("warning", "link-no-card")]
    assert [r.path for r in site.requests] == ["/posts/a", "/", "/about"]  # one GET each
    # Within the minute nothing is fetched; hours later only the article; a day later all.
    gate.findings(texts, NOW + dt.timedelta(seconds=30), where="a.md")
    assert len(site.requests) == 3
    gate.findings(texts, NOW + dt.timedelta(hours=2), where="a.md")
    assert [r.path for r in site.requests[3:]] == ["/posts/a"]
    gate.findings(texts, NOW + dt.timedelta(days=1, minutes=1), where="a.md")
    assert [r.path for r in site.requests[4:]] == ["/posts/a", "/", "/about"]


def _publisher(store: Store, x: FakeX, gate: LinkGate, clock: list[dt.datetime]) -> Publisher:
    return Publisher(
        store,
        x,
        PublishLimits(reply_pause_seconds=0),
        Prices(),
        account_name="default",
        network="x",
        clock=lambda: clock[0],
        sleep=lambda _seconds: None,
        link_gate=gate.before_first_post,
    )


def test_a_dead_article_link_defers_the_thread_then_fails_it_and_nothing_is_posted(
    site: LocalServer, store: Store
) -> None:
    site.routes["/posts/b"] = Reply(status=404)
    record = store.threads.freeze(
        key="b#1",
        article="b.md",
        section_index=1,
        section="S",
        content_hash="b",
        posts=[("one 1/2", False), (f"read {site.url}/posts/b?utm_source=x 2/2", True)],
        cost_usd=0.215,
        now=NOW,
        account="default",
        network="x",
    )
    x = FakeX()
    clock = [NOW]
    publisher = _publisher(store, x, _gate(site, store), clock)
    with pytest.raises(DeadLinkError, match="answered 404"):
        publisher.publish(record.id)
    deferred = store.threads.get(record.id)
    assert deferred.status == ThreadStatus.DEFERRED
    assert deferred.not_before == NOW + dt.timedelta(minutes=15)
    assert deferred.link_failing_since == NOW
    assert x.posts == []
    # Still dead after the recheck window: it fails with the reason, still unposted.
    clock[0] = NOW + dt.timedelta(hours=6, minutes=1)
    with pytest.raises(DeadLinkError):
        publisher.publish(record.id)
    failed = store.threads.get(record.id)
    assert failed.status == ThreadStatus.FAILED
    assert "answered 404" in (failed.last_error or "")
    assert x.posts == []
    assert site.count("/posts/b") == 2
    # Deployed at last: resumed, it posts, and the mark is cleared.
    site.routes["/posts/b"] = Reply(body=PAGE)
    clock[0] += dt.timedelta(minutes=1)
    done = publisher.publish(record.id)
    assert done.status == ThreadStatus.POSTED
    assert len(x.posts) == 2
    assert store.threads.get(record.id).link_failing_since is None


def test_publish_and_schedule_refuse_a_dead_article_link_and_store_nothing(
    site: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's check goes to the owner's real-looking site; here that site's requests
    are answered by the local server (only the host is swapped)."""
    site.routes["/posts/kpop-asean-plus-three"] = Reply(status=404)

    def local(urls: list[str], timeout: float) -> dict[str, LinkCheck]:
        swapped = {url: url.replace("https://blog.gonogo.kr", site.url) for url in urls}
        checks = check_links(list(swapped.values()), timeout=timeout)
        return {url: checks[swapped[url]] for url in urls}

    monkeypatch.setattr(bot.posting.links, "_fetch", local)
    config = write_publish_config(tmp_path)
    config.write_text(config.read_text("utf-8").replace("check = false", "check = true"), "utf-8")
    db = tmp_path / "state.db"
    args = ["--config", str(config), "--db", str(db)]
    runner = CliRunner()
    published = runner.invoke(cli, ["publish", str(EXAMPLE), "--section", "5", *args])
    assert published.exit_code == 1
    assert "link-dead" in published.stderr
    assert "answered 404" in published.stderr, published.stderr
    assert "nothing was posted" in published.stderr
    scheduled = runner.invoke(
        cli, ["schedule", str(EXAMPLE), "--at", "2030-01-01 09:00", "--tz", "UTC", *args]
    )
    assert scheduled.exit_code == 1
    assert "nothing was scheduled" in scheduled.stderr
    assert site.count("/posts/kpop-asean-plus-three") == 2  # once per command, not per thread
    store = Store(database_url(db))
    assert store.threads.all() == []
    # Offline: --no-link-check fetches nothing.
    offline = runner.invoke(
        cli,
        [
            "schedule",
            str(EXAMPLE),
            "--at",
            "2030-01-01 09:00",
            "--tz",
            "UTC",
            "--no-link-check",
            *args,
        ],
    )
    assert offline.exit_code == 0, offline.output
    assert site.count("/posts/kpop-asean-plus-three") == 2
    store.engine.dispose()


def test_a_feed_post_whose_page_is_not_deployed_yet_is_queued_and_said_so(
    site: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A feed often announces a post before its page answers: the poll checks the link,
    says it is dead, and queues the thread anyway — its links are checked again before
    its first post, which waits while they are dead."""
    from .test_following import Feed, item, rss

    def local(urls: list[str], timeout: float) -> dict[str, LinkCheck]:
        swapped = {url: url.replace("https://blog.gonogo.kr", site.url) for url in urls}
        checks = check_links(list(swapped.values()), timeout=timeout)
        return {url: checks[swapped[url]] for url in urls}

    monkeypatch.setattr(bot.posting.links, "_fetch", local)
    config = write_publish_config(tmp_path)
    config.write_text(config.read_text("utf-8").replace("check = false", "check = true"), "utf-8")
    args = ["--config", str(config), "--db", str(tmp_path / "state.db")]
    runner = CliRunner()
    with serve() as feeds:
        feed = Feed(item("a", 1))
        feeds.routes["/feed.xml"] = feed
        url = feeds.url + "/feed.xml"
        assert runner.invoke(cli, ["feed", "add", url, *args]).exit_code == 0
        runner.invoke(cli, ["feed", "check", *args])
        feed.body = rss(item("b", 2), item("a", 1))
        site.routes["/posts/b/"] = Reply(status=404)
        with caplog.at_level("WARNING"):
            checked = runner.invoke(cli, ["feed", "check", url, *args])
    assert "queued Post b: 1 thread(s)" in checked.output
    assert site.count("/posts/b/") == 1
    assert any(
        "link-dead" in record.getMessage() and "checked again before its first post" in
        record.getMessage()
        for record in caplog.records
    )  # fmt: skip
