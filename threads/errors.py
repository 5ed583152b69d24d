"""Every error threadbot raises on purpose, in one tree.

::

    ThreadbotError                 anything threadbot reports instead of a traceback
    ├── InputError                 the user's input is unusable: fix it and run again (exit 2)
    │   ├── ArticleError           an article file cannot be read or parsed (path, line)
    │   ├── ConfigError            the config file or an option is invalid (path, field)
    │   ├── TemplateError          a Jinja2 template fails to load or render (template, line)
    │   └── SectionNotFoundError   --section names no section, or several
    └── BuildError                 a thread cannot be built from valid input
        └── UnsplittableTextError  one word alone is longer than a tweet

Runtime errors (posting, the state store) live in ``bot.errors`` and derive from
``ThreadbotError`` too, so the CLI has one place that turns them into messages.
Every message says what to do next.
"""

from __future__ import annotations

from pathlib import Path


class ThreadbotError(Exception):
    """Base of every error threadbot reports as a message rather than a traceback."""

    exit_code = 1


class InputError(ThreadbotError):
    """Input the user must fix (a file, an option, a template)."""

    exit_code = 2


class ArticleError(InputError):
    """An article file that cannot be read or parsed."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


class ConfigError(InputError):
    """An invalid config file or option; ``field`` is a dotted path such as ``site.blog_url``."""

    def __init__(self, path: Path | str | None, message: str, field: str | None = None) -> None:
        self.path = Path(path) if path else None
        self.field = field
        prefix = f"{self.path}: " if self.path else ""
        located = f"{field}: {message}" if field else message
        super().__init__(prefix + located)


class TemplateError(InputError):
    """A template that fails to load or render, located by file and line."""

    def __init__(self, template: str, message: str, line: int | None = None) -> None:
        self.template = template
        self.line = line
        where = f"{template}:{line}" if line else template
        super().__init__(f"template {where}: {message}")


class SectionNotFoundError(InputError):
    """``--section`` matches no section, or more than one."""


class BuildError(ThreadbotError):
    """A thread that cannot be built from otherwise valid input."""


class UnsplittableTextError(BuildError):
    """A single word (no spaces to split at) weighs more than a whole tweet."""

    def __init__(self, word: str, weight: int, limit: int, network: str = "x") -> None:
        self.word = word
        self.weight = weight
        self.limit = limit
        shown = word if len(word) <= 40 else word[:37] + "..."
        where, post = _NETWORK_WORDS.get(network, (network, "post"))
        super().__init__(
            f"{shown!r} weighs {weight} on {where}, more than a {post}'s {limit}: "
            "shorten it or put spaces in it"
        )


# How messages name each network and its posts (X's wording is the one users know).
_NETWORK_WORDS = {
    "x": ("X", "tweet"),
    "bluesky": ("Bluesky", "post"),
    "mastodon": ("Mastodon", "post"),
}
