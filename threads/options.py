"""How threads are built: the domain part of the config, as validated models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from threads.links import SiteLinks, Utm


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prices(_Model):
    """X's pay-per-use prices, in USD per post."""

    post_usd: float = Field(default=0.015, ge=0)
    post_with_url_usd: float = Field(default=0.20, ge=0)

    def cost(self, has_url: bool) -> float:
        """The price of one post: the one rule every total is made of."""
        return self.post_with_url_usd if has_url else self.post_usd


class ThreadOptions(_Model):
    """The ``[threads]`` part of the config."""

    links: Literal["closing", "inline"] = Field(
        default="closing",
        description="closing: URLs only in the closing tweet (one $0.20 post per thread); "
        "inline: each fact tweet also links its source.",
    )
    numbering: bool = True
    max_tweets: int = Field(default=25, ge=2, le=100)
    charts: bool = Field(
        default=False,
        description="Attach a chart (PNG, with alt text) to fact tweets whose figures compare.",
    )
    max_weighted_length: int = Field(default=280, ge=40, le=280)


class BuildOptions(_Model):
    """Everything the thread builder needs besides the article and templates."""

    site: SiteLinks
    threads: ThreadOptions = ThreadOptions()
    prices: Prices = Prices()
    utm: Utm = Utm()
