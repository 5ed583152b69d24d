"""The preview as JSON. The shape is a public interface (documented in README.md);
change it only by adding keys."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any

from threads.pipeline import Prepared


def to_json_document(prepared: Prepared) -> dict[str, Any]:
    """The documented JSON document for a preview (of one network)."""
    return {
        "network": prepared.network,
        "article": {
            "title": prepared.article.title,
            "sections": len(prepared.article.sections),
        },
        "threads": [
            {
                "id": thread.id,
                "section": thread.section,
                "tweets": [
                    {
                        "text": tweet.text,
                        "weighted_length": tweet.weighted_length,
                        "has_url": tweet.has_url,
                        "chart": (
                            {
                                "kind": tweet.chart.kind,
                                "title": tweet.chart.title,
                                "alt_text": tweet.chart.alt_text,
                            }
                            if tweet.chart
                            else None
                        ),
                    }
                    for tweet in thread.tweets
                ],
                "cost_usd": thread.cost_usd,
                # How many of the section's sentences (the post's, for a digest) it keeps.
                "chosen": {"sentences": thread.chosen_sentences, "of": thread.section_sentences},
            }
            for thread in prepared.threads
        ],
        "findings": [finding.model_dump() for finding in prepared.findings],
    }


def write_json(prepared: Prepared | Sequence[Prepared], stream: IO[str]) -> None:
    """One network: its document. Several: a JSON array of documents, one per network."""
    if isinstance(prepared, Prepared):
        document: Any = to_json_document(prepared)
    else:
        document = [to_json_document(each) for each in prepared]
    # One write: json.dump to a stream writes every token separately (10x slower on a
    # large article).
    stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
