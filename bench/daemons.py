"""Many daemons on one queue: 100,000 queued threads, 1 vs 4 daemons on PostgreSQL,
one daemon on SQLite as the reference.

Run by ``bench/run.py`` (section 9, ``--only daemons``; ``--daemons-queue N`` for a
smaller queue). Each scenario gets a fresh store (a new PostgreSQL schema, dropped
afterwards, or a SQLite file) holding ``queue`` threads of four tweets, due days ahead
and spread over eight accounts, inserted with plain SQLAlchemy Core (not one
``Store.freeze`` per thread). Real ``threadbot run --max-threads 8`` processes start on
it against the local X emulator; once every one of them is ready, a window of
one-tweet threads is queued, due within ``WINDOW_SPREAD`` seconds, round-robin over
the eight accounts — so what is measured is claiming, not X's pauses (an account's
threads go one at a time, in due order, so at most eight post at once).

Per scenario: claims per second (window threads posted / first due time to last first
tweet), due→first-tweet latency p50/p99 (``tweets.posted_at`` of position 1 minus
``threads.due_at``), start-up time (spawn to first sync done), CPU seconds during the
window and peak RSS per daemon (``/proc``), database connections per daemon at peak
(the daemon's TCP sockets to the server, sampled every 0.1 s; ``pg_stat_activity``
counted only for those sockets' ports, since tests share the server and its
``application_name``) and how many were opened during the window; every window tweet
must have been POSTed exactly once. Then the daemon's poll query and the budget check's
query are timed on the full queue against a 1,000-thread queue: a poll must cost what
is due, not what is queued.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://threadbot:threadbot@127.0.0.1:5432/threadbot_test"
ACCOUNTS = ("default", *(f"acct{n}" for n in range(1, 8)))  # eight accounts
# One-tweet threads due "now". Each account's threads go one at a time and every due
# thread gets a claim attempt per poll, so the time to drain grows with the square of
# this: 160 keeps the section near three minutes; --daemons-window 400 for the full burst.
WINDOW = 160
WINDOW_SPREAD = 1.0  # seconds between the first and the last window thread's due time
LEAD = 3.0  # seconds from queueing the window to its first due time (poll 1 s)
MAX_THREADS = 8
BACKGROUND_TWEETS = 4
TIMEOUT = 120.0
STOP_TIMEOUT = 20.0

CONFIG = """
templates_dir = "{templates}"

[site]
blog_url = "https://blog.gonogo.kr"
about_url = "https://blog.gonogo.kr/about"
article_base_url = "https://blog.gonogo.kr/posts/"

[[site.recommendations]]
handle = "@GONOGO_Korea"
reason = "as a resource I trust and regularly learn from"

[publishing]
reply_pause_seconds = 0
request_timeout_seconds = 5

[budget]
max_posts_per_24h = 10000
monthly_usd = 1000000

[schedule]
timezone = "UTC"
poll_seconds = 1
"""


# -- stores ---------------------------------------------------------------------------


def postgres_url() -> str:
    return os.environ.get("THREADBOT_TEST_POSTGRES") or DEFAULT_POSTGRES


def postgres_unreachable() -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(postgres_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())[:160]}"
    return None


@contextmanager
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A URL whose connections use a new, empty schema, and the schema's name; dropped
    on exit (the pattern of tests/databases.py)."""
    import sqlalchemy as sa

    name = f"bench_{secrets.token_hex(5)}"
    admin = sa.create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in postgres_url() else "?"
    try:
        yield f"{postgres_url()}{separator}options={quote(f'-csearch_path={name}')}", name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


