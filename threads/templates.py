"""The site owner's Jinja2 templates, sandboxed and strict.

Templates run in Jinja2's sandbox (they are config, not code) with StrictUndefined, so
a misspelt name is an error rather than an empty string in a public post. Every failure
becomes a :class:`~threads.errors.TemplateError` naming the template file and line.

Compiled templates are kept in Jinja's bytecode cache (a private folder under the
temporary directory, checked against each template's source), as Python keeps
``__pycache__``: compiling the shipped thirteen costs ~25 ms of every start, loading them
~1.5 ms. A cache that cannot be written only costs that time again.

Each template may have per-language variants beside it (``closing.ko.txt.j2``): a
post in that language uses the variant, any other the plain template.
"""

from __future__ import annotations

import contextlib
import re
import traceback
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from threads.errors import TemplateError

TEMPLATE_NAMES = ("opening.txt.j2", "body.txt.j2", "fact.txt.j2", "closing.txt.j2")
# closing.ko.txt.j2: the closing template for posts in Korean (an ISO 639-1 code).
_VARIANT = re.compile(r"^(?P<stem>[a-z]+)\.(?P<language>[a-z]{2,3})\.txt\.j2$")


class TemplateSet:
    """The four thread templates of one directory, loaded and checked up front."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        if not directory.is_dir():
            raise TemplateError(
                str(directory), "template directory not found: set templates_dir in the config"
            )
        self._environment = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(directory)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            bytecode_cache=_bytecode_cache(),
        )
        self._templates = {name: self._load(name) for name in TEMPLATE_NAMES}
        # (template name, language) -> the variant for posts in that language.
        self._variants: dict[tuple[str, str], jinja2.Template] = {}
        for path in sorted(directory.glob("*.*.txt.j2")):
            match = _VARIANT.match(path.name)
            base = f"{match.group('stem')}.txt.j2" if match else None
            if match and base in TEMPLATE_NAMES:
                self._variants[base, match.group("language")] = self._load(path.name)

    def languages(self, name: str) -> tuple[str, ...]:
        """The languages template ``name`` has a variant for."""
        return tuple(sorted(language for base, language in self._variants if base == name))

    def _load(self, name: str) -> jinja2.Template:
        path = self.directory / name
        try:
            return self._environment.get_template(name)
        except jinja2.TemplateNotFound:
            raise TemplateError(
                str(path), f"missing: create it (the shipped templates/{name} is an example)"
            ) from None
        except jinja2.TemplateSyntaxError as error:
            raise TemplateError(str(path), error.message or "syntax error", error.lineno) from None
        except UnicodeDecodeError as error:
            raise TemplateError(
                str(path), f"not UTF-8 text (byte {error.start}): save it as UTF-8"
            ) from None
        except OSError as error:
            raise TemplateError(str(path), f"cannot be read ({error.strerror})") from None

    def render(self, name: str, *, language: str | None = None, **context: Any) -> str:
        """Render template ``name`` (its ``language`` variant if there is one); whitespace
        at the ends is dropped."""
        template = self._variants.get((name, language or ""), self._templates[name])
        try:
            return template.render(**context).strip()
        except jinja2.TemplateError as error:
            raise TemplateError(
                template.filename or name, _message(error), _template_line(error, template)
            ) from None
        except Exception as error:  # a filter or test raising on bad data
            raise TemplateError(
                template.filename or name,
                f"{type(error).__name__}: {error}",
                _template_line(error, template),
            ) from None


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)


@cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:  # Jinja makes the folder private to this user, or refuses one that is not
        return _QuietBytecodeCache(pattern="threadbot-%s.cache")
    except (OSError, RuntimeError):
        return None


def _message(error: jinja2.TemplateError) -> str:
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message}: check the name against the variables listed in README.md"
    return error.message or type(error).__name__


def _template_line(error: BaseException, template: jinja2.Template) -> int | None:
    # Jinja rewrites tracebacks so template frames carry the template's file and line.
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if template.filename and frame.filename == template.filename:
            return frame.lineno
    return None
