"""Turns a user's CSV of emission factors into a valid factor set folder to layer with --factors."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from carbonfp.errors import InputError, Location, UsageError
from carbonfp.files import read_text
from carbonfp.inputs.bom import Table, _normalise_header, read_csv_table

REQUIRED = ("id", "name", "value", "unit", "source")
OPTIONAL = (
    "table",
    "region",
    "year",
    "locator",
    "status",
    "license",
    "note",
    "low",
    "high",
    "gsd",
    "source_url",
)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def import_factors(csv_path: Path, name: str, version: str, out: Path) -> int:
    """Write the rows of ``csv_path`` as factor set ``name@version`` into the folder ``out``.

    Every row needs id, name, value, unit and source; all problems are reported at once.
    Returns the number of rows. Raises InputError (bad rows, listing each) or UsageError
    (``out`` exists and is not empty).
    """
    from carbonfp.data.factor_sets import AMOUNT_UNITS, LICENSES, TABLES, validate_set
    from carbonfp.units import parse_number, parse_unit

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or not re.fullmatch(
        r"[A-Za-z0-9][A-Za-z0-9._-]*", version
    ):
        raise UsageError(
            "--name and --version may hold letters, digits, '.', '_' and '-'",
            hint="e.g. --name my-factors --version 2026.1",
            code="invalid-option",
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"{out} exists and is not an empty folder",
            hint="choose a new --out",
            code="output-exists",
        )
    label = csv_path.name
    table: Table = read_csv_table(read_text(csv_path, label), label)
    columns = {_normalise_header(h): i for i, h in enumerate(table.header)}
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            where=Location(label, 1),
            hint="a factor CSV needs " + ", ".join(REQUIRED) + "; optional: " + ", ".join(OPTIONAL),
            code="missing-column",
        )

    def cell(cells: list[str], column: str) -> str:
        i = columns.get(column)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    problems: list[str] = []
    by_table: dict[str, list[str]] = {t: [] for t in TABLES}
    sources: dict[str, tuple[str, str, str, int]] = {}
    seen: set[str] = set()
    for number, cells in table.rows:
        where = f"{label}:{number}"
        fid, unit, source = cell(cells, "id"), cell(cells, "unit"), cell(cells, "source")
        row_problems = [f"{where}: missing {c}" for c in REQUIRED if not cell(cells, c)]
        if row_problems:
            problems.extend(row_problems)
            continue
        if fid in seen:
            problems.append(f"{where}: duplicate id {fid!r}")
        seen.add(fid)
        target = cell(cells, "table") or "materials"
        if target not in TABLES:
            problems.append(f"{where}: unknown table {target!r} (use {', '.join(TABLES)})")
            continue
        try:
            value = parse_number(cell(cells, "value"), table.decimal_comma)
        except ValueError:
            problems.append(f"{where}: value {cell(cells, 'value')!r} is not a number")
            continue
        try:
            parse_unit(unit)
            if not any(_fits(a, unit) for a in AMOUNT_UNITS[target]):
                problems.append(
                    f"{where}: unit {unit!r} is not a {target} factor (kg CO2e per "
                    f"{' or '.join(AMOUNT_UNITS[target])})"
                )
                continue
        except InputError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        if value < 0 and target != "end_of_life":
            problems.append(
                f"{where}: negative factor {value:g}: credits belong to the end_of_life table"
            )
            continue
        licence = cell(cells, "license") or "proprietary"
        if licence not in LICENSES:
            problems.append(f"{where}: licence {licence!r} not in {', '.join(LICENSES)}")
            continue
        year_text = cell(cells, "year")
        if year_text and not year_text.isdigit():
            problems.append(f"{where}: year {year_text!r} is not a year")
            continue
        key = "user-" + hashlib.sha256(f"{source}|{licence}".encode()).hexdigest()[:10]
        sources.setdefault(
            key, (source, cell(cells, "source_url"), licence, int(year_text) if year_text else 0)
        )
        lines = [
            "[[factor]]",
            f"id = {_toml_str(fid)}",
            f"name = {_toml_str(cell(cells, 'name'))}",
            f"value = {value!r}",
            f"unit = {_toml_str(unit)}",
            f"region = {_toml_str(cell(cells, 'region'))}",
        ]
        if year_text:
            lines.append(f"year = {int(year_text)}")
        lines += [
            f"source = {_toml_str(key)}",
            f"locator = {_toml_str(cell(cells, 'locator') or f'{label} line {number}')}",
            f"status = {_toml_str(cell(cells, 'status') or 'user')}",
        ]
        for optional in ("low", "high", "gsd"):
            text = cell(cells, optional)
            if text:
                try:
                    lines.append(f"{optional} = {parse_number(text, table.decimal_comma)!r}")
                except ValueError:
                    problems.append(f"{where}: {optional} {text!r} is not a number")
        if cell(cells, "note"):
            lines.append(f"note = {_toml_str(cell(cells, 'note'))}")
        by_table[target].append("\n".join(lines) + "\n")
    if problems:
        raise InputError(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the factor CSV:\n  "
            + "\n  ".join(problems),
            where=Location(label),
            hint="every row needs an id, name, numeric value, a kg CO2e unit and its source",
            code="invalid-factor-rows",
        )
    if not seen:
        raise InputError(
            "no factor rows",
            where=Location(label),
            hint="add one row per factor below the header: " + ", ".join(REQUIRED),
            code="empty-file",
        )

    tmp = Path(
        tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent if out.parent.is_dir() else None)
    )
    try:
        source_rows = []
        for key, (title, url, licence, year) in sorted(sources.items()):
            source_rows.append(
                "\n".join(
                    [
                        "[[source]]",
                        f"key = {_toml_str(key)}",
                        f"title = {_toml_str(title)}",
                        'publisher = "user-supplied"',
                        f"year = {year}",
                        f"url = {_toml_str(url)}",
                        f"license = {_toml_str(licence)}",
                        f"attribution = {_toml_str(title)}",
                    ]
                )
                + "\n"
            )
        files = {
            "sources.toml": "# Sources of an imported user factor set.\n\n" + "\n".join(source_rows)
        }
        for name_, rows in by_table.items():
            if rows:
                files[f"{name_}.toml"] = f"# Imported from {label}.\n\n" + "\n".join(rows)
        for file_name, text in files.items():
            (tmp / file_name).write_text(text, encoding="utf-8")
        manifest = [
            f"# User factor set imported from {label} by carbonfp factors import.",
            f"id = {_toml_str(name)}",
            f"version = {_toml_str(version)}",
            f"title = {_toml_str(f'{name} (imported from {label})')}",
            "",
            "[files]",
        ]
        for file_name in sorted(files):
            digest = hashlib.sha256((tmp / file_name).read_bytes()).hexdigest()
            manifest.append(f"{_toml_str(file_name)} = {_toml_str(digest)}")
        (tmp / "manifest.toml").write_text("\n".join(manifest) + "\n", encoding="utf-8")
        errors = validate_set(tmp)
        if errors:  # a bug in this writer, not in the user's file
            raise RuntimeError("imported set does not validate: " + "; ".join(map(str, errors)))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(seen)


def _fits(amount: str, unit: str) -> bool:
    from carbonfp.units import emission_scale

    try:
        emission_scale(amount, unit)
        return True
    except InputError:
        return False
