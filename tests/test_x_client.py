"""TweepyXClient against the HTTP emulator: real OAuth 1.0a signatures, X's answers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from bot.errors import (
    DuplicateContentError,
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
)
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
    many accounts' credentials in it, a third of a daemon's CPU): the client reads it
    once per host, and a proxy it names is still used (here a dead one, so nothing
    gets through)."""
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
    assert len(reads) == 1
    assert emulator.calls["POST /2/tweets"] == 2
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(NetworkUnavailableError):
        _client(emulator).create_post("three", None)
    assert emulator.calls["POST /2/tweets"] == 2