def insert_threads(
    store: object,
    first_id: int,
    count: int,
    *,
    first_due: dt.datetime,
    spacing: float,
    tweets: int,
    prefix: str,
) -> None:
    """``count`` scheduled threads with ids from ``first_id``, round-robin over
    ACCOUNTS, in one transaction of batched Core INSERTs (what ``Store.freeze`` writes,
    without 100,000 round trips)."""
    import sqlalchemy as sa

    from bot.store import Store
    from bot.store.schema import accounts_table, posts_table, threads_table

    assert isinstance(store, Store)
    now = dt.datetime.now(dt.UTC)
    batch = 5_000
    with store.engine.begin() as connection:
        existing = set(connection.execute(sa.select(accounts_table.c.name)).scalars())
        missing = [{"name": name} for name in ACCOUNTS if name not in existing]
        if missing:
            connection.execute(accounts_table.insert(), missing)
        for start in range(0, count, batch):
            numbers = range(start, min(count, start + batch))
            connection.execute(
                threads_table.insert(),
                [
                    {
                        "id": first_id + n,
                        "key": f"{prefix}#{n}",
                        "article": f"{prefix}.txt",
                        "section_index": n,
                        "section": prefix,
                        "content_hash": f"{prefix}{n}",
                        "status": "scheduled",
                        "created_at": now,
                        "due_at": first_due + dt.timedelta(seconds=spacing * n),
                        "cost_usd": 0.01 * tweets,
                        "account": ACCOUNTS[n % len(ACCOUNTS)],
                    }
                    for n in numbers
                ],
            )
            connection.execute(
                posts_table.insert(),
                [
                    {
                        "thread_id": first_id + n,
                        "position": k,
                        "text": f"{prefix} thread {n} tweet {k}/{tweets}",
                        "has_url": False,
                        "status": "pending",
                        "attempts": 0,
                    }
                    for n in numbers
                    for k in range(1, tweets + 1)
                ],
            )
        if store.shared:  # explicit ids: keep the sequence ahead of them
            connection.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('threads', 'id'), max(id)) FROM threads"
                )
            )


# -- processes --------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _sockets(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = str(fd.readlink())
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def database_ports(pids: list[int], server_port: int) -> dict[int, set[int]]:
    """Each pid's local ports of TCP connections to ``server_port`` (from /proc)."""
    wanted = f"{server_port:04X}"
    by_inode: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, remote, state, inode = parts[1], parts[2], parts[3], parts[9]
            if remote.rsplit(":", 1)[1] == wanted and state == "01":  # ESTABLISHED
                by_inode[inode] = int(local.rsplit(":", 1)[1], 16)
    return {pid: {by_inode[i] for i in _sockets(pid) if i in by_inode} for pid in pids}


@dataclass
class Daemon:
    process: subprocess.Popen[bytes]
    log: Path
    spawned: float
    ready: float = 0.0
    cpu_window_start: float = 0.0
    cpu_window: float = 0.0
    rss_mb: float = 0.0
    peak_connections: int = 0
    ports_seen: set[int] = field(default_factory=set)
    stopped: float = 0.0  # seconds from SIGTERM to exit
    killed: bool = False  # still running STOP_TIMEOUT after SIGTERM
    kept: Path | None = None  # its log, with every thread's stack

    @property
    def pid(self) -> int:
        return self.process.pid


def start_daemons(
    count: int, env: dict[str, str], folder: Path, config: Path, max_threads: int
) -> list[Daemon]:
    daemons = []
    for number in range(count):
        log = folder / f"daemon{number}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--max-threads",
                    str(max_threads),
                    "--config",
                    str(config),
                ],
                env=env,
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=handle,
            )
        daemons.append(Daemon(process, log, time.perf_counter()))
    for daemon in daemons:
        while "ready:" not in daemon.log.read_text(errors="replace"):
            if daemon.process.poll() is not None or time.perf_counter() - daemon.spawned > TIMEOUT:
                stop_daemons(daemons)
                raise SystemExit(f"daemon did not start: {daemon.log.read_text()[-2000:]}")
            time.sleep(0.02)
        daemon.ready = time.perf_counter() - daemon.spawned
    return daemons


