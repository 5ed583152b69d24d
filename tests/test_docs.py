"""README.md documents every finding code, config setting and template variable."""

from __future__ import annotations

import re
import tomllib

import pytest

from threads import validation

from .conftest import CONFIG, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CODES = re.findall(r"^([a-z0-9-]+)\s+(?:error|warning|info)", validation.__doc__ or "", re.M)


@pytest.mark.parametrize("code", CODES)
def test_every_finding_code_is_documented(code: str) -> None:
    """Each stable finding code has a row in README's Validation table."""
    assert f"| `{code}` |" in README


def _settings() -> list[str]:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    names = []
    for key, value in config.items():
        if isinstance(value, dict):
            names += [
                f"{key}.{inner}" for inner in value if not isinstance(value[inner], list | dict)
            ]
        else:
            names.append(key)
    return names


@pytest.mark.parametrize("setting", _settings())
def test_every_shipped_setting_is_documented(setting: str) -> None:
    """Each setting of the shipped config is named in README."""
    assert f"`{setting.rsplit('.', 1)[-1]}`" in README


def test_validation_docstring_lists_the_codes() -> None:
    """The codes table is read from threads/validation.py, so it must not be empty."""
    assert len(CODES) >= 17
