"""Each network's length rule, one small object per network, and splitting by it.

A thread is split separately for each network, so the domain needs each network's
idea of "too long" behind one protocol, :class:`LengthRule` (``name``, ``limit``,
``measure``, ``fits``), and one splitter that takes any rule (:func:`split_for`):

* **X** (:class:`XRule`): twitter-text's weighted length, :func:`threads.length.weighted_length`,
  limit 280.
* **Bluesky** (:class:`BlueskyRule`): at most 300 grapheme clusters *and* 3,000 bytes of
  UTF-8 (``lexicons/app/bsky/feed/post.json`` in bluesky-social/atproto: ``text`` has
  ``maxGraphemes: 300`` and ``maxLength: 3000``). Links are not counted specially but are
  facets with UTF-8 *byte* offsets (:func:`bluesky_rich_text`); a long link may be shown
  shortened (``example.com/very/long/pa...``) while its facet keeps the full URL, and
  then the shortened text is what is measured.
* **Mastodon** (:class:`MastodonRule`): the instance's limit (500 unless the instance's
  ``configuration.statuses`` says otherwise, :meth:`MastodonRule.from_instance`), every
  URL with a scheme counts as 23 characters, ``@user@domain`` counts as ``@user``.

Grapheme clusters come from the ``regex`` module's ``\\X`` (UAX #29 of the recent Unicode
version ``regex`` ships), not from ``grapheme``. Measured here (regex 2026.11.19,
grapheme 0.6.0): both count ZWJ families, flags, subdivision flags, skin tones, keycaps
and Unicode 15 emoji (🐦‍🔥, 🩷) as one cluster each, but ``grapheme`` (last release 2020,
Unicode 13) counts the Devanagari conjunct क्षि as 2 where Unicode 15.1's rule GB9c —
and the PDS, which counts with ``Intl.Segmenter``
(``packages/lex/lex-data/src/utf8-grapheme-len.ts``) — say 1; and ``regex`` is about 7x
faster (0.16 ms against 1.1 ms for 560 code points of mixed emoji and text).

Mastodon counts grapheme clusters too, not code points: ``StatusLengthValidator``
(``app/validators/status_length_validator.rb`` in mastodon/mastodon) measures
``countable_text`` — URLs found by twitter-text's extractor *with* a scheme
(``extract_url_without_protocol: false``) replaced by 23 ``x``, mentions matched by
``Account::MENTION_RE`` replaced by ``@`` and the part before the second ``@`` — with
``mb_chars.grapheme_length`` (older releases) or ``each_grapheme_cluster.size`` (4.x).
The URL finder is X's (:mod:`threads.urls`), filtered to URLs written with a scheme.

Pure domain: no network, database or CLI imports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from threads.errors import UnsplittableTextError
from threads.length import MAX_WEIGHTED_LENGTH, weighted_length
from threads.splitting import split_text
from threads.urls import UrlSpan, find_url_spans

if TYPE_CHECKING:
    import regex

__all__ = [
    "BLUESKY_MAX_BYTES",
    "BLUESKY_MAX_GRAPHEMES",
    "MASTODON_DEFAULT_LIMIT",
    "MASTODON_URL_LENGTH",
    "NETWORKS",
    "BlueskyRule",
    "Facet",
    "LengthRule",
    "MastodonRule",
    "RichText",
    "XRule",
    "bluesky_rich_text",
    "graphemes",
    "numbering_reserve",
    "rule_for",
    "short_link",
    "split_for",
    "utf8_length",
]

NETWORKS = ("x", "bluesky", "mastodon")
BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000
BLUESKY_MAX_TAG_GRAPHEMES = 64
MASTODON_DEFAULT_LIMIT = 500
MASTODON_URL_LENGTH = 23

LINK_FEATURE = "app.bsky.richtext.facet#link"
TAG_FEATURE = "app.bsky.richtext.facet#tag"


class LengthRule(Protocol):
    """How one network measures a post, and whether it fits."""

    @property
    def name(self) -> str:
        """The network: ``x``, ``bluesky`` or ``mastodon``."""
        ...

    @property
    def limit(self) -> int:
        """The most :meth:`measure` may give for a post to fit."""
        ...

    def measure(self, text: str) -> int:
        """The post's length in the unit ``limit`` is in."""
        ...

    def fits(self, text: str) -> bool:
        """Whether the network accepts ``text`` as one post's text."""
        ...


# -- grapheme clusters and bytes ------------------------------------------------------


@cache
def _compile(pattern: str) -> regex.Pattern[str]:
    """``regex`` is imported on first use, not with the module: an X-only preview
    never needs it (it costs about 30 ms to import)."""
    import regex

    return regex.compile(pattern)


@cache
def _cluster() -> regex.Pattern[str]:
    return _compile(r"\X")


@lru_cache(maxsize=4096)
def graphemes(text: str) -> int:
    """The number of extended grapheme clusters in ``text`` (UAX #29, via ``regex``)."""
    if text.isascii():
        # In ASCII only CR LF joins into one cluster.
        return len(text) - text.count("\r\n")
    return len(_cluster().findall(text))


