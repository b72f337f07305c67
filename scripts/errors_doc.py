"""Write docs/errors.md from the error catalogue in carbonfp/errors.py (or check it is current).

Run after changing the catalogue: python scripts/errors_doc.py
With --check, write nothing and exit 1 if docs/errors.md differs from the catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from carbonfp.errors import DOCS_PATH, errors_markdown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated import refresh  # beside this script

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    return refresh(REPO, DOCS_PATH, errors_markdown(), argv, "scripts/errors_doc.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
