"""Commands for running threadbot on a shared store: `db upgrade`, `db copy`, `daemons`."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from bot.cli.app import App, pass_app
from bot.cli.options import config_option, db_option, format_option


@click.group()
def db() -> None:
    """The store's schema and moving it: upgrade, copy."""


@db.command()
@config_option
@db_option
@pass_app
def upgrade(app: App) -> None:
    """Apply the store's schema migrations (Alembic) up to this threadbot's.

    A SQLite store is upgraded by any command; a PostgreSQL store shared by daemons only
    by this one: stop the daemons of the older version, upgrade, start the new ones.
    """
    from bot.store import HEAD, revision_of

    url = app.settings.store_url(app.db)
    before = revision_of(url)
    app.store_schema = "upgrade"
    store = app.store
    shown = store.shown_url
    if before == HEAD:
        click.echo(f"{shown}: schema already at {HEAD}; nothing to do")
    else:
        click.echo(f"{shown}: schema upgraded from {before or 'nothing (new store)'} to {HEAD}")


@db.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="The new store, e.g. postgresql+psycopg://user@host/db (must be empty).",
)
@config_option
@db_option
@pass_app
def copy(app: App, target: str) -> None:
    """Copy the store (--db, default the configured one) into a new, empty one.

    Every thread, post, chart, account state and followed feed is copied with its id,
    in one transaction on the target: the queue and its history move as they are. Stop
    the daemons first (a thread being posted refuses the copy); then point --db,
    $THREADBOT_DB or [store] path at the target.
    """
    from bot.settings import database_url
    from bot.store import Store
    from bot.store.copying import copy_store

    app.store_must_exist = True
    source = app.store
    destination = Store(database_url(target), schema="upgrade")
    try:
        copied = copy_store(source, destination)
    finally:
        destination.engine.dispose()
    rows = ", ".join(f"{count} {table}" for table, count in copied.items() if count)
    click.echo(f"copied {source.shown_url} → {destination.shown_url}: {rows or 'nothing'}")
    click.echo("next: point --db, $THREADBOT_DB or [store] path at the new store")


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Also stopped and silent daemons.")
@format_option("text for people; json: {daemons: [{id, host, pid, started_at, …}]}.")
@config_option
@db_option
@pass_app
def daemons(app: App, show_all: bool, output_format: str) -> None:
    """List the daemons running on this store, on any machine: host, pid, when started,
    last heartbeat (the database's clock) and the threads each is posting now.

    A daemon is live while it beats within three polls (and at least 30 s).
    """
    app.store_must_exist = True
    poll = app.settings.settings.schedule.poll_seconds
    alive = dt.timedelta(seconds=max(30.0, 3 * poll))
    records = app.store.daemons.list(alive_within=None if show_all else alive)
    now = app.store.clock()
    if output_format == "json":
        document = {
            "daemons": [
                {
                    "id": d.id,
                    "host": d.host,
                    "pid": d.pid,
                    "started_at": d.started_at.isoformat(),
                    "heartbeat_at": d.heartbeat_at.isoformat(),
                    "stopped_at": d.stopped_at.isoformat() if d.stopped_at else None,
                    "live": d.stopped_at is None and now - d.heartbeat_at <= alive,
                    "max_threads": d.max_threads,
                    "threads_in_hand": d.threads_in_hand,
                    "version": d.version,
                }
                for d in records
            ]
        }
        click.echo(json.dumps(document, indent=2))
        return
    if not records:
        click.echo("no daemons running on this store: `threadbot run` starts one")
        return
    for d in records:
        beat = (now - d.heartbeat_at).total_seconds()
        state = (
            "stopped" if d.stopped_at else ("live" if beat <= alive.total_seconds() else "silent")
        )
        sys.stdout.write(
            f"{d.id:<40} {state:<7} host {d.host}  pid {d.pid}  "
            f"started {d.started_at:%Y-%m-%d %H:%M:%S} UTC  heartbeat {beat:.0f} s ago  "
            f"threads {d.threads_in_hand}/{d.max_threads}\n"
        )
