"""Find the substrings X treats as URLs, exactly as twitter-text's ``extractUrls`` does.

A port of twitter-text's URL regular expressions (Apache License 2.0,
https://github.com/twitter/twitter-text), checked against its conformance suite
(``extract.yml``). The expression is run by hand around its ~1,600 TLDs (see ``_Scan``):
compiled whole, it cost ~40 ms of every process that counts a link. X charges and
counts by what this finds, so it must not be "improved": a bare domain on a valid TLD
(``AsiaFundManagers.com``) is a URL, ``foo.comm`` is not.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
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


_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
# A domain of ASCII letters, digits and hyphens only (nearly every one in a post).
_PLAIN_DOMAIN = re.compile(r"[a-z0-9][\-a-z0-9]*(?:\.[a-z0-9][\-a-z0-9]*)+", re.IGNORECASE)
_INVALID_PRECEDING = re.compile(r"[-_./]$")

# twitter-text's expression, in the parts the scan below uses one by one.
_DOMAIN_CHARS = f"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL_MARKERS}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHARS}(?:[_-]|{_DOMAIN_CHARS})*)?{_DOMAIN_CHARS}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHARS}(?:-|{_DOMAIN_CHARS})*)?{_DOMAIN_CHARS}\\.)"
_PRECEDING_CHAR = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID_CHARS}]|[{_DIRECTIONAL_MARKERS}])"
_PROTOCOL = r"https?:\/\/"
_TLD_END = r"(?=[^0-9a-zA-Z@+-]|$)"
_PATH_CHARS = f"[a-z{_CYRILLIC}0-9!\\*';:=\\+,\\.\\$\\/%#\\[\\]\\-\\u2013_~@\\|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = f"\\((?:{_PATH_CHARS}+|(?:{_PATH_CHARS}*\\({_PATH_CHARS}+\\){_PATH_CHARS}*))\\)"
_PATH_ENDING = f"[\\+\\-a-z{_CYRILLIC}0-9=_#\\/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS})"
_PATH = (
    f"(?:(?:{_PATH_CHARS}*(?:{_BALANCED_PARENS}{_PATH_CHARS}*)*(?:{_PATH_ENDING}))"
    f"|(?:@{_PATH_CHARS}+/))"
)
_QUERY_CHARS = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_ENDING = r"[a-z0-9\-_&=#/]"
# What may follow a domain: port, path, query. Each part is optional, so once a domain
# matches, the whole expression matches with this tail.
_TAIL = (
    f"(?::([0-9]+))?"  # 1: port
    f"(\\/{_PATH}*)?"  # 2: path
    f"(\\?{_QUERY_CHARS}*{_QUERY_ENDING})?"  # 3: query
)


@cache
def _tld_alternatives() -> str:
    """gTLD | ccTLD | punycode, each ending where a TLD may end."""
    generic, country = top_level_domains()
    gtld = f"(?:{_trie_pattern(generic)}{_TLD_END})"
    cctld = f"(?:{_trie_pattern(country)}{_TLD_END})"
    return f"{gtld}|{cctld}|{_PUNYCODE}"


@cache
def _ascii_domain() -> re.Pattern[str]:
    # Only URLs without a scheme and with a non-ASCII domain need it.
    return re.compile(
        f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{_tld_alternatives()})", re.IGNORECASE
    )


@cache
def _full_expression() -> re.Pattern[str]:
    """twitter-text's whole expression, with every TLD in it (~40 ms to build and
    compile): only for the runs the scan leaves to it (see :func:`_scan`)."""
    domain = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_tld_alternatives()}))"
    preceding = f"(?:{_PRECEDING_CHAR}|^)"
    return re.compile(
        f"(({preceding})"  # 1: whole match, 2: preceding character
        f"(({_PROTOCOL})?"  # 3: URL, 4: protocol
        f"({domain})"  # 5: domain
        f"{_TAIL}"  # 6: port, 7: path, 8: query
        f"))",
        re.IGNORECASE,
    )


@cache
def _tco_url() -> re.Pattern[str]:
    return re.compile(
        f"^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?{_QUERY_CHARS}*{_QUERY_ENDING})?", re.IGNORECASE
    )


class _Parts(NamedTuple):
    preceding_char: re.Pattern[str]
    protocol: re.Pattern[str]
    subdomain: re.Pattern[str]
    domain_name: re.Pattern[str]
    tld_end: re.Pattern[str]
    punycode: re.Pattern[str]
    tail: re.Pattern[str]
    domain_char: re.Pattern[str]
    # The characters a label may hold: what each label's repetition repeats.
    subdomain_stretch: re.Pattern[str]
    domain_name_stretch: re.Pattern[str]


@cache
def _parts() -> _Parts:
    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern, re.IGNORECASE)

    return _Parts(
        *map(
            compiled,
            (
                _PRECEDING_CHAR,
                _PROTOCOL,
                _SUBDOMAIN,
                _DOMAIN_NAME,
                _TLD_END,
                _PUNYCODE,
                _TAIL,
                _DOMAIN_CHARS,
                f"(?:[_-]|{_DOMAIN_CHARS})+",
                f"(?:-|{_DOMAIN_CHARS})+",
            ),
        )
    )


class _TldIndex(NamedTuple):
    ascii: frozenset[str]  # the ASCII TLDs, generic and country, lower-case
    longest: int  # the longest TLD, ASCII or not


@cache
def _tld_index() -> _TldIndex:
    generic, country = top_level_domains()
    names = (*generic, *country)
    return _TldIndex(
        frozenset(name.lower() for name in names if name.isascii()),
        max(len(name) for name in names),
    )


# Under re.IGNORECASE these four match ASCII letters too (tested over every code point).
_ASCII_LOOKALIKES = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


class _LeftToFullExpression(Exception):
    """The run may hold a non-ASCII TLD, which only the full expression decides."""


class _Match(NamedTuple):
    """One match of twitter-text's expression: its groups, and where it ends."""

    before: str  # the character before the URL ("" at the start)
    url: str
    protocol: str | None
    domain: str
    path: str | None
    end: int


