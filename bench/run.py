"""threadbot benchmarks: one command, ratios against named baselines.

    pip install -e '.[bench]' && python bench/run.py [--quick]

1. Counter: threads.length.weighted_length vs twitter-text-parser (the existing Python
   port, baseline) on the same texts, after checking both give identical results.
   Two corpora: the example's tweets and sentences (what threadbot counts), and
   twitter-text's own conformance texts (adversarial: long URLs, CJK domains, emoji).
2. Cold start: `threadbot preview` on the example vs `python -c "import jinja2, pydantic"`
   (and the floor: click and one pydantic model, which loads pydantic's machinery).
3. Build + validate: 1,000 synthetic articles of the example's size, and one 1 MB
   article; the cost per KB of the two must be about equal (linear growth).
4. API calls per published tweet: one `threadbot publish` process posts the whole
   example (7 threads) to the local X API emulator; target 1.00 POST per tweet plus one
   identity lookup per process. In-process, per published tweet: store calls, SQL
   statements and X requests of one 4-tweet thread.
5. Store: `threadbot queue` and `status` with 10,000 threads (statements and time).
6. Daemon: start time (spawn to first sync done) and peak RSS with 10,000 queued threads;
   due-time-to-first-tweet latency (median, p99) over 100 threads posted to the emulator;
   CPU of a daemon whose only due thread waits behind another process's live claim,
   against an idle daemon with an empty queue (target: near zero, under 5 % of a core).
7. Readers (bench/readers.py): parse + build + validate throughput per format (Markdown,
   HTML, plain text, reST) over the real-posts corpus when present; preview start-up per
   format against the same baseline; a 1 MB article's preview and a 20 MB one refused;
   10,000 headings against 1,000 (linear merging of short sections).
8. Feeds (bench/feeds.py): poll rounds of 50 and 200 feeds × 50 entries on loopback —
   first poll, all 304, one new post each — CPU and memory; cost per feed ~constant.
9. Daemons (bench/daemons.py): what more daemons add. 200 accounts with two 4-post threads
   each due at once, the X emulator answering each post after 50 ms, `threadbot run
   --max-threads 4`, reply_pause_seconds = 0, on PostgreSQL with 100,000 more threads
   queued days ahead: posts per second with 1, 2 and 4 daemons and the ratio to one
   (goal: 4 daemons >= 2.5x), due→first-post p50/p99, CPU of each daemon, the emulator,
   PostgreSQL and the machine, claims tried and had, each post POSTed once and each
   account's threads in order; the poll's and the budget check's queries on the full
   queue vs 1,000 threads. `--daemons-queue N` (`--quick`: 10,000), `--daemons-accounts
   N`, `--daemons-runs N` (interleaved, medians compared).
10. Networks (bench/networks.py): the example previewed for X, Bluesky and Mastodon
   against X alone (ratio), and posts per thread on each network.
11. Selection (bench/selection.py): thread length, fill and cost over the real posts
   with the old settings against the defaults; ROUGE-1 recall of the authors' own
   summaries by our ranker, sumy's LexRank and TextRank and the first N sentences;
   build time per MB choosing against cutting (target <= 1.20x).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from threads.building import build_threads  # noqa: E402
from threads.length import measure, weighted_length  # noqa: E402
from threads.parsing import load_article, parse_article  # noqa: E402
from threads.sentences import split_sentences  # noqa: E402
from threads.templates import TemplateSet  # noqa: E402
from threads.validation import validate  # noqa: E402

EXAMPLE = ROOT / "articles" / "kpop-asean-plus-three.txt"
CONFORMANCE = ROOT.parent / "shared" / "twitter-text-conformance"


def per_call_seconds(function: Callable[[str], object], corpus: list[str], budget: float) -> float:
    """Seconds per text, over as many passes as fit in ``budget`` seconds (at least 1)."""
    for text in corpus:  # warm caches and compiled patterns
        function(text)
    passes = 0
    start = time.perf_counter()
    while True:
        for text in corpus:
            function(text)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return elapsed / (passes * len(corpus))


def thread_corpus() -> list[str]:
    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    article = load_article(EXAMPLE)
    threads = build_threads(article, loaded.build_options, TemplateSet(loaded.templates_path))
    tweets = [tweet.text for thread in threads for tweet in thread.tweets]
    sentences = [
        s
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines()
        for s in split_sentences(line)
    ]
    return tweets + sentences


def conformance_corpus() -> list[str]:
    import yaml

    if not CONFORMANCE.is_dir():
        return []
    validate_yml = yaml.safe_load((CONFORMANCE / "validate.yml").read_text(encoding="utf-8"))[
        "tests"
    ]
    extract_yml = yaml.safe_load((CONFORMANCE / "extract.yml").read_text(encoding="utf-8"))["tests"]
    texts = [
        case["text"]
        for group in (
            "WeightedTweetsWithDiscountedEmojiCounterTest",
            "UnicodeDirectionalMarkerCounterTest",
        )
        for case in validate_yml[group]
    ]
    texts += [
        case["text"] for group in ("urls", "urls_with_indices") for case in extract_yml[group]
    ]
    return texts


def uncounted_length(text: str) -> int:
    """weighted_length without its cache."""
    return int(measure.__wrapped__(text)[0])  # type: ignore[attr-defined]


def bench_counter(budget: float) -> None:
    from twitter_text import parse_tweet

    def baseline(text: str) -> int:
        return int(parse_tweet(text).weightedLength)

    print("1. counter: threads.length.weighted_length vs twitter-text-parser 3.0.0 (baseline)")
    for name, corpus in (
        ("example tweets+sentences", thread_corpus()),
        ("twitter-text conformance", conformance_corpus()),
    ):
        if not corpus:
            print(f"   {name}: skipped (no ../shared/twitter-text-conformance)")
            continue
        mismatches = [t for t in corpus if weighted_length(t) != baseline(t)]
        if mismatches:
            raise SystemExit(f"   {name}: results differ for {mismatches[:3]!r}")
        # Uncached: weighted_length keeps the last 2,048 texts' lengths, and a repeated
        # corpus would time the cache's look-ups, not the counting.
        ours = per_call_seconds(uncounted_length, corpus, budget)
        theirs = per_call_seconds(baseline, corpus, budget)
        print(
            f"   {name:<26} {len(corpus):>4} texts, identical results · "
            f"ours {1 / ours:>9,.0f}/s · baseline {1 / theirs:>7,.0f}/s · {theirs / ours:6.1f}x"
        )


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_cold_start(runs: int) -> None:
    print(f"2. cold start (median of {runs} runs)")
    # As installed: pip compiles a wheel's modules to bytecode, and an editable install
    # writes it on the first run; unless PYTHONDONTWRITEBYTECODE is set (as on some
    # machines), when every run would compile threadbot's modules from source again.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "bot", "threads"], cwd=ROOT, check=True
    )
    baseline = wall([sys.executable, "-c", "import jinja2, pydantic"], runs)
    # What any click command that validates with a pydantic model pays before its own
    # work: `import pydantic` is lazy, the first model loads pydantic's machinery.
    floor = wall([sys.executable, "-c", FLOOR], runs)
    preview = wall([sys.executable, "-m", "bot", "preview", str(EXAMPLE), "--format", "json"], runs)
    text = wall([sys.executable, "-m", "bot", "preview", str(EXAMPLE)], runs)
    print(f"   baseline python -c 'import jinja2, pydantic' {baseline * 1000:6.0f} ms")
    print(
        f"   floor: + click, one pydantic model          {floor * 1000:6.0f} ms  ({floor / baseline:.2f}x baseline)"
    )
    print(
        f"   threadbot preview --format json           {preview * 1000:6.0f} ms  ({preview / baseline:.2f}x baseline)"
    )
    print(
        f"   threadbot preview (rich text)             {text * 1000:6.0f} ms  ({text / baseline:.2f}x baseline)"
    )


FLOOR = """
import jinja2, click, pydantic
class Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    name: str
Model.model_validate({"name": "x"})
"""


def synthetic_article(index: int, sections: int) -> str:
    """The example's prose, with headings and figures varied so nothing repeats."""
    body = EXAMPLE.read_text(encoding="utf-8")
    prose, _, tail = body.partition("📚 References")
    lines = [line for line in prose.splitlines() if line.strip()]
    out: list[str] = []
    for part in range(sections):
        for line in lines:
            if len(line) < 100 and not line.startswith("Source:"):
                out.append(f"{line} {index}-{part}")  # a unique heading
            else:
                out.append(line)
    return "\n".join(out) + "\n📚 References" + tail


