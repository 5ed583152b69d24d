"""Find the substrings X treats as URLs, exactly as twitter-text's ``extractUrls`` does.

A port of twitter-text's URL regular expressions (Apache License 2.0,
https://github.com/twitter/twitter-text), checked against its conformance suite
(``extract.yml``). X charges and counts by what this finds, so it must not be "improved":
a bare domain on a valid TLD (``AsiaFundManagers.com``) is a URL, ``foo.comm`` is not.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

MAX_URL_LENGTH = 4096
MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_PROTOCOL = "https://"

_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$/"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID_CHARS = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL_MARKERS = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"


class UrlSpan(NamedTuple):
    """A URL found in a text: the URL and its code point offsets ``[start, end)``."""

    url: str
    start: int
    end: int


@cache
def top_level_domains() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (generic, country) TLDs from the shipped list, longest first within each."""
    generic: list[str] = []
    country: list[str] = []
    target = generic
    text = resources.files("threads").joinpath("data/tlds.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line == "[generic]":
            target = generic
        elif line == "[country]":
            target = country
        else:
            target.append(line)

    def longest_first(names: list[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda name: (-len(name), name)))

    return longest_first(generic), longest_first(country)


def _trie_pattern(words: tuple[str, ...]) -> str:
    """An alternation of ``words`` factored by common prefixes.

    ``re`` tries a flat alternation word by word; with ~1,500 TLDs that dominated the
    cost of every candidate URL. Siblings differ in their first character, so their
    order is irrelevant; where a word is a prefix of another (``co``/``com``) the
    longer one is tried first, as in twitter-text's list.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        alternatives = [
            re.escape(char) + render(child) for char, child in sorted(node.items()) if char
        ]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + render(trie) + ")"


@cache
def public_tlds() -> frozenset[str]:
    """Every shipped TLD, lower-cased, for membership tests."""
    generic, country = top_level_domains()
    return frozenset(name.lower() for name in (*generic, *country))


class _Patterns(NamedTuple):
    extract_url: re.Pattern[str]
    tco_url: re.Pattern[str]
    invalid_preceding: re.Pattern[str]


_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
# A domain of ASCII letters, digits and hyphens only (nearly every one in a post).
_PLAIN_DOMAIN = re.compile(r"[a-z0-9][\-a-z0-9]*(?:\.[a-z0-9][\-a-z0-9]*)+", re.IGNORECASE)


@cache
def _tld_alternatives() -> str:
    """gTLD | ccTLD | punycode, each ending where a TLD may end."""
    generic, country = top_level_domains()
    tld_end = r"(?=[^0-9a-zA-Z@+-]|$)"
    gtld = f"(?:{_trie_pattern(generic)}{tld_end})"
    cctld = f"(?:{_trie_pattern(country)}{tld_end})"
    return f"{gtld}|{cctld}|{_PUNYCODE}"


@cache
def _ascii_domain() -> re.Pattern[str]:
    # Only URLs without a scheme need it; compiled on first use to keep start-up fast.
    return re.compile(
        f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{_tld_alternatives()})", re.IGNORECASE
    )


@cache
def _patterns() -> _Patterns:
    domain_chars = f"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL_MARKERS}]"
    subdomain = f"(?:(?:{domain_chars}(?:[_-]|{domain_chars})*)?{domain_chars}\\.)"
    domain_name = f"(?:(?:{domain_chars}(?:-|{domain_chars})*)?{domain_chars}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{_tld_alternatives()}))"
    preceding = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID_CHARS}]|[{_DIRECTIONAL_MARKERS}]|^)"
    path_chars = (
        f"[a-z{_CYRILLIC}0-9!\\*';:=\\+,\\.\\$\\/%#\\[\\]\\-\\u2013_~@\\|&{_LATIN_ACCENTS}]"
    )
    balanced_parens = f"\\((?:{path_chars}+|(?:{path_chars}*\\({path_chars}+\\){path_chars}*))\\)"
    path_ending = f"[\\+\\-a-z{_CYRILLIC}0-9=_#\\/{_LATIN_ACCENTS}]|(?:{balanced_parens})"
    path = (
        f"(?:(?:{path_chars}*(?:{balanced_parens}{path_chars}*)*(?:{path_ending}))"
        f"|(?:@{path_chars}+/))"
    )
    query_chars = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    query_ending = r"[a-z0-9\-_&=#/]"
    extract_url = (
        f"(({preceding})"  # 1: whole match, 2: preceding character
        f"((https?:\\/\\/)?"  # 3: URL, 4: protocol
        f"({domain})"  # 5: domain
        f"(?::([0-9]+))?"  # 6: port
        f"(\\/{path}*)?"  # 7: path
        f"(\\?{query_chars}*{query_ending})?"  # 8: query
        f"))"
    )
    tco_url = f"^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?{query_chars}*{query_ending})?"
    return _Patterns(
        extract_url=re.compile(extract_url, re.IGNORECASE),
        tco_url=re.compile(tco_url, re.IGNORECASE),
        invalid_preceding=re.compile(r"[-_./]$"),
    )


# A URL without a scheme needs "<label>.<tld>" (a TLD starts with a letter); one with a
# scheme needs "://". Prose rarely has either, so most text skips the full expression.
_MAYBE_URL = re.compile(f"://|[^{_SPACES}.]\\.[^\\W\\d_]")
# URLs never contain these, so the full expression only needs the run of text around a
# candidate; a run's edges behave like the space that bounds it.
_SPACE_RUN_EDGE = re.compile(f"[{_SPACES}]")


def find_url_spans(text: str) -> list[UrlSpan]:
    """Return every URL X would find in ``text`` with its code point offsets, in order."""
    spans: list[UrlSpan] = []
    position = 0
    while (candidate := _MAYBE_URL.search(text, position)) is not None:
        start = _run_start(text, candidate.start())
        end_match = _SPACE_RUN_EDGE.search(text, candidate.start())
        end = end_match.start() if end_match else len(text)
        spans.extend(_find_in_run(text[start:end], start))
        position = end
    return spans


def _run_start(text: str, index: int) -> int:
    while index > 0 and not _SPACE_RUN_EDGE.match(text, index - 1):
        index -= 1
    return index


def _find_in_run(run: str, offset: int) -> list[UrlSpan]:
    patterns = _patterns()
    spans: list[UrlSpan] = []
    for match in patterns.extract_url.finditer(run):
        before, url, protocol, domain, path = (
            match.group(2),
            match.group(3),
            match.group(4),
            match.group(5),
            match.group(7),
        )
        end = match.end()
        start = end - len(url)
        if not _is_valid_url(url, protocol or _DEFAULT_PROTOCOL, domain):
            continue
        if protocol is None:
            if patterns.invalid_preceding.search(before):
                continue
            last: UrlSpan | None = None
            if _PLAIN_DOMAIN.fullmatch(domain):
                # The ASCII expression matches such a domain whole (its labels are its
                # own characters and it ends on the TLD just found): skip compiling it.
                last = UrlSpan(domain, offset + start, offset + start + len(domain))
                spans.append(last)
            for ascii_match in () if last else _ascii_domain().finditer(domain):
                last = UrlSpan(
                    ascii_match.group(0),
                    offset + start + ascii_match.start(),
                    offset + start + ascii_match.end(),
                )
                spans.append(last)
            if last is None:
                continue
            if path:
                # Only the last domain carries the path and query.
                spans[-1] = UrlSpan(url.replace(domain, last.url, 1), last.start, offset + end)
        else:
            tco = patterns.tco_url.search(url)
            if tco:
                slug = tco.group(1)
                if slug and len(slug) > MAX_TCO_SLUG_LENGTH:
                    continue
                url = tco.group(0)
                end = start + len(url)
            spans.append(UrlSpan(url, offset + start, offset + end))
    return spans


def find_urls(text: str) -> list[str]:
    """Return the URLs X would find in ``text``, in order (twitter-text ``extractUrls``)."""
    return [span.url for span in find_url_spans(text)]


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    try:
        punycode = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    if not punycode:
        return False
    return len(protocol) + len(url) + len(punycode) - len(domain) <= MAX_URL_LENGTH
