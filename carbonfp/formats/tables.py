"""The declaration's two tables as rows of Python values: what the CSV and the XLSX writers write.

The tidy table has one row per (stage, metric), numbers rounded to 10 significant digits; the
CSV of one declaration adds its metadata as rows of stage ``metadata`` (text values: the label,
ruleset, study and verification fields, warnings), never as comments. The
line table has one row per activity line and is readable back as a long BOM (carbonfp.batch):
its amounts, emissions and factor (in the ``factor`` text) keep full precision on purpose, so a
round trip loses nothing. Rows hold numbers as numbers and text as it is; each writer makes text
safe for its own format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from carbonfp.columns import Figures
from carbonfp.formats.common import (
    SIGNIFICANT_DIGITS,
    STAGE_IDS,
    metadata,
    number_text,
    rounded,
    safe_cell,
)
from carbonfp.model import Declaration

#: One cell of a table: text, a number, or nothing.
Cell = str | float | None
Row = list[Cell]

TIDY_COLUMNS = ("battery", "stage", "metric", "value", "unit")
LINE_COLUMNS = (
    "battery",
    "component",
    "material",
    "quantity",
    "unit",
    "stage",
    "factor",
    "factor_source",
    "kind",
    "factor_status",
    "data_type",
    "dqr",
    "recycled_share",
    "origin",
    "allocation",
    "kg_co2e",
    "where",
)


def tidy_rows(decl: Declaration) -> list[Row]:
    """The tidy table of one declaration, header first (see :func:`figure_rows`)."""
    return figure_rows(Figures.of([decl]))


def figure_rows(figures: Figures) -> list[Row]:
    """The tidy table, header first: per battery and stage kg CO2e per kWh and kg CO2e, then
    the totals, cradle-to-gate per kWh of capacity and the functional unit; values rounded."""
    rows: list[Row] = [list(TIDY_COLUMNS)]
    for b, model in enumerate(figures.battery):
        for i, stage in enumerate(STAGE_IDS):
            rows.append(
                [
                    model,
                    stage,
                    "kg_co2e_per_kwh",
                    rounded(float(figures.stage_per_kwh[b, i])),
                    "kg CO2e/kWh",
                ]
            )
            rows.append(
                [model, stage, "kg_co2e", rounded(float(figures.stage_kg[b, i])), "kg CO2e"]
            )
        rows += [
            [
                model,
                "total",
                "kg_co2e_per_kwh",
                rounded(float(figures.total_per_kwh[b])),
                "kg CO2e/kWh",
            ],
            [model, "total", "kg_co2e", rounded(float(figures.absolute_kg[b])), "kg CO2e"],
            [
                model,
                "cradle_to_gate",
                "kg_co2e_per_kwh_capacity",
                rounded(float(figures.cradle_to_gate_per_kwh_capacity[b])),
                "kg CO2e/kWh capacity",
            ],
            [
                model,
                "functional_unit",
                "total_energy_kwh",
                rounded(float(figures.total_energy_kwh[b])),
                "kWh",
            ],
        ]
    return rows


def line_rows(decl: Declaration) -> list[Row]:
    """The line table, header first: one row per activity line, numbers at full precision."""
    model = decl.project.battery.model
    rows: list[Row] = [list(LINE_COLUMNS)]
    for r in decl.lines:
        line = r.line
        rows.append(
            [
                model,
                line.label,
                r.factor_id,
                line.quantity,
                line.unit,
                r.stage.value,
                f"{r.factor_value!r} {r.factor_unit}",
                r.factor_source,
                line.kind.value,
                r.factor_status,
                line.data_type.value,
                line.dqr,
                line.recycled_share,
                line.origin or None,
                line.note or None,
                r.kg_co2e,
                str(line.where),
            ]
        )
    return rows


def csv_text(rows: Sequence[Sequence[Cell]], number: Callable[[float], str] = repr) -> str:
    """Rows as CSV: text made safe for spreadsheets, numbers written by ``number``, nothing as
    an empty cell; ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(
            ["" if v is None else number(v) if isinstance(v, float) else safe_cell(v) for v in row]
        )
    return out.getvalue()


