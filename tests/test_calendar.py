"""`queue --html`: the queue as a calendar page, checked in Chromium at two widths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.store import EntryRow, Store
from bot.views.calendar import calendar_weeks

from .conftest import write_publish_config
from .test_html_preview import browser  # noqa: F401 - the shared Chromium fixture

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def fill(store: Store) -> None:
    """Three queued threads over two weeks, one posted yesterday, one refused entry."""
    for number, hours in enumerate([1, 30, 200, -20], start=1):
        record = store.threads.freeze(
            key=f"post-{number}#1",
            article=f"https://blog.gonogo.kr/posts/{number}/",
            section_index=1,
            section="Part",
            content_hash=f"h{number}",
            posts=[
                (f"🧵 Thread {number}: a first tweet with enough words to read. 1/2", False),
                ("📖 https://blog.gonogo.kr 2/2", True),
            ],
            cost_usd=0.215,
            now=NOW,
            due_at=NOW + dt.timedelta(hours=hours),
            account="default",
            network="x",
        )
        if hours < 0:
            from bot.lifecycle import ThreadStatus

            store.queue.transition(
                record.id, ThreadStatus.CANCELLED, error="cancelled by the owner"
            )
    feeds = store.feeds
    feed = feeds.add(
        "https://blog.gonogo.kr/feed.xml",
        slots=None,
        timezone=None,
        sections="all",
        backfill=0,
        poll_minutes=None,
        now=NOW,
    )
    feeds.record_poll(
        feed.id,
        now=NOW,
        next_check=NOW,
        result="ok",
        new=[
            EntryRow(
                "x",
                None,
                "https://blog.gonogo.kr/posts/x/",
                "A refused post",
                NOW,
                "refused",
                "h",
                "unsplittable-word: too long",
            )
        ],
    )


def test_calendar_weeks_start_on_monday_and_place_threads_by_local_day(tmp_path: Path) -> None:
    """Weeks run Monday to Sunday in the owner's zone; each thread is on its local day."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    fill(store)
    records = store.threads.summaries(scheduled_only=True)
    weeks = calendar_weeks(records, SEOUL, NOW.astimezone(SEOUL).date())
    assert all(week[0][0].weekday() == 0 and len(week) == 7 for week in weeks)
    placed = {t.key: day for week in weeks for day, threads in week for t in threads}
    for record in records:
        assert record.due_at is not None
        assert placed[record.key] == record.due_at.astimezone(SEOUL).date()


@pytest.mark.e2e
@pytest.mark.parametrize("width", [375, 1280])
def test_calendar_page_in_chromium(browser, tmp_path: Path, width: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Every thread at its slot with its first tweet, the refused entry, nothing
    overflowing, no request leaving the file."""
    db = tmp_path / "s.db"
    fill(Store(f"sqlite:///{db}"))
    out = tmp_path / "queue.html"
    result = CliRunner().invoke(
        cli,
        [
            "queue",
            "--html",
            str(out),
            "--tz",
            "Asia/Seoul",
            "--config",
            str(write_publish_config(tmp_path)),
        ],
        env={"THREADBOT_DB": str(db)},
    )
    assert result.exit_code == 0, result.stderr
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    shown = page.eval_on_selector_all(
        ".thread",
        "ts => ts.filter(t => t.offsetParent !== null).map(t => [t.dataset.thread, t.querySelector('.first').textContent])",
    )
    assert sorted(key for key, _ in shown) == ["post-1#1", "post-2#1", "post-3#1", "post-4#1"]
    assert all(text.startswith("🧵 Thread") for _, text in shown)
    assert page.eval_on_selector_all(".refused-entry", "es => es.map(e => e.textContent)") == [
        "A refused post (https://blog.gonogo.kr/posts/x/): unsplittable-word: too long"
    ]
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('main, .week, .day, .thread')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className)"
    )
    assert overflowing == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert [r for r in requests if not r.startswith("file:")] == []
    page.screenshot(path=str(tmp_path / f"queue-{width}.png"), full_page=True)
    page.close()


def test_calendar_shows_a_posted_threads_latest_numbers(tmp_path: Path) -> None:
    """A posted thread carries its newest snapshot's numbers: impressions, engagements,
    the closing post's link clicks and read-through; a thread never read, none."""
    from bot.store import MetricsRecord

    from .posted import posted_thread

    db = tmp_path / "s.db"
    store = Store(f"sqlite:///{db}")
    read = posted_thread(store, ["1", "2", "3"], posted_at=NOW - dt.timedelta(hours=3))
    posted_thread(store, ["4", "5"], posted_at=NOW - dt.timedelta(hours=2), key="b#1")
    store.metrics.record(
        [
            MetricsRecord(read.id, n, str(n), NOW, impressions, 4, 1, 0, 0, clicks, 0.001)
            for n, impressions, clicks in [(1, 1200, None), (2, 600, None), (3, 300, 9)]
        ]
    )
    out = tmp_path / "queue.html"
    result = CliRunner().invoke(
        cli,
        ["queue", "--html", str(out), "--config", str(write_publish_config(tmp_path))],
        env={"THREADBOT_DB": str(db)},
    )
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<div class="numbers">') == 1
    assert (
        '<div class="numbers">2,100 impressions · 15 engagements · 9 link clicks · '
        "read-through 100% 50% 25%</div>"
    ) in page
