"""bench/mutations.py still finds what it mutates: a refactor that moves the code must
move the mutation with it (CI runs the mutations after the tests)."""

from __future__ import annotations

import pytest

from bench.mutations import MUTATIONS

from .conftest import ROOT


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_each_mutation_applies_exactly_once(mutation) -> None:  # type: ignore[no-untyped-def]
    """The code a mutation replaces is in its file once, as written."""
    text = (ROOT / mutation.path).read_text(encoding="utf-8")
    assert text.count(mutation.before) == 1, f"{mutation.name}: update bench/mutations.py"


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_each_mutation_names_test_files_that_exist(mutation) -> None:  # type: ignore[no-untyped-def]
    """The files a mutation is run against are there (a moved test would otherwise make
    a mutation look caught by an import error)."""
    assert mutation.tests, f"{mutation.name}: name the test files that catch it"
    for name in mutation.tests:
        assert (ROOT / name).is_file(), f"{mutation.name}: no {name}"