def bench_build(count: int) -> None:
    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    options = loaded.build_options
    templates = TemplateSet(loaded.templates_path)

    def run(text: str, name: str) -> int:
        article = parse_article(text, name, "text")
        threads = build_threads(article, options, templates)
        validate(article, threads, options)
        return len(threads)

    articles = [synthetic_article(i, 1) for i in range(count)]
    size = sum(len(a.encode()) for a in articles)
    start = time.perf_counter()
    threads = sum(run(text, f"a{i}.txt") for i, text in enumerate(articles))
    small = time.perf_counter() - start

    repeats = 1
    while len((big := synthetic_article(0, repeats)).encode()) < 1 << 20:
        repeats += 1
    big_size = len(big.encode())
    start = time.perf_counter()
    big_threads = run(big, "big.txt")
    large = time.perf_counter() - start

    small_per_kb = small / (size / 1024)
    large_per_kb = large / (big_size / 1024)
    print("3. parse + build + validate")
    print(
        f"   {count:,} example-size articles ({size / 1024:,.0f} KB, {threads:,} threads): "
        f"{small:.2f} s · {count / small:,.0f} articles/s · {small_per_kb * 1000:.2f} ms/KB"
    )
    print(
        f"   one {big_size / 1048576:.2f} MB article ({big_threads:,} threads): "
        f"{large:.2f} s · {large_per_kb * 1000:.2f} ms/KB · "
        f"{large_per_kb / small_per_kb:.2f}x the per-KB cost of small articles (1.00 = linear)"
    )


