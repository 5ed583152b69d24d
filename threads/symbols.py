"""Symbol-led lines: the 📚, 📁, 🔎 … that open reference lists and calls to action."""

from __future__ import annotations

import unicodedata


def starts_with_symbol(text: str) -> bool:
    """Whether ``text`` starts with a pictographic symbol (Unicode category So)."""
    return bool(text) and unicodedata.category(text[0]) == "So"
