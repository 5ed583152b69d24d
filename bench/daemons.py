"""Daemons that add throughput: 1, 2 and 4 daemons on one PostgreSQL queue, with more
accounts due at once than one daemon may post side by side.

Run by ``bench/run.py`` (section 9, ``--only daemons``). One PostgreSQL schema holds a
far-future background queue (``--daemons-queue N`` threads of four posts, days ahead;
100,000 by default) spread over ``ACCOUNTS`` (200) accounts, inserted with plain
SQLAlchemy Core. For each daemon count, real ``threadbot run --max-threads 4``
processes start on it against the X emulator — in a process of its own, answering each
POST /2/tweets after ``ANSWER_DELAY`` (50 ms, as a real API does; requests in flight
overlap) — and once every daemon is ready a batch is queued: ``THREADS_PER_ACCOUNT``
threads of ``POSTS_PER_THREAD`` posts per account, all due at the same instant. An
account's threads on a network (a lane) go one at a time, in due order; one daemon
posts at most 4 threads at once, so one daemon's throughput is about
4 / (posts per thread × (50 ms + its own cost per post)) threads per second, and more
daemons can add to it. ``reply_pause_seconds = 0`` (X's pause between replies would
dominate every number here).

Per daemon count: posts per second (batch posts / first due time to last post), ratio
to one daemon, due→first-post latency p50/p99 (``posts.posted_at`` of position 1 minus
``threads.due_at``: queueing included), CPU over the window per daemon, of the emulator,
of the PostgreSQL backends serving the daemons and of the whole machine (busy cores of
``os.cpu_count()``: other work on the machine counts too), claims lost to another daemon
(APScheduler's skipped runs and the daemons' own logs), and the checks: every post
POSTed exactly once, each lane's threads one after another in due order, the background
queue untouched. Then the daemon's poll query and the budget check's query are timed on
the full queue against a 1,000-thread one: a poll must cost what is due, not what is
queued.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
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
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://threadbot:threadbot@127.0.0.1:5432/threadbot_test"
ACCOUNTS = 200
DAEMON_COUNTS = (1, 2, 4)
THREADS_PER_ACCOUNT = 2
POSTS_PER_THREAD = 4
ANSWER_DELAY = 0.05  # seconds the emulator takes over each POST /2/tweets
MAX_THREADS = 4
BACKGROUND_POSTS = 4
LEAD = 3.0  # seconds from queueing the batch to its due time (poll 1 s)
TIMEOUT = 240.0
STOP_TIMEOUT = 20.0
GOAL = 2.5  # 4 daemons' posts per second against one's

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


def account_names(count: int = ACCOUNTS) -> list[str]:
    """The top-level account and ``count - 1`` [accounts.NAME] sections."""
    return ["default", *(f"acct{n:03d}" for n in range(1, count))]


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
    accounts: list[str],
    first_due: dt.datetime,
    spacing: float,
    tweets: int,
    prefix: str,
) -> None:
    """``count`` scheduled threads with ids from ``first_id``, round-robin over
    ``accounts``, in one transaction of batched Core INSERTs (what ``Store.freeze``
    writes, without 100,000 round trips)."""
    import sqlalchemy as sa

    from bot.store import Store
    from bot.store.schema import accounts_table, posts_table, threads_table

    assert isinstance(store, Store)
    now = dt.datetime.now(dt.UTC)
    batch = 5_000
    with store.engine.begin() as connection:
        existing = set(connection.execute(sa.select(accounts_table.c.name)).scalars())
        missing = [{"name": name} for name in accounts if name not in existing]
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
                        "account": accounts[n % len(accounts)],
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


def machine_busy() -> tuple[float, float]:
    """Seconds of CPU time the whole machine spent busy and in all, summed over its
    CPUs (from /proc/stat: everything but idle and iowait is busy)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])
    idle = fields[3] + fields[4]
    return (total - idle) / _TICK, total / _TICK


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
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
    cpu_start: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0
    peak_connections: int = 0
    ports_seen: set[int] = field(default_factory=set)
    stopped: float = 0.0  # seconds from SIGTERM to exit
    killed: bool = False  # still running STOP_TIMEOUT after SIGTERM
    kept: Path | None = None  # its log, with every thread's stack
    threads: int = 0  # batch threads it claimed ("due: thread" lines)
    tried: int = 0  # claims it tried (counted_claims)
    had: int = 0  # and had
    skipped: int = 0  # APScheduler runs skipped (a job still queued or running)

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
                    "-c",
                    f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                    "from bench.daemons import counted_claims; counted_claims()",
                    "run",
                    "--max-threads",
                    str(max_threads),
                    "--config",
                    str(config),
                ],
                env={**env, "BENCH_CLAIMS": str(log.with_suffix(".claims"))},
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


