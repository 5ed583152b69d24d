"""The owner's say before anything posts: ``approve`` and ``reject`` threads held as
``pending`` (``feed add --approve``, ``[feeds] approve``, ``schedule --approve``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from bot.cli.app import App, pass_app
from bot.cli.options import (
    account_option,
    config_option,
    db_option,
    now_option,
    thread_argument,
    tz_option,
)
from threads.errors import ThreadbotError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.store import ThreadRecord
    from threads.building import Thread
    from threads.findings import Finding
    from threads.networks import LengthRule
    from threads.options import BuildOptions


def _pending(
    app: App, threads: tuple[str, ...], network: str | None, feed: str | None, every: bool
) -> list[ThreadRecord]:
    """The pending threads named: THREAD…, every one (--all), or a feed's (--feed)."""
    from bot.errors import InputError
    from bot.lifecycle import ThreadStatus

    store = app.store
    if sum((bool(threads), every, feed is not None)) != 1:
        raise InputError("say which: THREAD…, --all, or --feed URL (one of them)")
    if threads:
        return [store.threads.get(app.thread_id(thread, network)) for thread in threads]
    summaries = [
        record
        for record in store.threads.summaries(scheduled_only=True)
        if record.status == ThreadStatus.PENDING
        and (app.account is None or record.account == app.account)
        and (network is None or record.network == network)
    ]
    if feed is not None:
        followed = store.feeds.get(feed)
        if followed is None:
            raise InputError(f"{feed} is not followed: `threadbot feed list` shows the feeds")
        articles = {url for url, _ in store.feeds.queued_entries().get(followed.id, [])}
        summaries = [record for record in summaries if record.article in articles]
    return [store.threads.get(record.id) for record in summaries]


