"""Choosing what a thread keeps: the properties over real posts, and which ranker recalls
more of the author's own summary.

    python bench/selection.py [--posts DIR] [--summaries FILE] [--quick]

Run by ``bench/run.py`` (section 11). Inputs: the corpus posts listed in
tests/articles/corpus.toml, read from $THREADBOT_CORPUS or ../shared/blog-corpus;
``--summaries`` names a TOML file whose ``[summaries]`` table says where a post's author
summarised it (``"description"`` or ``"section:HEADING"``), for posts the automatic
finder below would miss.

1. Properties, old settings (max_tweets = 25, overflow = "shorten", closing = "every")
   against the defaults: tweets per post and per thread (p50/p90/max), threads over 12
   tweets, how much of the 280 middle tweets use, tweets under 100 weighted characters,
   X cost per post.
2. The criterion no one here wrote: ROUGE-1 recall of the author's summary — front
   matter ``description`` (unless it is only the post's first words), else a
   TL;DR/Summary/Highlights/Conclusion section (in the languages markers supports) —
   by the sentences the threads keep (that section's own thread left out), and by the
   digest. Rankers: ours (biased LexRank), ours unbiased, sumy's LexRank and TextRank
   fed our tokens, and the first N sentences. ROUGE-1 recall over words, or over
   characters for Chinese, Japanese and Korean, written here (rouge-score's tokenizer
   drops every non-ASCII letter).
3. Build time per MB over the corpus: choosing (the defaults) against cutting at the
   same max_tweets (``overflow = "shorten"``) and against the old settings.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from threads.article import Article  # noqa: E402
from threads.building import Thread, build_digest, build_threads  # noqa: E402
from threads.markers import STOPWORDS  # noqa: E402
from threads.options import BuildOptions  # noqa: E402
from threads.parsing import load_article  # noqa: E402
from threads.ranking import plain_lexrank, terms  # noqa: E402
from threads.selection import Ranker  # noqa: E402
from threads.templates import TemplateSet  # noqa: E402

SUMMARY_HEADING = re.compile(
    r"^\W*(tl;?dr|summary|in summary|highlights|conclusions?|wrap[- ]up|zusammenfassung|"
    r"fazit|resumen|conclusi[oó]n|r[ée]sum[ée]|conclus[aã]o|요약|결론|まとめ|总结|结论|小结|"
    r"kết luận|tóm tắt|kesimpulan|ringkasan)\W*$",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r" \d+/\d+$")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")


def corpus(folder: Path | None = None) -> list[Path]:
    manifest = tomllib.loads((ROOT / "tests/articles/corpus.toml").read_text("utf-8"))
    for candidate in (
        folder,
        Path(os.environ["THREADBOT_CORPUS"]) if os.environ.get("THREADBOT_CORPUS") else None,
        ROOT.parent / "shared" / "blog-corpus",
        ROOT.parent / "corpus",
    ):
        if candidate is not None and candidate.is_dir():
            if folder is not None:
                return sorted(p for p in candidate.iterdir() if p.is_file())
            return [candidate / name for name in manifest["titles"] if (candidate / name).is_file()]
    return []


def tokens(text: str, language: str = "en", content: bool = False) -> Counter[str]:
    """ROUGE-1 units: casefolded words, and single CJK and Hangul characters
    (``content``: without the language's stopwords)."""
    stop = STOPWORDS.get(language, STOPWORDS["en"]) if content else frozenset()
    return Counter(t for t in (t.casefold() for t in _TOKEN.findall(text)) if t not in stop)


def recall(summary: str, kept: str, language: str = "en", content: bool = False) -> float:
    wanted, got = tokens(summary, language, content), tokens(kept, language, content)
    total = sum(wanted.values())
    return sum(min(count, got[t]) for t, count in wanted.items()) / total if total else 0.0


def author_summary(article: Article, where: str | None = None) -> tuple[str, int | None] | None:
    """(the author's summary, the 1-based section it is, if one), or None."""
    if where and where.startswith("section:"):
        heading = where.split(":", 1)[1].strip().casefold()
        for index, section in enumerate(article.sections, 1):
            if section.heading.strip().casefold() == heading:
                return " ".join(s.text for s in section.sentences), index
        return None
    description = " ".join((article.description or "").split())
    first = next((s.text for sec in article.sections for s in sec.sentences), "")
    excerpt = bool(description) and " ".join(description.split()[:8]) in " ".join(first.split())
    if description and not excerpt and where in (None, "description"):
        return description, None
    if where == "description":
        return None
    for index, section in enumerate(article.sections, 1):
        if SUMMARY_HEADING.match(section.heading.strip()):
            return " ".join(s.text for s in section.sentences), index
    return None


def kept_text(threads: Sequence[Thread], leave_out: int | None) -> str:
    """What the threads say besides their openings' headers and the closings; a
    digest's opening is left out whole (it is the description, often the summary)."""
    parts = []
    for thread in threads:
        if thread.kind == "section" and thread.section_index == leave_out:
            continue
        for number, tweet in enumerate(thread.tweets):
            if tweet.kind == "closing" or (thread.kind == "digest" and number == 0):
                continue
            text = _NUMBERING.sub("", tweet.text)
            if number == 0:  # the title and heading lines, before the lead
                text = text.split("\n\n", 1)[-1]
            parts.append(text)
    return "\n".join(parts)


def first_n(sentences: Sequence[str], language: str, query: str) -> list[float]:
    """The first N sentences: the earlier, the better."""
    return [float(len(sentences) - i) for i in range(len(sentences))]


def _sumy(kind: str) -> Ranker:
    def rank(sentences: Sequence[str], language: str, query: str) -> list[float]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        class Tokenizer:
            # sumy's own tokenizers need nltk data downloads; ours needs none.
            def __init__(self, language: str) -> None:
                self.language = language

            def to_words(self, text: str) -> list[str]:
                return terms(text, self.language)

        tokenizer = Tokenizer(language)
        items = [SumySentence(text, tokenizer) for text in sentences]
        document = ObjectDocumentModel([Paragraph(items)])
        if kind == "textrank":
            from sumy.summarizers.text_rank import TextRankSummarizer

            ratings = TextRankSummarizer().rate_sentences(document)
        else:
            from sumy.summarizers.lex_rank import LexRankSummarizer

            summarizer = LexRankSummarizer()
            # LexRankSummarizer.__call__, step by step, to keep the scores.
            words = [summarizer._to_words_set(s) for s in document.sentences]
            matrix = summarizer._create_matrix(
                words,
                summarizer.threshold,
                summarizer._compute_tf(words),
                summarizer._compute_idf(words),
            )
            ratings = dict(
                zip(
                    document.sentences,
                    summarizer.power_method(matrix, summarizer.epsilon),
                    strict=True,
                )
            )
        return [float(ratings.get(item, 0.0)) for item in items]

    return rank


def rankers() -> dict[str, Ranker | None]:
    found: dict[str, Ranker | None] = {"ours (biased LexRank)": None}
    found["ours, unbiased"] = plain_lexrank
    try:
        import sumy  # noqa: F401

        found["sumy LexRank"] = _sumy("lexrank")
        found["sumy TextRank"] = _sumy("textrank")
    except ImportError:
        print("   (sumy not installed: pip install 'sumy[lexrank]' to compare it)")
    found["first N sentences"] = first_n
    return found


def _q(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def properties(
    paths: Sequence[Path], options: BuildOptions, templates: TemplateSet
) -> dict[str, float]:
    per_post: list[int] = []
    lengths: list[int] = []
    fills: list[float] = []
    costs: list[float] = []
    under = total = 0
    limit = options.threads.max_weighted_length
    for path in paths:
        article = load_article(path)
        threads = build_threads(article, options, templates)
        per_post.append(sum(len(t.tweets) for t in threads))
        costs.append(sum(t.cost_usd for t in threads))
        for thread in threads:
            lengths.append(len(thread.tweets))
            fills += [t.weighted_length / limit for t in thread.tweets[1:-1]]
            for tweet in thread.tweets:
                total += 1
                under += tweet.weighted_length < 100
    return {
        "tweets/post p50": statistics.median(per_post),
        "tweets/post max": max(per_post),
        "tweets/thread p50": _q(lengths, 0.5),
        "tweets/thread p90": _q(lengths, 0.9),
        "tweets/thread max": max(lengths),
        "threads > 12 tweets": sum(n > 12 for n in lengths) / len(lengths),
        "middle-tweet fill": statistics.mean(fills),
        "tweets < 100 weighted": under / total,
        "X cost/post p50": statistics.median(costs),
        "X cost/post max": max(costs),
    }


def old_settings(options: BuildOptions) -> BuildOptions:
    threads = options.threads.model_copy(
        update={"max_tweets": 25, "overflow": "shorten", "closing": "every"}
    )
    return options.model_copy(update={"threads": threads})


def rouge_table(
    paths: Sequence[Path],
    options: BuildOptions,
    templates: TemplateSet,
    where: dict[str, str],
) -> None:
    articles: list[tuple[Article, str, int | None]] = []
    for path in paths:
        article = load_article(path)
        found = author_summary(article, where.get(path.name))
        if found is not None:
            articles.append((article, *found))
    print(
        f"   ROUGE-1 recall of the author's summary, mean over the {len(articles)} of "
        f"{len(paths)} posts that have one: by every thread's kept sentences (that "
        "section's own thread left out) and by the digest's body; all words, and content "
        "words only"
    )
    print(f"   {'ranker':<24} {'threads':>8} {'content':>8} {'digest':>8} {'content':>8}")
    for name, ranker in rankers().items():
        scores: list[list[float]] = [[], [], [], []]
        for article, summary, section in articles:
            language = article.language
            threads = build_threads(article, options, templates, ranker=ranker)
            digest = build_digest(article, options, templates, ranker=ranker)
            for number, kept in enumerate((kept_text(threads, section), kept_text([digest], None))):
                scores[2 * number].append(recall(summary, kept, language))
                scores[2 * number + 1].append(recall(summary, kept, language, content=True))
        means = " ".join(f"{statistics.mean(values):>8.3f}" for values in scores)
        print(f"   {name:<24} {means}")


def build_time(paths: Sequence[Path], options: BuildOptions, templates: TemplateSet) -> float:
    """Seconds per MB to parse and build every post (best of three)."""
    size = sum(path.stat().st_size for path in paths) / 1e6
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for path in paths:
            build_threads(load_article(path), options, templates)
        best = min(best, time.perf_counter() - start)
    return best / size


def bench_selection(folder: Path | None = None, summaries: Path | None = None) -> None:
    loaded = load_settings(ROOT / "config" / "threadbot.toml")
    options = loaded.build_options
    templates = TemplateSet(loaded.templates_path)
    paths = corpus(folder)
    print(f"11. selection over {len(paths)} real posts")
    if not paths:
        print("   skipped: no corpus (set THREADBOT_CORPUS)")
        return
    where: dict[str, str] = {}
    if summaries is not None and summaries.is_file():
        where = tomllib.loads(summaries.read_text("utf-8")).get("summaries", {})
    old = properties(paths, old_settings(options), templates)
    new = properties(paths, options, templates)
    print(f"   {'measure':<24} {'old settings':>12} {'defaults':>10}")
    for key in new:
        money = key.startswith("X cost")
        share = ">" in key or "fill" in key or "<" in key
        shown = [
            f"${value:.2f}"
            if money
            else f"{value:.0%}"
            if share and "fill" not in key
            else f"{value:g}"
            for value in (old[key], new[key])
        ]
        if "fill" in key:
            shown = [f"{old[key]:.2f}", f"{new[key]:.2f}"]
        print(f"   {key:<24} {shown[0]:>12} {shown[1]:>10}")
    rouge_table(paths, options, templates, where)
    cut = options.model_copy(
        update={"threads": options.threads.model_copy(update={"overflow": "shorten"})}
    )
    choosing = build_time(paths, options, templates)
    cutting = build_time(paths, cut, templates)
    before = build_time(paths, old_settings(options), templates)
    print(
        f"   build per MB: choosing {choosing:.2f} s · cutting at the same max_tweets "
        f"{cutting:.2f} s ({choosing / cutting:.2f}x) · old settings {before:.2f} s "
        f"({choosing / before:.2f}x; target <= 1.20x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=Path, default=None, help="every post in DIR instead")
    parser.add_argument("--summaries", type=Path, default=None, metavar="FILE")
    arguments = parser.parse_args()
    bench_selection(arguments.posts, arguments.summaries)


if __name__ == "__main__":
    main()