def counted_claims() -> None:
    """``threadbot`` (``sys.argv``: ``run …``) with the daemon's claims counted: how many
    it tried and how many it had, written to $BENCH_CLAIMS when it exits. A claim tried
    and not had is one another daemon won (or a lane still busy): work for nothing."""
    import atexit

    from bot.cli import main
    from bot.store.queue import Queue

    counts = [0, 0]
    lock = threading.Lock()
    claim = Queue.claim

    def counted(self: Queue, *args: Any, **kwargs: Any) -> Any:
        result = claim(self, *args, **kwargs)
        with lock:
            counts[0] += 1
            counts[1] += result is not None
        return result

    Queue.claim = counted  # type: ignore[method-assign]
    path = Path(os.environ["BENCH_CLAIMS"])
    atexit.register(lambda: path.write_text(f"{counts[0]} {counts[1]}"))
    main()


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
    """Every 0.25 s: each daemon's connections to the database server, how many of them
    PostgreSQL shows as active (not idle), and the CPU time of the server processes
    (backends) serving them, from when ``window()`` is called."""

    def __init__(self, daemons: list[Daemon], admin: object, port: int) -> None:
        self.daemons = daemons
        self.admin = admin
        self.port = port
        self.peak_total = 0
        self.peak_active = 0
        # backend pid -> (CPU seconds when first seen in the window, last seen)
        self.backends: dict[int, tuple[float, float]] = {}
        self._window = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self._stop.set()
        self._thread.join()

    def window(self) -> None:
        """From now on, count the backends' CPU."""
        self._sample()
        self._window = True

    @property
    def backend_cpu(self) -> float:
        return sum(last - first for first, last in self.backends.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.25)
        self._sample()

    def _sample(self) -> None:
        import sqlalchemy as sa

        ports = database_ports([d.pid for d in self.daemons], self.port)
        total = 0
        for daemon in self.daemons:
            mine = ports.get(daemon.pid, set())
            daemon.peak_connections = max(daemon.peak_connections, len(mine))
            daemon.ports_seen |= mine
            total += len(mine)
        self.peak_total = max(self.peak_total, total)
        every = sorted(p for ps in ports.values() for p in ps)
        if not every:
            return
        with self.admin.connect() as connection:  # type: ignore[attr-defined]
            rows = connection.execute(
                sa.text(
                    "SELECT pid, state FROM pg_stat_activity WHERE application_name = "
                    "'threadbot' AND client_port = ANY(:ports)"
                ),
                {"ports": every},
            ).all()
        self.peak_active = max(self.peak_active, sum(state != "idle" for _, state in rows))
        for pid, _ in rows:
            used = cpu_seconds(pid)
            if not self._window:
                self.backends[pid] = (used, used)  # where the window starts from
            else:
                # A backend first seen in the window counts from its start.
                first, last = self.backends.get(pid, (0.0, 0.0))
                self.backends[pid] = (first, max(last, used))


# -- the emulator, in a process of its own (its CPU is its own, its GIL too) --------------


def _serve_emulator(pipe: Connection, names: list[str], answer_delay: float) -> None:
    from bot.testing.x import XEmulator

    emulator = XEmulator(accept_duplicates=True, window_limit=1_000_000, answer_delay=answer_delay)
    emulator.start()
    users = [emulator.add_user(f"{name}_emu") for name in names[1:]]
    pipe.send((emulator.url, [(u.access_token, u.access_token_secret) for u in users]))
    while True:
        command = pipe.recv()
        if command == "stats":
            with emulator.lock:
                texts = [p.text for p in emulator.posts]
            pipe.send((dict(emulator.calls), len(texts), len(set(texts))))
        else:
            emulator.stop()
            pipe.send(None)
            return