@click.command()
@thread_argument(required=False, nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every thread waiting for approval.")
@click.option("--feed", metavar="URL", help="Every pending thread of this followed feed.")
@click.option("--at", "at", metavar="DATETIME", help="Post at this time instead of its slot.")
@now_option("With --at: accept a past time (post as soon as a daemon runs).")
@tz_option
@account_option
@config_option
@db_option
@pass_app
def approve(
    app: App,
    thread: tuple[str, ...],
    thread_network: str | None,
    every: bool,
    feed: str | None,
    at: str | None,
    allow_past: bool,
    tz_name: str | None,
) -> None:
    """Let pending THREADs post at their slot; one whose slot has passed takes the
    next free slot (its feed's slots, else [feeds] slots).

    THREAD is a number or the slug#N id `queue` shows. Exit 1 when one named was not
    pending (the others are approved).
    """
    from bot.lifecycle import UPCOMING, ThreadStatus
    from bot.posting.planning import next_slots, parse_slots
    from bot.views.queue import when

    store = app.store
    chosen = _pending(app, thread, thread_network, feed, every)
    if not chosen:
        click.echo("nothing waits for approval")
        return
    now = store.clock()
    feeds = {record.id: record for record in store.feeds.all()}
    entries = store.feeds.queued_entries()
    refused = 0
    for record in chosen:
        tz = app.zone(tz_name)
        if record.status != ThreadStatus.PENDING:
            click.echo(f"thread {record.id} is {record.status}, not pending: left as it is")
            refused += 1
            continue
        due = record.due_at
        note = ""
        if at is not None:
            from bot.posting.scheduling import When, plan

            (due,) = plan(
                When(at=at), 1, tz, now, store, allow_past=allow_past, account=record.account
            )
        elif due is None or due < now:
            source = next(
                (
                    feeds[feed_id]
                    for feed_id, queued in entries.items()
                    if feed_id in feeds and any(url == record.article for url, _ in queued)
                ),
                None,
            )
            slots = (source.slots if source else None) or app.settings.settings.feeds.slots
            if source is not None and source.timezone and tz_name is None:
                from zoneinfo import ZoneInfo

                tz = ZoneInfo(source.timezone)
            taken = [
                queued.due_at
                for queued in store.queue.due(*UPCOMING, ThreadStatus.PENDING)
                if queued.due_at is not None and queued.account == record.account
            ]
            (due,) = next_slots(parse_slots(slots), tz, now, 1, taken)
            note = "  (its slot had passed: the next free one)"
        if store.queue.decide(record.id, approved=True, due_at=due):
            click.echo(f"thread {record.id} approved: {record.key} due {when(due, tz)}{note}")
        else:
            click.echo(f"thread {record.id} changed meanwhile: not approved")
            refused += 1
    if refused:
        raise ThreadbotError(f"{refused} of {len(chosen)} threads were not pending")


@click.command()
@thread_argument(nargs=-1)
@account_option
@config_option
@db_option
@pass_app
def reject(app: App, thread: tuple[str, ...], thread_network: str | None) -> None:
    """Cancel pending THREADs (kept, marked cancelled; `reschedule` revives one).

    Exit 1 when one named was not pending (the others are rejected)."""

    refused = 0
    for record in _pending(app, thread, thread_network, None, False):
        if app.store.queue.decide(record.id, approved=False, due_at=None):
            click.echo(f"thread {record.id} rejected: {record.key}")
        else:
            click.echo(f"thread {record.id} is {record.status}, not pending: left as it is")
            refused += 1
    if refused:
        raise ThreadbotError(f"{refused} of {len(thread)} threads were not pending")


@click.command()
@thread_argument()
@click.option(
    "--from",
    "source",
    metavar="FILE",
    help="Take the edited posts from FILE ('-': standard input) instead of an editor.",
)
@account_option
@config_option
@db_option
@pass_app
def edit(app: App, thread: str, thread_network: str | None, source: str | None) -> None:
    """Edit THREAD's posts before they go: in $VISUAL or $EDITOR (as git does), one post
    per block between `---` lines, lengths and findings as `# ` comments; threadbot adds
    the n/N numbering.

    On save the posts are measured by the thread's network and validated as at freezing
    (figures in the article, links, mentions, lengths). With errors you are offered the
    file again with the findings in it; kept, the edit is what the daemon posts, and the
    same article scheduled again continues it. Refused once a post was sent. Exit 1 when
    the edit has errors (it is kept in a file named on stderr), 2 for bad input.
    """
    from bot.lifecycle import PostStatus, check_edit
    from threads.editing import without_numbering

    store = app.store
    thread_id = app.thread_id(thread, thread_network)
    record = store.threads.get(thread_id)
    check_edit(thread_id, record.status, sum(p.status != PostStatus.PENDING for p in record.posts))
    options = app.settings.account(record.account).build_options
    rule = app.length_rule(record.network, online=False)
    numbered = options.threads.numbering
    texts = [without_numbering(p.text) if numbered else p.text for p in record.posts]
    charted = [p.position for p in record.posts if p.has_media]
    content = _edit_file(record, texts, charted, rule, findings=())
    while True:
        written = _read_edit(source, content)
        if written is None:
            click.echo("not saved: nothing changed")
            return
        new_texts = _parsed(written)
        if new_texts == texts:
            click.echo("no change")
            return
        edited, findings = _validated(app, record, new_texts, options, rule)
        errors = [finding for finding in findings if finding.severity == "error"]
        if not errors:
            break
        from bot.views.findings import write_findings

        write_findings(errors, sys.stderr)
        if source is None and _again():
            content = _edit_file(record, new_texts, charted, rule, findings=errors)
            continue
        kept = _keep(written, thread_id)
        raise ThreadbotError(
            f"the edit has errors: nothing changed; it is kept in {kept} "
            f"(`threadbot edit {thread_id} --from {kept}` after fixing it)"
        )
    _save(app, record, new_texts, charted, edited, written)


def _again() -> bool:
    """Whether the owner wants the file back to fix it (no answer: no)."""
    try:
        return click.confirm("Edit again?", default=True, err=True)
    except click.Abort:
        return False


def _edit_file(
    record: ThreadRecord,
    texts: Sequence[str],
    charted: Sequence[int],
    rule: LengthRule,
    *,
    findings: Sequence[Finding],
) -> str:
    from threads.editing import edit_file

    header = [
        f"Editing thread {record.id} ({record.key}) on {record.network}: "
        f"{len(texts)} posts of at most {rule.limit}.",
        "One post per block; a line of three dashes (---) separates posts. Lines starting",
        'with "# " are comments. The n/N numbering is added for you. Change, remove, add or',
        "reorder posts; a chart stays with its post while that post's figures are unchanged.",
    ]
    if findings:
        header += ["", "Your last save had these errors (fix them, or quit without saving):"]
        header += [f"{finding.code} · {finding.where}: {finding.message}" for finding in findings]
    notes = [
        [f"{index}: {rule.measure(text)}/{rule.limit}" + (" · chart" if index in charted else "")]
        for index, text in enumerate(texts, start=1)
    ]
    return edit_file(texts, header, notes)


def _read_edit(source: str | None, content: str) -> str | None:
    """The edited file's content; None when the owner quit without saving."""
    from bot.errors import InputError

    if source == "-":
        return sys.stdin.read()
    if source is not None:
        from pathlib import Path

        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"{source}: cannot be read ({error.strerror})") from None
        except UnicodeDecodeError:
            raise InputError(f"{source}: not UTF-8 text: save it as UTF-8") from None
    try:
        return click.edit(content, extension=".txt", require_save=True)
    except click.ClickException as error:
        raise InputError(f"{error.format_message()}: set $VISUAL or $EDITOR") from None


