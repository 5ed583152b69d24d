"""Choosing what a thread keeps (threads/selection.py): the rules, on small articles.

The same promises are checked on every real post by tests/article_checks.py
(``selection_problems``); these tests pin each rule down on text made for it.
"""

from __future__ import annotations

from threads.building import build_threads
from threads.markers import is_boilerplate, leans_on_previous, points_at_link
from threads.options import BuildOptions, ThreadOptions
from threads.parsing import parse_article
from threads.selection import skipped_sections
from threads.templates import TemplateSet

FILLER = [
    "Caching compiled templates cut the median build of our documentation site by a third.",
    "The cache key is the template's source hash, so editing a partial invalidates it.",
    "Incremental builds now skip pages whose inputs did not change since the last run.",
    "Watch mode reuses one worker pool instead of starting a new one for every change.",
    "Large sites benefit most, because their builds were dominated by repeated parsing.",
    "Small sites see little change, since their builds were short to begin with.",
    "The plugin interface stays the same, so existing plugins keep working unchanged.",
    "Memory use grows slightly, because parsed templates now stay in memory longer.",
    "A new flag turns the cache off for debugging template changes one at a time.",
    "Error messages now name the template and the line that failed to render.",
]


def _options(options: BuildOptions, **threads: object) -> BuildOptions:
    return options.model_copy(update={"threads": ThreadOptions(**threads)})  # type: ignore[arg-type]


def _long_section(extra: list[str]) -> str:
    body = " ".join(FILLER * 3)
    return "## Faster builds\n\n" + body + "\n\n" + " ".join(extra) + "\n"


def _text(thread) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(tweet.text for tweet in thread.tweets)