class EmulatorProcess:
    def __init__(self, names: list[str], answer_delay: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(
            target=_serve_emulator, args=(child, names, answer_delay), daemon=True
        )
        self.process.start()
        if not self.pipe.poll(TIMEOUT):
            self.process.kill()
            raise SystemExit(f"the emulator did not start (exit code {self.process.exitcode})")
        self.url, self.tokens = self.pipe.recv()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def stats(self) -> tuple[dict[str, int], int, int]:
        """Requests by route, posts stored, distinct texts among them."""
        self.pipe.send("stats")
        calls, posts, distinct = self.pipe.recv()
        return calls, posts, distinct

    def stop(self) -> None:
        self.pipe.send("stop")
        self.pipe.recv()
        self.process.join(10)


def _env(emulator: EmulatorProcess, url: str, names: list[str]) -> dict[str, str]:
    from bot.testing.x import (
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
    )

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
    for name, (token, secret) in zip(names[1:], emulator.tokens, strict=True):
        prefix = f"THREADBOT_{name.upper()}_"
        env[f"{prefix}X_API_KEY"] = CONSUMER_KEY
        env[f"{prefix}X_API_SECRET"] = CONSUMER_SECRET
        env[f"{prefix}X_ACCESS_TOKEN"] = token
        env[f"{prefix}X_ACCESS_TOKEN_SECRET"] = secret
    return env


def _config(folder: Path, names: list[str]) -> Path:
    path = folder / "daemons.toml"
    text = CONFIG.format(templates=ROOT / "templates")
    for name in names[1:]:
        text += f'\n[accounts.{name}]\nhandle = "@{name}_emu"\n'
    path.write_text(text, encoding="utf-8")
    return path


# -- one daemon count -------------------------------------------------------------------


@dataclass
class Result:
    label: str
    daemons: list[Daemon]
    threads: int
    posted: int  # batch posts live in the store
    posts: int  # POST /2/tweets the emulator received
    lookups: int
    span: float  # first due time to last post, seconds
    p50: float
    p99: float
    emulator_cpu: float
    backend_cpu: float
    bench_cpu: float
    machine_busy: float  # busy CPU seconds of the whole machine during the window
    cpus: int
    connections: int
    active: int
    opened: int
    scans: str = ""

    @property
    def posts_per_s(self) -> float:
        return self.posted / self.span

    @property
    def others(self) -> float:
        """Busy CPU seconds of the machine not spent by this bench's processes (other
        work on a shared machine; PostgreSQL's own background processes)."""
        ours = sum(d.cpu for d in self.daemons) + self.emulator_cpu + self.backend_cpu
        return max(0.0, self.machine_busy - ours - self.bench_cpu)

    def cores(self, seconds: float) -> float:
        return seconds / self.span


def run_scenario(
    url: str, schema: str, names: list[str], daemon_count: int, first_id: int, prefix: str
) -> Result:
    import sqlalchemy as sa

    from bot.store import Store
    from bot.store.schema import posts_table, threads_table

    label = f"{daemon_count} daemon{'s' if daemon_count > 1 else ''}"
    count = len(names) * THREADS_PER_ACCOUNT
    store = Store(url)
    emulator = EmulatorProcess(names, ANSWER_DELAY)
    admin = sa.create_engine(postgres_url(), connect_args={"application_name": "bench"})
    port = sa.engine.make_url(url).port or 5432
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            env = _env(emulator, url, names)
            daemons = start_daemons(daemon_count, env, folder, _config(folder, names), MAX_THREADS)
            try:
                with Sampler(daemons, admin, port) as sampler:
                    before = _table_stats(admin, schema)
                    first_due = store.clock() + dt.timedelta(seconds=LEAD)
                    insert_threads(
                        store,
                        first_id,
                        count,
                        accounts=names,
                        first_due=first_due,
                        spacing=0.0,
                        tweets=POSTS_PER_THREAD,
                        prefix=prefix,
                    )
                    # The window opens at the due time (the daemons idle until then).
                    time.sleep(max(0.0, (first_due - store.clock()).total_seconds()))
                    for daemon in daemons:
                        daemon.cpu_start = cpu_seconds(daemon.pid)
                    emulator_start = cpu_seconds(emulator.pid)
                    bench_start = time.process_time()
                    busy_start, _ = machine_busy()
                    sampler.window()
                    deadline = time.monotonic() + TIMEOUT
                    while time.monotonic() < deadline:
                        with store.engine.connect() as connection:
                            done = connection.execute(
                                sa.select(sa.func.count())
                                .select_from(threads_table)
                                .where(threads_table.c.id >= first_id)
                                .where(threads_table.c.status == "posted")
                            ).scalar_one()
                        if done >= count:
                            break
                        time.sleep(0.1)
                    busy_end, _ = machine_busy()
                    for daemon in daemons:
                        daemon.cpu = cpu_seconds(daemon.pid) - daemon.cpu_start
                        daemon.rss_mb = peak_rss_mb(daemon.pid)
                    emulator_cpu = cpu_seconds(emulator.pid) - emulator_start
                    bench_cpu = time.process_time() - bench_start
            finally:
                stop_daemons(daemons)
            for daemon in daemons:
                text = daemon.log.read_text(errors="replace")
                daemon.threads = text.count("due: thread")
                daemon.skipped = text.count("maximum number of running instances reached")
                claims = daemon.log.with_suffix(".claims")
                if claims.is_file():
                    daemon.tried, daemon.had = map(int, claims.read_text().split())
            time.sleep(0.6)  # PostgreSQL flushes table stats
            after = _table_stats(admin, schema)
        calls, stored, distinct = emulator.stats()
    finally:
        emulator.stop()
        admin.dispose()

    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                threads_table.c.id,
                threads_table.c.account,
                threads_table.c.due_at,
                posts_table.c.position,
                posts_table.c.posted_at,
            )
            .join(posts_table, posts_table.c.thread_id == threads_table.c.id)
            .where(threads_table.c.id >= first_id)
            .where(posts_table.c.posted_at.is_not(None))
        ).all()
        touched = connection.execute(
            sa.select(sa.func.count())
            .select_from(threads_table)
            .where(threads_table.c.section == "queued")
            .where(threads_table.c.status != "scheduled")
        ).scalar_one()
    # The next daemon count starts from the same store: the batch gone, statistics fresh.
    with store.engine.begin() as connection:
        connection.execute(posts_table.delete().where(posts_table.c.thread_id >= first_id))
        connection.execute(threads_table.delete().where(threads_table.c.id >= first_id))
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE threads, posts"))
    store.engine.dispose()
    if touched:
        raise SystemExit(f"{label}: {touched} threads of the far-future queue changed status")

    def utc(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    posted = len(rows)
    posts = calls.get("POST /2/tweets", 0)
    if not posted:
        raise SystemExit(f"{label}: nothing posted in {TIMEOUT:.0f} s")
    if not posts == stored == distinct == posted:
        raise SystemExit(
            f"{label}: {posted} posts live in the store, {posts} POST /2/tweets, {stored} "
            f"posts on the emulator, {distinct} distinct texts (each post must be POSTed once)"
        )
    _check_lanes(label, rows)
    firsts = sorted(
        (utc(r.posted_at) - utc(r.due_at)).total_seconds() for r in rows if r.position == 1
    )
    span = (max(utc(r.posted_at) for r in rows) - first_due).total_seconds()
    return Result(
        label=label,
        daemons=daemons,
        threads=count,
        posted=posted,
        posts=posts,
        lookups=calls.get("GET /2/users/me", 0),
        span=span,
        p50=statistics.median(firsts),
        p99=firsts[min(len(firsts) - 1, int(len(firsts) * 0.99))],
        emulator_cpu=emulator_cpu,
        backend_cpu=sampler.backend_cpu,
        bench_cpu=bench_cpu,
        machine_busy=busy_end - busy_start,
        cpus=os.cpu_count() or 1,
        connections=sampler.peak_total,
        active=sampler.peak_active,
        opened=sum(len(d.ports_seen) for d in daemons),
        scans=_scan_delta(before, after),
    )


def _check_lanes(label: str, rows: list[Any]) -> None:
    """Each account's threads one after another, in due order (then id): a thread's
    first post after the previous thread's last."""
    threads: dict[int, list[Any]] = {}
    for row in rows:
        threads.setdefault(row.id, []).append(row)
    lanes: dict[str, list[tuple[Any, int, Any, Any]]] = {}
    for thread_id, posts in threads.items():
        if len(posts) != POSTS_PER_THREAD:
            raise SystemExit(f"{label}: thread {thread_id} has {len(posts)} posts live")
        first = min(p.posted_at for p in posts)
        last = max(p.posted_at for p in posts)
        lanes.setdefault(posts[0].account, []).append((posts[0].due_at, thread_id, first, last))
    for account, lane in lanes.items():
        lane.sort()
        for (_, earlier, _, ended), (_, later, started, _) in itertools.pairwise(lane):
            if started < ended:
                raise SystemExit(
                    f"{label}: account {account}'s thread {later} started before thread "
                    f"{earlier}, due before it, ended"
                )


def _table_stats(admin: object, schema: str) -> dict[str, tuple[int, ...]]:
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
    thread) and of the budget check's query (once per claim), median of 7."""
    from bot.lifecycle import UPCOMING
    from bot.store import Store

    assert isinstance(store, Store)
    now = store.clock()
    poll = _median_ms(
        lambda: store.queue.due(*UPCOMING, due_by=store.clock() + dt.timedelta(seconds=3))
    )
    budget = _median_ms(lambda: store.posts.since(now - dt.timedelta(hours=24), "acct001", "x"))
    return poll, budget