def csv_figures(figures: Figures) -> str:
    """The tidy table of many batteries as CSV (one header): the same text as
    ``csv_text(figure_rows(figures), number_text)``, written battery by battery (each number
    formatted once, each battery name made safe once, a battery's rows one template), so a
    portfolio of 100 000 batteries costs one Python call per number, none per cell."""
    n = len(figures)
    if not n:
        return csv_text([list(TIDY_COLUMNS)])
    values = _figure_matrix(figures)
    per_battery = values.shape[1]
    form = f"%.{SIGNIFICANT_DIGITS}g"
    flat = [form % v for v in values.reshape(-1).tolist()]  # what numpy's char.mod calls, directly
    numbers = [flat[b * per_battery : (b + 1) * per_battery] for b in range(n)]

    def literal(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    # one battery's rows as one template: {0} its name, {1}... its values (one call a battery)
    block = "".join(
        f"{{0}},{literal(stage)},{literal(metric)},{{{k + 1}}},{literal(unit)}\n"
        for k, (stage, metric, unit) in enumerate(_FIGURE_ROWS)
    )
    names = [_csv_cell(str(safe_cell(b))) for b in figures.battery]
    out = [",".join(TIDY_COLUMNS) + "\n"]
    out.extend(block.format(name, *row) for name, row in zip(names, numbers, strict=True))
    return "".join(out)


def arrow_figures(figures: Figures) -> Any:
    """The tidy table of many batteries as an Arrow table (for Parquet): the rows and columns
    of :func:`csv_figures`, values as float64 (not rounded: Parquet keeps every bit). Needs
    pyarrow."""
    import numpy as np
    import pyarrow as pa

    n = len(figures)
    values = _figure_matrix(figures)
    per_battery = values.shape[1]
    stages, metrics, units = (list(x) for x in zip(*_FIGURE_ROWS, strict=True))

    def repeated(items: list[str]) -> Any:
        codes = np.tile(np.arange(per_battery, dtype=np.int32), n)
        return pa.DictionaryArray.from_arrays(codes, pa.array(items, pa.string()))

    battery = pa.DictionaryArray.from_arrays(
        np.repeat(np.arange(n, dtype=np.int32), per_battery),
        pa.array([str(b) for b in figures.battery], pa.string()),
    )
    return pa.table(
        {
            "battery": battery,
            "stage": repeated(stages),
            "metric": repeated(metrics),
            "value": pa.array(values.reshape(-1), pa.float64()),
            "unit": repeated(units),
        }
    )


def _figure_matrix(figures: Figures) -> Any:
    """The tidy values of each battery as one row (batteries x _FIGURE_ROWS)."""
    import numpy as np

    values = np.empty((len(figures), len(STAGE_IDS) * 2 + 4))
    values[:, 0 : 2 * len(STAGE_IDS) : 2] = figures.stage_per_kwh
    values[:, 1 : 2 * len(STAGE_IDS) : 2] = figures.stage_kg
    k = 2 * len(STAGE_IDS)
    values[:, k] = figures.total_per_kwh
    values[:, k + 1] = figures.absolute_kg
    values[:, k + 2] = figures.cradle_to_gate_per_kwh_capacity
    values[:, k + 3] = figures.total_energy_kwh
    return values + 0.0  # -0 is 0


#: (stage, metric, unit) of the tidy rows of one battery, in figure_rows' order.
_FIGURE_ROWS = [
    row
    for stage in STAGE_IDS
    for row in ((stage, "kg_co2e_per_kwh", "kg CO2e/kWh"), (stage, "kg_co2e", "kg CO2e"))
] + [
    ("total", "kg_co2e_per_kwh", "kg CO2e/kWh"),
    ("total", "kg_co2e", "kg CO2e"),
    ("cradle_to_gate", "kg_co2e_per_kwh_capacity", "kg CO2e/kWh capacity"),
    ("functional_unit", "total_energy_kwh", "kWh"),
]


def _csv_cell(text: str) -> str:
    """One CSV field as the csv module writes it (quoted where needed)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([text])  # the same line end: same quoting
    return out.getvalue()[:-1]


#: The ``stage`` of the tidy CSV's rows that hold text about the declaration, not figures.
METADATA_STAGE = "metadata"


def metadata_rows(decl: Declaration) -> list[Row]:
    """The declaration's metadata (carbonfp.formats.common.metadata) as rows of the tidy table
    after its figures: stage ``metadata``, the key as the metric, the text as the value (empty
    when not given), no unit; one ``warning`` row per warning. No header."""
    model = decl.project.battery.model
    return [[model, METADATA_STAGE, key, value, None] for key, value in metadata(decl)]


def tidy_csv(decl: Declaration) -> str:
    """The tidy table as CSV, numbers with 10 significant digits, then the metadata rows."""
    return csv_text([*tidy_rows(decl), *metadata_rows(decl)], number_text)


def line_csv(decl: Declaration) -> str:
    """The line table as CSV, numbers in full (the shortest text that reads back the same)."""
    return csv_text(line_rows(decl))
