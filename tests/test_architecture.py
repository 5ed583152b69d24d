"""The layout's promises, read from the code's own imports (type-only ones aside):

- threads/ is pure: it imports nothing from bot/, click or I/O libraries;
- bot/ has no import cycle;
- its parts stand on floors and nothing imports upward: cli/ over views/ over feeds/ over
  posting/ over store/ over networks/ over the shared vocabulary (lifecycle, errors,
  settings, credentials, logs, charts, web/);
- the fakes and emulators (bot/testing/) are imported only by tests and by themselves.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

FORBIDDEN = {"bot", "click", "tweepy", "apscheduler", "sqlalchemy", "requests", "rich", "httpx"}
FORBIDDEN |= {"socket", "http", "ssl"}

# Floors of bot/, top first: a module may import its own floor's and lower floors'.
FLOORS: list[tuple[str, ...]] = [
    ("bot.cli", "bot.__main__"),
    ("bot.views",),
    ("bot.feeds",),
    ("bot.posting",),
    ("bot.store",),
    ("bot.networks",),
    (
        "bot.lifecycle",
        "bot.errors",
        "bot.settings",
        "bot.credentials",
        "bot.logs",
        "bot.charts",
        "bot.web",
        "bot",
    ),
]
TESTING = "bot.testing"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports at run time (``if TYPE_CHECKING:`` blocks aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for child in ast.walk(node)}
    package = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module(path)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base
            # `from bot.store import queue` imports a module, not a name.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _bot_modules() -> dict[str, Path]:
    return {_module(path): path for path in sorted((ROOT / "bot").rglob("*.py"))}


def _floor(module: str) -> int:
    for number, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if module == prefix or (module.startswith(prefix + ".") and prefix != "bot"):
                return number
    return len(FLOORS) - 1  # a module at bot/'s top level is shared vocabulary


def _graph() -> dict[str, set[str]]:
    modules = _bot_modules()
    return {
        name: {target for target in _imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "threads").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT / "threads")),
)
def test_domain_imports_nothing_from_the_runtime(path) -> None:  # type: ignore[no-untyped-def]
    """No module in threads/ imports the runtime, the CLI or network/database code."""
    imported = {name.split(".")[0] for name in _imports(path)}
    assert imported & FORBIDDEN == set()


def test_bot_has_no_import_cycle() -> None:
    """Following imports from any module of bot/ never leads back to it."""
    graph = _graph()
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for target in graph[node]:
                if target == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
    assert cycles == []


def test_nothing_imports_upward() -> None:
    """cli/ over views/ over feeds/ over posting/ over store/ over networks/ over the
    shared vocabulary: a module imports only its own floor and the ones below."""
    upward = [
        f"{name} (floor {_floor(name)}) imports {target} (floor {_floor(target)})"
        for name, targets in _graph().items()
        if not name.startswith(TESTING)
        for target in sorted(targets)
        if not target.startswith(TESTING) and _floor(target) < _floor(name)
    ]
    assert upward == []


def test_the_emulators_and_fakes_are_only_for_tests() -> None:
    """No product module imports bot/testing/; it imports the product, never cli/."""
    graph = _graph()
    product = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        if not name.startswith(TESTING)
        for target in targets
        if target.startswith(TESTING)
    ]
    assert product == []
    upward = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.startswith(TESTING)
        for target in targets
        if _floor(target) < FLOORS.index(("bot.networks",)) and not target.startswith(TESTING)
    ]
    assert upward == []


def test_the_floors_name_every_part() -> None:
    """Every folder of bot/ is on a floor (a new part must be placed, not slip in)."""
    folders = {p.name for p in (ROOT / "bot").iterdir() if p.is_dir() and p.name != "__pycache__"}
    placed = {prefix.split(".")[1] for floor in FLOORS for prefix in floor if "." in prefix}
    assert folders - placed == {"testing"}