def test_a_long_section_keeps_its_lead_and_facts_in_order(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """max_tweets = 8 by default: a long section is chosen from, the lead and every fact
    kept, in the author's order, each sentence unchanged."""
    fact = "According to the Build Survey, 62% of sites now build in under 10 seconds."
    article = parse_article("---\ntitle: Builds\n---\n" + _long_section([fact, FILLER[0]]), "b.md")
    thread = build_threads(article, options, templates)[0]
    text = _text(thread)
    assert len(thread.tweets) <= 8
    assert thread.chosen_sentences < thread.section_sentences
    assert FILLER[0] in thread.tweets[0].text  # the lead opens the thread
    assert fact in text
    positions = [text.find(s) for s in FILLER if s in text]
    assert positions == sorted(positions)
    assert "Read the whole section" in thread.tweets[-1].text


def test_a_sentence_that_leans_on_the_one_before_is_kept_with_it_or_not_at_all(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """ "This is why …" after a sentence the thread leaves out would point at nothing."""
    leaning = "This is why the cache lives next to the output folder."
    pointer = "Turning it on is one line:"
    article = parse_article(
        "---\ntitle: Builds\n---\n## Faster builds\n\n"
        + " ".join(FILLER[:3])
        + f"\n\n{pointer}\n\n```\ncache = true\n```\n\n{leaning} "
        + " ".join(FILLER[3:])
        + "\n",
        "b.md",
    )
    thread = build_threads(article, options, templates)[0]
    text = _text(thread)
    assert pointer not in text  # it introduces a code block the thread does not show
    assert leaning not in text  # it leans on that sentence
    assert leans_on_previous(leaning, "en")


def test_pointers_at_links_and_boilerplate_are_recognised_in_several_languages() -> None:
    assert points_at_link("See the SQLite backup docs for details.", "en")
    assert points_at_link("자세한 내용은 문서를 참고하세요.", "ko")
    # A demo or a page behind "click here" is not in the thread, bracketed or not (a
    # blind reader met "(Cliquez ici pour voir une démo de cette solution.)" three times).
    assert points_at_link("(Cliquez ici pour voir une démo de cette solution.)", "fr")
    assert points_at_link("(See the backup docs.)", "en")
    assert points_at_link("Klicken Sie hier für eine Demo.", "de")
    assert points_at_link("Haz clic aquí para ver la demo.", "es")
    assert points_at_link("Clique aqui para ver a demonstração.", "pt")
    assert not points_at_link("Clicking a row opens the record in place.", "en")
    assert is_boilerplate("Thanks to everyone who contributed!", "en")
    assert is_boilerplate("多くの方にご協力いただき、ありがとうございました。", "ja")
    assert leans_on_previous("しかし、この方法には欠点もあります。", "ja")
    assert leans_on_previous("但是这个方法也有缺点。", "zh")
    assert leans_on_previous("Sin embargo, no es tan simple.", "es")
    assert not leans_on_previous("Thistle is a plant.", "en")
    # The second of several and an example of a claim dangle without what came first
    # (a blind reader found "Another problem is…" kept without the first problem).
    assert leans_on_previous("Another problem is that updates were slow.", "en")
    assert leans_on_previous("For example, JSON escapes every string.", "en")
    assert leans_on_previous("Combined with the fact that spans are shared, it was slow.", "en")
    assert leans_on_previous("Un autre problème est la latence.", "fr")
    assert leans_on_previous("Zum Beispiel dauert der Start zu lange.", "de")
    assert not leans_on_previous("Anotherland is a game.", "en")


TOC = """---
title: A guide
---
## Contents

- Installing
- Configuring
- Deploying

## Installing

Install the package with your system's package manager, then check its version.
The installer adds a service that starts at boot and listens on port 8080.

## Configuring

Edit the configuration file to point the service at your database server.
Every setting has a default, so an empty file starts a working service.

## Deploying

Copy the configuration to each server and restart the service there.
A rolling restart keeps at least one server answering while the others start.
"""


def test_a_table_of_contents_becomes_no_thread(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A Contents section is skipped with its reason; --section still builds it."""
    article = parse_article(TOC, "guide.md")
    skipped = skipped_sections(article)
    assert [(index, reason) for index, _, reason in skipped] == [(1, "a table of contents")]
    threads = build_threads(article, options, templates)
    assert [t.section for t in threads] == ["Installing", "Configuring", "Deploying"]
    assert build_threads(article, options, templates, only_section=1)[0].section == "Contents"


def test_a_list_of_the_posts_own_headings_is_a_table_of_contents() -> None:
    article = parse_article(TOC.replace("## Contents", "## Overview"), "guide.md")
    assert [reason for _, _, reason in skipped_sections(article)] == [
        "a table of contents (a list of the post's own headings)"
    ]


def test_a_thread_never_opens_with_its_heading_alone(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A section that starts with a list: the opening carries the first items."""
    article = parse_article(
        "---\ntitle: Release\n---\n## What changed\n\n"
        "- The parser now accepts trailing commas in every list and table.\n"
        "- The formatter keeps comments attached to the line they describe.\n"
        "- The linter reports unused imports in files that use star imports.\n",
        "r.md",
    )
    opening = build_threads(article, options, templates)[0].tweets[0].text
    assert "• The parser now accepts trailing commas" in opening


def test_the_old_behaviour_is_reachable_by_config(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """max_tweets = 25, overflow = "shorten": every sentence, in order, up to the cap."""
    article = parse_article(
        "---\ntitle: Builds\n---\n" + _long_section(["See the docs for details."]), "b.md"
    )
    old = build_threads(article, _options(options, max_tweets=25, overflow="shorten"), templates)
    assert old[0].chosen_sentences == old[0].section_sentences
    assert "See the docs for details." in _text(old[0])


def test_choosing_keeps_a_leaning_sentence_only_with_its_antecedent() -> None:
    """The ranker likes "This …" best and its antecedent least: both, or neither (each
    sentence a paragraph of its own, so only the word "This" ties them)."""
    from threads.selection import choose

    sentences = [*FILLER[:4], "This halves the time of a cold build on a laptop.", *FILLER[4:8]]
    article = parse_article(
        "---\ntitle: Builds\n---\n## Faster builds\n\n" + "\n\n".join(sentences) + "\n", "b.md"
    )
    section = article.sections[0]
    texts = [s.text for s in section.sentences]
    leaning = texts.index(sentences[4])

    def ranker(candidates, language, query):  # type: ignore[no-untyped-def]
        return [
            10.0 if c == texts[leaning] else -10.0 if c == texts[leaning - 1] else 0.0
            for c in candidates
        ]

    choice = choose(section, article, lambda kept: len(kept) <= 3, ranker=ranker)
    assert choice is not None
    assert leaning in choice.kept
    assert leaning - 1 in choice.kept
    assert len(choice.kept) <= 3


def test_a_paragraph_is_kept_from_its_start() -> None:
    """The ranker likes a paragraph's third sentence best: it is kept with the two before
    it, never alone (a thread entering a paragraph in its middle reads as a non sequitur),
    and a later paragraph's opening may follow it."""
    from threads.selection import choose

    first = " ".join(FILLER[:4])
    second = " ".join(FILLER[4:8])
    article = parse_article(
        f"---\ntitle: Builds\n---\n## Faster builds\n\n{first}\n\n{second}\n", "b.md"
    )
    section = article.sections[0]
    texts = [s.text for s in section.sentences]
    favourite = texts.index(FILLER[6])

    def ranker(candidates, language, query):  # type: ignore[no-untyped-def]
        return [10.0 if c == texts[favourite] else 0.0 for c in candidates]

    choice = choose(section, article, lambda kept: len(kept) <= 4, ranker=ranker)
    assert choice is not None
    assert choice.lead == 0
    assert choice.kept == {0, texts.index(FILLER[4]), texts.index(FILLER[5]), favourite}


def test_an_enumeration_is_kept_whole_or_not_at_all(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A list of short names ("Bugs", "Patches") with the sentence introducing it: a
    subset would say something the author did not, so all of it goes, or none."""
    names = ["Upcoming changes", "Help requests", "Bugs", "Patches"]
    enumeration = "The new tracker follows four kinds of work\n\n" + "".join(
        f"- {name}\n" for name in names
    )
    body = " ".join(FILLER * 3)
    article = parse_article(
        f"---\ntitle: Builds\n---\n## Faster builds\n\n{body}\n\n{enumeration}\n{body}\n",
        "b.md",
    )
    thread = build_threads(article, options, templates)[0]
    text = _text(thread)
    assert thread.chosen_sentences < thread.section_sentences  # chosen from
    shown = [name for name in names if f"• {name}" in text]
    assert shown in ([], names)
    assert ("The new tracker follows four kinds of work" in text) == (shown == names)


def test_a_kept_sentence_left_alone_in_a_crumb_of_a_tweet_is_left_out(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A short sentence no neighbouring tweet has room for would post as a crumb of its
    own: it is left out (never the lead), and counted as not chosen."""
    long = (
        "Caching compiled templates cut the median build of our documentation site by a "
        "third, because every page shares the same partials, layouts and shortcodes, and "
        "the cache now keeps each of them parsed between pages instead of reading and "
        "compiling it again for every page."
    )
    assert 250 < len(long) < 280
    crumb = "This is a tricky one."
    article = parse_article(
        f"---\ntitle: Builds\n---\n## Faster builds\n\n{FILLER[1]}\n\n{long}\n\n{crumb}\n",
        "b.md",
    )
    thread = build_threads(article, options, templates)[0]
    assert long in _text(thread)
    assert crumb not in _text(thread)
    assert (thread.chosen_sentences, thread.section_sentences) == (2, 3)
    bodies = [t for t in thread.tweets if t.kind == "body"]
    assert all(len(t.text) >= 40 for t in bodies) or len(bodies) == 1, [t.text for t in bodies]


def test_a_list_items_later_sentence_is_kept_only_with_its_item(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """ "Put otherwise, …" continues the list item it is written in: without that item it
    would read as the previous item's."""
    body = " ".join(FILLER * 3)
    item = "Our old mascot was a small green turtle named Sheldon."
    continuation = (
        "Put otherwise, caching compiled templates made incremental builds of large "
        "documentation sites faster."
    )
    items = f"- It struggled with optimizing asm.js in the browser.\n- {item} {continuation}\n"
    article = parse_article(
        f"---\ntitle: Builds\n---\n## Faster builds\n\n{body}\n\nIts problems were many:\n\n"
        f"{items}\n{body}\n",
        "b.md",
    )
    thread = build_threads(article, options, templates)[0]
    text = _text(thread)
    assert thread.chosen_sentences < thread.section_sentences  # chosen from
    assert (continuation in text) <= (item in text)


def test_what_leans_on_a_dropped_crumb_goes_with_it(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """A crumb left out takes along the sentences that lean on it: "It took…" never
    posts without the sentence "It" means (found on a held-out post)."""
    long = (
        "Caching compiled templates cut the median build of our documentation site by a "
        "third, because every page shares the same partials, layouts and shortcodes, and "
        "the cache now keeps each of them parsed between pages instead of reading and "
        "compiling it again for every page."
    )
    crumb = "This is a tricky one."
    leaning = (
        "It took a week of profiling to see that the partials were parsed again for every "
        "page, since the old cache was keyed by the page that included them rather than "
        "by the partial itself, so a site of four hundred pages parsed each partial four "
        "hundred times."
    )
    article = parse_article(
        f"---\ntitle: Builds\n---\n## Faster builds\n\n{FILLER[1]}\n\n{long}\n\n{crumb}\n\n"
        f"{leaning}\n",
        "b.md",
    )
    thread = build_threads(article, options, templates)[0]
    text = _text(thread)
    assert long in text
    assert crumb not in text
    assert leaning not in text
    assert (thread.chosen_sentences, thread.section_sentences) == (2, 4)
