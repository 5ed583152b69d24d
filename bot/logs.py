"""Logging set-up: one line per event, and no secret ever reaches a handler.

tweepy logs request and response headers at DEBUG and oauthlib logs the signed
Authorization header; instead of trusting every library, a filter on the handler
replaces each credential value with ``***`` in every record, at every verbosity.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from urllib.parse import quote


def _variants(secrets: Iterable[str]) -> list[str]:
    """Each secret as written and percent-encoded (as it appears in signed headers)."""
    found = {variant for s in secrets if s for variant in (s, quote(s, safe=""))}
    return sorted(found, key=len, reverse=True)


class RedactSecrets(logging.Filter):
    """Replace every occurrence of the given secrets in a record's final message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = _variants(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self.secrets:
            message = message.replace(secret, "***")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "***")
        record.msg, record.args = message, None
        return True


def configure_logging(verbosity: int, secrets: Iterable[str] = ()) -> logging.Handler:
    """-v: threadbot at INFO; -vv: everything at DEBUG (libraries too), always redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_threadbot", False)]:
        root.removeHandler(old)
    handler._threadbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    logging.getLogger("threadbot").setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
    if verbosity >= 2:
        logging.getLogger("threadbot").setLevel(logging.DEBUG)
    return handler


def label_process(label: str) -> None:
    """Name this process in every line threadbot's handler writes (a daemon's id, so the
    logs of several daemons can be told apart when collected together)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_threadbot", False):
            handler.setFormatter(
                logging.Formatter(f"%(asctime)s %(levelname)s [{label}] %(name)s: %(message)s")
            )


def add_secrets(secrets: Iterable[str]) -> None:
    """Teach the installed handlers more secrets (credentials load after logging starts)."""
    for handler in logging.getLogger().handlers:
        for existing in handler.filters:
            if isinstance(existing, RedactSecrets):
                existing.secrets = _variants([*existing.secrets, *secrets])