def utf8_length(text: str) -> int:
    """``text``'s length in bytes of UTF-8 (what Bluesky's ``maxLength`` counts)."""
    return len(text.encode("utf-8", "surrogatepass"))


# -- X ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class XRule:
    """X: twitter-text's weighted length (config v3), 280 at most."""

    limit: int = MAX_WEIGHTED_LENGTH
    name: str = "x"

    def measure(self, text: str) -> int:
        return weighted_length(text)

    def fits(self, text: str) -> bool:
        return weighted_length(text) <= self.limit


# -- Bluesky ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """One ``app.bsky.richtext.facet``: a UTF-8 byte range and what it means."""

    byte_start: int
    byte_end: int
    type: str
    value: str  # the full URI of a link, the tag (without #) of a tag

    def as_record(self) -> dict[str, Any]:
        """The facet as it goes into an ``app.bsky.feed.post`` record."""
        key = "uri" if self.type == LINK_FEATURE else "tag"
        return {
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [{"$type": self.type, key: self.value}],
        }


@dataclass(frozen=True)
class RichText:
    """A Bluesky post's text as shown, with the facets that link it."""

    text: str
    facets: tuple[Facet, ...] = ()

    def facet_records(self) -> list[dict[str, Any]]:
        return [facet.as_record() for facet in self.facets]


def _scheme() -> regex.Pattern[str]:
    return _compile(r"(?i)https?://")


def short_link(url: str, max_length: int) -> str:
    """``url`` as Bluesky's app shows a long link: without its scheme, and cut to
    ``max_length`` characters ending in ``...`` when longer."""
    shown = _scheme().sub("", url, count=1) if _scheme().match(url) else url
    if len(shown) <= max_length:
        return shown
    return shown[: max(1, max_length - 3)] + "..."


def _full_uri(url: str) -> str:
    return url if _scheme().match(url) else f"https://{url}"


def bluesky_rich_text(text: str, *, link_display: int | None = None) -> RichText:
    """``text`` with link facets (full URI) and tag facets, offsets in UTF-8 bytes.

    With ``link_display``, a link longer than that many characters (without its scheme)
    is shown shortened; its facet still points at the full URL. Mentions are left as
    text: a ``#mention`` facet needs the account's DID, which only the network knows.
    """
    spans = find_url_spans(text)
    pieces: list[str] = []
    facets: list[Facet] = []
    links: list[tuple[int, int]] = []  # code point ranges of the links in the shown text
    position = 0
    byte_position = 0
    shown_position = 0
    for span in spans:
        before = text[position : span.start]
        pieces.append(before)
        byte_position += utf8_length(before)
        shown_position += len(before)
        written = text[span.start : span.end]
        bare = short_link(written, len(written))
        shorten = link_display is not None and len(bare) > link_display
        display = short_link(written, link_display) if link_display and shorten else written
        pieces.append(display)
        size = utf8_length(display)
        facets.append(Facet(byte_position, byte_position + size, LINK_FEATURE, _full_uri(span.url)))
        links.append((shown_position, shown_position + len(display)))
        byte_position += size
        shown_position += len(display)
        position = span.end
    pieces.append(text[position:])
    shown = "".join(pieces)
    facets.extend(_tag_facets(shown, links))
    facets.sort(key=lambda facet: facet.byte_start)
    return RichText(shown, tuple(facets))


def _tag_facets(text: str, links: list[tuple[int, int]]) -> list[Facet]:
    """``#tag`` facets, as Bluesky's app detects them: after a space or at the start,
    trailing punctuation stripped, not only digits, at most 64 grapheme clusters."""
    facets = []
    for match in _compile(r"(?<!\S)[#＃](\S+)").finditer(text):
        tag = _compile(r"\p{P}+$").sub("", match.group(1))
        start = match.start()
        end = match.start(1) + len(tag)
        if (
            not tag
            or not _compile(r"[^\d\p{P}]").search(tag)
            or graphemes(tag) > BLUESKY_MAX_TAG_GRAPHEMES
            or any(start < link_end and link_start < end for link_start, link_end in links)
        ):
            continue
        byte_start = utf8_length(text[:start])
        facets.append(
            Facet(byte_start, byte_start + utf8_length(text[start:end]), TAG_FEATURE, tag)
        )
    return facets


