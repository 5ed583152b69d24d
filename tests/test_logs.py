"""Log redaction: credential values never leave a handler, however they were logged."""

from __future__ import annotations

import logging
from urllib.parse import quote

from bot.logs import RedactSecrets

SECRET = "s3cr+t/value=="


def _format(record: logging.LogRecord) -> str:
    RedactSecrets([SECRET]).filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_redacts_plain_and_encoded_secrets_in_args() -> None:
    """A secret passed as an argument, plain or percent-encoded, comes out as ***."""
    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "headers %s %s", (SECRET, quote(SECRET, safe="")), None
    )
    assert _format(record) == "headers *** ***"


def test_redacts_tracebacks() -> None:
    """A secret inside an exception's traceback text is redacted too."""
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    assert SECRET not in _format(record)
