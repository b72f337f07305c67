"""What every writer shares: one rounding, the number texts, safe cells and the stage names."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload

from carbonfp.model import STAGE_TITLES, Stage

if TYPE_CHECKING:
    from carbonfp.model import Declaration

#: Significant digits of every number in a record (JSON, CSV, XLSX, PACT, passport): far
#: below the precision of the data, and the same bytes on every platform.
SIGNIFICANT_DIGITS = 10

#: Characters that make a spreadsheet evaluate a cell (the OWASP CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@overload
def rounded(value: float) -> float: ...
@overload
def rounded(value: None) -> None: ...
def rounded(value: float | None) -> float | None:
    """``value`` to 10 significant digits (None stays None): the one rounding of records."""
    return None if value is None else float(number_text(value)) + 0.0  # -0 is 0


def number_text(value: float) -> str:
    """A number as CSV text: 10 significant digits, shortest form (``0.15``, ``1e-05``)."""
    return f"{value + 0.0:.{SIGNIFICANT_DIGITS}g}"  # -0 is 0


def decimal_text(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """A PACT Decimal: dotted-decimal text, never an exponent, ``digits`` significant digits.

    Raises ValueError for infinity and NaN.
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    text = format(Decimal(f"{value:.{digits}g}"), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_number(value: float, decimals: int = 1, sign: str = "") -> str:
    """A number for the terminal: ``decimals`` decimals, a space between thousands; ``sign``
    "+" shows the sign of positive numbers too (``+1 234``)."""
    return f"{value:{sign},.{decimals}f}".replace(",", " ")


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would evaluate as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def json_text(data: Any, *, compact: bool = False) -> str:
    """JSON text of a document: UTF-8 characters as they are, indented (or on one line when
    ``compact``), one trailing newline. A number that is not finite is refused (ValueError):
    NaN and Infinity are not JSON, and no reader should be handed them."""
    if compact:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass(frozen=True)
class StageName:
    """How the writers name one life-cycle stage of Annex II."""

    stage: Stage
    #: the title of Annex II ("Raw material acquisition and pre-processing")
    title: str
    #: the Battery Pass data model's lifecycleStage code ("RawMaterialExtraction")
    passport: str
    #: the short label of tables, legends and charts ("Raw materials")
    label: str

    @property
    def id(self) -> str:
        """The stage's id in records: ``raw_materials``."""
        return self.stage.value


def _name(stage: Stage, passport: str, label: str) -> StageName:
    return StageName(stage, STAGE_TITLES[stage], passport, label)


#: Every stage's names, in the order of Annex II: the only table of stage names of the writers.
STAGE_NAMES: Mapping[Stage, StageName] = MappingProxyType(
    {
        Stage.RAW_MATERIALS: _name(Stage.RAW_MATERIALS, "RawMaterialExtraction", "Raw materials"),
        Stage.PRODUCTION: _name(Stage.PRODUCTION, "MainProduction", "Production"),
        Stage.DISTRIBUTION: _name(Stage.DISTRIBUTION, "Distribution", "Distribution"),
        Stage.END_OF_LIFE: _name(Stage.END_OF_LIFE, "Recycling", "End of life"),
    }
)

#: The stage ids of records, in the order of Annex II.
STAGE_IDS: tuple[str, ...] = tuple(name.id for name in STAGE_NAMES.values())


def stage_of(stage_id: object) -> StageName | None:
    """The names of the stage with this id (``"production"``), None when it is no stage."""
    return next((n for n in STAGE_NAMES.values() if n.id == stage_id), None)


def mode_label(decl: Declaration) -> str:
    """ "declaration (RULESET, LEGAL STATUS)" or "screening, not a declaration": the label every
    output carries."""
    if decl.mode == "declaration":
        return f"declaration ({decl.provenance.ruleset}, {decl.provenance.ruleset_legal_status})"
    return "screening, not a declaration"


def utc_date_text(moment: datetime | date | None) -> str | None:
    """A date as ``2025-06-30``, a time as UTC ``2025-01-01T00:00:00Z``; None stays None."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def study_fields(decl: Declaration) -> list[tuple[str, str | None]]:
    """The ``[declaration]`` facts an auditor reads first, as (key, text or None), in the order
    every output lists them: the one list behind the JSON record, the text, CSV, XLSX and
    HTML outputs."""
    d = decl.project.declaration
    return [
        ("eu_doc_id", d.eu_doc_id),
        ("study_url", d.study_url),
        ("reference_period_start", utc_date_text(d.reference_period_start)),
        ("reference_period_end", utc_date_text(d.reference_period_end)),
        ("study_date", utc_date_text(d.study_date)),
        ("study_version", d.study_version),
        ("verification_status", d.verification_status),
        ("verifier", d.verifier),
        ("verification_statement_id", d.verification_statement_id),
    ]


def metadata(decl: Declaration) -> list[tuple[str, str | None]]:
    """What a declaration is and where it comes from, as (key, text or None): the label and
    mode, the ruleset (version, sha256, legal status), the factor set, the tool, the study
    fields (:func:`study_fields`), then one ``warning`` per warning ("[code] message (where)").
    The rows of the CSV's ``metadata`` stage and of the workbook's ``metadata`` sheet."""
    pv = decl.provenance
    rows: list[tuple[str, str | None]] = [
        ("label", mode_label(decl)),
        ("mode", decl.mode),
        ("ruleset", pv.ruleset),
        ("ruleset_version", str(pv.ruleset_version)),
        ("ruleset_sha256", pv.ruleset_sha256),
        ("ruleset_legal_status", pv.ruleset_legal_status),
        ("factor_set", pv.factor_set),
        ("factor_set_sha256", pv.factor_set_sha256),
        ("tool_version", pv.tool_version),
        *study_fields(decl),
    ]
    for w in decl.warnings:
        rows.append(("warning", f"[{w.code}] {w.message}" + (f" ({w.where})" if w.where else "")))
    return rows
