"""Findings as plain lines: severity, code, where, then the message indented."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from threads.findings import Finding


def write_findings(findings: Sequence[Finding], stream: IO[str]) -> None:
    for finding in findings:
        stream.write(f"{finding.severity:<7} {finding.code} · {finding.where}\n")
        stream.write(f"        {finding.message}\n")
