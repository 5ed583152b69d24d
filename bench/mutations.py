"""Mutation check: break exactly-once on purpose and expect the tests to notice.

    python bench/mutations.py [--full]

Each mutation is applied to a fresh copy of the repository (the working tree's tracked
files) and the exactly-once tests are run there (``--full``: the whole suite). A
mutation the tests do not catch is a hole in the tests: the script exits 1.

1. reconcile-without-lookup: a tweet left ``sending`` is sent again without looking
   for it among the account's recent posts.
2. claim-always-succeeds: claiming ignores the status and the lease.
3. skip-mark-sending: nothing is recorded before the request.
4. feed-first-poll-floods: a newly added feed queues everything it already holds.
5. feed-no-canonical-dedupe: the same post through a second feed is queued again.
6. feed-poll-not-atomic: a poll's entries commit before its threads are queued.
7. feed-requeues-live-post: a feed entry's threads skip the freeze-or-continue rule.
8. feed-first-poll-by-last-check: a failed first poll counts as having seeded the feed.
9. queue-rules-ignored: a daemon claims an account's thread while another of it posts,
   or ahead of an earlier one.
10. account-row-not-locked: on PostgreSQL, two daemons can pass the account check at once.
11. rate-limit-not-shared: a rate limit one daemon met is not recorded for the others.
12. post-key-not-stored: a Bluesky/Mastodon post's idempotency key is not committed
    before the request.
13. match-masks-urls: a lost post is matched with every URL masked (two closings that
    differ only in ``utm_content`` look the same).
14. match-ignores-parent: a lost post is matched whatever it replies to.
15. match-ignores-recorded: a post the store holds for another tweet may be adopted.
16. match-ignores-time: a post made before the request went out may be adopted.
17. claim-kept-on-stop: a stopped publish or daemon keeps its claim (the next daemon and
    `resume` wait out its lease, and the account's lane stalls meanwhile).
18. hand-published-thread-unseen: a daemon does not see a `posting` thread that was
    published by hand (no due time), so its account's lane stalls behind it forever.
19. poll-after-failed-claim: a claim that failed triggers another poll at once (the
    daemon spins at full CPU while a lane waits).
20. selection-out-of-order: a paragraph's kept sentences are posted in reverse.
21. leaning-without-antecedent: a chosen sentence that opens with This/It/However… is
    kept without the sentence it leans on.
22. fact-not-first: facts are ranked with the other sentences, so one can be dropped
    while there is room for it.
23. contents-thread: a table-of-contents section becomes a thread.
24. feed-sections-all: `feed add` queues every section of a new post again, not its digest.
25. enumeration-split: a subset of a list of short names is kept without the rest.
26. crumb-kept: a kept sentence no neighbour has room for posts as a crumb of its own.
27. crumb-orphans: a crumb is left out but what leans on it stays ("It took…" alone).
28. short-head-alone: a cut sentence's short head ("Faster:") posts alone as a crumb.
29. link-404-ok: the link check counts a 404 as a live link (a paid post would carry it).
30. pending-posted: a thread held for approval is queued as scheduled (posted without a yes).
31. edit-overwritten: scheduling the article again freezes it anew beside the owner's edit.
32. dead-link-posted: the publisher posts a thread without checking its links first.
33. delete-repeated: a post whose DELETE may have gone out (left ``deleting`` by a killed
    or interrupted delete) is sent another DELETE instead of being looked up first.
34. stats-read-twice: `stats` (and the daemon) read a post again the same UTC day,
    paying X twice for numbers already read.
35. paragraph-entered-midway: a paragraph's later sentence is kept without the one before
    it (a thread jumps into the middle of a line of thought, or keeps a list item's
    second sentence without the item).
36. run-handed-again: a daemon's poll hands out again a thread whose run waits for a
    worker (APScheduler skips it, after a poll's work; many lanes due at once: a storm).
37. stale-run-claims: a run whose lane another daemon took since its poll tries the
    claim anyway (a claim that cannot succeed, for every lane due).
38. one-claim-order: every daemon tries the lanes due at the same time in the same order
    (side by side, they reach for the same thread at once).
39. idle-not-pinged: a pooled PostgreSQL connection left idle is handed out unpinged (one
    the server closed meanwhile fails the next statement instead of being replaced).
40. clock-read-always: the store's clock asks PostgreSQL on every call (a round trip
    several times a post).
41. collector-off-everywhere: every command runs with the garbage collector off (the
    daemon's cyclic garbage is never collected), not only `preview`.
42. url-tld-any-end: the URL scan takes a TLD that runs on into more letters (``foo.comm``
    would count as a 23-weight link, and cost a URL post's price).
43. label-asked-per-position: the URL scan asks a label expression from every position of
    a word, not once per stretch of label characters (a long hyphenated word is quadratic).

The selection mutations are caught by tests/test_selection.py and the real-posts corpus
(tests/test_corpus.py, read from $THREADBOT_CORPUS or ../shared/blog-corpus).

(That the daemon takes time from the database's clock is checked by hand: with the
machine's clock instead, tests/test_many_daemons.py's skew test fails; it takes a
minute of real processes, too long to repeat here.)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    before: str
    after: str
    # The test files that must catch it (run alone: a caught mutation stops at its first
    # failure, a missed one runs them all).
    tests: tuple[str, ...] = ()


MUTATIONS = [
    Mutation(
        "reconcile-without-lookup",
        "bot/posting/publisher.py",
        '        """A post left in ``sending``: adopt it if it is live, else send it again."""\n        found = self.find_live(claim.thread_id, post, parent)\n',
        '        """A post left in ``sending``: adopt it if it is live, else send it again."""\n        found = None\n',
        (
            "tests/test_publisher.py",
            "tests/test_reconciling.py",
        ),
    ),
    Mutation(
        "claim-always-succeeds",
        "bot/store/queue.py",
        "        condition = sa.and_(t.c.id == thread_id, sa.or_(waiting, posting))\n",
        "        condition = t.c.id == thread_id\n",
        (
            "tests/test_store.py",
            "tests/test_publisher.py",
        ),
    ),
    Mutation(
        "skip-mark-sending",
        "bot/posting/publisher.py",
        "            claim.sending(post.position, post.post_key, now)\n",
        "            pass\n",
        ("tests/test_publisher.py",),
    ),
    Mutation(
        "feed-first-poll-floods",
        "bot/feeds/entries.py",
        "        if first_poll:\n",
        "        if False:\n",
        (
            "tests/test_feed_decisions.py",
            "tests/test_following.py",
        ),
    ),
    Mutation(
        "feed-no-canonical-dedupe",
        "bot/feeds/entries.py",
        "        if canonical is not None and canonical in canonicals:\n",
        "        if False:\n",
        (
            "tests/test_feed_decisions.py",
            "tests/test_following.py",
        ),
    ),
    Mutation(
        "feed-poll-not-atomic",
        "bot/store/feeds.py",
        "            if queue is not None:\n                queue(connection)\n",
        "            if queue is not None:\n                connection.commit()\n                queue(connection)\n",
        (
            "tests/test_following.py",
            "tests/test_feed_decisions.py",
        ),
    ),
    Mutation(
        "feed-requeues-live-post",
        "bot/feeds/polling.py",
        "                if existing_version(\n                    store, thread, scheduling=True, account=account, network=network\n                )\n                is None\n",
        "                if True\n",
        (
            "tests/test_following.py",
            "tests/test_feed_decisions.py",
        ),
    ),
    Mutation(
        "feed-first-poll-by-last-check",
        "bot/feeds/polling.py",
        "        first_poll=feed.seeded_at is None,\n",
        "        first_poll=feed.last_checked_at is None,\n",
        (
            "tests/test_following.py",
            "tests/test_feed_decisions.py",
        ),
    ),
    Mutation(
        "queue-rules-ignored",
        "bot/store/queue.py",
        "            condition = sa.and_(condition, *_lane_rules(now_utc))\n",
        "            pass\n",
        (
            "tests/test_daemon_decisions.py",
            "tests/test_store.py",
            "tests/test_accounts.py",
        ),
    ),
    Mutation(
        "account-row-not-locked",
        "bot/store/queue.py",
        "            if due_only and self.store.shared:\n",
        "            if False:\n",
        (
            "tests/test_daemon_decisions.py",
            "tests/test_store.py",
            "tests/test_accounts.py",
        ),
    ),
    Mutation(
        "rate-limit-not-shared",
        "bot/posting/publisher.py",
        "            if decided.blocks_account and decided.until is not None:\n",
        "            if False:\n",
        (
            "tests/test_publisher.py",
            "tests/test_daemon_decisions.py",
            "tests/test_accounts.py",
        ),
    ),
    Mutation(
        "post-key-not-stored",
        "bot/posting/publisher.py",
        "            claim.sending(post.position, post.post_key, now)\n",
        "            claim.sending(post.position, None, now)\n",
        (
            "tests/test_publisher.py",
            "tests/test_store.py",
        ),
    ),
    Mutation(
        "match-masks-urls",
        "bot/networks/x/__init__.py",
        '        return " ".join(unicodedata.normalize("NFC", text).split())\n',
        '        return " ".join(__import__("re").sub(r"\\S+://\\S+", "<url>", text).split())\n',
        ("tests/test_reconciling.py",),
    ),
    Mutation(
        "match-ignores-parent",
        "bot/posting/publisher.py",
        "        if candidate.reply_to != parent or not self.client.same_text(candidate.text, post.text):\n",
        "        if not self.client.same_text(candidate.text, post.text):\n",
        ("tests/test_reconciling.py",),
    ),
    Mutation(
        "match-ignores-recorded",
        "bot/posting/publisher.py",
        "        found = [candidate for candidate in found if candidate.id not in taken]\n",
        "        pass\n",
        ("tests/test_reconciling.py",),
    ),
    Mutation(
        "match-ignores-time",
        "bot/posting/publisher.py",
        "        return candidate.created_at >= post.sending_at - CLOCK_TOLERANCE\n",
        "        return True\n",
        ("tests/test_reconciling.py",),
    ),
    Mutation(
        "claim-kept-on-stop",
        "bot/posting/publisher.py",
        "            claim.release()\n",
        "            pass\n",
        (
            "tests/test_daemon_decisions.py",
            "tests/test_publisher.py",
        ),
    ),
    Mutation(
        "hand-published-thread-unseen",
        "bot/store/queue.py",
        "            .where(sa.or_(t.c.due_at.is_not(None), t.c.status == ThreadStatus.POSTING))\n",
        "            .where(t.c.due_at.is_not(None))\n",
        ("tests/test_daemon_decisions.py",),
    ),
    Mutation(
        "poll-after-failed-claim",
        "bot/posting/daemon.py",
        "            if claimed:\n",
        "            if True:\n",
        ("tests/test_daemon_decisions.py",),
    ),
]


MUTATIONS += [
    Mutation(
        "selection-out-of-order",
        "threads/building.py",
        "            lines[-1].append(sentence.text)\n",
        "            lines[-1].insert(0, sentence.text)\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "leaning-without-antecedent",
        "threads/selection.py",
        "        if unit.leans and unit.previous is not None:\n",
        "        if False and unit.previous is not None:\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "fact-not-first",
        "threads/selection.py",
        "        if unit.fact and not unit.boilerplate:\n            return 0\n",
        "        if unit.fact and not unit.boilerplate:\n            return 1\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "contents-thread",
        "threads/building.py",
        "        if only_section is None and index in skipped:\n",
        "        if False:\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "feed-sections-all",
        "bot/cli/feeds.py",
        '    default="digest",\n',
        '    default="all",\n',
        (
            "tests/test_feed_cli.py",
            "tests/test_following.py",
        ),
    ),
    Mutation(
        "enumeration-split",
        "threads/selection.py",
        "        linked = set(unit.enumeration)\n",
        "        linked = set()\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "crumb-kept",
        "threads/building.py",
        "                item = self._without_crumbs(item, render, content, found)\n",
        "                pass\n",
        (
            "tests/test_selection.py",
            "tests/test_corpus.py",
        ),
    ),
    Mutation(
        "pending-posted",
        "bot/store/threads.py",
        """                    ThreadStatus.PENDING
                    if pending""",
        """                    ThreadStatus.SCHEDULED
                    if pending""",
        ("tests/test_approval.py",),
    ),
    Mutation(
        "edit-overwritten",
        "bot/lifecycle.py",
        "if digest in (version.content_hash, version.edited_from):",
        "if digest == version.content_hash:",
        ("tests/test_edit.py",),
    ),
    Mutation(
        "dead-link-posted",
        "bot/posting/publisher.py",
        "                    self.link_gate(thread, self.clock())",
        "                    pass",
        ("tests/test_link_gate.py",),
    ),
    Mutation(
        "crumb-orphans",
        "threads/building.py",
        "remaining = without_dependents(kept, drop, found, lead)",
        "remaining = kept - drop",
        ("tests/test_selection.py",),
    ),
    Mutation(
        "short-head-alone",
        "threads/splitting.py",
        "if current and current_weight < MIN_HEAD_WEIGHT:",
        "if False:",
        ("tests/test_splitting.py",),
    ),
]


MUTATIONS += [
    Mutation(
        "link-404-ok",
        "bot/web/links.py",
        "    ok = 200 <= status < 300\n",
        "    ok = 200 <= status < 300 or status == 404\n",
        ("tests/test_link_check.py",),
    ),
    Mutation(
        "delete-repeated",
        "bot/posting/deleting.py",
        "        if post.deleting_at is not None and not self._there(claim, post):\n",
        "        if False:\n",
        ("tests/test_deleting.py",),
    ),
]


MUTATIONS += [
    Mutation(
        "stats-read-twice",
        "bot/posting/stats.py",
        "    already = store.metrics.read_today(network, [p.post_id for _, p in wanted if p.post_id], now)\n",
        "    already: set[str | None] = set()\n",
        ("tests/test_stats.py", "tests/test_stats_cli.py"),
    ),
]


MUTATIONS += [
    Mutation(
        "paragraph-entered-midway",
        "threads/selection.py",
        "            and paragraph_of[previous] == paragraph_of[position]\n",
        "            and False\n",
        ("tests/test_selection.py", "tests/test_corpus.py"),
    ),
    Mutation(
        "run-handed-again",
        "bot/posting/daemon.py",
        "                if job is None and thread_id in self._handed:\n",
        "                if False:\n",
        ("tests/test_daemon_decisions.py",),
    ),
    Mutation(
        "stale-run-claims",
        "bot/posting/daemon.py",
        "            if not self._handed.get(thread_id, True) or self.stopping.is_set():\n",
        "            if self.stopping.is_set():\n",
        ("tests/test_daemon_decisions.py",),
    ),
    Mutation(
        "one-claim-order",
        "bot/posting/daemon.py",
        "        return dt.timedelta(microseconds=int.from_bytes(digest.digest()) % 1000)\n",
        "        return dt.timedelta(0)\n",
        ("tests/test_daemon_decisions.py",),
    ),
]


MUTATIONS += [
    Mutation(
        "idle-not-pinged",
        "bot/store/connection.py",
        "        if since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS:\n",
        "        if True:\n",
        ("tests/test_store.py",),
    ),
    Mutation(
        "clock-read-always",
        "bot/store/connector.py",
        "            if elapsed < CLOCK_READ_SECONDS:\n",
        "            if False:\n",
        ("tests/test_store.py",),
    ),
    Mutation(
        "collector-off-everywhere",
        "bot/cli/__init__.py",
        "        if cmd_name not in WITHOUT_COLLECTOR:\n",
        "        if False:\n",
        ("tests/test_cli.py",),
    ),
    Mutation(
        "url-tld-any-end",
        "threads/urls.py",
        '        if "".join(letters) in tlds.ascii and tld_end.match(run, letters_end):\n',
        '        if any("".join(letters[:n]) in tlds.ascii for n in range(1, len(letters) + 1)):\n',
        ("tests/test_urls.py", "tests/test_length.py"),
    ),
    Mutation(
        "label-asked-per-position",
        "threads/urls.py",
        "        if stop not in self.ends:\n",
        "        if True:\n",
        ("tests/test_urls.py",),
    ),
]


def copy_repository(target: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def run_tests(copy: Path, full: bool, tests: tuple[str, ...] = ()) -> tuple[int, float]:
    args = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-n", "0"]
    args += [] if full else list(tests or sorted({t for m in MUTATIONS for t in m.tests}))
    start = time.perf_counter()
    import os

    env = {**os.environ, "PYTHONPATH": str(copy)}
    corpus = ROOT.parent / "shared" / "blog-corpus"
    if "THREADBOT_CORPUS" not in env and corpus.is_dir():
        env["THREADBOT_CORPUS"] = str(corpus)  # the copy has no ../shared beside it
    result = subprocess.run(
        args,
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.returncode, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run the whole suite per mutation")
    parser.add_argument("--only", nargs="*", default=None, metavar="NAME", help="these mutations")
    arguments = parser.parse_args()
    full = arguments.full
    chosen = [m for m in MUTATIONS if arguments.only is None or m.name in arguments.only]
    survivors = []
    with tempfile.TemporaryDirectory() as directory:
        baseline = Path(directory) / "baseline"
        copy_repository(baseline)
        code, seconds = run_tests(baseline, full)
        print(f"{'unmutated':<26} tests {'pass' if code == 0 else 'FAIL'} ({seconds:.1f} s)")
        if code != 0:
            raise SystemExit("the unmutated copy fails its tests: fix that first")
        for mutation in chosen:
            copy = Path(directory) / mutation.name
            copy_repository(copy)
            target = copy / mutation.path
            text = target.read_text(encoding="utf-8")
            if text.count(mutation.before) != 1:
                raise SystemExit(f"{mutation.name}: the code to mutate is not in {mutation.path}")
            target.write_text(text.replace(mutation.before, mutation.after), encoding="utf-8")
            code, seconds = run_tests(copy, full, mutation.tests)
            caught = code != 0
            print(
                f"{mutation.name:<26} {'caught' if caught else 'SURVIVED'} "
                f"(pytest exit {code}, {seconds:.1f} s)"
            )
            if not caught:
                survivors.append(mutation.name)
    if survivors:
        raise SystemExit(f"mutations the tests missed: {', '.join(survivors)}")


if __name__ == "__main__":
    main()