def _parsed(written: str) -> list[str]:
    from bot.errors import InputError
    from threads.editing import parse_edit

    posts = parse_edit(written)
    if not posts:
        raise InputError(
            "no posts left: nothing changed (to take the thread out, `threadbot cancel` it)"
        )
    return posts


def _validated(
    app: App,
    record: ThreadRecord,
    texts: Sequence[str],
    options: BuildOptions,
    rule: LengthRule,
) -> tuple[Thread, list[Finding]]:
    """The edited thread and its findings, judged as a built thread is at freezing."""
    from threads.editing import edited_thread
    from threads.findings import Finding
    from threads.validation import validate

    thread = edited_thread(record.key, record.section_index, record.section, texts, options, rule)
    try:
        article = app.article(record.article)
    except ThreadbotError as error:
        unreadable = Finding(
            severity="error",
            code="article-unreadable",
            message=f"the article is needed to check the figures: {error}",
            where=record.article,
        )
        return thread, [unreadable]
    findings = validate(
        article,
        [thread],
        options,
        config_path=str(app.settings.path),
        for_posting=True,
        limit=rule.limit,
        network=rule.name,
    )
    return thread, findings


def _keep(written: str, thread_id: int) -> str:
    """The edit, saved where the owner can take it up again (never lost)."""
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix=f"threadbot-edit-{thread_id}-", suffix=".txt", delete=False
    ) as handle:
        handle.write(written)
    return handle.name


def _save(
    app: App,
    record: ThreadRecord,
    new_texts: Sequence[str],
    charted: Sequence[int],
    thread: Thread,
    written: str,
) -> None:
    import difflib

    from bot.errors import StateConflictError
    from bot.posting.freezing import thread_hash
    from threads.editing import chart_moves

    old = [post.text for post in record.posts]
    new = [tweet.text for tweet in thread.tweets]
    for line in difflib.unified_diff(
        [f"{text}\n" for text in old],
        [f"{text}\n" for text in new],
        fromfile=f"thread {record.id} as frozen",
        tofile=f"thread {record.id} as edited",
        n=1,
    ):
        click.echo(line, nl=False)
    moves = chart_moves(old, new_texts, charted)
    stored = app.store.threads.replace_posts(
        record.id,
        expected_hash=record.content_hash,
        posts=[(tweet.text, tweet.has_url) for tweet in thread.tweets],
        content_hash=thread_hash(thread),
        cost_usd=thread.cost_usd,
        chart_moves=moves,
        now=app.store.clock(),
    )
    if not stored:
        kept = _keep(written, record.id)
        now = app.store.threads.get(record.id)
        raise StateConflictError(
            f"thread {record.id} changed while you edited it (now {now.status}): nothing "
            f"changed; your edit is kept in {kept}"
        )
    dropped = sum(target is None for target in moves.values())
    charts = f"; {dropped} chart(s) dropped, their figures changed" if dropped else ""
    versions = app.store.threads.edits(record.id)
    click.echo(
        f"thread {record.id} edited (version {versions[-1][0]}): {len(new)} posts, "
        f"${thread.cost_usd:.3f}{charts}"
    )