PUBLISH_CONFIG = """
templates_dir = "{templates}"

[site]
blog_url = "https://blog.gonogo.kr"
about_url = "https://blog.gonogo.kr/about"
article_base_url = "https://blog.gonogo.kr/posts/"

[publishing]
reply_pause_seconds = 0
request_timeout_seconds = 5

[budget]
max_posts_per_24h = 10000
monthly_usd = 100000

[schedule]
timezone = "UTC"
poll_seconds = 1

[links]
# The links are real-looking but nothing serves them: the emulators answer posts only.
check = false
"""


def write_publish_config(folder: Path) -> Path:
    """Real-looking links (posting refuses placeholders), no pauses, no budget limits."""
    path = folder / "publish.toml"
    path.write_text(PUBLISH_CONFIG.format(templates=ROOT / "templates"), encoding="utf-8")
    return path


def bench_api_calls() -> None:
    import os
    import tempfile

    from bot.testing.x import (
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        XEmulator,
    )

    emulator = XEmulator(accept_duplicates=True)
    emulator.start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            config = write_publish_config(folder)
            env = {
                **os.environ,
                "THREADBOT_X_API_URL": emulator.url,
                "THREADBOT_DB": str(folder / "state.db"),
                "X_API_KEY": CONSUMER_KEY,
                "X_API_SECRET": CONSUMER_SECRET,
                "X_ACCESS_TOKEN": ACCESS_TOKEN,
                "X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
            }
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "publish", str(EXAMPLE), "--config", str(config)],
                env=env,
                cwd=folder,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            elapsed = time.perf_counter() - start
    finally:
        emulator.stop()
    tweets = len(emulator.posts)
    posts = emulator.calls["POST /2/tweets"]
    lookups = emulator.calls["GET /2/users/me"]
    other = sum(emulator.calls.values()) - posts - lookups
    print("4. API calls per published tweet (one process, whole example, local emulator)")
    print(
        f"   {tweets} tweets in {elapsed:.2f} s: {posts / tweets:.2f} POST /2/tweets per tweet, "
        f"{lookups} identity lookup(s), {other} other calls (target 1.00, 1, 0)"
    )
    bench_publish_costs()


@contextlib.contextmanager
def counting_store_calls() -> Iterator[list[str]]:
    """Every call of a store query (``threads.freeze``…) and of a claim's methods
    (``claim.sending``…) inside the block, by name, in order."""
    from bot.store.accounts import Accounts
    from bot.store.daemons import Daemons
    from bot.store.feeds import Feeds
    from bot.store.posts import Posts
    from bot.store.queue import Claim, Queue
    from bot.store.threads import Threads

    calls: list[str] = []
    originals: list[tuple[type, str, object]] = []

    def counting(method: Callable[..., object], name: str) -> Callable[..., object]:
        def counted(*args: object, **kwargs: object) -> object:
            calls.append(name)
            return method(*args, **kwargs)

        return counted

    for kind, label in (
        (Threads, "threads"),
        (Queue, "queue"),
        (Posts, "posts"),
        (Accounts, "accounts"),
        (Daemons, "daemons"),
        (Feeds, "feeds"),
        (Claim, "claim"),
    ):
        for name, method in list(vars(kind).items()):
            if name.startswith("_") or not callable(method):
                continue
            originals.append((kind, name, method))
            setattr(kind, name, counting(method, f"{label}.{name}"))
    try:
        yield calls
    finally:
        for kind, name, method in originals:
            setattr(kind, name, method)


