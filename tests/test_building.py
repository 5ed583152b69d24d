"""Thread building on the example: structure, links, numbering, cost and limits."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import load_settings
from threads.building import build_threads
from threads.options import BuildOptions, ThreadOptions
from threads.parsing import load_article, parse_article
from threads.templates import TemplateSet

from .conftest import CONFIG, EXAMPLE, TEMPLATES

SENTENCES = [
    "K-pop’s growing popularity has created a thriving events market in ASEAN countries.",
    "According to ASEAN, trade reached USD 890.2 billion in 2019, accounting for 31.6% of the total.",
    "It grew; it kept growing, and then, as markets opened across the region, it grew again — faster than anyone expected, with concerts, merchandise, tourism, streaming, fan clubs, translations, variety shows and brand deals all adding to a wave that no single ministry planned or could have planned alone.",
    "한국 음악 산업은 빠르게 성장했습니다.",
    "Fans 😷👨‍👩‍👧 cheered.",
    "See AsiaFundManagers.com for more.",
]


def test_example_builds_one_thread_per_section(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """7 threads; each opens with what the post is about (the title, and the heading where
    it says something else) and closes with the article link; the first thread's closing
    also carries the owner's links and the recommendation ([threads] closing = "first")."""
    article = load_article(EXAMPLE)
    threads = build_threads(article, options, templates)
    assert [t.id for t in threads] == [f"kpop-asean-plus-three#{n}" for n in range(1, 8)]
    for thread, section in zip(threads, article.sections, strict=True):
        opening, closing = thread.tweets[0], thread.tweets[-1]
        assert opening.kind == "opening"
        if thread.section_index == 1:  # the heading holds the title
            assert opening.text.startswith(f"🧵 {section.heading}\n\n")
        else:
            assert opening.text.startswith(f"🧵 {article.title}\n{section.heading}\n\n")
        assert closing.kind == "closing"
        first = thread.section_index == 1
        assert (
            "I recommend @GONOGO_Korea as a resource I trust and regularly learn from."
            in closing.text
        ) is first
        assert (
            "Looking for sharp perspectives on global trade and markets?" in closing.text
        ) is first
        # The others name their section, so no two closing tweets are the same text.
        expected = "📖 Read" if first else f"📖 {section.heading} — read"
        assert closing.text.startswith(f"{expected} the full article: https://")
        assert f"utm_content=section-{thread.section_index}" in closing.text
        assert all(t.weighted_length <= 280 for t in thread.tweets)


def test_closing_every_puts_the_owners_links_on_every_thread(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """[threads] closing = "every" (the old behaviour): every closing has the links."""
    every = options.model_copy(update={"threads": ThreadOptions(closing="every")})
    for thread in build_threads(load_article(EXAMPLE), every, templates):
        assert "📁 Blog: https://example.com/blog?" in thread.tweets[-1].text
        assert "I recommend @GONOGO_Korea" in thread.tweets[-1].text


def test_only_the_closing_tweet_has_urls(options: BuildOptions, templates: TemplateSet) -> None:
    """links = "closing": one URL-bearing post per thread, so cost = n*0.015 + 0.185."""
    for thread in build_threads(load_article(EXAMPLE), options, templates):
        assert [t.has_url for t in thread.tweets] == [False] * (len(thread.tweets) - 1) + [True]
        expected = round(0.015 * (len(thread.tweets) - 1) + 0.20, 6)
        assert thread.cost_usd == expected


def test_numbering_is_consistent(options: BuildOptions, templates: TemplateSet) -> None:
    """Every tweet ends in n/N with n counting up and N the thread's length."""
    for thread in build_threads(load_article(EXAMPLE), options, templates):
        total = len(thread.tweets)
        suffixes = [re.search(r" (\d+)/(\d+)$", t.text) for t in thread.tweets]
        assert [(int(m.group(1)), int(m.group(2))) for m in suffixes if m] == [
            (n, total) for n in range(1, total + 1)
        ]


def test_fact_tweets_hold_the_fact_verbatim(options: BuildOptions, templates: TemplateSet) -> None:
    """A fact's sentence appears unchanged in its own fact tweet."""
    article = load_article(EXAMPLE)
    threads = build_threads(article, options, templates)
    fact = article.sections[4].facts[0]
    fact_tweets = [t for t in threads[4].tweets if t.kind == "fact"]
    assert len(fact_tweets) == 1
    assert fact.text in fact_tweets[0].text


def test_inline_links_put_sources_in_fact_tweets(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """links = "inline" appends each fact's reference URL, and those posts cost the URL price."""
    inline = options.model_copy(update={"threads": ThreadOptions(links="inline")})
    thread = build_threads(load_article(EXAMPLE), inline, templates, only_section=2)[0]
    fact_tweet = next(t for t in thread.tweets if t.kind == "fact")
    assert fact_tweet.urls == (
        "https://asean.org/our-communities/economic-community/integration-with-global-economy/asean-plus-three-economic-relation/",
    )
    assert sum(t.has_url for t in thread.tweets) == 2


def test_thread_cap_error(options: BuildOptions, templates: TemplateSet) -> None:
    """With overflow = "error", more tweets than max_tweets is an error finding."""
    capped = options.model_copy(update={"threads": ThreadOptions(max_tweets=3, overflow="error")})
    thread = build_threads(load_article(EXAMPLE), capped, templates, only_section=1)[0]
    assert [f.code for f in thread.findings] == ["thread-too-long"]
    assert "more than max_tweets = 3" in thread.findings[0].message


def test_thread_cap_shortens(options: BuildOptions, templates: TemplateSet) -> None:
    """overflow = "shorten" cuts a long section at a sentence, with a warning and an invitation."""
    capped = options.model_copy(update={"threads": ThreadOptions(max_tweets=3, overflow="shorten")})
    full = build_threads(load_article(EXAMPLE), options, templates, only_section=1)[0]
    thread = build_threads(load_article(EXAMPLE), capped, templates, only_section=1)[0]
    assert len(full.tweets) == 4
    assert len(thread.tweets) == 3
    assert thread.omitted_sentences == 1
    assert [f.code for f in thread.findings] == ["section-shortened"]
    assert "last 1 of 3 sentences" in thread.findings[0].message
    assert thread.tweets[-1].text.startswith("📖 Read the whole section:")
    assert (thread.chosen_sentences, thread.section_sentences) == (2, 3)
    assert full.tweets[-1].text.startswith("📖 Read the full article:")


def test_without_numbering(options: BuildOptions, templates: TemplateSet) -> None:
    """numbering = false leaves texts without an n/N suffix."""
    plain = options.model_copy(update={"threads": ThreadOptions(numbering=False)})
    thread = build_threads(load_article(EXAMPLE), plain, templates, only_section=1)[0]
    assert not any(re.search(r" \d+/\d+$", t.text) for t in thread.tweets)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=14),
        min_size=1,
        max_size=4,
    )
)
def test_built_threads_fit_and_number_consistently(sections: list[list[str]]) -> None:
    """Any article builds into tweets that fit 280 and are numbered 1/N..N/N."""
    text = "".join(
        f"Heading Number {i}\n\n" + " ".join(body) + "\n\n" for i, body in enumerate(sections)
    )
    options = load_settings(CONFIG).build_options
    article = parse_article(text, "generated.txt", "text")
    for thread in build_threads(article, options, TemplateSet(TEMPLATES)):
        total = len(thread.tweets)
        for position, tweet in enumerate(thread.tweets, start=1):
            assert tweet.weighted_length <= 280
            assert tweet.text.endswith(f" {position}/{total}")