def populated(url: str, count: int, names: list[str]) -> tuple[float, tuple[float, float]]:
    """Queue ``count`` far-future threads; the seconds it took and the query costs."""
    from bot.store import Store

    store = Store(url)
    start = time.perf_counter()
    insert_threads(
        store,
        1,
        count,
        accounts=names,
        first_due=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        spacing=60.0,
        tweets=BACKGROUND_POSTS,
        prefix="queued",
    )
    seconds = time.perf_counter() - start
    if store.shared:
        import sqlalchemy as sa

        with store.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    costs = query_costs(store)
    store.engine.dispose()
    return seconds, costs


# -- the section ------------------------------------------------------------------------


HEADER = (
    f"   {'':<10}{'start s':>8}{'posts/s':>9}{'vs 1':>7}{'p50 s':>7}{'p99 s':>7}"
    f"  {'CPU cores: each daemon':<24}{'all':>5}{'emu':>6}{'PG':>6}{'others':>7}{'machine':>9}"
    f"  threads/daemon"
)


def _row(r: Result, one: Result | None) -> str:
    each = "/".join(f"{r.cores(d.cpu):.2f}" for d in r.daemons)
    every = sum(d.cpu for d in r.daemons)
    start = max(d.ready for d in r.daemons)
    ratio = f"{r.posts_per_s / one.posts_per_s:.2f}x" if one is not None else ""
    row = (
        f"   {r.label:<10}{start:>8.1f}{r.posts_per_s:>9.1f}{ratio:>7}{r.p50:>7.1f}{r.p99:>7.1f}"
        f"  {each:<24}{r.cores(every):>5.2f}{r.cores(r.emulator_cpu):>6.2f}"
        f"{r.cores(r.backend_cpu):>6.2f}{r.cores(r.others):>7.2f}"
        f"{r.cores(r.machine_busy):>5.2f}/{r.cpus:<3}"
        f"  {'/'.join(str(d.threads) for d in r.daemons)}"
    )
    stops = "/".join(f"{d.stopped:.1f}" + (" KILLED" if d.killed else "") for d in r.daemons)
    notes = [
        f"{r.posted} posts of {r.threads} threads in {r.span:.1f} s, each POSTed once",
        f"lanes in order, {r.lookups} identity look-ups",
        f"claims tried {sum(d.tried for d in r.daemons)}, had {sum(d.had for d in r.daemons)}",
        f"{sum(d.skipped for d in r.daemons)} runs skipped by APScheduler",
        f"DB connections peak {r.connections} ({r.active} active; {r.opened} opened)",
        f"RSS {'/'.join(f'{d.rss_mb:.0f}' for d in r.daemons)} MB",
        f"SIGTERM to exit {stops} s",
        f"bench runner {r.cores(r.bench_cpu):.2f} cores",
    ]
    row += "\n      " + ", ".join(notes)
    if r.scans:
        row += f"\n      during the window: {r.scans}"
    for d in r.daemons:
        if d.kept is not None:
            row += f"\n      daemon {d.pid} hung after SIGTERM: its stacks are in {d.kept}"
    return row


