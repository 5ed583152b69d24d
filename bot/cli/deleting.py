"""`threadbot delete`: take a posted (or partly posted) thread down, post by post."""

from __future__ import annotations

import sys

import click

from bot.cli.app import App, pass_app, posting_until_interrupted
from bot.cli.options import account_option, config_option, db_option, thread_argument


def interactive() -> bool:
    """Whether someone can answer the question (a terminal on stdin)."""
    return sys.stdin is not None and sys.stdin.isatty()


@click.command()
@thread_argument()
@click.option("--yes", is_flag=True, help="Take the posts down without asking first.")
@click.option(
    "--dry-run", is_flag=True, help="List what would be taken down; send and change nothing."
)
@account_option
@config_option
@db_option
@pass_app
@click.pass_context
def delete(
    ctx: click.Context,
    app: App,
    thread: str,
    thread_network: str | None,
    yes: bool,
    dry_run: bool,
) -> None:
    """Take THREAD (its number or slug#N id) down: every live post, last first (a reply
    before the post it replies to), one DELETE request each.

    Lists what will go and asks first (--yes: without asking; without a terminal,
    --yes is required). A post already gone counts as gone; a delete that was stopped
    (Ctrl-C, a rate limit, a killed process) leaves the thread `deleting`, and running
    this again continues it — a post whose DELETE may have gone out is looked up
    first, never sent twice. Deleting frees nothing in the budget.
    """
    from bot.errors import InputError
    from bot.lifecycle import check_delete, lease_expired
    from bot.networks.registry import network as network_info
    from bot.posting.deleting import Deleter, to_take_down
    from bot.store import DeleteResult, PostRecord
    from bot.views.status import post_link

    app.store_must_exist = True
    store = app.store
    thread_id = app.thread_id(thread, thread_network)
    record = store.threads.get(thread_id)
    going = to_take_down(record)
    held = record.claimed_by is not None and not lease_expired(record.lease_until, store.clock())
    check_delete(thread_id, record.status, live=len(going), held=held)
    link = app.link(record.account, record.network)
    label = network_info(record.network).label
    click.echo(
        f"thread {record.id} ({record.key}) on {label}, account {record.account}: "
        f"{len(going)} live posts to take down, last first"
    )
    for post in going:
        where = post_link(link, post.post_id) if post.post_id else "its posting was interrupted"
        unknown = " (looked up first)" if post.post_id is None or post.deleting_at else ""
        click.echo(f"  {post.position}. {where}{unknown}")
    if dry_run:
        click.echo("dry run: nothing was sent or changed")
        return
    if not yes:
        if not interactive():
            raise InputError(
                f"delete asks before taking posts down: `threadbot delete {thread_id} --yes` "
                "runs it without a terminal"
            )
        if not click.confirm(f"Take these {len(going)} posts down?", default=False):
            click.echo("nothing was taken down")
            ctx.exit(1)

    def print_deleted(post: PostRecord, result: DeleteResult) -> None:
        said = "taken down" if result == "deleted" else "already gone"
        click.echo(f"  {post.position}. {post_link(link, post.post_id)} {said}")

    publisher = app.publisher_for(record.account, network=record.network)
    with posting_until_interrupted(publisher):
        done = Deleter(publisher).delete(thread_id, print_deleted)
    results = [post.delete_result for post in done.posts]
    click.echo(
        f"thread {thread_id} deleted ({results.count('deleted')} posts taken down, "
        f"{results.count('gone')} already gone)"
    )
