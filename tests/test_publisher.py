"""Publisher decisions, with the in-repo FakeX, a real SQLite file and an injected clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
import sqlalchemy as sa

from bot.errors import (
    BudgetExceededError,
    DailyCapError,
    DuplicateContentError,
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
    PublishError,
    RateLimitedError,
    ThreadBusyError,
)
from bot.lifecycle import Lease, Owner, ThreadStatus
from bot.posting.publisher import Publisher, PublishLimits
from bot.store import Claim, Store, ThreadRecord
from bot.testing.fakes import FakeX
from threads.options import Prices

from .conftest import NOW, Clock

TEXTS = [("🧵 one 1/3", False), ("two 2/3", False), ("three https://blog.gonogo.kr 3/3", True)]


def _publisher(store: Store, x: FakeX, clock: Clock, **limits: float) -> Publisher:
    return Publisher(
        store,
        x,
        PublishLimits(**limits),  # type: ignore[arg-type]
        Prices(),
        account_name="default",
        network="x",
        clock=clock,
        sleep=clock.sleep,
    )


def _freeze(store: Store, texts: list[tuple[str, bool]] = TEXTS) -> ThreadRecord:
    return store.threads.freeze(
        key="a#1",
        article="a.txt",
        section_index=1,
        section="S",
        content_hash="h",
        posts=texts,
        cost_usd=0.23,
        now=NOW,
        account="default",
        network="x",
    )


def _chain_ok(x: FakeX, record: ThreadRecord) -> None:
    ids = [t.post_id for t in record.posts]
    assert [p.id for p in x.posts] == ids
    assert [p.reply_to for p in x.posts] == [None, *ids[:-1]]
    assert len({p.text for p in x.posts}) == len(x.posts)


def test_posts_a_reply_chain(store: Store, clock: Clock) -> None:
    """Each tweet replies to the one before; one POST per tweet; pauses between replies."""
    x = FakeX()
    record = _publisher(store, x, clock, reply_pause_seconds=2.0).publish(_freeze(store).id)
    assert record.status == "posted"
    assert [t.status for t in record.posts] == ["posted"] * 3
    _chain_ok(x, record)
    assert x.calls == ["me", "create_post", "create_post", "create_post"]
    assert clock.slept == [2.0, 2.0]


class Crash(BaseException):
    """The process dies here (SIGKILL): nothing after it runs, not even except clauses."""


LEASE = Lease(60)


def _left_sending(store: Store, thread_id: int, position: int) -> None:
    """What a process killed mid-request leaves: its claim, with a lease since expired,
    and the tweet in `sending`."""
    expired = NOW - dt.timedelta(seconds=1)
    dead = store.queue.claim(
        thread_id, Owner("dead:1:aa", "elsewhere"), expired - LEASE.duration, LEASE
    )
    assert dead is not None
    dead.sending(position, None, NOW - LEASE.duration)


def test_sending_after_a_crash_is_reconciled_not_reposted(store: Store, clock: Clock) -> None:
    """A tweet left in `sending` whose post exists is adopted, not sent again — even where
    the network would accept the same text twice."""
    x = FakeX(accept_duplicates=True)
    thread = _freeze(store)
    first = x.create_post(TEXTS[0][0], None)
    _left_sending(store, thread.id, 1)  # the crash: request sent, id never recorded
    record = _publisher(store, x, clock).publish(thread.id)
    assert record.posts[0].post_id == first
    assert x.count("create_post") == 3  # 1 before the crash, 2 after
    assert x.count("recent_posts") == 1
    _chain_ok(x, record)


def test_sending_that_never_reached_x_is_sent(store: Store, clock: Clock) -> None:
    """A tweet left in `sending` that X never got is posted once."""
    x = FakeX(accept_duplicates=True)
    thread = _freeze(store)
    _left_sending(store, thread.id, 1)
    record = _publisher(store, x, clock).publish(thread.id)
    assert len(x.posts) == 3
    assert x.count("create_post") == 3
    _chain_ok(x, record)


PHASES = ["received", "accepted", "recorded"]
KILL_POINTS = [(n, phase) for n in range(1, 4) for phase in PHASES]


@pytest.mark.parametrize(
    ("post_number", "phase"), KILL_POINTS, ids=[f"post{n}-{p}" for n, p in KILL_POINTS]
)
def test_killed_anywhere_then_taken_over_after_the_lease_posts_each_tweet_once(
    store: Store, clock: Clock, post_number: int, phase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poster dies before X accepts tweet n, after X accepted it, or after recording it.
    Another process is refused while the lease lives, takes over after it, and X sees
    each tweet once: POST attempts = posts (+1 for the request X never accepted)."""
    x = FakeX(accept_duplicates=True)
    thread = _freeze(store)
    dying = _publisher(store, x, clock, reply_pause_seconds=0)
    dying.lease = LEASE
    original_post, original_mark = x.create_post, Claim.posted
    calls = {"post": 0, "mark": 0}

    def create_post(
        text: str, reply_to: str | None, media_ids: Sequence[str] = (), *, key: str | None = None
    ) -> str:
        calls["post"] += 1
        if calls["post"] == post_number and phase == "received":
            x.calls.append("create_post")
            raise Crash
        post_id = original_post(text, reply_to, media_ids)
        if calls["post"] == post_number and phase == "accepted":
            raise Crash
        return post_id

    def mark_posted(claim: Claim, position: int, post_id: str, at: dt.datetime) -> None:
        original_mark(claim, position, post_id, at)
        calls["mark"] += 1
        if calls["mark"] == post_number and phase == "recorded":
            raise Crash

    x.create_post = create_post  # type: ignore[method-assign]
    monkeypatch.setattr(Claim, "posted", mark_posted)
    with pytest.raises(Crash):
        dying.publish(thread.id)
    x.create_post = original_post  # type: ignore[method-assign]
    monkeypatch.setattr(Claim, "posted", original_mark)

    successor = _publisher(store, x, clock, reply_pause_seconds=0)
    successor.lease = LEASE
    posts_before = x.count("create_post")
    with pytest.raises(ThreadBusyError, match="is being posted by"):
        successor.publish(thread.id)
    assert x.count("create_post") == posts_before  # refused before sending anything
    clock.now += LEASE.duration
    record = successor.publish(thread.id)
    _chain_ok(x, record)
    assert len(x.posts) == 3
    assert x.count("create_post") == 3 + (phase == "received")
    assert x.count("recent_posts") == (0 if phase == "recorded" else 1)
    stored = store.threads.get(thread.id)
    assert stored.status == ThreadStatus.POSTED
    assert [t.post_id for t in stored.posts] == [p.id for p in x.posts]


