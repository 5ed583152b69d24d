"""How threads are built: the domain part of the config, as validated models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from threads.links import SiteLinks, Utm, XHandle


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prices(_Model):
    """X's pay-per-use prices, in USD per post."""

    post_usd: float = Field(default=0.015, ge=0)
    post_with_url_usd: float = Field(default=0.20, ge=0)
    # Reading one of the account's own posts (its counts), billed once per post per UTC day.
    read_usd: float = Field(default=0.001, ge=0)

    def cost(self, has_url: bool) -> float:
        """The price of one post: the one rule every total is made of."""
        return self.post_with_url_usd if has_url else self.post_usd

    def total(self, has_urls: Iterable[bool]) -> float:
        """The price of posts, each with or without a URL (rounded to a millionth)."""
        return round(sum(self.cost(has_url) for has_url in has_urls), 6)


class ThreadOptions(_Model):
    """The ``[threads]`` part of the config."""

    links: Literal["closing", "inline"] = Field(
        default="closing",
        description="closing: URLs only in the closing tweet (one $0.20 post per thread); "
        "inline: each fact tweet also links its source.",
    )
    numbering: bool = True
    max_tweets: int = Field(
        default=8,
        ge=2,
        le=100,
        description="The longest thread, opening and closing included: followers finish "
        "5-9 tweets.",
    )
    charts: bool = Field(
        default=False,
        description="Attach a chart (PNG, with alt text) to fact tweets whose figures compare.",
    )
    max_weighted_length: int = Field(default=280, ge=40, le=280)
    overflow: Literal["select", "shorten", "error"] = Field(
        default="select",
        description="A section longer than max_tweets: select its lead, facts and most "
        "central sentences (in the author's order, unchanged), shorten it at a sentence "
        "boundary (with a warning), or report an error.",
    )
    closing: Literal["first", "every"] = Field(
        default="first",
        description="Which threads of a post carry the blog/about links and the "
        "recommendations in their closing tweet: the first (or the digest), or every one.",
    )
    language: str = Field(
        default="auto",
        pattern=r"^(auto|[a-z]{2,3})$",
        description="Sentence rules: an ISO 639-1 code, or auto (the post's own, else guessed).",
    )
    max_article_bytes: int = Field(default=5_000_000, ge=1_000)


class MentionOptions(_Model):
    """The ``[mentions]`` part of the config: handles an article may mention on X."""

    allow: tuple[XHandle, ...] = ()


class BuildOptions(_Model):
    """Everything the thread builder needs besides the article and templates."""

    site: SiteLinks
    threads: ThreadOptions = ThreadOptions()
    prices: Prices = Prices()
    utm: Utm = Utm()
    mentions: MentionOptions = MentionOptions()

    @property
    def sentence_language(self) -> str | None:
        """The configured sentence language, ``None`` for auto."""
        return None if self.threads.language == "auto" else self.threads.language

    def allowed_mentions(self, article_handles: tuple[str, ...] = ()) -> frozenset[str]:
        """Handles (lower case, no @) that may be posted as mentions."""
        handles = [r.handle for r in self.site.recommendations] + list(self.mentions.allow)
        return frozenset(h.lstrip("@").lower() for h in [*handles, *article_handles])
