"""Each network's length rule (X, Bluesky, Mastodon), Bluesky's facets, and splitting by rule."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from threads.errors import UnsplittableTextError
from threads.length import weighted_length
from threads.networks import (
    LINK_FEATURE,
    TAG_FEATURE,
    BlueskyRule,
    LengthRule,
    MastodonRule,
    XRule,
    bluesky_rich_text,
    graphemes,
    numbering_reserve,
    rule_for,
    short_link,
    split_for,
    utf8_length,
)
from threads.splitting import split_text

FAMILY = "👨‍👩‍👧‍👦"  # ZWJ sequence: 7 code points, 25 bytes
FLAG = "🇰🇷"
SCOTLAND = "🏴󠁧󠁢󠁳󠁣󠁴󠁿"  # subdivision flag: tag sequence
PHOENIX = "🐦‍🔥"  # Unicode 15.1 ZWJ sequence
COMBINING = "e\u0301\u0323"  # e with two combining marks
CONJUNCT = "क्षि"  # GB9c (Unicode 15.1): one cluster
LONG_URL = "https://example.com/" + "very/long/path/" * 12 + "end"


@pytest.mark.parametrize(
    ("text", "clusters", "size"),
    [
        ("hello", 5, 5),
        (FAMILY, 1, 25),
        (FLAG, 1, 8),
        (FLAG + FLAG, 2, 16),
        (SCOTLAND, 1, 28),
        (PHOENIX, 1, 11),
        ("👍🏽", 1, 8),
        ("1️⃣", 1, 7),
        (COMBINING, 1, 5),
        (CONJUNCT, 1, 12),
        ("한국어", 3, 9),
        ("中文字", 3, 9),
        ("\r\n", 1, 2),
        ("a\r\nb", 3, 4),
    ],
)
def test_graphemes_and_bytes(text: str, clusters: int, size: int) -> None:
    """Grapheme clusters follow UAX #29 (emoji sequences, flags, marks, GB9c); bytes are UTF-8."""
    assert graphemes(text) == clusters
    assert utf8_length(text) == size


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a" * 300, True),
        ("a" * 301, False),
        (FAMILY * 120, True),  # 120 clusters, 3000 bytes
        (FAMILY * 120 + "a", False),  # 121 clusters but 3001 bytes
        ("中" * 300, True),  # 900 bytes
        (COMBINING * 300, True),  # 1500 bytes
        (COMBINING * 301, False),
    ],
)
def test_bluesky_fits_graphemes_and_bytes(text: str, fits: bool) -> None:
    """Bluesky takes 300 clusters and 3000 bytes; measure agrees with fits at the limit."""
    rule = BlueskyRule()
    assert rule.fits(text) is fits
    assert (rule.measure(text) <= rule.limit) is fits


def test_bluesky_measure_is_graphemes_unless_bytes_bind() -> None:
    """The measure is the cluster count for ordinary text, bytes scaled to 300 for heavy emoji."""
    rule = BlueskyRule()
    assert rule.measure("hello world") == 11
    assert rule.measure(FAMILY * 10) == 25  # 250 bytes → 25, more than 10 clusters


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("see https://example.com/" + "a" * 200, 4 + 23),
        ("see http://example.com", 4 + 23),
        ("bare example.com counts as written", 34),  # no scheme: not a URL to Mastodon
        ("hi @alice@mastodon.social", 3 + 6),
        ("hi @alice", 9),
        ("hi @alice.b@social.example.org!", 3 + 8 + 1),
        ("mail me@example.org", 19),  # not a mention: a word character before @
        ("https://example.com/@alice@example.org", 23),  # a mention inside a URL
        (FAMILY + " " + FLAG, 3),
        # twitter-text's URL path stops before CJK: パス is counted as written.
        ("中文 " + "https://例え.jp/パス", 3 + 23 + 2),
    ],
)
def test_mastodon_countable_length(text: str, length: int) -> None:
    """Mastodon counts clusters with each URL as 23 and @user@domain as @user."""
    assert MastodonRule().measure(text) == length


def test_mastodon_limit_from_instance() -> None:
    """The instance's configuration sets the limit and the URL length; defaults otherwise."""
    rule = MastodonRule.from_instance(
        {"configuration": {"statuses": {"max_characters": 1000, "characters_reserved_per_url": 30}}}
    )
    assert (rule.limit, rule.url_length) == (1000, 30)
    assert rule.measure("see https://example.com") == 4 + 30
    assert MastodonRule.from_instance({}) == MastodonRule()
    assert MastodonRule.from_instance({"configuration": {"statuses": {"max_characters": "x"}}}) == (
        MastodonRule()
    )


