"""TweepyXClient against the HTTP emulator: real OAuth 1.0a signatures, X's answers."""

from __future__ import annotations

import pytest

from bot.errors import (
    DuplicateContentError,
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
)
from bot.networks.x import same_text
from bot.networks.x.client import TweepyXClient
from bot.networks.x.emulator import (
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
    """me, a post, a reply to it, and the recent posts newest first (URLs as t.co)."""
    client = _client(emulator)
    assert (client.me().id, client.me().username) == (USER_ID, USERNAME)
    first = client.create_post("Read https://blog.gonogo.kr/a?x=1&y=2 now", None)
    second = client.create_post("and then", first)
    assert [(p.id, p.reply_to) for p in emulator.posts] == [(first, None), (second, first)]
    recent = client.recent_posts(USER_ID, 10)
    assert [p.id for p in recent] == [second, first]
    assert recent[1].text == "Read https://t.co/emu000000 now"
    assert same_text(recent[1].text, "Read https://blog.gonogo.kr/a?x=1&y=2 now")


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