class _Scan:
    """twitter-text's expression run over one run of text, by hand around the TLDs.

    Hand-written because Python's ``re`` takes ~40 ms to build and compile the
    expression with its ~1,600 TLDs, in every process that counts a link. The scan
    tries what the expression would try, in the same order (see ``_first_match``),
    with twitter-text's own sub-expressions for every part but the TLD, which is a set
    lookup. A run where a non-ASCII TLD could match goes to the full expression.
    Checked against the full expression on twitter-text's suite, the real posts and
    generated text (``tests/test_urls.py``).
    """

    def __init__(self, run: str) -> None:
        self.run = run
        self.parts = parts = _parts()
        self.tlds = _tld_index()
        self.subdomains = _Labels(run, parts.subdomain, parts.subdomain_stretch, parts)
        self.domain_names = _Labels(run, parts.domain_name, parts.domain_name_stretch, parts)
        # Label start -> where the domain that starts there ends (None: none does).
        self.domain_ends: dict[int, int | None] = {}
        # TLD start -> its length (None: no TLD starts there).
        self.tld_lengths: dict[int, int | None] = {}

    def matches(self) -> list[_Match]:
        found: list[_Match] = []
        position = 0
        while (match := self._first_match(position)) is not None:
            found.append(match)
            position = match.end
        return found

    def _first_match(self, position: int) -> _Match | None:
        run, preceding = self.run, self.parts.preceding_char
        start = position
        while start < len(run):
            if start == 0:
                # "(?:<preceding character>|^)": the character first, then none.
                url_starts = [1, 0] if preceding.match(run, 0) else [0]
            else:
                hit = preceding.search(run, start)
                if hit is None:
                    return None
                start = hit.start()
                url_starts = [start + 1]
            for url_start in url_starts:
                match = self._match_from(start, url_start)
                if match is not None:
                    return match
            start += 1
        return None

    def _match_from(self, start: int, url_start: int) -> _Match | None:
        run = self.run
        protocol = self.parts.protocol.match(run, url_start)
        # "(https?://)?" is greedy: with the protocol first, then without.
        attempts = [(protocol.end(), protocol.group())] if protocol else []
        for domain_start, scheme in [*attempts, (url_start, None)]:
            domain_end = self._domain_end(domain_start)
            if domain_end is None:
                continue
            tail = self.parts.tail.match(run, domain_end)
            assert tail is not None  # every part of it is optional
            return _Match(
                before=run[start:url_start],
                url=run[url_start : tail.end()],
                protocol=scheme,
                domain=run[domain_start:domain_end],
                path=tail.group(2),
                end=tail.end(),
            )
        return None

    def _domain_end(self, start: int) -> int | None:
        """Where "<subdomain>*<domain name><TLD>" starting at ``start`` ends.

        A label always ends at the first dot after it, so the subdomains form one chain;
        "*" takes all of them, then gives them back one by one until a domain name and a
        TLD follow. So the domain from ``start`` ends where the one from the next label
        ends, if that one matches, else where this label's own domain name and TLD end.
        """
        chain: list[int] = []
        label: int | None = start
        while label is not None and label not in self.domain_ends:
            chain.append(label)
            label = self.subdomains.end(label)
        following = self.domain_ends.get(label) if label is not None else None
        for label_start in reversed(chain):
            if following is None:
                following = self._own_domain_end(label_start)
            self.domain_ends[label_start] = following
        return self.domain_ends[start]

    def _own_domain_end(self, label_start: int) -> int | None:
        name_end = self.domain_names.end(label_start)
        if name_end is None:
            return None
        if name_end not in self.tld_lengths:
            self.tld_lengths[name_end] = self._tld_length(name_end)
        length = self.tld_lengths[name_end]
        return None if length is None else name_end + length

    def _tld_length(self, start: int) -> int | None:
        run, tlds, tld_end = self.run, self.tlds, self.parts.tld_end
        letters: list[str] = []
        for char in run[start : start + tlds.longest]:
            if char.isascii():
                if not char.isalpha():
                    break
                letters.append(char.lower())
            elif char in _ASCII_LOOKALIKES:
                letters.append(_ASCII_LOOKALIKES[char])
            elif char.isalpha() or unicodedata.category(char)[0] == "M":
                raise _LeftToFullExpression
            else:
                break
        # A TLD must end where a TLD may end, which a letter never is: so of the TLDs
        # the expression tries (generic, then country, longest first), the only one
        # that can match is the whole run of letters.
        letters_end = start + len(letters)
        if "".join(letters) in tlds.ascii and tld_end.match(run, letters_end):
            return len(letters)
        punycode = self.parts.punycode.match(run, start)
        return None if punycode is None else punycode.end() - start