def test_x_rule_is_weighted_length() -> None:
    """X's rule is twitter-text's weighted length and 280."""
    rule = XRule()
    text = "한국 " + LONG_URL + " " + FAMILY
    assert rule.measure(text) == weighted_length(text)
    assert rule.fits("a" * 280)
    assert not rule.fits("a" * 281)


def test_rule_for_each_network() -> None:
    """Each network name gives its rule; an unknown one is refused."""
    assert rule_for("x") == XRule()
    assert rule_for("bluesky", link_display=30) == BlueskyRule(link_display=30)
    assert rule_for("mastodon", mastodon_limit=1000) == MastodonRule(limit=1000)
    rules: list[LengthRule] = [rule_for(name) for name in ("x", "bluesky", "mastodon")]
    assert [rule.name for rule in rules] == ["x", "bluesky", "mastodon"]
    with pytest.raises(ValueError, match="unknown network"):
        rule_for("myspace")


def test_numbering_reserve() -> None:
    """The n/N suffix takes the same room on every network (ASCII)."""
    for name in ("x", "bluesky", "mastodon"):
        assert numbering_reserve(rule_for(name), 12) == len(" 12/12")


# -- Bluesky facets ----------------------------------------------------------------------


def _covered(text: str, start: int, end: int) -> str:
    return text.encode()[start:end].decode()


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("read https://example.com/a now", ["https://example.com/a"]),
        ("한국 https://example.com/café 끝", ["https://example.com/café"]),
        (FAMILY + " example.com/path", ["https://example.com/path"]),
        ("two: https://a.example.org and http://b.example.org.", None),
    ],
)
def test_link_facets_use_byte_offsets(text: str, links: list[str] | None) -> None:
    """Each link facet covers the link's UTF-8 bytes and carries the full URI."""
    rich = bluesky_rich_text(text)
    assert rich.text == text
    found = [f for f in rich.facets if f.type == LINK_FEATURE]
    for facet in found:
        shown = _covered(rich.text, facet.byte_start, facet.byte_end)
        assert facet.value.endswith(shown.split("://")[-1])
    if links is not None:
        assert [f.value for f in found] == links
    else:
        assert [f.value for f in found] == ["https://a.example.org", "http://b.example.org"]


def test_long_link_is_shown_short_and_linked_in_full() -> None:
    """A long link is shown cut (what is measured); its facet keeps the full URL."""
    text = f"{FAMILY} more at {LONG_URL} today"
    rich = bluesky_rich_text(text, link_display=30)
    assert "example.com/very/long/path/..." in rich.text
    (facet,) = rich.facets
    assert facet.value == LONG_URL
    assert _covered(rich.text, facet.byte_start, facet.byte_end) == "example.com/very/long/path/..."
    rule = BlueskyRule(link_display=30)
    assert rule.shown(text) == rich.text
    assert rule.measure(text) == graphemes(rich.text)
    assert rule.rich_text(text) == rich
    assert BlueskyRule().measure(text) == graphemes(text)


def test_short_link() -> None:
    """Links lose their scheme; only longer ones are cut, ending in '...'."""
    assert short_link("https://example.com/a", 30) == "example.com/a"
    assert short_link("example.com/abcdefgh", 10) == "example..."
    assert bluesky_rich_text("see https://example.com/a", link_display=30).text == (
        "see https://example.com/a"
    )


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#kpop and #한국 rock", ["kpop", "한국"]),
        ("end. #kpop!", ["kpop"]),
        ("#2024 is not a tag, #y2024 is", ["y2024"]),
        ("no#tag here", []),
        ("https://example.com/#anchor", []),
        ("#" + "a" * 65, []),
    ],
)
def test_tag_facets(text: str, tags: list[str]) -> None:
    """Hashtags become #tag facets over '#' and the tag, as Bluesky's app finds them."""
    rich = bluesky_rich_text(text)
    found = [f for f in rich.facets if f.type == TAG_FEATURE]
    assert [f.value for f in found] == tags
    for facet in found:
        assert _covered(rich.text, facet.byte_start, facet.byte_end) == "#" + facet.value


def test_facet_record_shape() -> None:
    """Facets serialise as app.bsky.richtext.facet objects."""
    rich = bluesky_rich_text("é https://example.com #go")
    assert rich.facet_records() == [
        {
            "index": {"byteStart": 3, "byteEnd": 22},
            "features": [{"$type": LINK_FEATURE, "uri": "https://example.com"}],
        },
        {
            "index": {"byteStart": 23, "byteEnd": 26},
            "features": [{"$type": TAG_FEATURE, "tag": "go"}],
        },
    ]


# -- splitting by rule -------------------------------------------------------------------

