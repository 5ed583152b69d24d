"""Section 10: the example previewed for X, Bluesky and Mastodon against X alone, and
how many posts a section's thread takes on each network.

As ``threadbot preview`` does it: the article is read and parsed once, then built and
validated once per network, each split by its rule (``threads.networks``); the ratio
says what previewing every network costs compared with X alone (the baseline). Bluesky counts grapheme clusters with the
``regex`` module; Mastodon counts characters with URLs as 23.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bot.networks.registry import network as network_info
from bot.settings import load_settings
from threads.parsing import load_article
from threads.pipeline import prepare
from threads.templates import TemplateSet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "articles" / "kpop-asean-plus-three.txt"
NETWORKS = ("x", "bluesky", "mastodon")


def bench_networks(runs: int) -> None:
    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    options = loaded.build_options
    templates = TemplateSet(loaded.templates_path)
    rules = {network: network_info(network).rule(loaded.settings) for network in NETWORKS}

    def once(networks: tuple[str, ...]) -> dict[str, list[int]]:
        posts: dict[str, list[int]] = {}
        article = load_article(EXAMPLE, language=options.sentence_language)
        for network in networks:
            prepared = prepare(article, options, templates, rule=rules[network])
            posts[network] = [len(thread.tweets) for thread in prepared.threads]
        return posts

    once(NETWORKS)  # warm: imports, regex compiles, caches
    timings: dict[str, list[float]] = {"x": [], "all": []}
    for _ in range(runs):
        for label, networks in (("x", ("x",)), ("all", NETWORKS)):
            start = time.perf_counter()
            posts = once(networks)
            timings[label].append(time.perf_counter() - start)
    x_alone = statistics.median(timings["x"])
    all_three = statistics.median(timings["all"])
    print("10. networks: the example previewed for X, Bluesky and Mastodon vs X alone (baseline)")
    print(
        f"   X alone {x_alone * 1000:.1f} ms, three networks {all_three * 1000:.1f} ms: "
        f"{all_three / x_alone:.2f}x (target: at most 3.5x, i.e. no worse than three X previews)"
    )
    for network in NETWORKS:
        counts = posts[network]
        print(
            f"   {network:<9} posts per thread {counts} (total {sum(counts)}, "
            f"mean {statistics.mean(counts):.2f})"
        )