class _Labels:
    """Where a label ("<subdomain>" or "<domain name>") starting at a position ends; in
    a long run, asked of the expression once per stretch of label characters.

    A label ends at a dot, which is not a label character; so from any position in a
    stretch of them that holds a domain character, the label ends where the stretch does
    (if a dot follows it after a domain character). Asking once per stretch keeps a long
    word linear: asked from each of its positions, a 10,000-character hyphenated word
    took the expression 2 s, and a 100,000-character one would take minutes. A short run
    is asked directly (finding its stretches would cost more than it saves).
    """

    SHORT = 256

    def __init__(
        self, run: str, label: re.Pattern[str], stretch: re.Pattern[str], parts: _Parts
    ) -> None:
        self.run = run
        self.label = label
        self.stretch = stretch
        self.domain_char = parts.domain_char
        self.starts: list[int] = []
        self.stops: list[int] = []
        self.ends: dict[int, int | None] = {}  # stretch end -> label end

    def end(self, position: int) -> int | None:
        run = self.run
        if len(run) <= self.SHORT:
            found = self.label.match(run, position)
            return found.end() if found else None
        if not self.stops:
            spans = [match.span() for match in self.stretch.finditer(run)]
            self.starts = [start for start, _ in spans]
            self.stops = [stop for _, stop in spans] or [-1]
        index = bisect.bisect_right(self.starts, position) - 1
        if index < 0 or position >= self.stops[index] or not self.domain_char.match(run, position):
            # Not a domain character: the expression fails at once, ask it.
            found = self.label.match(run, position)
            return found.end() if found else None
        stop = self.stops[index]
        if stop not in self.ends:
            found = self.label.match(run, position)
            self.ends[stop] = found.end() if found else None
        return self.ends[stop]


def _scan(run: str) -> list[_Match]:
    """The matches of twitter-text's expression in ``run``, in order."""
    try:
        return _Scan(run).matches()
    except _LeftToFullExpression:
        return [
            _Match(m.group(2), m.group(3), m.group(4), m.group(5), m.group(7), m.end())
            for m in _full_expression().finditer(run)
        ]


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
    spans: list[UrlSpan] = []
    for match in _scan(run):
        before, url, protocol, domain, path = (
            match.before,
            match.url,
            match.protocol,
            match.domain,
            match.path,
        )
        end = match.end
        start = end - len(url)
        if not _is_valid_url(url, protocol or _DEFAULT_PROTOCOL, domain):
            continue
        if protocol is None:
            if _INVALID_PRECEDING.search(before):
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
            tco = _tco_url().search(url)
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