@dataclass(frozen=True)
class BlueskyRule:
    """Bluesky: at most ``limit`` grapheme clusters and ``max_bytes`` bytes of UTF-8.

    :meth:`measure` folds both limits into one number for the splitter: the cluster
    count, or the byte count scaled to the same limit when bytes bind first (ten bytes
    per cluster by default), so ``measure(text) <= limit`` exactly when both hold.
    ``link_display`` shortens long links in what is shown and measured.
    """

    limit: int = BLUESKY_MAX_GRAPHEMES
    max_bytes: int = BLUESKY_MAX_BYTES
    link_display: int | None = None
    name: str = "bluesky"

    def shown(self, text: str) -> str:
        """The text as posted: long links shortened when ``link_display`` is set."""
        if self.link_display is None:
            return text
        return bluesky_rich_text(text, link_display=self.link_display).text

    def rich_text(self, text: str) -> RichText:
        """The shown text with its link and tag facets (what the record carries)."""
        return bluesky_rich_text(text, link_display=self.link_display)

    def measure(self, text: str) -> int:
        shown = self.shown(text)
        scaled_bytes = math.ceil(utf8_length(shown) * self.limit / self.max_bytes)
        return max(graphemes(shown), scaled_bytes)

    def fits(self, text: str) -> bool:
        shown = self.shown(text)
        return graphemes(shown) <= self.limit and utf8_length(shown) <= self.max_bytes


# -- Mastodon --------------------------------------------------------------------------

# Account::MENTION_RE and USERNAME_RE (app/models/account.rb); twitter-text's
# end_mention_match keeps "@a@b@c" and "@user://" from counting.
_MENTION = (
    r"(?i)(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@\w+(?:[.-]+\w+)*)?(?![@＠]|://)"
)


@dataclass(frozen=True)
class MastodonRule:
    """Mastodon: grapheme clusters of the text with each URL as ``url_length``
    characters and each ``@user@domain`` as ``@user``, at most ``limit``."""

    limit: int = MASTODON_DEFAULT_LIMIT
    url_length: int = MASTODON_URL_LENGTH
    name: str = "mastodon"

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> MastodonRule:
        """The rule an instance announces in ``GET /api/v2/instance``'s
        ``configuration.statuses`` (``max_characters``, ``characters_reserved_per_url``);
        the defaults where it says nothing."""
        statuses = (instance.get("configuration") or {}).get("statuses") or {}
        limit = statuses.get("max_characters")
        url_length = statuses.get("characters_reserved_per_url")
        return cls(
            limit=limit if isinstance(limit, int) and limit > 0 else MASTODON_DEFAULT_LIMIT,
            url_length=(
                url_length
                if isinstance(url_length, int) and url_length >= 0
                else MASTODON_URL_LENGTH
            ),
        )

    def countable_text(self, text: str) -> str:
        """The text Mastodon counts: URLs as ``x`` * ``url_length``, mentions as ``@user``."""
        entities: list[tuple[int, int, str]] = [
            (span.start, span.end, "x" * self.url_length) for span in _scheme_urls(text)
        ]
        if "@" in text:
            entities.extend(
                (match.start(), match.end(), "@" + match.group("user"))
                for match in _compile(_MENTION).finditer(text)
            )
        if not entities:
            return text
        entities.sort()
        pieces: list[str] = []
        position = 0
        for start, end, replacement in entities:
            if start < position:
                continue  # overlaps an earlier entity (a mention inside a URL)
            pieces += [text[position:start], replacement]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)

    def measure(self, text: str) -> int:
        return graphemes(self.countable_text(text))

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.limit


def _scheme_urls(text: str) -> list[UrlSpan]:
    """The URLs twitter-text finds that are written with ``http://`` or ``https://``."""
    if "://" not in text:
        return []
    return [span for span in find_url_spans(text) if _scheme().match(text, span.start)]


# -- choosing and splitting ------------------------------------------------------------


def rule_for(
    network: str, *, mastodon_limit: int = MASTODON_DEFAULT_LIMIT, link_display: int | None = None
) -> LengthRule:
    """The rule of ``network`` (one of :data:`NETWORKS`)."""
    if network == "x":
        return XRule()
    if network == "bluesky":
        return BlueskyRule(link_display=link_display)
    if network == "mastodon":
        return MastodonRule(limit=mastodon_limit)
    raise ValueError(f"unknown network {network!r}: expected one of {', '.join(NETWORKS)}")


def numbering_reserve(rule: LengthRule, count: int) -> int:
    """The room the `` n/N`` suffix takes under ``rule`` for a thread of ``count`` posts."""
    return rule.measure(f" {count}/{count}")


def split_for(
    rule: LengthRule,
    text: str,
    *,
    reserve: int = 0,
    language: str = "en",
    keep_with_next: Callable[[str], bool] | None = None,
) -> list[str]:
    """``text`` split into posts that fit ``rule`` with ``reserve`` to spare, at the same
    boundaries the X splitter uses (X's output is unchanged: X keeps its fast path);
    ``keep_with_next``: units that must not end a post (see :func:`split_text`)."""
    measure = weighted_length if isinstance(rule, XRule) else rule.measure
    try:
        return split_text(
            text,
            limit=rule.limit,
            reserve=reserve,
            language=language,
            measure=measure,
            keep_with_next=keep_with_next,
        )
    except UnsplittableTextError as error:
        if rule.name == "x":
            raise
        raise UnsplittableTextError(error.word, error.weight, error.limit, rule.name) from None
