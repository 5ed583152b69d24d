"""The one path from an article file to validated threads, shared by preview and publish.

Preview and posting differ only in what they do with the result (print or post), so
both call :func:`prepare`; ``for_posting`` makes placeholder links errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from threads.article import Article
from threads.building import Thread, build_digest, build_threads
from threads.errors import SectionNotFoundError
from threads.findings import Finding, has_errors
from threads.networks import LengthRule
from threads.options import BuildOptions
from threads.parsing import load_article
from threads.selection import skipped_sections
from threads.templates import TemplateSet
from threads.validation import validate


@dataclass(frozen=True)
class Prepared:
    """An article, the threads chosen from it, and every finding about them."""

    article: Article
    threads: list[Thread]
    findings: list[Finding]
    # The network the threads are split for: "x", "bluesky" or "mastodon".
    network: str = "x"

    @property
    def postable(self) -> bool:
        return not has_errors(self.findings)

    @property
    def cost_usd(self) -> float:
        return round(sum(thread.cost_usd for thread in self.threads), 6)


def prepare(
    source: str | Path | Article,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    section: str | None = None,
    config_path: str = "config",
    for_posting: bool = False,
    rule: LengthRule | None = None,
    digest: bool = False,
) -> Prepared:
    """Parse, build and validate; ``section`` is a 1-based number or heading text;
    ``rule`` is the network's length rule (default X's: :mod:`threads.networks`);
    ``digest``: one thread for the whole post instead of one per section.

    ``source`` is an article file, or an Article already parsed (a page the runtime
    fetched); either way the same build and validation follow.
    """
    article = (
        source
        if isinstance(source, Article)
        else load_article(
            source,
            max_bytes=options.threads.max_article_bytes,
            language=options.sentence_language,
        )
    )
    only = select_section(article, section) if section is not None else None
    if digest:
        threads = [build_digest(article, options, templates, rule=rule)]
    else:
        threads = build_threads(article, options, templates, only_section=only, rule=rule)
    findings = validate(
        article,
        threads,
        options,
        config_path=config_path,
        for_posting=for_posting,
        limit=rule.limit if rule is not None else None,
        network=rule.name if rule is not None else "x",
        skipped=() if only is not None else skipped_sections(article),
    )
    return Prepared(
        article=article,
        threads=threads,
        findings=findings,
        network=rule.name if rule is not None else "x",
    )


def select_section(article: Article, selector: str) -> int:
    """The 1-based index of the section ``selector`` names (number, or heading text)."""
    count = len(article.sections)
    if selector.strip().isdigit():
        index = int(selector)
        if 1 <= index <= count:
            return index
        raise SectionNotFoundError(
            f"section {index} does not exist: the article has sections 1 to {count}"
        )
    wanted = selector.strip().casefold()
    exact = [i for i, s in enumerate(article.sections, 1) if s.heading.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [i for i, s in enumerate(article.sections, 1) if wanted in s.heading.casefold()]
    if len(partial) == 1:
        return partial[0]
    listing = "; ".join(f"{i}: {s.heading}" for i, s in enumerate(article.sections, 1))
    if not partial:
        raise SectionNotFoundError(
            f"no section heading contains {selector!r}: use a number or a heading ({listing})"
        )
    raise SectionNotFoundError(
        f"{selector!r} matches sections {', '.join(map(str, partial))}: "
        "use the number or more of the heading"
    )
