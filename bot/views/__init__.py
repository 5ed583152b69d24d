"""What threadbot shows, as functions of plain data: preview text (``preview_text``),
the preview JSON document (``preview_json``), the HTML page (``html``), findings
(``findings``), ``status`` and ``queue``.

Views receive records, prepared threads, a spend summary and a ``link`` function for
post URLs — never a store or a network client — so they are tested with plain values.
Each module imports only what it needs: the JSON preview never loads rich.
"""

from __future__ import annotations

from collections.abc import Callable

#: A post id to the URL people see it at; None when the account is not known yet.
Link = Callable[[str], str] | None
