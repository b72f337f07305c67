"""A file generated from the code (docs/errors.md, factors/units.cache.json): written when it
differs, or only checked with --check (exit 1 when it is out of date). The scripts that make
such files share this one step."""

from __future__ import annotations

import sys
from pathlib import Path


def refresh(repo: Path, relative: Path | str, text: str, argv: list[str], script: str) -> int:
    """Write ``text`` to ``repo / relative`` unless it holds it already; with ``--check`` in
    ``argv``, write nothing and return 1 when it differs (naming ``script`` to run)."""
    shown = Path(relative).as_posix()
    path = repo / relative
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        print(f"{shown} is up to date")
        return 0
    if "--check" in argv:
        print(f"{shown} is out of date: run python {script}", file=sys.stderr)
        return 1
    path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {shown}")
    return 0
