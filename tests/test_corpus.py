"""Real blog posts: every post of the corpus previews clean, and as it did before.

The posts (42, from 24 public repositories; sources and licences in
tests/articles/SOURCES.md) are third-party text, so they are not committed. Point
$THREADBOT_CORPUS at a folder holding them (or place them in ../shared/blog-corpus or
../corpus) to run these tests; each post's test skips when its file is not there.

Golden files hold each preview's shape — threads, tweet counts, weighted lengths,
finding codes — and a SHA-256 of the tweet texts, not the texts: any change in what
would be posted shows up as a failing test. THREADBOT_UPDATE_GOLDENS=1 rewrites them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path

import pytest

from threads.options import BuildOptions
from threads.pipeline import prepare
from threads.templates import TemplateSet

from .article_checks import problems, selection_problems
from .conftest import ROOT

MANIFEST = tomllib.loads((ROOT / "tests" / "articles" / "corpus.toml").read_text("utf-8"))
GOLDEN = ROOT / "tests" / "articles" / "golden"
CANDIDATES = [
    os.environ.get("THREADBOT_CORPUS", ""),
    str(ROOT.parent / "shared" / "blog-corpus"),
    str(ROOT.parent / "corpus"),
]


def corpus_folder() -> Path | None:
    """The first candidate folder holding any recorded post."""
    for candidate in CANDIDATES:
        if candidate and any((Path(candidate) / name).is_file() for name in MANIFEST["titles"]):
            return Path(candidate)
    return None


FOLDER = corpus_folder()


def post_path(name: str) -> Path:
    """The recorded post's file; the test skips when it is not in the folder (each post is
    placed from its record in SOURCES.md, so a folder may hold some and not others)."""
    if FOLDER is None:
        pytest.skip("the real-posts corpus is not present: set THREADBOT_CORPUS")
    path = FOLDER / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {FOLDER}: place it from tests/articles/SOURCES.md")
    return path


def shape(prepared) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a golden file keeps of a preview: structure and a digest of the texts."""
    texts = "\n\x00".join(t.text for thread in prepared.threads for t in thread.tweets)
    return {
        "title": prepared.article.title,
        "language": prepared.article.language,
        "threads": [
            {
                "tweets": len(thread.tweets),
                "weighted_lengths": [t.weighted_length for t in thread.tweets],
            }
            for thread in prepared.threads
        ],
        "findings": sorted(f"{f.severity} {f.code}" for f in prepared.findings),
        "texts_sha256": hashlib.sha256(texts.encode()).hexdigest(),
    }


@pytest.mark.parametrize("name", sorted(MANIFEST["titles"]))
def test_real_post(name: str, options: BuildOptions, templates: TemplateSet) -> None:
    """The post previews with no error, no markup leak, crumb or invented word; as before."""
    path = post_path(name)
    prepared = prepare(path, options, templates)
    source = path.read_text(encoding="utf-8-sig")
    known = MANIFEST.get("known", {}).get(name, {})
    found = problems(source, prepared, expected_title=MANIFEST["titles"][name])
    found += selection_problems(prepared, options.threads.max_tweets)
    assert [line for line in found if not any(kind in line for kind in known)] == []
    assert [f.message for f in prepared.findings if f.severity == "error"] == []
    golden = GOLDEN / f"{name}.json"
    actual = shape(prepared)
    if os.environ.get("THREADBOT_UPDATE_GOLDENS"):
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert golden.is_file(), f"no golden file {golden}: run with THREADBOT_UPDATE_GOLDENS=1"
    assert actual == json.loads(golden.read_text("utf-8"))


def test_threads_followers_finish(options: BuildOptions, templates: TemplateSet) -> None:
    """Over every corpus post present, with the default settings: threads of at most 7
    tweets at the median and none over max_tweets; middle tweets use >= 75 % of the
    limit on average; no post becomes a thread of its table of contents."""
    assert FOLDER is not None
    lengths: list[int] = []
    fills: list[float] = []
    for name in sorted(MANIFEST["titles"]):
        if not (FOLDER / name).is_file():
            continue
        prepared = prepare(FOLDER / name, options, templates)
        for thread in prepared.threads:
            lengths.append(len(thread.tweets))
            fills += [
                t.weighted_length / options.threads.max_weighted_length for t in thread.tweets[1:-1]
            ]
    lengths.sort()
    assert lengths[len(lengths) // 2] <= 7, lengths
    assert lengths[-1] <= options.threads.max_tweets
    assert sum(fills) / len(fills) >= 0.75


@pytest.mark.parametrize("network", ["bluesky", "mastodon"])
@pytest.mark.parametrize("name", sorted(MANIFEST["titles"]))
def test_real_post_on_another_network(
    name: str, network: str, options: BuildOptions, templates: TemplateSet
) -> None:
    """Split for Bluesky or Mastodon, every post of every real post fits that network
    (graphemes and bytes; URLs at 23), no error appears, and the same checks hold."""
    from threads.networks import rule_for

    path = post_path(name)
    rule = rule_for(network)
    prepared = prepare(path, options, templates, rule=rule)
    source = path.read_text(encoding="utf-8-sig")
    known = MANIFEST.get("known", {}).get(name, {})
    found = problems(source, prepared, expected_title=MANIFEST["titles"][name])
    found += selection_problems(prepared, options.threads.max_tweets)
    # A crumb is measured by X's weights; on another network a short post is the same.
    found = [line for line in found if "a crumb of" not in line]
    assert [line for line in found if not any(kind in line for kind in known)] == []
    assert [f.message for f in prepared.findings if f.severity == "error"] == []
    for thread in prepared.threads:
        for tweet in thread.tweets:
            assert rule.fits(tweet.text), (thread.id, tweet.text)
            assert tweet.weighted_length == rule.measure(tweet.text)


@pytest.mark.parametrize("name", sorted(MANIFEST.get("held_out", {})))
def test_held_out_post(name: str, options: BuildOptions, templates: TemplateSet) -> None:
    """A post no rule was tuned on: the same property checks as the corpus (no error,
    markup leak, crumb, invented word or wrong title), without a golden file; what
    cannot pass is in ``[held_out_known]`` with the reason."""
    path = post_path(name)
    prepared = prepare(path, options, templates)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:  # a Word or OpenDocument file: only the title is checked
        source = ""
    known = MANIFEST.get("held_out_known", {}).get(name, {})
    expected = MANIFEST["held_out"][name]
    found = problems(source, prepared, expected_title=expected) if source else []
    if not source and prepared.article.title != expected:
        found.append(f"title {prepared.article.title!r}, expected {expected!r}")
    found += selection_problems(prepared, options.threads.max_tweets)
    assert [line for line in found if not any(kind in line for kind in known)] == []
    # A known problem that went away is taken off the list (so the list stays true).
    assert [kind for kind in known if not any(kind in line for line in found)] == []
    assert [f.message for f in prepared.findings if f.severity == "error"] == []
