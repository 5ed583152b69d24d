"""TweepyXClient against the HTTP emulator: real OAuth 1.0a signatures, X's answers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.errors import (
    DuplicateContentError,
    MetricsRefusedError,
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks import PostMetrics
from bot.networks.x import same_text
from bot.networks.x.client import TweepyXClient
from bot.testing.x import (
    ACCESS_TOKEN,
    ACCESS_TOKEN_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    USER_ID,
    USERNAME,
    Fault,
    XEmulator,
)

DELETE = "DELETE /2/tweets/:id"
LOOKUP = "GET /2/tweets"


def _client(emulator: XEmulator, secret: str = CONSUMER_SECRET) -> TweepyXClient:
    return TweepyXClient(
        api_key=CONSUMER_KEY,
        api_secret=secret,
        access_token=ACCESS_TOKEN,
        access_token_secret=ACCESS_TOKEN_SECRET,
        base_url=emulator.url,
        timeout_seconds=emulator.client_timeout,
    )


def test_posts_replies_and_reads_back(emulator: XEmulator) -> None:
    """me, a post, a reply to it, and the recent posts newest first, each with what
    identifies it: X sends t.co links, which come back expanded (entities), the parent
    (referenced_tweets) and the creation time."""
    client = _client(emulator)
    assert (client.me().id, client.me().username) == (USER_ID, USERNAME)
    text = "Read https://blog.gonogo.kr/a?x=1&y=2 now, or AsiaFundManagers.com <3"
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    first = client.create_post(text, None)
    second = client.create_post("and then", first)
    assert [(p.id, p.reply_to) for p in emulator.posts] == [(first, None), (second, first)]
    assert emulator.visible_text(emulator.posts[0]).startswith("Read https://t.co/")
    recent = client.recent_posts(USER_ID, 10)
    assert [(p.id, p.reply_to) for p in recent] == [(second, first), (first, None)]
    assert recent[1].text == (
        "Read https://blog.gonogo.kr/a?x=1&y=2 now, or http://AsiaFundManagers.com <3"
    )
    assert all(p.created_at is not None and p.created_at >= before for p in recent)
    assert same_text(recent[1].text, text)
    # Never masked: a text that differs only in a link's query is another post.
    assert not same_text(recent[1].text, text.replace("y=2", "y=3"))


def test_a_charts_media_link_is_not_part_of_the_text(emulator: XEmulator) -> None:
    """X appends a t.co link to attached media; read back, the text is ours without it."""
    client = _client(emulator)
    media = client.upload_media(b"\x89PNG fake", "a chart")
    client.create_post("A figure: 42%", None, [media])
    (post,) = client.recent_posts(USER_ID, 5)
    assert emulator.visible_text(emulator.posts[0]).count("https://t.co/") == 1
    assert post.text == "A figure: 42%"


def test_wrong_secret_fails_signature_check(emulator: XEmulator) -> None:
    """A wrong consumer secret gives X's 401, mapped to NetworkAuthError with advice."""
    with pytest.raises(NetworkAuthError, match="check X_API_KEY"):
        _client(emulator, secret="not-the-secret-at-all-000").me()
    assert emulator.posts == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("500", NetworkUnavailableError),
        ("timeout", NetworkUnavailableError),
        ("drop_before_accept", NetworkUnavailableError),
        ("403_readonly", NetworkAuthError),
        ("400", PostRejectedError),
    ],
)
def test_faults_arrive_as_threadbot_errors(
    emulator: XEmulator, fault: str, error: type[Exception]
) -> None:
    """Injected server faults surface as the mapped errors."""
    emulator.client_timeout = 0.5  # the "timeout" fault outlasts the client's timeout
    emulator.inject(Fault(fault))
    with pytest.raises(error):
        _client(emulator).create_post(f"text {fault}", None)


def test_duplicate_text(emulator: XEmulator) -> None:
    """X's duplicate-content 403 becomes DuplicateContentError."""
    client = _client(emulator)
    client.create_post("same words", None)
    emulator.accept_duplicates = False  # X's rule, where it holds
    with pytest.raises(DuplicateContentError):
        client.create_post("same words", None)


