"""Number formats and stage colours shared by the HTML report and its charts, so a figure reads
the same in both."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

from carbonfp.model import Stage

#: Okabe-Ito colour per stage (safe for the common colour-vision deficiencies)
STAGE_COLOURS: Mapping[Stage, str] = MappingProxyType(
    {
        Stage.RAW_MATERIALS: "#0072B2",
        Stage.PRODUCTION: "#E69F00",
        Stage.DISTRIBUTION: "#009E73",
        Stage.END_OF_LIFE: "#CC79A7",
    }
)

MINUS = "\u2212"
#: narrow no-break space: thousands separator that never wraps a number over two lines
THOUSANDS = "\u202f"


def fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, thin-space thousands and a true minus sign."""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "-0.0"
    return text.replace(",", THOUSANDS).replace("-", MINUS)


def significant(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits without trailing zeros, never in exponent
    notation: 0.05, 78.1, 8, 1 570."""
    if value == 0 or not math.isfinite(value):
        return fixed(value, 0) if math.isfinite(value) else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    text = fixed(value, min(12, max(0, digits - 1 - magnitude)))
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float, decimals: int = 1) -> str:
    """A share (0.25) as a percentage ("25.0%")."""
    return fixed(share * 100, decimals) + "%"


#: how each kind of number is shown: per kWh delivered, kg, kWh, shares, DQR, anything else
FORMATS: dict[str, Callable[[float], str]] = {
    "per_kwh": lambda v: fixed(v, 4),
    "kg": lambda v: fixed(v, 1),
    "kwh": lambda v: fixed(v, 0),
    "share": percent,
    "dqr": lambda v: fixed(v, 2),
    "sig": significant,
    "int": lambda v: str(int(v)),
}
