"""The layout's promise: threads/ is pure and never imports bot, click or I/O libraries."""

from __future__ import annotations

import ast

import pytest

from .conftest import ROOT

FORBIDDEN = {"bot", "click", "tweepy", "apscheduler", "sqlalchemy", "requests", "rich", "httpx"}
FORBIDDEN |= {"socket", "http", "ssl"}


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "threads").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT / "threads")),
)
def test_domain_imports_nothing_from_the_runtime(path) -> None:  # type: ignore[no-untyped-def]
    """No module in threads/ imports the runtime, the CLI or network/database code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported & FORBIDDEN == set()
