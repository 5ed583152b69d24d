"""The ``threadbot`` command line: the group, its one error boundary, lazy commands.

Commands live one family per module — ``preview`` (preview), ``publishing`` (publish,
resume, status, check), ``queueing`` (schedule, queue, cancel, reschedule, run),
``deleting`` (delete), ``feeds`` (the ``feed`` group: preview, add, list, remove,
check), ``owning`` (approve, reject, edit: the owner's say before posting),
``operations`` (the ``db`` group: upgrade, copy; ``daemons``), ``stats`` (stats) — and
are imported only when invoked, so ``threadbot preview`` never loads tweepy,
APScheduler or SQLAlchemy. Shared options are in ``bot.cli.options``; the wiring
(settings, store, client, publisher, ``prepare()``) is the :class:`~bot.cli.app.App`
in ``ctx.obj``.

Exit codes: 0 done (warnings allowed); otherwise the ``exit_code`` of the
``ThreadbotError`` raised (1 validation or posting stopped, 2 bad usage or input), which
the group prints as one line on stderr — the only place errors become output.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import click

from bot import __version__
from threads.errors import ThreadbotError

COMMANDS = {
    "preview": "bot.cli.preview:preview",
    "publish": "bot.cli.publishing:publish",
    "resume": "bot.cli.publishing:resume",
    "status": "bot.cli.publishing:status",
    "check": "bot.cli.publishing:check",
    "schedule": "bot.cli.queueing:schedule",
    "queue": "bot.cli.queueing:queue",
    "cancel": "bot.cli.queueing:cancel",
    "reschedule": "bot.cli.queueing:reschedule",
    "run": "bot.cli.queueing:run",
    "approve": "bot.cli.owning:approve",
    "reject": "bot.cli.owning:reject",
    "edit": "bot.cli.owning:edit",
    "delete": "bot.cli.deleting:delete",
    "feed": "bot.cli.feeds:feed",
    "db": "bot.cli.operations:db",
    "daemons": "bot.cli.operations:daemons",
    "stats": "bot.cli.stats:stats",
}

# Commands that start, work a bounded while and exit, and whose start-up is most of their
# time: they run with the cyclic garbage collector off (see ``main``).
WITHOUT_COLLECTOR = frozenset({"preview"})


class ThreadbotGroup(click.Group):
    """Loads commands on demand and turns threadbot's errors into one line and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        if cmd_name not in WITHOUT_COLLECTOR:
            gc.enable()
        module, _, name = target.partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThreadbotError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        finally:
            if ctx.obj is not None:
                ctx.obj.close()


@click.group(cls=ThreadbotGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="threadbot")
@click.option(
    "-v", "--verbose", count=True, help="-v: log each event; -vv: debug (secrets redacted)."
)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Turn blog articles into X threads: preview them, validate them, post them."""
    from bot.cli.app import App
    from bot.logs import configure_logging

    configure_logging(verbose)
    ctx.obj = App()


def main() -> None:
    """The ``threadbot`` command (console script and ``python -m bot``)."""
    # Start-up builds ~54,000 objects (pydantic's and threadbot's models, compiled expressions)
    # that live until exit. The collector walked them again and again while they were
    # built, and once more at exit: 15 ms and 25 ms of a 250 ms preview. So it is off
    # until a command is chosen (back on for all but WITHOUT_COLLECTOR), and what lives
    # at exit is frozen, not walked.
    gc.disable()
    try:
        cli.main(prog_name="threadbot")
    finally:
        gc.freeze()