def test_posts_in_flight_at_once_take_their_time_side_by_side(emulator: XEmulator) -> None:
    """An answer delay (a real API's latency) is spent outside the emulator's lock: two
    posts sent at once are both inside it together (a barrier of two, which a delay
    under the lock would never fill), and both are stored once."""
    both_inside = threading.Barrier(2, timeout=5)
    passed: list[int] = []
    emulator.take_time = lambda: passed.append(both_inside.wait())  # type: ignore[method-assign]
    client, other = _client(emulator), _client(emulator)
    ids: list[str] = []
    sender = threading.Thread(target=lambda: ids.append(other.create_post("second", None)))
    sender.start()
    ids.append(client.create_post("first", None))
    sender.join(10)
    assert sorted(passed) == [0, 1]
    assert not both_inside.broken
    assert sorted(p.text for p in emulator.posts) == ["first", "second"]
    assert emulator.calls["POST /2/tweets"] == 2


def test_the_environment_is_read_for_proxies_once_per_host_and_still_obeyed(
    emulator: XEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests looks through the whole environment for proxies on every request (with
    many accounts' credentials in it, a third of a daemon's CPU): the clients of a
    process read it once per host, and a proxy it names is still used (here a dead one,
    so nothing gets through)."""
    import requests.sessions

    reads: list[str] = []
    read = requests.sessions.get_environ_proxies

    def counted(url: str, no_proxy: str | None = None) -> dict[str, str]:
        reads.append(url)
        return read(url, no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    client = _client(emulator)
    client.me()
    client.create_post("one", None)
    client.create_post("two", None)
    _client(emulator).create_post("another account's session", None)
    assert len(reads) == 1  # once per host for the process, not per session
    assert emulator.calls["POST /2/tweets"] == 3
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(NetworkUnavailableError):
        _client(emulator).create_post("three", None)
    assert emulator.calls["POST /2/tweets"] == 3


def test_deleting_a_live_post_is_one_request(emulator: XEmulator) -> None:
    """A post deleted with one DELETE answers True and leaves every lookup."""
    client = _client(emulator)
    kept, deleted = client.create_post("stays", None), client.create_post("goes", None)
    assert client.delete_post(deleted) is True
    assert emulator.calls[DELETE] == 1
    assert [p.id for p in emulator.posts] == [kept]
    assert [p.id for p in client.recent_posts(USER_ID, 5)] == [kept]
    assert [m.post_id for m in client.metrics([kept, deleted])] == [kept]


def test_deleting_a_gone_post_is_false(emulator: XEmulator) -> None:
    """Deleted already: X's 404 (or ``deleted: false``) is False, one request each, never
    an error the caller must tell from a real failure."""
    client = _client(emulator)
    post = client.create_post("once", None)
    assert client.delete_post(post) is True
    assert client.delete_post(post) is False
    assert emulator.calls[DELETE] == 2
    other = client.create_post("twice", None)
    emulator.delete_faults.append(Fault("not_deleted"))
    assert client.delete_post(other) is False
    assert emulator.calls[DELETE] == 3
    assert [p.id for p in emulator.posts] == [other]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", NetworkAuthError),
        ("429", RateLimitedError),
        ("500", NetworkUnavailableError),
        ("503", NetworkUnavailableError),
        ("timeout", NetworkUnavailableError),
    ],
)
def test_delete_failures_arrive_as_threadbot_errors(
    emulator: XEmulator, fault: str, error: type[Exception]
) -> None:
    """A refused or unanswered delete raises the mapped error after its one request,
    the post still there."""
    emulator.client_timeout = 0.5
    client = _client(emulator)
    post = client.create_post("still here", None)
    emulator.delete_faults.append(Fault(fault))
    with pytest.raises(error):
        client.delete_post(post)
    assert emulator.calls[DELETE] == 1
    assert [p.id for p in emulator.posts] == [post]


def test_deletes_have_their_own_rate_limit(emulator: XEmulator) -> None:
    """X allows 50 deletes per user per 15 minutes (here 2): the next is a 429."""
    emulator.delete_window_limit = 2
    client = _client(emulator)
    posts = [client.create_post(f"post {n}", None) for n in range(3)]
    assert [client.delete_post(p) for p in posts[:2]] == [True, True]
    with pytest.raises(RateLimitedError):
        client.delete_post(posts[2])
    assert [p.id for p in emulator.posts] == [posts[2]]


def test_hold_pauses_the_nth_delete_after_deleting(emulator: XEmulator) -> None:
    """hold_delete(2, 'accepted') pauses the second DELETE with its post gone and no
    answer sent; post requests are counted apart."""
    client = _client(emulator)
    first, second = client.create_post("one", None), client.create_post("two", None)
    hold = emulator.hold_delete(2, "accepted")
    assert client.delete_post(first) is True
    answers: list[bool] = []
    worker = threading.Thread(target=lambda: answers.append(client.delete_post(second)))
    worker.start()
    assert hold.reached.wait(5)
    assert emulator.posts == []
    assert answers == []
    hold.release.set()
    worker.join(5)
    assert answers == [True]


def test_metrics_of_250_posts_are_three_reads(emulator: XEmulator) -> None:
    """250 posts are read 100 ids at a time, public metrics only; a deleted post is
    absent, the others carry their counts (impressions public, no link clicks)."""
    posts = [emulator.add_post(f"post {n}").id for n in range(250)]
    emulator.set_metrics(posts[0], impressions=1200, likes=7, reposts=2, replies=3, quotes=1)
    emulator.set_metrics(posts[249], likes=1)
    gone = posts[120]
    assert _client(emulator).delete_post(gone) is True
    read = _client(emulator).metrics(posts)
    assert emulator.calls[LOOKUP] == 3
    queries = emulator.queries(LOOKUP)
    assert [len(q["ids"][0].split(",")) for q in queries] == [100, 100, 50]
    assert ",".join(q["ids"][0] for q in queries) == ",".join(posts)
    assert {q["tweet.fields"][0] for q in queries} == {"public_metrics"}
    assert [m.post_id for m in read] == [p for p in posts if p != gone]
    assert read[0] == PostMetrics(
        post_id=posts[0], impressions=1200, likes=7, reposts=2, replies=3, quotes=1
    )
    assert read[-1] == PostMetrics(
        post_id=posts[249], impressions=0, likes=1, reposts=0, replies=0, quotes=0
    )


def test_private_metrics_of_a_young_post_include_link_clicks(emulator: XEmulator) -> None:
    """private=True asks for non_public_metrics too: impressions and, for a post with a
    link, its link clicks (X says none for a post without one)."""
    client = _client(emulator)
    linked = client.create_post("Read https://blog.gonogo.kr/posts/a", None)
    plain = client.create_post("no link here", linked)
    emulator.set_metrics(linked, impressions=900, likes=4, link_clicks=12)
    emulator.set_metrics(plain, impressions=300, link_clicks=5)
    read = client.metrics([linked, plain], private=True)
    (query,) = emulator.queries(LOOKUP)
    assert query["tweet.fields"] == ["public_metrics,non_public_metrics"]
    assert query["ids"] == [f"{linked},{plain}"]
    assert [(m.impressions, m.likes, m.link_clicks) for m in read] == [(900, 4, 12), (300, 0, None)]


def test_private_metrics_of_an_old_post_are_refused(emulator: XEmulator) -> None:
    """X keeps non-public metrics 30 days: an older post is left out of its 200 with a
    Field Authorization Error, which comes out as MetricsRefusedError naming it and
    carrying what the same read did get; asked again publicly, it is read."""
    client = _client(emulator)
    old, young = client.create_post("old news", None), client.create_post("fresh", None)
    emulator.backdate(old, days=31)
    emulator.set_metrics(old, likes=9)
    emulator.set_metrics(young, impressions=50)
    with pytest.raises(MetricsRefusedError, match="under 30 days old") as refused:
        client.metrics([old, young], private=True)
    assert refused.value.post_ids == (old,)
    assert [(m.post_id, m.impressions) for m in refused.value.read] == [(young, 50)]
    assert emulator.calls[LOOKUP] == 1
    (again,) = client.metrics([old])
    assert (again.post_id, again.likes, again.link_clicks) == (old, 9, None)


def test_private_metrics_of_another_users_post_are_refused(emulator: XEmulator) -> None:
    """Non-public metrics are the author's: another account's post is refused too."""
    other = emulator.add_post("someone else's", author=emulator.add_user("news").id)
    with pytest.raises(MetricsRefusedError) as refused:
        _client(emulator).metrics([other.id], private=True)
    assert refused.value.post_ids == (other.id,)
    assert refused.value.read == ()
