"""Versioned data files: ``ID.toml`` is version 1 (as shipped before versions existed),
``ID@N.toml`` version N; ``ID`` alone means the latest. Rulesets and sourcing rules are kept so
(a shipped file is never edited: a change is a new version)."""

from __future__ import annotations

from pathlib import Path


def versions_in(folder: Path) -> dict[str, list[int]]:
    """The ids of the TOML files in ``folder`` and their versions, oldest first."""
    found: dict[str, list[int]] = {}
    for p in folder.glob("*.toml"):
        rid, _, version = p.stem.partition("@")
        found.setdefault(rid, []).append(int(version) if version.isdigit() else 1)
    return {rid: sorted(v) for rid, v in sorted(found.items())}


def versioned_path(folder: Path, ref: str) -> Path | None:
    """The file of ``ID`` (its latest version) or ``ID@VERSION`` in ``folder``, or None."""
    rid, _, version = ref.partition("@")
    versions = versions_in(folder).get(rid)
    if not versions:
        return None
    number = versions[-1] if not version else int(version) if version.isdigit() else 0
    if number not in versions:
        return None
    name = rid if number == 1 else f"{rid}@{number}"
    return folder / f"{name}.toml"