def test_a_publish_reads_the_thread_once(store: Store, clock: Clock) -> None:
    """One read after the claim; everything after it is tracked in memory."""
    x = FakeX()
    thread = _freeze(store)
    statements: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    _publisher(store, x, clock, reply_pause_seconds=0).publish(thread.id)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "posts" in s]
    assert len(reads) == 1


def test_duplicate_reply_adopts_the_existing_post(store: Store, clock: Clock) -> None:
    """403 duplicate → look-up → the existing post is adopted."""
    x = FakeX()
    existing = x.create_post(TEXTS[0][0], None)
    record = _publisher(store, x, clock).publish(_freeze(store).id)
    assert record.posts[0].post_id == existing
    assert len(x.posts) == 3


def test_duplicate_without_a_visible_post_fails_with_advice(store: Store, clock: Clock) -> None:
    """A duplicate refusal with no such recent post stops, saying what to do."""
    x = FakeX()
    x.fail_next(DuplicateContentError("duplicate", status=403))
    thread = _freeze(store)
    with pytest.raises(PublishError, match="delete the older post"):
        _publisher(store, x, clock).publish(thread.id)
    stored = store.threads.get(thread.id)
    assert (stored.status, stored.posts[0].status) == ("failed", "failed")


def test_server_errors_are_retried_with_backoff(store: Store, clock: Clock) -> None:
    """5xx twice, then success: retried with growing waits, posted once."""
    x = FakeX()
    x.fail_next(NetworkUnavailableError("500"))
    x.fail_next(NetworkUnavailableError("503"))
    record = _publisher(store, x, clock, max_attempts=5, reply_pause_seconds=0).publish(
        _freeze(store).id
    )
    assert record.status == "posted"
    assert len(x.posts) == 3
    assert store.threads.get(record.id).posts[0].attempts == 3
    assert len(clock.slept) == 2
    assert clock.slept[1] > clock.slept[0] - 1  # exponential, with up to 1 s of jitter