def bench_daemons(
    queue: int = 100_000,
    accounts: int = ACCOUNTS,
    counts: tuple[int, ...] = DAEMON_COUNTS,
    runs: int = 1,
) -> dict[int, list[Result]]:
    """Posts per second with each daemon count (``runs`` times each, interleaved; the
    median run is compared)."""
    names = account_names(accounts)
    threads = accounts * THREADS_PER_ACCOUNT
    print(
        f"9. daemons: {accounts} accounts, {THREADS_PER_ACCOUNT} threads of "
        f"{POSTS_PER_THREAD} posts each due at once ({threads * POSTS_PER_THREAD:,} posts), "
        f"{queue:,} more queued days ahead; `threadbot run --max-threads {MAX_THREADS}` on "
        f"PostgreSQL, the X emulator answering each post after {ANSWER_DELAY * 1000:.0f} ms, "
        f"reply_pause_seconds = 0; {os.cpu_count()} CPUs (shared: numbers are noisy)",
        flush=True,
    )
    unreachable = postgres_unreachable()
    if unreachable:
        print(f"   PostgreSQL at {postgres_url()} not reachable ({unreachable}): skipped")
        return {}
    results: dict[int, list[Result]] = {count: [] for count in counts}
    with postgres_schema() as (url, schema):
        seconds, (poll_ms, budget_ms) = populated(url, queue, names)
        print(f"   {queue:,} threads queued in {seconds:.1f} s", flush=True)
        print(HEADER, flush=True)
        first_id = queue + 1
        for run in range(runs):
            for count in counts:
                result = run_scenario(url, schema, names, count, first_id, f"run{run}d{count}")
                first_id += threads
                results[count].append(result)
                ones = results.get(1) or [None]
                print(_row(result, ones[-1]), flush=True)

    def median(count: int) -> Result:
        ordered = sorted(results[count], key=lambda r: r.posts_per_s)
        return ordered[(len(ordered) - 1) // 2]

    for count in counts:
        r = median(count)
        daemons = sum(d.cpu for d in r.daemons) / r.posted * 1000
        emulator = r.emulator_cpu / r.posted * 1000
        database = r.backend_cpu / r.posted * 1000
        total = daemons + emulator + database
        print(
            f"   {r.label}: CPU per post {total:.1f} ms (daemons {daemons:.1f}, PostgreSQL "
            f"{database:.1f}, emulator {emulator:.1f}): all {r.cpus} CPUs would carry "
            f"{r.cpus * 1000 / total:.0f} posts/s; others on the machine took "
            f"{r.cores(r.others):.2f} cores; claims tried {sum(d.tried for d in r.daemons)} "
            f"for {sum(d.had for d in r.daemons)} had"
        )
    if 1 in results and len(counts) > 1:
        one = median(1)
        for count in counts[1:]:
            many = median(count)
            verdict = ""
            if count == 4:
                met = many.posts_per_s >= GOAL * one.posts_per_s
                verdict = f" (goal {GOAL}x: {'met' if met else 'NOT met'})"
            cpu_many = sum(d.cpu for d in many.daemons) / many.posted
            cpu_one = sum(d.cpu for d in one.daemons) / one.posted
            print(
                f"   {count} daemons vs 1 (baseline), median of {runs}: posts/s "
                f"{many.posts_per_s / one.posts_per_s:.2f}x{verdict}, p50 "
                f"{many.p50 / one.p50:.2f}x, daemons' CPU per post {cpu_many * 1000:.1f} ms vs "
                f"{cpu_one * 1000:.1f} ms"
            )
    small = 1_000
    with postgres_schema() as (url, _):
        _, (small_poll, small_budget) = populated(url, small, names)
    print(
        f"   poll query queue.due(UPCOMING, due_by=now+3 s) {poll_ms:.1f} ms with {queue:,} "
        f"queued vs {small_poll:.1f} ms with {small:,} ({poll_ms / small_poll:.1f}x; 1.0 = "
        f"independent of the queue); budget query posts.since(24 h, account) "
        f"{budget_ms:.1f} ms vs {small_budget:.1f} ms ({budget_ms / small_budget:.1f}x)"
    )
    return results
