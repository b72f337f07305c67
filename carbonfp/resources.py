"""Finds the shipped data folder, the same way from a checkout, an editable install or a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def factors_root() -> Path:
    """Return the folder holding units.txt, sets/ and rules/.

    In a wheel it is packaged as ``carbonfp/_data/factors``; in a checkout or an editable
    install it is ``factors/`` beside the package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "factors", here.parent / "factors"):
        if (candidate / "units.txt").is_file():
            return candidate
    raise FileNotFoundError(  # a broken installation, not bad input
        "carbonfp's data folder (factors/) is missing from this installation; reinstall carbonfp"
    )