def test_connection_dropped_after_accept_is_not_duplicated(store: Store, clock: Clock) -> None:
    """X took the post but the answer was lost: the look-up finds it; no second post."""
    x = FakeX()
    x.fail_next(NetworkUnavailableError("connection dropped"), after_accept=True)
    record = _publisher(store, x, clock, reply_pause_seconds=0).publish(_freeze(store).id)
    assert len(x.posts) == 3
    _chain_ok(x, record)


def test_retries_are_bounded(store: Store, clock: Clock) -> None:
    """After max_attempts the thread stops as failed; the tweet stays pending for resume."""
    x = FakeX()
    for _ in range(3):
        x.fail_next(NetworkUnavailableError("500"))
    thread = _freeze(store)
    with pytest.raises(
        PublishError, match=f"gave up after 3 attempts: run `threadbot resume {thread.id}`"
    ):
        _publisher(store, x, clock, max_attempts=3).publish(thread.id)
    stored = store.threads.get(thread.id)
    assert stored.status == "failed"
    assert [t.status for t in stored.posts] == ["pending"] * 3
    resumed = _publisher(store, x, clock, max_attempts=3).publish(thread.id)
    assert resumed.status == "posted"
    _chain_ok(x, resumed)


def test_rate_limit_waits_for_the_reset(store: Store, clock: Clock) -> None:
    """A 429 with a near reset waits until then and continues."""
    x = FakeX()
    x.fail_next(RateLimitedError("429", NOW + dt.timedelta(seconds=30)))
    record = _publisher(
        store, x, clock, max_rate_limit_wait_seconds=60, reply_pause_seconds=0
    ).publish(_freeze(store).id)
    assert record.status == "posted"
    assert clock.slept == [31.0]


def test_rate_limit_too_far_defers(store: Store, clock: Clock) -> None:
    """A 429 whose reset is beyond the bound defers the thread instead of sleeping, and
    blocks the account in the store until the reset."""
    x = FakeX()
    reset = NOW + dt.timedelta(hours=2)
    x.fail_next(RateLimitedError("429", reset))
    thread = _freeze(store)
    with pytest.raises(RateLimitedError):
        _publisher(store, x, clock, max_rate_limit_wait_seconds=60).publish(thread.id)
    stored = store.threads.get(thread.id)
    assert (stored.status, stored.not_before) == ("deferred", reset)
    assert clock.slept == []
    # Recorded for the account, so every daemon holds off it until the reset.
    assert store.accounts.state("default", "x").blocked_until == reset


def test_daily_cap_stops_and_records_the_reset(store: Store, clock: Clock) -> None:
    """The daily cap stops at once (no sleeping for hours) with the reset time recorded."""
    x = FakeX()
    reset = NOW + dt.timedelta(hours=20)
    x.create_post("unrelated", None)
    thread = _freeze(store)
    publisher = _publisher(store, x, clock, reply_pause_seconds=0)
    x.fail_next(DailyCapError("cap", reset))
    with pytest.raises(DailyCapError):
        publisher.publish(thread.id)
    stored = store.threads.get(thread.id)
    assert (stored.status, stored.not_before, stored.live_count) == ("deferred", reset, 0)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NetworkAuthError("read-only: regenerate the access token", status=403), "failed"),
        (NetworkAuthError("Unauthorized: check X_API_KEY", status=401), "failed"),
        (PostRejectedError("X refused the request: bad", status=400), "failed"),
    ],
)
def test_auth_and_rejections_stop_the_thread(
    store: Store, clock: Clock, error: Exception, status: str
) -> None:
    """401/403/400 stop with the message recorded; earlier tweets stay live and counted."""
    x = FakeX()
    thread = _freeze(store)
    publisher = _publisher(store, x, clock, reply_pause_seconds=0)
    original = x.create_post
    calls = {"n": 0}

    def second_fails(
        text: str, reply_to: str | None, media_ids: Sequence[str] = (), *, key: str | None = None
    ) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise error
        return original(text, reply_to, media_ids)

    x.create_post = second_fails  # type: ignore[method-assign]
    with pytest.raises(type(error)):
        publisher.publish(thread.id)
    stored = store.threads.get(thread.id)
    assert stored.status == status
    assert [t.status for t in stored.posts] == ["posted", "failed", "pending"]
    assert str(error) in (stored.last_error or "")


