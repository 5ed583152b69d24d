"""Write ``threads/data/emoji.txt`` from the ``emoji`` package, and say whether it is current.

    python -m tests.emoji_table

threadbot ships the list instead of importing ``emoji`` at run time: loading the package
and building the table from it cost ~16 ms of every preview's start-up, for a list that
changes once a Unicode version. ``tests/test_length.py`` fails when the shipped list is
not the installed package's (the test extra pins the version).
"""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "threads" / "data" / "emoji.txt"


def expected() -> str:
    """The file's text for the installed ``emoji`` package."""
    import emoji

    header = (
        "# Every emoji sequence X's length rule weighs 2, one a line: Unicode's emoji list\n"
        f"# (Unicode License v3) as the `emoji` package {emoji.__version__} ships it. Written by\n"
        "# `python -m tests.emoji_table`; tests/test_length.py checks it is current. Lines\n"
        "# that start with '# ' are comments ('#' and a keycap mark is an emoji).\n"
    )
    return header + "".join(f"{sequence}\n" for sequence in sorted(emoji.EMOJI_DATA))


def main() -> None:
    TABLE.write_text(expected(), encoding="utf-8")
    print(f"wrote {TABLE}")


if __name__ == "__main__":
    main()
