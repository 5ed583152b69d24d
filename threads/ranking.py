"""How central each sentence is to its section: a biased LexRank over the post's terms.

The ranker is hand-written, and the choice was measured (``bench/selection.py``): on
the corpus posts with an author's summary, its kept sentences recall more of that
summary (ROUGE-1) than sumy's LexRank and TextRank fed the same tokens, and more than
the first N sentences — and it needs neither nltk nor numpy (sumy brings nltk,
pycountry and breadability, ~40 MB and ~340 ms of imports, for the same power method).

- Terms: casefolded words without stopwords; in scripts written without spaces (Chinese,
  Japanese, Thai) and in Korean, whose words carry their particles, character bigrams.
- Similarity: cosine of TF-IDF vectors, IDF over every sentence of the post.
- Centrality: continuous LexRank (Erkan & Radev 2004), biased toward the section's
  heading and the post's title (Otterbacher et al. 2005): the random walk jumps back to
  sentences in proportion to how much they share the heading's key terms.

Imported only when a section needs choosing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from threads.markers import STOPWORDS

# Scores for ``sentences`` (higher: more central), given the language and a query
# (heading and title). A ranker is any such function: bench/selection.py plugs in
# sumy's for the comparison.
Ranker = Callable[[Sequence[str], str, str], list[float]]

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
# Hangul, kana, han, Thai: tokenised by character bigrams.
_UNSPACED = re.compile(
    "[\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]+"
)
# The share of the walk that jumps back toward the heading's terms (and uniformly).
JUMP = 0.25
ITERATIONS = 60
TOLERANCE = 1e-5


def terms(text: str, language: str = "en") -> list[str]:
    """The words that say what ``text`` is about: content words, or character bigrams."""
    found: list[str] = []
    stop = STOPWORDS.get(language, STOPWORDS["en"])
    for run in _UNSPACED.findall(text):
        if len(run) == 1:
            found.append(run)
        found.extend(run[i : i + 2] for i in range(len(run) - 1))
    latin = _UNSPACED.sub(" ", text)
    for word in _WORD.findall(latin.casefold()):
        if len(word) > 1 and word not in stop and not word.isdigit():
            found.append(word)
    return found


def idf(documents: Sequence[Sequence[str]]) -> dict[str, float]:
    """Inverse document frequency of each term over ``documents`` (smoothed)."""
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(set(document))
    total = len(documents)
    return {term: math.log((1 + total) / (1 + count)) + 1.0 for term, count in counts.items()}


def _vector(words: Sequence[str], weights: Mapping[str, float]) -> dict[str, float]:
    counts = Counter(words)
    vector = {term: count * weights.get(term, 1.0) for term, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


def _cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())


def lexrank(
    sentences: Sequence[str],
    language: str = "en",
    query: str = "",
    weights: Mapping[str, float] | None = None,
    *,
    bias: bool = True,
) -> list[float]:
    """Biased continuous LexRank scores of ``sentences`` (they sum to 1).

    ``weights`` are the IDF weights (default: over ``sentences`` themselves); ``query``
    the heading and title the walk is biased toward (``bias=False``: plain LexRank).
    """
    count = len(sentences)
    if count == 0:
        return []
    tokens = [terms(sentence, language) for sentence in sentences]
    weights = weights if weights is not None else idf(tokens)
    vectors = [_vector(words, weights) for words in tokens]
    # Sparse similarity graph through an inverted index: only pairs that share a term,
    # each dot product accumulated term by term.
    postings: dict[str, list[tuple[int, float]]] = {}
    for number, vector in enumerate(vectors):
        for term, value in vector.items():
            postings.setdefault(term, []).append((number, value))
    edges: list[dict[int, float]] = [{} for _ in range(count)]
    for number, vector in enumerate(vectors):
        row = edges[number]
        for term, value in vector.items():
            for other, other_value in postings[term]:
                if other != number:
                    row[other] = row.get(other, 0.0) + value * other_value
    uniform = 1.0 / count
    teleport = [uniform] * count
    if bias and query:
        target = _vector(terms(query, language), weights)
        affinity = [_cosine(vector, target) for vector in vectors]
        total = sum(affinity)
        if total > 0:
            # Half toward the heading's terms, half uniform: a sentence sharing nothing
            # with the heading can still be central to what the section says.
            teleport = [0.5 * a / total + 0.5 * uniform for a in affinity]
    row_sums = [sum(row.values()) for row in edges]
    scores = [uniform] * count
    for _ in range(ITERATIONS):
        spread = [0.0] * count
        dangling = 0.0
        for number, row in enumerate(edges):
            if not row_sums[number]:
                dangling += scores[number]
                continue
            share = scores[number] / row_sums[number]
            for other, similarity in row.items():
                spread[other] += share * similarity
        new = [
            JUMP * teleport[i] + (1 - JUMP) * (spread[i] + dangling * teleport[i])
            for i in range(count)
        ]
        change = sum(abs(a - b) for a, b in zip(new, scores, strict=True))
        scores = new
        if change < TOLERANCE:
            break
    return scores


def biased_lexrank(sentences: Sequence[str], language: str, query: str) -> list[float]:
    """The default ranker (see the module docstring)."""
    return lexrank(sentences, language, query)


def plain_lexrank(sentences: Sequence[str], language: str, query: str) -> list[float]:
    """LexRank without the heading bias (measured against the biased one)."""
    return lexrank(sentences, language, query, bias=False)
