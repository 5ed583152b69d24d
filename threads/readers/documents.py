"""Word (``.docx``) and OpenDocument (``.odt``) files, e.g. a Google Docs export.

Read by pandoc (:mod:`threads.readers.pandoc`): its docx and odt readers turn heading
styles into headings, paragraphs and lists into prose, and leave tables, images,
footnotes and comments apart. mammoth was measured against it (see README): it reads
only docx, not odt, and its HTML would go through a second reader. The title is the
document's own (File › Properties: ``dc:title`` in ``docProps/core.xml`` or
``meta.xml``), else a lone first heading; the date is its creation date.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

from threads.errors import ArticleError
from threads.outline import Metadata, Outline
from threads.readers.front_matter import language_code, parse_date
from threads.readers.pandoc import TreeWalker, pandoc_tree

# The properties part of each container and the elements threadbot reads from it.
_PROPERTIES = {"docx": "docProps/core.xml", "odt": "meta.xml"}
_TITLE = re.compile(r"<dc:title>([^<]*)</dc:title>")
_CREATED = re.compile(r"<(?:dcterms:created|meta:creation-date)[^>]*>([^<]*)<")
_LANGUAGE = re.compile(r"<dc:language>([^<]*)</dc:language>")
# A document that unpacks to more than this is a zip bomb, not a post.
_MAX_UNPACKED_BYTES = 200_000_000


def read_docx(data: bytes, path: str) -> Outline:
    """The outline of a Word document."""
    return _read(data, path, "docx")


def read_odt(data: bytes, path: str) -> Outline:
    """The outline of an OpenDocument text."""
    return _read(data, path, "odt")


def _read(data: bytes, path: str, kind: str) -> Outline:
    meta = _properties(data, path, kind)
    tree = pandoc_tree(data, kind, path)
    outline = Outline(path=path, source_text="", blocks=[], meta=meta)
    TreeWalker(outline).walk(tree.get("blocks", []))
    # Figures are checked against the document's own words, which are all it has.
    outline.source_text = "\n".join(block.text for block in outline.blocks)
    if meta.title:
        outline.source_text = f"{meta.title}\n{outline.source_text}"
    return outline


def _properties(data: bytes, path: str, kind: str) -> Metadata:
    """Title, creation date and language from the container's properties part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as container:
            unpacked = sum(info.file_size for info in container.infolist())
            if unpacked > _MAX_UNPACKED_BYTES:
                raise ArticleError(
                    path, f"unpacks to {unpacked:,} bytes: not a document threadbot reads"
                )
            try:
                xml = container.read(_PROPERTIES[kind]).decode("utf-8", "replace")
            except KeyError:
                return Metadata()
    except zipfile.BadZipFile:
        raise ArticleError(path, f"is not a readable {kind} file: save it again") from None
    title = _TITLE.search(xml)
    created = _CREATED.search(xml)
    language = _LANGUAGE.search(xml)
    return Metadata(
        title=(" ".join(html.unescape(title.group(1)).split()) or None) if title else None,
        date=parse_date(created.group(1)) if created else None,
        language=language_code(language.group(1)) if language else None,
    )