def stop_daemons(daemons: list[Daemon]) -> None:
    """SIGTERM each, wait up to STOP_TIMEOUT; one still running then is SIGKILLed (and
    recorded: a daemon must stop after the tweet in flight)."""
    start = time.perf_counter()
    for daemon in daemons:
        if daemon.process.poll() is None:
            daemon.process.send_signal(signal.SIGTERM)
    for daemon in daemons:
        try:
            daemon.process.wait(max(0.1, STOP_TIMEOUT - (time.perf_counter() - start)))
            daemon.stopped = time.perf_counter() - start
        except subprocess.TimeoutExpired:
            # Hung: SIGABRT makes faulthandler (PYTHONFAULTHANDLER) write every thread's
            # stack into the daemon's log, kept for a look.
            daemon.killed = True
            daemon.process.send_signal(signal.SIGABRT)
            try:
                daemon.process.wait(5)
            except subprocess.TimeoutExpired:
                daemon.process.kill()
                daemon.process.wait()
            daemon.stopped = time.perf_counter() - start
            kept = Path(tempfile.gettempdir()) / f"threadbot-bench-hung-{daemon.pid}.log"
            kept.write_bytes(daemon.log.read_bytes())
            daemon.kept = kept


class Sampler:
    """Every 0.1 s: each daemon's connections to the database server, and how many of
    them PostgreSQL shows as active (not idle) in pg_stat_activity."""

    def __init__(self, daemons: list[Daemon], admin: object | None, port: int) -> None:
        self.daemons = daemons
        self.admin = admin
        self.port = port
        self.peak_total = 0
        self.peak_active = 0
        self.peak_pg = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import sqlalchemy as sa

        while not self._stop.is_set():
            ports = database_ports([d.pid for d in self.daemons], self.port)
            total = 0
            for daemon in self.daemons:
                mine = ports.get(daemon.pid, set())
                daemon.peak_connections = max(daemon.peak_connections, len(mine))
                daemon.ports_seen |= mine
                total += len(mine)
            self.peak_total = max(self.peak_total, total)
            every = sorted(p for ps in ports.values() for p in ps)
            if self.admin is not None and every:
                with self.admin.connect() as connection:  # type: ignore[attr-defined]
                    row = connection.execute(
                        sa.text(
                            "SELECT count(*), count(*) FILTER (WHERE state <> 'idle') "
                            "FROM pg_stat_activity WHERE application_name = 'threadbot' "
                            "AND client_port = ANY(:ports)"
                        ),
                        {"ports": every},
                    ).one()
                self.peak_pg = max(self.peak_pg, row[0])
                self.peak_active = max(self.peak_active, row[1])
            self._stop.wait(0.1)


# -- one scenario -------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    daemons: list[Daemon]
    window: int
    posted: int
    posts: int
    lookups: int
    claims_per_s: float
    p50: float
    p99: float
    lag: float  # last first tweet after the last due time, seconds
    connections: int | None
    active: int | None
    opened: int | None
    populate_s: float
    scans: str = ""
    poll_ms: float = 0.0
    budget_ms: float = 0.0


def _env(emulator: object, url: str) -> dict[str, str]:
    from bot.testing.x import (
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        XEmulator,
    )

    assert isinstance(emulator, XEmulator)
    env = {
        **os.environ,
        "THREADBOT_X_API_URL": emulator.url,
        "THREADBOT_DB": url,
        "PYTHONFAULTHANDLER": "1",
        "X_API_KEY": CONSUMER_KEY,
        "X_API_SECRET": CONSUMER_SECRET,
        "X_ACCESS_TOKEN": ACCESS_TOKEN,
        "X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
    }
    for name in ACCOUNTS[1:]:
        user = emulator.add_user(f"{name}_emu")
        prefix = f"THREADBOT_{name.upper()}_"
        env[f"{prefix}X_API_KEY"] = CONSUMER_KEY
        env[f"{prefix}X_API_SECRET"] = CONSUMER_SECRET
        env[f"{prefix}X_ACCESS_TOKEN"] = user.access_token
        env[f"{prefix}X_ACCESS_TOKEN_SECRET"] = user.access_token_secret
    return env


