"""Jupyter notebooks (``.ipynb``: fastpages, Quarto, ABlog, nbdev blogs) via nbformat.

The Markdown cells are the post, read by the Markdown reader as one document; code
cells and their outputs are not prose and are counted. The title and date come from
the notebook's metadata (``title``, ``date``, ``authors``…), else from a leading raw
cell of front matter (Quarto, ABlog: ``---`` YAML), else from fastpages' leading
Markdown cell (``# Title``, ``> summary``, ``- key: value`` lines), else a ``#``
heading at the top of the first cells (as pytudes-style essays title themselves), even
when the sections are ``#`` headings too. Line numbers are those of the joined Markdown
cells.
"""

from __future__ import annotations

import re
from typing import Any

from threads.outline import Outline
from threads.readers.front_matter import metadata_from
from threads.readers.markdown import read_markdown, title_from_heading

# fastpages' front matter cell: "# Title", "> summary", then "- key: value" lines.
_FASTPAGES = re.compile(
    r"\A\s*#[ \t]+(?P<title>[^\n]+)\n(?:\s*>[ \t]*(?P<summary>[^\n]*)\n)?"
    r"(?P<fields>(?:[ \t]*\n|[ \t]*-[ \t]+[\w-]+:[^\n]*\n?)*)\Z"
)
_FIELD = re.compile(r"^[ \t]*-[ \t]+(?P<key>[\w-]+):[ \t]*(?P<value>.*?)[ \t]*$", re.M)


def read_notebook(text: str, path: str) -> Outline:
    """The outline of a notebook's Markdown cells."""
    import warnings

    import nbformat

    with warnings.catch_warnings():
        # Notebooks from before nbformat 4.5 have no cell ids: nothing the owner must fix.
        warnings.simplefilter("ignore")
        notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)  # type: ignore[no-untyped-call]
    cells: list[Any] = list(notebook.get("cells", []))
    front: dict[str, Any] = {}
    if (
        cells
        and cells[0].get("cell_type") == "raw"
        and _source(cells[0]).lstrip().startswith("---")
    ):
        front_matter = _source(cells.pop(0))
    else:
        front_matter = ""
        if cells and cells[0].get("cell_type") == "markdown":
            fastpages = _FASTPAGES.match(_source(cells[0]) + "\n")
            if fastpages and _FIELD.search(fastpages.group("fields") or ""):
                cells.pop(0)
                front["title"] = fastpages.group("title").strip().strip("\"'")
                if fastpages.group("summary"):
                    front["description"] = fastpages.group("summary").strip().strip("\"'")
                for field in _FIELD.finditer(fastpages.group("fields")):
                    value: Any = field.group("value").strip()
                    if value.startswith("[") and value.endswith("]"):
                        value = [item.strip(" \"'") for item in value[1:-1].split(",")]
                    front.setdefault(field.group("key"), value)
    markdown: list[str] = []
    skipped = 0
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            markdown.append(_source(cell))
        elif cell.get("cell_type") == "code":
            skipped += 1
    outline = read_markdown(
        front_matter + "\n\n" + "\n\n".join(markdown), path, heading_title=False
    )
    outline.source_text = text
    if skipped:
        outline.skipped["code cells"] += skipped
    meta = {str(key): value for key, value in dict(notebook.get("metadata", {})).items()}
    fields = {**front, **{k: v for k, v in meta.items() if isinstance(v, str | int | float)}}
    if fields:
        found = metadata_from(fields)
        outline.meta.title = outline.meta.title or found.title
        outline.meta.date = outline.meta.date or found.date
        outline.meta.description = outline.meta.description or found.description
        outline.meta.tags = outline.meta.tags or found.tags
        outline.meta.draft = outline.meta.draft or found.draft
    title_from_heading(outline)
    return outline


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
