"""Shared fixtures: the example article, the shipped templates and config, conformance files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import load_settings
from threads.options import BuildOptions
from threads.templates import TemplateSet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "articles" / "kpop-asean-plus-three.txt"
CONFIG = ROOT / "config" / "threadbot.toml"
TEMPLATES = ROOT / "templates"
# The conformance suite is read from the workplace's shared folder, never copied in.
CONFORMANCE = ROOT.parent / "shared" / "twitter-text-conformance"


@pytest.fixture
def options() -> BuildOptions:
    return load_settings(CONFIG).build_options


@pytest.fixture
def templates() -> TemplateSet:
    return TemplateSet(TEMPLATES)


def conformance_file(name: str) -> Path:
    path = CONFORMANCE / name
    if not path.is_file():
        pytest.skip(f"twitter-text conformance file {path} not present")
    return path