def bench_publish_costs() -> None:
    """One 4-post thread, in-process: every store query and claim call, every SQL
    statement and every request the emulator receives, divided by the posts made."""
    import tempfile

    import sqlalchemy as sa

    from bot.networks.x.client import TweepyXClient
    from bot.posting.freezing import existing_version, freeze_thread
    from bot.posting.publisher import Publisher, PublishLimits
    from bot.settings import database_url
    from bot.store import Store
    from bot.testing.x import (
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
        XEmulator,
    )
    from threads.pipeline import prepare

    emulator = XEmulator(accept_duplicates=True)
    emulator.start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            loaded = load_settings(write_publish_config(folder))
            prepared = prepare(
                EXAMPLE, loaded.build_options, TemplateSet(loaded.templates_path), section="5"
            )
            store = Store(database_url(folder / "state.db"))
            client = TweepyXClient(
                api_key=CONSUMER_KEY,
                api_secret=CONSUMER_SECRET,
                access_token=ACCESS_TOKEN,
                access_token_secret=ACCESS_TOKEN_SECRET,
                base_url=emulator.url,
            )
            publisher = Publisher(
                store,
                client,
                PublishLimits(reply_pause_seconds=0),
                loaded.settings.prices,
                account_name="default",
                network="x",
            )
            publisher.account  # noqa: B018 - the once-per-process identity look-up, apart
            counting = counting_store_calls()
            calls = counting.__enter__()
            statements: list[str] = []
            sa.event.listen(
                store.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
            )
            emulator.calls.clear()
            # What `threadbot publish` does after validation: the freeze-or-continue rule,
            # the budget, the freeze, then the publish itself.
            thread = prepared.threads[0]
            assert (
                existing_version(
                    store,
                    thread,
                    scheduling=False,
                    url=publisher.url,
                    account="default",
                    network="x",
                )
                is None
            )
            publisher.check_budget([(t.text, t.has_url) for t in thread.tweets])
            record = freeze_thread(
                store, prepared, thread, dt.datetime.now(dt.UTC), account="default", network="x"
            )
            before = (len(calls), len(statements))
            publisher.publish(record.id)
            counting.__exit__(None, None, None)
    finally:
        emulator.stop()
    tweets = len(record.posts)
    requests = sum(emulator.calls.values())
    reads = sum(s.lstrip().upper().startswith("SELECT") for s in statements[before[1] :])
    print(
        f"   per published tweet ({tweets}-tweet thread, in-process), whole flow: "
        f"{len(calls) / tweets:.2f} store calls, {len(statements) / tweets:.2f} SQL statements "
        f"({len(calls)} and {len(statements)} in all), {requests / tweets:.2f} X requests "
        f"({dict(emulator.calls)})"
    )
    print(
        f"   of which publish(): {len(calls) - before[0]} store calls "
        f"({', '.join(sorted(set(calls[before[0] :])))}), "
        f"{len(statements) - before[1]} SQL statements, {reads} read of the thread"
    )