def test_budget_refuses_whole_threads_with_numbers(store: Store, clock: Clock) -> None:
    """Over the 24 h cap: refused before posting, with when it fits."""
    x = FakeX()
    publisher = _publisher(store, x, clock, max_posts_per_24h=4, reply_pause_seconds=0)
    publisher.publish(_freeze(store).id)
    clock.now += dt.timedelta(hours=1)
    with pytest.raises(BudgetExceededError) as caught:
        publisher.check_budget(TEXTS)
    assert "3 posts would exceed max_posts_per_24h = 4: 3 posted in the last 24 h" in str(
        caught.value
    )
    assert caught.value.fits_at == NOW + dt.timedelta(hours=24)


def test_monthly_budget(store: Store, clock: Clock) -> None:
    """The monthly USD budget counts what the store says was posted this month."""
    x = FakeX()
    publisher = _publisher(store, x, clock, monthly_budget_usd=0.40, reply_pause_seconds=0)
    publisher.publish(_freeze(store).id)  # 0.015 * 2 + 0.20 = 0.23
    with pytest.raises(
        BudgetExceededError,
        match=r"\$0.230 would exceed monthly_budget_usd = \$0.40: \$0.230 spent",
    ):
        publisher.check_budget(TEXTS)


PNG = b"\x89PNG\r\n\x1a\nchart-bytes"


def _freeze_with_chart(store: Store) -> ThreadRecord:
    return store.threads.freeze(
        key="a#2",
        article="a.txt",
        section_index=2,
        section="S",
        content_hash="c",
        posts=TEXTS,
        cost_usd=0.23,
        now=NOW,
        account="default",
        network="x",
        media={2: (PNG, "Bar chart: market")},
    )


def _claimed(store: Store, thread: ThreadRecord) -> Claim:
    """The thread claimed and given back, as a process that uploaded and stopped."""
    claim = store.queue.claim(thread.id, Owner("before:1:aa", "h"), NOW, LEASE)
    assert claim is not None
    claim.release()
    return claim


def test_chart_is_uploaded_once_and_attached(store: Store, clock: Clock) -> None:
    """The chart of tweet 2 is uploaded with its alt text and attached to that tweet only."""
    x = FakeX()
    record = _publisher(store, x, clock, reply_pause_seconds=0).publish(
        _freeze_with_chart(store).id
    )
    assert [len(p.media_ids) for p in x.posts] == [0, 1, 0]
    assert x.media[x.posts[1].media_ids[0]] == (PNG, "Bar chart: market")
    assert x.calls.count("upload_media") == 1
    assert record.status == "posted"


def test_resume_reuses_a_recorded_upload(store: Store, clock: Clock) -> None:
    """An upload recorded before a crash is reused on resume, not uploaded again."""
    x = FakeX()
    thread = _freeze_with_chart(store)
    _claimed(store, thread).uploaded(2, x.upload_media(PNG, "Bar chart: market"), NOW)
    _publisher(store, x, clock, reply_pause_seconds=0).publish(thread.id)
    assert x.calls.count("upload_media") == 1


