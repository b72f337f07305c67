"""docs/warnings.md documents every warning code carbonfp gives, and no other."""

from __future__ import annotations

import re

from support import REPO

from carbonfp.engine.evaluate import _STATUS_WHAT


def codes_in_source() -> set[str]:
    """Codes of the Issues carbonfp creates: Issue("code", ...), the formula's per-group flags
    ("cff-...", mask) and the factor-status warnings ("STATUS-factors")."""
    found: set[str] = set()
    for path in (REPO / "carbonfp").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'Issue\(\s*"([a-z0-9-]+)"', text))
        found |= set(re.findall(r'\(\s*"(cff-[a-z0-9-]+)",\s*with_eol', text))
    return found | {f"{status}-factors" for status, _ in _STATUS_WHAT}


def test_every_warning_code_is_documented_and_only_those() -> None:
    doc = (REPO / "docs" / "warnings.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", doc, re.M))
    source = codes_in_source()
    assert "unknown-role" in source and "no-plausibility-band" in source  # the scan works
    assert source - documented == set(), "document these in docs/warnings.md"
    assert documented - source == set(), "docs/warnings.md names codes carbonfp never gives"
