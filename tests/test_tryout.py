"""The README's try-out without an account: `python -m bot.testing NETWORK` writes a ready
config and prints the exports; `threadbot publish … --section 5` against it posts, and
the emulator says what it received."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_the_emulator_runner_makes_posting_work_as_the_readme_says(
    tmp_path: Path, network: str
) -> None:
    out = tmp_path / "emulator.out"
    with out.open("wb") as handle:
        runner = subprocess.Popen(
            [sys.executable, "-m", "bot.testing", network, "--folder", str(tmp_path / "try")],
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 30
        while "received:" not in out.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        (line,) = [x for x in out.read_text().splitlines() if x.startswith("export ")]
        exports = dict(item.split("=", 1) for item in shlex.split(line.removeprefix("export ")))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("X_", "THREADBOT_"))}
        env.update(exports)
        args = ["publish", str(EXAMPLE), "--section", "5"]
        if network != "x":
            args += ["--network", network]
        published = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert published.returncode == 0, published.stderr
        time.sleep(0.3)
        said = out.read_text()
    finally:
        runner.terminate()
        runner.wait(10)
    posts = published.stdout.count("\n  ")
    assert posts >= 3
    assert said.count("stored post") == posts
    assert "Economic Spillover in ASEAN Markets" in said