def bench_store(count: int = 10_000) -> None:
    import io
    import tempfile

    import sqlalchemy as sa

    from bot.settings import database_url
    from bot.store import Store
    from bot.views.queue import write_queue
    from bot.views.status import Spend, write_status

    print(f"5. store with {count:,} threads")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        db = folder / "queue.db"
        start = time.perf_counter()
        _freeze_many(db, count, dt.datetime.now(dt.UTC) + dt.timedelta(days=1), 60.0)
        queued = time.perf_counter() - start
        store = Store(database_url(db))
        statements: list[str] = []
        sa.event.listen(
            store.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        start = time.perf_counter()
        write_queue(store.threads.summaries(scheduled_only=True), dt.UTC, io.StringIO())
        queue_seconds = time.perf_counter() - start
        queue_statements = len(statements)
        statements.clear()
        start = time.perf_counter()
        write_status(store.threads.summaries(), Spend(0, 0.0, 0), io.StringIO())
        status_seconds = time.perf_counter() - start
        status_statements = len(statements)
        config = write_publish_config(folder)
        process = wall(
            [sys.executable, "-m", "bot", "queue", "--config", str(config), "--db", str(db)], 3
        )
    print(f"   queued in {queued:.1f} s")
    print(
        f"   queue view:  {queue_statements} SQL statement(s), {queue_seconds:.2f} s in-process; "
        f"`threadbot queue` process {process:.2f} s (median of 3)"
    )
    print(
        f"   status view: {status_statements} SQL statement(s), {status_seconds:.2f} s in-process"
    )


def _emulator_env(emulator_url: str, db: Path) -> dict[str, str]:
    import os

    from bot.testing.x import (
        ACCESS_TOKEN,
        ACCESS_TOKEN_SECRET,
        CONSUMER_KEY,
        CONSUMER_SECRET,
    )

    return {
        **os.environ,
        "THREADBOT_X_API_URL": emulator_url,
        "THREADBOT_DB": str(db),
        "X_API_KEY": CONSUMER_KEY,
        "X_API_SECRET": CONSUMER_SECRET,
        "X_ACCESS_TOKEN": ACCESS_TOKEN,
        "X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
    }


def _freeze_many(db: Path, count: int, first_due: dt.datetime, spacing: float) -> None:
    from bot.settings import database_url
    from bot.store import Store

    store = Store(database_url(db))
    now = dt.datetime.now(dt.UTC)
    for index in range(count):
        tweets = [(f"bench thread {index} tweet {k} {k}/4", k == 4) for k in range(1, 5)]
        store.threads.freeze(
            key=f"bench#{index}",
            article="bench.txt",
            section_index=index,
            section="bench",
            content_hash=str(index),
            posts=tweets,
            cost_usd=0.245,
            now=now,
            due_at=first_due + dt.timedelta(seconds=spacing * index),
            account="default",
            network="x",
        )


def _start_daemon(
    args: list[str], env: dict[str, str], folder: Path, marker: str
) -> tuple[subprocess.Popen[bytes], float, Path]:
    log = folder / "daemon.log"
    start = time.perf_counter()
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
    while marker not in log.read_text(errors="replace"):
        if process.poll() is not None or time.perf_counter() - start > 120:
            raise SystemExit(f"daemon did not start: {log.read_text()}")
        time.sleep(0.01)
    return process, time.perf_counter() - start, log


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_daemon() -> None:
    import signal
    import tempfile

    from bot.testing.x import XEmulator

    print("6. daemon")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        config = write_publish_config(folder)
        db = folder / "queue.db"
        start = time.perf_counter()
        _freeze_many(db, 10_000, dt.datetime.now(dt.UTC) + dt.timedelta(days=1), 60.0)
        queued = time.perf_counter() - start
        env = _emulator_env("http://127.0.0.1:9", db)
        process, ready, _ = _start_daemon(
            ["--dry-run", "--config", str(config)], env, folder, "ready:"
        )
        rss = _peak_rss_mb(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        empty_db = folder / "empty.db"
        process, empty_ready, _ = _start_daemon(
            ["--dry-run", "--config", str(config)],
            _emulator_env("http://127.0.0.1:9", empty_db),
            folder,
            "ready:",
        )
        empty_rss = _peak_rss_mb(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        print(
            f"   10,000 queued threads (queued in {queued:.1f} s): start to first sync {ready:.2f} s, peak RSS {rss:.0f} MB"
        )
        print(
            f"   empty queue (baseline):                        start to first sync {empty_ready:.2f} s, peak RSS {empty_rss:.0f} MB ({ready / empty_ready:.2f}x, {rss / empty_rss:.2f}x)"
        )

    emulator = XEmulator(window_limit=1_000_000)
    emulator.start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            config = write_publish_config(folder)
            db = folder / "latency.db"
            first_due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=8)
            _freeze_many(db, 100, first_due, 0.5)
            process, _, _ = _start_daemon(
                ["--config", str(config)], _emulator_env(emulator.url, db), folder, "ready:"
            )
            deadline = time.monotonic() + 180
            while len(emulator.posts) < 400 and time.monotonic() < deadline:
                time.sleep(0.2)
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    finally:
        emulator.stop()
    firsts = {p.text: p.created for p in emulator.posts if p.reply_to is None}
    latencies = []
    for index in range(100):
        created = firsts.get(f"bench thread {index} tweet 1 1/4")
        if created is not None:
            due = first_due + dt.timedelta(seconds=0.5 * index)
            latencies.append(created - due.timestamp())
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"   due time to first tweet over {len(latencies)} threads (0.5 s apart): "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms (target: within 2,000 ms)"
    )
    bench_waiting_daemon()


def _cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_waiting_daemon(seconds: float = 10.0) -> None:
    """A lane held by another process (a `publish` in progress): the daemon with that
    account's next thread due must sleep between polls, not spin."""
    import signal
    import tempfile

    from bot.lifecycle import Lease, Owner
    from bot.settings import database_url
    from bot.store import Store

    def cpu_share(db: Path, folder: Path, config: Path) -> float:
        env = _emulator_env("http://127.0.0.1:9", db)
        process, _, _ = _start_daemon(["--config", str(config)], env, folder, "ready:")
        before, start = _cpu_seconds(process.pid), time.perf_counter()
        time.sleep(seconds)
        share = (_cpu_seconds(process.pid) - before) / (time.perf_counter() - start)
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        return share

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        config = write_publish_config(folder)
        held = folder / "held.db"
        store = Store(database_url(held))
        now = dt.datetime.now(dt.UTC)
        holder = store.threads.freeze(
            key="held#1",
            article="held.txt",
            section_index=1,
            section="held",
            content_hash="held",
            posts=[("held 1/1", False)],
            cost_usd=0.015,
            now=now,
            account="default",
            network="x",
        )
        # Another process's claim, live for longer than the measurement.
        store.queue.claim(holder.id, Owner("elsewhere:1:aa", "elsewhere"), now, Lease(3600))
        _freeze_many(held, 1, now - dt.timedelta(seconds=1), 0)
        store.engine.dispose()
        waiting = cpu_share(held, folder, config)
        idle = cpu_share(folder / "empty.db", folder, config)
    print(
        f"   a due thread waiting behind another process's claim, {seconds:.0f} s: daemon CPU "
        f"{waiting:.1%} of a core; idle daemon, empty queue (baseline): {idle:.1%} "
        f"(target: under 5 %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (for CI smoke)")
    parser.add_argument(
        "--only",
        choices=[
            "counter",
            "cold",
            "build",
            "api",
            "store",
            "daemon",
            "readers",
            "feeds",
            "networks",
            "selection",
            "daemons",
        ],
        default=None,
    )
    parser.add_argument(
        "--daemons-queue",
        type=int,
        default=None,
        metavar="N",
        help="threads queued for the daemons section (default 100,000; --quick 10,000)",
    )
    parser.add_argument(
        "--daemons-accounts",
        type=int,
        default=200,
        metavar="N",
        help="accounts with threads due at once in the daemons section (default 200)",
    )
    parser.add_argument(
        "--daemons-runs",
        type=int,
        default=1,
        metavar="N",
        help="runs of each daemon count in the daemons section, compared by median",
    )
    arguments = parser.parse_args()
    quick = arguments.quick
    only = arguments.only
    daemons_queue = arguments.daemons_queue or (10_000 if quick else 100_000)
    daemons_accounts = arguments.daemons_accounts
    daemons_runs = arguments.daemons_runs

    def readers() -> None:
        from bench.readers import bench_readers

        bench_readers(quick)

    def feeds() -> None:
        from bench.feeds import bench_feeds

        bench_feeds((20, 80) if quick else (50, 200))

    def networks() -> None:
        from bench.networks import bench_networks

        bench_networks(runs=5 if quick else 21)

    def selection() -> None:
        from bench.selection import bench_selection

        bench_selection()

    def daemons() -> None:
        from bench.daemons import bench_daemons

        bench_daemons(daemons_queue, daemons_accounts, runs=daemons_runs)

    sections: dict[str, Callable[[], None]] = {
        "counter": lambda: bench_counter(budget=0.3 if quick else 2.0),
        "cold": lambda: bench_cold_start(runs=3 if quick else 9),
        "build": lambda: bench_build(count=100 if quick else 1000),
        "api": bench_api_calls,
        "store": bench_store,
        "daemon": bench_daemon,
        "readers": readers,
        "feeds": feeds,
        "networks": networks,
        "selection": selection,
        "daemons": daemons,
    }
    for name, section in sections.items():
        if only in (None, name):
            section()


if __name__ == "__main__":
    main()