def _config(folder: Path) -> Path:
    path = folder / "daemons.toml"
    text = CONFIG.format(templates=ROOT / "templates")
    for name in ACCOUNTS[1:]:
        text += f'\n[accounts.{name}]\nhandle = "@{name}_emu"\n'
    path.write_text(text, encoding="utf-8")
    return path


def run_scenario(
    label: str, url: str, schema: str | None, daemon_count: int, queue: int, window: int
) -> Result:
    import sqlalchemy as sa

    from bot.store import Store
    from bot.store.schema import posts_table, threads_table
    from bot.testing.x import XEmulator

    store = Store(url)
    start = time.perf_counter()
    insert_threads(
        store,
        1,
        queue,
        first_due=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        spacing=60.0,
        tweets=BACKGROUND_TWEETS,
        prefix="queued",
    )
    populate_s = time.perf_counter() - start
    if store.shared:
        with store.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    emulator = XEmulator(accept_duplicates=True, window_limit=100_000)
    emulator.start()
    admin = None
    port = 0
    if store.shared:
        admin = sa.create_engine(postgres_url(), connect_args={"application_name": "bench"})
        port = sa.engine.make_url(url).port or 5432
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            env = _env(emulator, url)
            daemons = start_daemons(daemon_count, env, folder, _config(folder), MAX_THREADS)
            try:
                with Sampler(daemons, admin, port) as sampler:
                    for daemon in daemons:
                        daemon.cpu_window_start = cpu_seconds(daemon.pid)
                    before = _table_stats(admin, schema)
                    first_due = store.clock() + dt.timedelta(seconds=LEAD)
                    insert_threads(
                        store,
                        queue + 1,
                        window,
                        first_due=first_due,
                        spacing=WINDOW_SPREAD / max(1, window - 1),
                        tweets=1,
                        prefix="window",
                    )
                    deadline = time.monotonic() + TIMEOUT
                    while time.monotonic() < deadline:
                        with store.engine.connect() as connection:
                            done = connection.execute(
                                sa.select(sa.func.count())
                                .select_from(threads_table)
                                .where(threads_table.c.id > queue)
                                .where(threads_table.c.status == "posted")
                            ).scalar_one()
                        if done >= window:
                            break
                        time.sleep(0.25)
                    for daemon in daemons:
                        daemon.cpu_window = cpu_seconds(daemon.pid) - daemon.cpu_window_start
                        daemon.rss_mb = peak_rss_mb(daemon.pid)
            finally:
                stop_daemons(daemons)
            time.sleep(0.6 if admin is not None else 0)  # PostgreSQL flushes table stats
            after = _table_stats(admin, schema)
    finally:
        emulator.stop()
        if admin is not None:
            admin.dispose()

    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(threads_table.c.due_at, posts_table.c.posted_at)
            .join(posts_table, posts_table.c.thread_id == threads_table.c.id)
            .where(threads_table.c.id > queue)
            .where(posts_table.c.position == 1)
            .where(posts_table.c.posted_at.is_not(None))
        ).all()
        touched = connection.execute(
            sa.select(sa.func.count())
            .select_from(threads_table)
            .where(threads_table.c.id <= queue)
            .where(threads_table.c.status != "scheduled")
        ).scalar_one()
    poll_ms, budget_ms = query_costs(store)
    store.engine.dispose()
    if touched:
        raise SystemExit(f"{label}: {touched} threads of the far-future queue changed status")

    def utc(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    latencies = sorted((utc(p) - utc(d)).total_seconds() for d, p in rows)
    posted = len(latencies)
    posts = emulator.calls["POST /2/tweets"]
    if posts != posted:
        raise SystemExit(
            f"{label}: {posted} window threads posted with {posts} POST /2/tweets "
            "(each tweet must be POSTed once)"
        )
    if not posted:
        raise SystemExit(f"{label}: nothing posted in {TIMEOUT:.0f} s")
    dues = [utc(d) for d, _ in rows]
    done = [utc(p) for _, p in rows]
    span = (max(done) - min(dues)).total_seconds()
    opened = sum(len(d.ports_seen) for d in daemons) if admin is not None else None
    return Result(
        label=label,
        daemons=daemons,
        window=window,
        posted=posted,
        posts=posts,
        lookups=emulator.calls["GET /2/users/me"],
        claims_per_s=posted / span,
        p50=statistics.median(latencies),
        p99=latencies[min(posted - 1, int(posted * 0.99))],
        lag=(max(done) - max(dues)).total_seconds(),
        connections=sampler.peak_total if admin is not None else None,
        active=sampler.peak_active if admin is not None else None,
        opened=opened,
        populate_s=populate_s,
        scans=_scan_delta(before, after),
        poll_ms=poll_ms,
        budget_ms=budget_ms,
    )


def _table_stats(admin: object | None, schema: str | None) -> dict[str, tuple[int, ...]]:
    if admin is None or schema is None:
        return {}
    import sqlalchemy as sa

    with admin.connect() as connection:  # type: ignore[attr-defined]
        rows = connection.execute(
            sa.text(
                "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), "
                "coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE schemaname = :s"
            ),
            {"s": schema},
        ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def _scan_delta(before: dict[str, tuple[int, ...]], after: dict[str, tuple[int, ...]]) -> str:
    parts = []
    for table in ("threads", "posts"):
        if table in after:
            b = before.get(table, (0, 0, 0, 0))
            seq, seq_rows, idx, idx_rows = (x - y for x, y in zip(after[table], b, strict=True))
            parts.append(
                f"{table}: {seq:,} seq scans ({seq_rows:,} rows), {idx:,} index scans "
                f"({idx_rows:,} rows)"
            )
    return "; ".join(parts)


# -- the poll's and the budget check's queries ---------------------------------------------


def _median_ms(function: object, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def query_costs(store: object) -> tuple[float, float]:
    """Milliseconds of the daemon's poll query (every poll_seconds, and after every
    thread) and of the budget check's query (twice per claim), median of 7."""
    from bot.lifecycle import UPCOMING
    from bot.store import Store

    assert isinstance(store, Store)
    now = store.clock()
    poll = _median_ms(
        lambda: store.queue.due(*UPCOMING, due_by=store.clock() + dt.timedelta(seconds=3))
    )
    budget = _median_ms(lambda: store.posts.since(now - dt.timedelta(hours=24), "acct1", "x"))
    return poll, budget


def small_query_costs(url: str, count: int) -> tuple[float, float]:
    from bot.store import Store

    store = Store(url)
    insert_threads(
        store,
        1,
        count,
        first_due=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        spacing=60.0,
        tweets=BACKGROUND_TWEETS,
        prefix="queued",
    )
    if store.shared:
        import sqlalchemy as sa

        with store.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    costs = query_costs(store)
    store.engine.dispose()
    return costs


# -- the section ------------------------------------------------------------------------


HEADER = (
    f"   {'':<22}{'start s':>8}{'claims/s':>10}{'p50 ms':>8}{'p99 ms':>8}{'lag ms':>8}"
    f"  {'CPU s/daemon':<20}{'RSS MB/daemon':<16}DB conns peak (active; opened) per daemon"
)


def _row(r: Result) -> str:
    cpu = "/".join(f"{d.cpu_window:.1f}" for d in r.daemons)
    rss = "/".join(f"{d.rss_mb:.0f}" for d in r.daemons)
    start = max(d.ready for d in r.daemons)
    conns = (
        "—"
        if r.connections is None
        else f"{r.connections} ({r.active}; {r.opened}) "
        + "/".join(str(d.peak_connections) for d in r.daemons)
    )
    row = (
        f"   {r.label:<22}{start:>8.1f}{r.claims_per_s:>10.1f}{r.p50 * 1000:>8.0f}"
        f"{r.p99 * 1000:>8.0f}{r.lag * 1000:>8.0f}  {cpu:<20}{rss:<16}{conns}"
    )
    stops = "/".join(f"{d.stopped:.1f}" + (" KILLED" if d.killed else "") for d in r.daemons)
    notes = [
        f"{r.posted} of {r.window} threads posted"
        + ("" if r.posted == r.window else f" (TIMED OUT after {TIMEOUT:.0f} s)"),
        f"{r.posts} POST /2/tweets ({r.posts / r.posted:.2f} per tweet)",
        f"{r.lookups} identity look-ups",
        f"SIGTERM to exit {stops} s",
        f"queue inserted in {r.populate_s:.1f} s",
    ]
    row += "\n      " + ", ".join(notes)
    if r.scans:
        row += f"\n      during the window: {r.scans}"
    for d in r.daemons:
        if d.kept is not None:
            row += f"\n      daemon {d.pid} hung after SIGTERM: its stacks are in {d.kept}"
    return row


def bench_daemons(queue: int = 100_000, window: int = WINDOW) -> None:
    unreachable = postgres_unreachable()
    print(
        f"9. daemons: {queue:,} queued threads ({BACKGROUND_TWEETS} tweets, days ahead, "
        f"{len(ACCOUNTS)} accounts) + {window} one-tweet threads due within "
        f"{WINDOW_SPREAD:.0f} s, round-robin over the accounts; "
        f"`threadbot run --max-threads {MAX_THREADS}` on the X emulator",
        flush=True,
    )
    print(HEADER, flush=True)
    results: dict[str, Result] = {}

    def run(label: str, url: str, schema: str | None, count: int) -> None:
        results[label] = run_scenario(label, url, schema, count, queue, window)
        print(_row(results[label]), flush=True)

    with tempfile.TemporaryDirectory() as directory:
        run("sqlite, 1 daemon", f"sqlite:///{Path(directory) / 'queue.db'}", None, 1)
    if unreachable:
        print(f"   PostgreSQL at {postgres_url()} not reachable ({unreachable}): skipped")
    else:
        for count in (1, 4):
            with postgres_schema() as (url, schema):
                run(f"postgresql, {count} daemon{'s' if count > 1 else ''}", url, schema, count)
    sqlite = results.get("sqlite, 1 daemon")
    pg1 = results.get("postgresql, 1 daemon")
    pg4 = results.get("postgresql, 4 daemons")
    if pg1 and sqlite:
        print(
            f"   PostgreSQL 1 daemon vs SQLite 1 daemon (baseline): claims/s "
            f"{pg1.claims_per_s / sqlite.claims_per_s:.2f}x, p99 {pg1.p99 / sqlite.p99:.2f}x, "
            f"CPU {pg1.daemons[0].cpu_window / sqlite.daemons[0].cpu_window:.2f}x"
        )
    if pg1 and pg4:
        cpu4 = sum(d.cpu_window for d in pg4.daemons)
        print(
            f"   4 daemons vs 1 daemon (baseline), PostgreSQL: claims/s "
            f"{pg4.claims_per_s / pg1.claims_per_s:.2f}x, p99 {pg4.p99 / pg1.p99:.2f}x, "
            f"CPU of all daemons {cpu4 / pg1.daemons[0].cpu_window:.2f}x "
            f"(at most {len(ACCOUNTS)} threads post at once: one per account)"
        )
    small = 1_000
    with tempfile.TemporaryDirectory() as directory:
        baseline = {"sqlite": small_query_costs(f"sqlite:///{Path(directory) / 'q.db'}", small)}
    if not unreachable:
        with postgres_schema() as (url, _):
            baseline["postgresql"] = small_query_costs(url, small)
    for result in (sqlite, pg1):
        if result is None:
            continue
        backend = result.label.split(",")[0]
        small_poll, small_budget = baseline[backend]
        print(
            f"   {backend}: poll query queue.due(UPCOMING, due_by=now+3 s) "
            f"{result.poll_ms:.1f} ms with {queue:,} queued vs {small_poll:.1f} ms with "
            f"{small:,} ({result.poll_ms / small_poll:.1f}x; 1.0 = independent of the queue); "
            f"budget query posts.since(24 h, account) {result.budget_ms:.1f} ms vs "
            f"{small_budget:.1f} ms ({result.budget_ms / small_budget:.1f}x)"
        )
