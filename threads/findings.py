"""What validation reports: a severity, a stable code, a message and where."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning", "info"]
# Errors block posting; warnings are shown and allowed; info says what was left out.
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Finding(BaseModel):
    """One validation result. Errors block posting; warnings and info do not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    code: str
    message: str
    where: str


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
