"""Try threadbot without an account: ``python -m bot.testing x|bluesky|mastodon``.

Starts the network's emulator on 127.0.0.1, writes a ready config (the shipped templates,
real-looking links so posting is not refused and not checked live, a store of its own in the same folder)
and prints the ``export`` line that points threadbot at both; then says what it receives,
a line per request and per stored post, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bot.testing.server import Emulator

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
# Written by `python -m bot.testing {network}`: threadbot pointed at a local emulator.
templates_dir = "{templates}"
networks = ["{network}"]

[site]
display_name = "GONOGO Blog (emulated)"
blog_url = "https://blog.gonogo.kr"
about_url = "https://blog.gonogo.kr/about"
article_base_url = "https://blog.gonogo.kr/posts/"

[[site.recommendations]]
handle = "@GONOGO_Korea"
reason = "as a resource I trust and regularly learn from"

[publishing]
reply_pause_seconds = 0.2

[links]
# The example's links are placeholders of a blog the emulator does not serve: checking
# them live would refuse the try-out (or reach the internet).
check = false

[store]
path = "{store}"
"""


def emulator_for(network: str, *, accept_duplicates: bool) -> Emulator:
    if network == "x":
        from bot.testing.x import XEmulator

        return XEmulator(accept_duplicates=accept_duplicates)
    if network == "bluesky":
        from bot.testing.bluesky import BlueskyEmulator

        return BlueskyEmulator()
    from bot.testing.mastodon import MastodonEmulator

    return MastodonEmulator()


def write_config(folder: Path, network: str) -> Path:
    path = folder / "threadbot.toml"
    path.write_text(
        CONFIG.format(
            network=network,
            templates=(ROOT / "templates").as_posix(),
            store=(folder / "threadbot.db").as_posix(),
        ),
        encoding="utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.testing", description=__doc__)
    parser.add_argument("network", choices=["x", "bluesky", "mastodon"])
    parser.add_argument(
        "--accept-duplicates",
        action="store_true",
        help="X only: post a repeated text instead of refusing it",
    )
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where the config and the store go (default: a new temporary folder)",
    )
    arguments = parser.parse_args(argv)
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="threadbot-try-"))
    folder.mkdir(parents=True, exist_ok=True)
    emulator = emulator_for(arguments.network, accept_duplicates=arguments.accept_duplicates)
    url = emulator.start()
    config = write_config(folder, arguments.network)
    exports = {"THREADBOT_CONFIG": str(config), **emulator.exports()}
    print(f"{arguments.network} emulator on {url}; config and store in {folder}")
    print("export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in exports.items()))
    print(
        "then, e.g.: threadbot publish articles/kpop-asean-plus-three.txt --section 5"
        + ("" if arguments.network == "x" else f" --network {arguments.network}")
    )
    print("received:", flush=True)
    emulator.report = lambda line: print(f"  {line}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()
