"""What validation reports: a severity, a stable code, a message and where."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning"]


class Finding(BaseModel):
    """One validation result. Errors block posting; warnings do not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    code: str
    message: str
    where: str


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
