"""Write docs/errors.md from the error catalogue in carbonfp/errors.py (or check it is current).

Run after changing the catalogue: python scripts/errors_doc.py
With --check, write nothing and exit 1 if docs/errors.md differs from the catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from carbonfp.errors import DOCS_PATH, errors_markdown

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    path = REPO / DOCS_PATH
    text = errors_markdown()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if "--check" in argv:
        if current != text:
            print(f"{DOCS_PATH} is out of date: run python scripts/errors_doc.py", file=sys.stderr)
            return 1
        print(f"{DOCS_PATH} is up to date")
        return 0
    if current == text:
        print(f"{DOCS_PATH} is up to date")
        return 0
    path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
