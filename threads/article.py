"""The article model every parser produces and every later step reads."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Model):
    """A number a fact states: ``USD 8.1 billion``, ``31.6%``, ``2019``."""

    kind: Literal["amount", "percent", "growth_rate", "change", "year"] = Field(
        description="percent: a share of a whole; growth_rate: a CAGR or annual rate; "
        "change: a rise or fall (+986% y/y, grew 140%, 300%増)."
    )
    text: str = Field(description="The figure exactly as written in the article.")
    value: float
    unit: str | None = Field(default=None, description="thousand, million, billion, trillion")
    currency: str | None = None
    year: int | None = Field(default=None, description="The year the figure refers to.")


class Reference(_Model):
    """One entry of the article's reference list (APA style: author, date, title, URL)."""

    author: str
    date: str | None = Field(default=None, description="As written, e.g. '2022, November 29'.")
    year: int | None = None
    title: str
    url: str
    line: int | None = None


class Fact(_Model):
    """A sentence with figures or a named source, and the reference it resolves to."""

    text: str
    figures: tuple[Figure, ...] = ()
    source_name: str | None = Field(default=None, description="Who the article credits.")
    source: Reference | None = Field(default=None, description="The reference it resolves to.")
    line: int | None = None


SentenceRole = Literal["prose", "item", "subheading"]


class Sentence(_Model):
    """A sentence of a section's prose, with the line it starts on.

    ``item`` sentences open a list item and ``subheading`` ones are a heading below the
    section's level: both start a new line in a tweet, so lists stay lists.
    """

    text: str
    line: int
    role: SentenceRole = "prose"


class Section(_Model):
    """A heading and its paragraphs; becomes one thread."""

    heading: str
    paragraphs: tuple[tuple[Sentence, ...], ...]
    facts: tuple[Fact, ...] = ()
    line: int

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(sentence for paragraph in self.paragraphs for sentence in paragraph)


class CallToAction(_Model):
    """An emoji-led closing line: a link to the blog, the About page, X, or a recommendation."""

    kind: Literal["blog", "about", "x_profile", "recommendation"]
    label: str
    handle: str | None = Field(default=None, description="For recommendations, without '@'.")
    reason: str | None = None
    line: int | None = None


class Article(_Model):
    """A parsed article: what the thread builder needs, with lines for messages."""

    path: str
    slug: str
    title: str
    url: str | None = Field(default=None, description="Absolute, or relative to the site.")
    date: dt.date | None = None
    tags: tuple[str, ...] = ()
    language: str = Field(default="en", description="ISO 639-1 code the sentences use.")
    description: str | None = None
    draft: bool = False
    sections: tuple[Section, ...]
    references: tuple[Reference, ...] = ()
    calls_to_action: tuple[CallToAction, ...] = ()
    skipped: dict[str, int] = Field(
        default_factory=dict,
        description="What the reader left out as not prose, by kind: code blocks, tables…",
    )
    source_text: str = Field(repr=False, description="The raw text, for checking figures.")