WORD = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.sampled_from(
        [
            "USD",
            "31.6%",
            "@alice@mastodon.social",
            "@GONOGO_Korea",
            "#kpop",
            "한국",
            "中文字",
            FAMILY,
            FAMILY * 3,
            FLAG,
            SCOTLAND,
            PHOENIX,
            COMBINING,
            CONJUNCT,
            "example.com",
            "https://example.com/a/long/path",
            LONG_URL,
        ]
    ),
)
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORD, min_size=1, max_size=80),
    st.sampled_from([".", "!", "?", ",", ";", ""]),
)
TEXT = st.builds(
    lambda sentences, sep: sep.join(sentences),
    st.lists(SENTENCE, min_size=1, max_size=14),
    st.sampled_from([" ", "\n", "\n\n"]),
)
RULES = st.sampled_from(
    [
        BlueskyRule(),
        BlueskyRule(link_display=30),
        MastodonRule(),
        MastodonRule(limit=200),
        XRule(),
    ]
)


@settings(max_examples=200, deadline=None)
@given(TEXT, RULES, st.integers(min_value=0, max_value=8))
@example(  # a full stop written straight after a CJK character stays with it
    "a a a a a a aa aaaa aaaaa aaaaaa aaaaaa aaaaaaa "
    + "aaaaaaaaaaaa " * 4
    + "31.6% " * 3
    + "https://example.com/a/long/path " * 3
    + "中文字.",
    MastodonRule(limit=200),
    7,
)
def test_every_post_fits_its_network(text: str, rule: LengthRule, reserve: int) -> None:
    """Every post fits its network with room for numbering, every character comes out in
    order (a word of a script without spaces may be cut between characters), and no post
    starts with the punctuation that closes the one before it."""
    posts = split_for(rule, text, reserve=reserve)
    assert posts
    assert all(post.strip() for post in posts)
    assert all(rule.measure(post) <= rule.limit - reserve for post in posts)
    assert all(rule.fits(post) for post in posts)
    assert "".join("".join(posts).split()) == "".join(text.split())
    assert [w for w in " ".join(posts).split() if w.isascii()] == [
        w for w in text.split() if w.isascii()
    ]
    assert not any(post.lstrip()[:1] in (".", ",", "!", "?", ";", ":") for post in posts[1:])
    if isinstance(rule, BlueskyRule):
        assert all(utf8_length(rule.shown(p)) <= 3000 - 10 * reserve for p in posts)
        assert all(graphemes(rule.shown(p)) <= 300 - reserve for p in posts)
    if isinstance(rule, MastodonRule):
        assert all(graphemes(rule.countable_text(p)) <= rule.limit - reserve for p in posts)


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=8))
def test_x_results_are_unchanged(text: str, reserve: int) -> None:
    """Splitting by X's rule gives exactly what the X splitter gave before the seam."""
    assert split_for(XRule(), text, reserve=reserve) == split_text(text, reserve=reserve)
    assert split_text(text, reserve=reserve, measure=XRule().measure) == split_text(
        text, reserve=reserve
    )


CJK = st.lists(
    st.sampled_from(["日本語", "の", "、", "。", "テスト", "Python", "中文", "，", " ", FAMILY]),
    min_size=1,
    max_size=500,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(CJK, RULES)
def test_cjk_split_keeps_every_character(text: str, rule: LengthRule) -> None:
    """Text without spaces splits between characters for every rule, losing none."""
    posts = split_for(rule, text, language="ja")
    assert all(rule.fits(post) for post in posts)
    assert "".join(posts).replace(" ", "") == text.replace(" ", "")


def test_bluesky_thread_may_have_more_posts() -> None:
    """Long links weigh 23 on X but their full text on Bluesky, unless shown shortened."""
    text = " ".join(f"see {LONG_URL}" for _ in range(20))
    x_posts = split_for(XRule(), text)
    bluesky_posts = split_for(BlueskyRule(), text)
    shortened = split_for(BlueskyRule(link_display=30), text)
    assert len(bluesky_posts) > max(len(x_posts), len(shortened))
    assert all(graphemes(post) <= 300 for post in bluesky_posts)


def test_mastodon_splits_long_urls_as_23() -> None:
    """Long URLs count 23 on Mastodon, so more of them fit in one post than their text."""
    text = " ".join([LONG_URL] * 12)
    posts = split_for(MastodonRule(), text)
    assert len(posts) == 1  # 12 * 23 + 11 = 287 ≤ 500
    assert len(posts[0]) > 500


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (XRule(), "on X, more than a tweet's 280"),
        (BlueskyRule(), "on Bluesky, more than a post's 300"),
        (MastodonRule(), "on Mastodon, more than a post's 500"),
    ],
)
def test_unsplittable_word_names_the_network(rule: LengthRule, words: str) -> None:
    """A word longer than a whole post is an error that names the network and its limit."""
    with pytest.raises(UnsplittableTextError, match=words):
        split_for(rule, "short " + "x" * 600 + " end")