def test_an_expired_upload_is_replaced(store: Store, clock: Clock) -> None:
    """X keeps uploads 24 h; one older than 20 h is uploaded afresh."""
    x = FakeX()
    thread = _freeze_with_chart(store)
    _claimed(store, thread).uploaded(2, "old-media-id", NOW - dt.timedelta(hours=21))
    _publisher(store, x, clock, reply_pause_seconds=0).publish(thread.id)
    assert x.posts[1].media_ids != ("old-media-id",)
    assert x.calls.count("upload_media") == 1


def test_resume_waits_out_a_dead_lease_but_not_a_renewed_one(store: Store, clock: Clock) -> None:
    """`resume` waits once for another process's lease; if its holder renewed it meanwhile
    (it is alive), resume refuses, naming the holder, and sends nothing."""
    x = FakeX(accept_duplicates=True)
    thread = _freeze(store)
    alive = store.queue.claim(thread.id, Owner("alive:1:aa", "elsewhere"), NOW, LEASE)
    assert alive is not None
    publisher = _publisher(store, x, clock)
    publisher.lease = LEASE

    def sleep_while_holder_renews(seconds: float) -> None:
        clock.sleep(seconds)
        alive.renew(clock.now)

    publisher.sleep = sleep_while_holder_renews
    with pytest.raises(ThreadBusyError, match="being posted by alive:1:aa"):
        publisher.publish(thread.id, wait_for_lease=True)
    assert x.count("create_post") == 0
    publisher.sleep = clock.sleep  # the holder died: its lease runs out
    record = publisher.publish(thread.id, wait_for_lease=True)
    assert record.status == ThreadStatus.POSTED
    assert x.count("create_post") == 3


def test_bluesky_record_key_is_stored_before_sending_and_used_after_a_crash(
    store: Store, clock: Clock
) -> None:
    """Against the PDS emulator over HTTP: each post's record key is committed with
    `sending` before the request; a crash after the PDS stored post 2 leaves that key,
    and the next publisher reads the record back by it instead of creating it again."""
    from bot.networks.bluesky.client import BlueskyClient
    from bot.testing.bluesky import APP_PASSWORD, HANDLE, BlueskyEmulator

    pds = BlueskyEmulator()
    pds.start()
    client = BlueskyClient(handle=HANDLE, app_password=APP_PASSWORD, pds_url=pds.url)
    try:
        original = client.create_post
        sent: list[str | None] = []

        def crash_after_post_2(
            text: str,
            reply_to: str | None,
            media_ids: Sequence[str] = (),
            *,
            key: str | None = None,
        ) -> str:
            sent.append(key)
            # The key is in the store before the request goes out.
            assert store.threads.get(thread.id).posts[len(sent) - 1].post_key == key
            uri = original(text, reply_to, media_ids, key=key)
            if len(sent) == 2:
                raise Crash
            return uri

        client.create_post = crash_after_post_2  # type: ignore[method-assign]
        thread = _freeze(store)
        limits = PublishLimits(reply_pause_seconds=0)
        first = Publisher(
            store,
            client,
            limits,
            Prices(),
            clock=clock,
            lease=LEASE,
            account_name="default",
            network="bluesky",
        )
        with pytest.raises(Crash):
            first.publish(thread.id)
        stored = store.threads.get(thread.id)
        assert stored.posts[1].status == "sending"
        assert stored.posts[1].post_key == sent[1] == list(pds.records)[1]
        clock.now += LEASE.duration + dt.timedelta(seconds=1)
        client.create_post = original  # type: ignore[method-assign]
        second = Publisher(
            store,
            client,
            limits,
            Prices(),
            clock=clock,
            lease=LEASE,
            account_name="default",
            network="bluesky",
        )
        done = second.publish(thread.id)
        assert done.status == "posted"
        assert len(pds.records) == 3
        assert pds.calls["POST com.atproto.repo.createRecord"] == 3  # post 2 never resent
        assert pds.calls["GET com.atproto.repo.getRecord"] >= 1  # read back by its key
        assert [p.post_id for p in store.threads.get(thread.id).posts] == [
            r.uri for r in pds.records.values()
        ]
    finally:
        client.close()
        pds.stop()
