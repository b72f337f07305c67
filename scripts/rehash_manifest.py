"""Rewrite the [files] table of a factor set's manifest.toml with each file's sha256.

Run only on purpose, when publishing a new set version: a released version is immutable.
Usage: python scripts/rehash_manifest.py factors/sets/carbonfp-open/2026.1
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def main(folder: Path) -> None:
    manifest = folder / "manifest.toml"
    head = manifest.read_text(encoding="utf-8").split("\n[files]\n")[0].rstrip("\n")
    rows = [
        f'"{p.name}" = "{hashlib.sha256(p.read_bytes()).hexdigest()}"'
        for p in sorted(folder.glob("*.toml"))
        if p.name != "manifest.toml"
    ]
    manifest.write_text(head + "\n\n[files]\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{manifest}: {len(rows)} files hashed")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
