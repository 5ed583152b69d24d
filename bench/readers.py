"""Article readers: parse + build + validate throughput per format, and preview start-up.

Run by ``bench/run.py`` (section 7). Inputs: the real-posts corpus when present
($THREADBOT_CORPUS or ../corpus; see tests/articles/SOURCES.md), else the shipped
examples and test fixtures. Baseline for start-up: ``python -c "import jinja2, pydantic"``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = {
    "text": [ROOT / "articles" / "kpop-asean-plus-three.txt"],
    "markdown": [ROOT / "articles" / "seoul-data-centres.md"],
    "html": [ROOT / "tests" / "articles" / "saved-page.html"],
    "rst": [],
}
SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".mdx": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".rst": "rst",
}


def corpus_files() -> dict[str, list[Path]]:
    for candidate in (os.environ.get("THREADBOT_CORPUS", ""), str(ROOT.parent / "corpus")):
        folder = Path(candidate) if candidate else None
        if folder is not None and folder.is_dir():
            files: dict[str, list[Path]] = {kind: [] for kind in FIXTURES}
            for path in sorted(folder.iterdir()):
                kind = SUFFIXES.get(path.suffix)
                if kind:
                    files[kind].append(path)
            files["text"] += FIXTURES["text"]
            return files
    return FIXTURES


def throughput(budget: float) -> None:
    from bot.settings import load_settings
    from threads.pipeline import prepare
    from threads.templates import TemplateSet

    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    options = loaded.build_options
    templates = TemplateSet(loaded.templates_path)
    files = corpus_files()
    source = "corpus" if files is not FIXTURES else "fixtures"
    print(f"7. readers: parse + build + validate per format ({source})")
    for kind, paths in files.items():
        if not paths:
            continue
        size = sum(path.stat().st_size for path in paths)
        for path in paths:  # warm imports and caches
            prepare(path, options, templates)
        passes = 0
        start = time.perf_counter()
        while True:
            for path in paths:
                prepare(path, options, templates)
            passes += 1
            elapsed = time.perf_counter() - start
            if elapsed >= budget:
                break
        per_kb = elapsed / passes / (size / 1024)
        print(
            f"   {kind:<9} {len(paths):>3} posts {size / 1024:>7,.0f} KB · "
            f"{size / 1024 * passes / elapsed:>7,.0f} KB/s · {per_kb * 1000:.2f} ms/KB"
        )


def wall(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start(runs: int) -> None:
    print(f"   preview start-up by format (median of {runs} runs)")
    baseline = wall([sys.executable, "-c", "import jinja2, pydantic"], runs)
    print(f"   baseline python -c 'import jinja2, pydantic'  {baseline * 1000:6.0f} ms")
    for kind in ("text", "markdown", "html"):
        path = FIXTURES[kind][0]
        seconds = wall(
            [sys.executable, "-m", "bot", "preview", str(path), "--format", "json"], runs
        )
        print(
            f"   preview {path.name:<28} --format json {seconds * 1000:6.0f} ms "
            f"({seconds / baseline:.2f}x baseline)"
        )


def large_articles() -> None:
    """A 1 MB article previews; a 20 MB one is refused by its size, at once."""
    text = (ROOT / "articles" / "kpop-asean-plus-three.txt").read_text(encoding="utf-8")
    body, _, references = text.partition("📚 References")
    parts: list[str] = []
    while sum(map(len, parts)) < 1_000_000:
        parts.append(body)
    with tempfile.TemporaryDirectory() as directory:
        big = Path(directory) / "big.txt"
        big.write_text("\n\n".join(parts) + "\n\n📚 References" + references, encoding="utf-8")
        huge = Path(directory) / "huge.txt"
        huge.write_text(big.read_text(encoding="utf-8") * 20, encoding="utf-8")
        one = wall([sys.executable, "-m", "bot", "preview", str(big), "--format", "json"], 1)
        refused = wall([sys.executable, "-m", "bot", "preview", str(huge), "--format", "json"], 1)
        print(
            f"   1.0 MB article preview --format json {one:.2f} s · "
            f"{huge.stat().st_size / 1e6:.0f} MB article refused in {refused:.2f} s"
        )


def many_headings() -> None:
    """10,000 one-sentence sections (issue 16): merging them must stay linear."""
    from threads.parsing import parse_article

    def seconds(count: int) -> float:
        text = "".join(f"## Heading {i}\n\nShort one {i}.\n\n" for i in range(count))
        start = time.perf_counter()
        parse_article(text, "many.md", "markdown")
        return time.perf_counter() - start

    seconds(500)  # warm imports
    small, large = seconds(1_000), seconds(10_000)
    print(
        f"   10,000 headings parsed in {large:.2f} s, {large / small:.1f}x the time of "
        "1,000 (linear: ~10x; it was quadratic, over 30 s)"
    )


def bench_readers(quick: bool) -> None:
    throughput(budget=0.5 if quick else 3.0)
    cold_start(runs=3 if quick else 9)
    large_articles()
    many_headings()
