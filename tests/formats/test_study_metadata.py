"""Study metadata everywhere: the [declaration] study and verification keys are read, refused
when bad, the same from a project and from its long BOM, and every output carries them with the
label, the ruleset and the warnings; PACT claims a verification only for a verified declaration.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import replace
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from formats_support import EV, declared

from carbonfp.errors import CarbonfpError
from carbonfp.formats import render
from carbonfp.formats.common import mode_label
from carbonfp.inputs.project import load_project
from carbonfp.model import VERIFICATION_STATUSES, Declaration, DeclarationInfo, Issue
from carbonfp.pact_spec import check_v3

STUDY = {
    "study_date": "2026-02-15",
    "study_version": "2.1",
    "verification_status": "verified",
    "verifier": "Notified Body Testing (NB 9999)",
    "verification_statement_id": "VS-42",
}
#: The sample's [declaration] lines of these keys, replaced by the tests' own.
_KEYS = re.compile(
    r"^(study_date|study_version|verification_status|verifier|verification_statement_id)\b.*\n",
    re.MULTILINE,
)


def project_with(tmp_path: Path, lines: str) -> Path:
    """The EV sample copied to tmp_path, its [declaration] study keys replaced by ``lines``."""
    folder = tmp_path / "ev"
    shutil.copytree(EV.parent, folder)
    toml = folder / "battery.toml"
    text = _KEYS.sub("", toml.read_text(encoding="utf-8"))
    toml.write_text(text.replace("[declaration]\n", f"[declaration]\n{lines}\n", 1), "utf-8")
    return toml


def toml_lines(values: dict[str, str]) -> str:
    return "\n".join(
        f"{key} = {value}" if key == "study_date" else f"{key} = {json.dumps(value)}"
        for key, value in values.items()
    )


def with_study(
    decl: Declaration, mode: str = "declaration", gates: tuple[str, ...] = (), **values: object
) -> Declaration:
    """The declaration with ``values`` as its [declaration] study fields and a warning whose
    text a spreadsheet would take for a formula."""
    info = replace(DeclarationInfo(), **{**decl.project.declaration.__dict__, **values})
    warning = Issue("test-warning", "=1+1 is a formula", "battery.toml")
    return replace(
        decl,
        project=replace(decl.project, declaration=info),
        mode=mode,
        gate_failures=gates,
        warnings=(*decl.warnings, warning),
    )


def sample(**values: object) -> Declaration:
    decl, _ = declared(EV)
    given = {**STUDY, "study_date": date.fromisoformat(STUDY["study_date"])} | values
    return with_study(decl, **given)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


def test_the_project_reads_the_study_keys(tmp_path: Path) -> None:
    info = load_project(project_with(tmp_path, toml_lines(STUDY))).declaration
    assert info.study_date == date.fromisoformat(STUDY["study_date"])
    assert info.study_version == STUDY["study_version"]
    assert info.verification_status == STUDY["verification_status"]
    assert info.verifier == STUDY["verifier"]
    assert info.verification_statement_id == STUDY["verification_statement_id"]


def test_the_keys_are_optional(tmp_path: Path) -> None:
    info = load_project(project_with(tmp_path, "")).declaration
    assert (info.study_date, info.study_version, info.verification_status) == (None, None, None)
    assert (info.verifier, info.verification_statement_id) == (None, None)


@pytest.mark.parametrize(
    ("line", "key", "code", "says"),
    [
        ('verification_status = "done"', "verification_status", "invalid-value", "in progress"),
        ('verification_status = "Verified"', "verification_status", "invalid-value", "none"),
        ('study_date = "15.02.2026"', "study_date", "invalid-value", "YYYY-MM-DD"),
        ("study_date = 2026-02-15T10:00:00Z", "study_date", "wrong-type", "date"),
        ("study_date = 20260215", "study_date", "wrong-type", "date"),
        ('verification_status = "verified"', None, "missing-key", "verifier"),
        ("study_version = 2", "study_version", "wrong-type", "study_version"),
        ('study_auditor = "x"', "study_auditor", "unknown-key", "study_auditor"),
    ],
)
def test_bad_values_are_refused_naming_the_key(
    tmp_path: Path, line: str, key: str | None, code: str, says: str
) -> None:
    with pytest.raises(CarbonfpError) as caught:
        load_project(project_with(tmp_path, line))
    error = caught.value
    assert error.code == code
    assert says in str(error) + (error.hint or "")
    if key is not None:
        assert key in str(error.where) or key in str(error)


def test_an_invalid_status_names_every_choice(tmp_path: Path) -> None:
    with pytest.raises(CarbonfpError) as caught:
        load_project(project_with(tmp_path, 'verification_status = "maybe"'))
    for choice in VERIFICATION_STATUSES:
        assert f'"{choice}"' in str(caught.value)


def test_a_long_bom_gives_the_same_study_fields(tmp_path: Path) -> None:
    import carbonfp

    project = load_project(project_with(tmp_path, toml_lines(STUDY)))
    lines, batteries = carbonfp.flatten([project])
    (tmp_path / "lines.csv").write_text(lines, encoding="utf-8")
    (tmp_path / "batteries.csv").write_text(batteries, encoding="utf-8")
    header = next(csv.reader(io.StringIO(batteries)))
    assert {f"declaration.{k}" for k in STUDY} <= set(header)
    inputs = carbonfp.load_long_bom(tmp_path / "lines.csv", tmp_path / "batteries.csv")
    (outcome,) = carbonfp.calculate_many(inputs).outcomes
    assert outcome.declaration is not None
    assert outcome.declaration.project.declaration == project.declaration
    alone = carbonfp.calculate(project)
    from_bom = json.loads(render(outcome.declaration, "json").text)
    from_project = json.loads(render(alone, "json").text)
    for key in ("label", "declaration", "carbon_footprint"):
        assert from_bom[key] == from_project[key], key
    assert from_bom["declaration"]["verifier"] == STUDY["verifier"]


# --------------------------------------------------------------------------------------------
# every output
# --------------------------------------------------------------------------------------------


def expected_study(decl: Declaration) -> dict[str, str | None]:
    d = decl.project.declaration
    assert d.study_date is not None
    return {
        "study_date": d.study_date.isoformat(),
        "study_version": d.study_version,
        "verification_status": d.verification_status,
        "verifier": d.verifier,
        "verification_statement_id": d.verification_statement_id,
    }


def test_json_holds_the_fields_and_validates() -> None:
    from carbonfp.schemas import load_schema

    jsonschema = pytest.importorskip("jsonschema")
    decl = sample()
    record = json.loads(render(decl, "json").text)
    assert record["schema_version"] == "1.1"
    for key, value in expected_study(decl).items():
        assert record["declaration"][key] == value
    assert record["declaration"]["reference_period_start"] == "2025-01-01T00:00:00Z"
    assert record["label"] == mode_label(decl)
    assert record["provenance"]["ruleset_version"] == decl.provenance.ruleset_version
    assert record["warnings"][-1]["code"] == "test-warning"
    jsonschema.Draft202012Validator(load_schema("declaration")).validate(record)
    bad = {**record, "declaration": {**record["declaration"], "verification_status": "ok"}}
    assert not jsonschema.Draft202012Validator(load_schema("declaration")).is_valid(bad)


def test_text_shows_the_fields() -> None:
    decl = sample()
    text = render(decl, "text").text
    assert f"date {STUDY['study_date']}, version {STUDY['study_version']}" in text
    assert f"verified, by {STUDY['verifier']}, statement VS-42" in text
    assert "Reference period 2025-01-01T00:00:00Z to 2026-01-01T00:00:00Z" in text


def metadata_of(rows: list[list[str | None]]) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for _, key, value in rows:
        assert key is not None
        out.setdefault(key, []).append(value)
    return out


def expected_metadata(decl: Declaration) -> dict[str, object]:
    pv = decl.provenance
    return {
        "label": [mode_label(decl)],
        "mode": [decl.mode],
        "ruleset": [pv.ruleset],
        "ruleset_version": [str(pv.ruleset_version)],
        "ruleset_sha256": [pv.ruleset_sha256],
        "factor_set": [pv.factor_set],
        **{key: [value] for key, value in expected_study(decl).items()},
        "warning": [
            f"[{w.code}] {w.message}" + (f" ({w.where})" if w.where else "") for w in decl.warnings
        ],
    }


def test_csv_holds_metadata_rows_after_the_figures() -> None:
    decl = sample()
    rows = list(csv.reader(io.StringIO(render(decl, "csv").text)))
    stages = [r[1] for r in rows[1:]]
    first = stages.index("metadata")
    assert first > 0 and set(stages[first:]) == {"metadata"}  # after every figure
    meta = rows[first + 1 :]
    assert all(r[0] == decl.project.battery.model and r[4] == "" for r in meta)
    got = metadata_of([[r[0], r[2], r[3]] for r in meta])
    # the warning starting with "=" is text, not a formula
    want = expected_metadata(decl)
    want["warning"] = [
        ("'" + w if w.startswith("=") else w)  # type: ignore[union-attr]
        for w in want["warning"]  # type: ignore[attr-defined]
    ]
    for key, values in want.items():
        assert got[key] == values, key


def test_xlsx_has_a_metadata_sheet() -> None:
    pytest.importorskip("openpyxl")
    from carbonfp.formats.xlsx import read_sheets

    decl = sample()
    sheets = read_sheets(render(decl, "xlsx").content)  # type: ignore[arg-type]
    assert sheets["metadata"][0] == ["battery", "field", "value"]
    got = metadata_of(sheets["metadata"][1:])
    for key, values in expected_metadata(decl).items():
        assert got[key] == values, key
    assert all(r[1] != "metadata" for r in sheets["declaration"])


def test_several_declarations_keep_their_own_metadata_in_the_workbook() -> None:
    pytest.importorskip("openpyxl")
    from carbonfp.formats.xlsx import read_sheets

    one, two = sample(), sample(study_version="3.0", verification_status="none")
    sheets = read_sheets(render([one, two], "xlsx").content)  # type: ignore[arg-type]
    versions = [r[2] for r in sheets["metadata"][1:] if r[1] == "study_version"]
    assert versions == ["2.1", "3.0"]


def test_the_report_shows_the_fields() -> None:
    pytest.importorskip("matplotlib")
    decl = sample()
    html = render(decl, "html").text
    for key, value in expected_study(decl).items():
        found = re.search(rf'data-key="declaration\.{key}">([^<]*)<', html)
        assert found is not None, key
        assert unescape(found.group(1)) == value
    assert "test-warning" in html and unescape(mode_label(decl)) in unescape(html)


def test_the_passport_carries_the_study_under_carbonfp() -> None:
    decl = sample()
    data = json.loads(render(decl, "batterypass").text)
    meta = data["carbonfp"]
    assert meta["schemaVersion"] == "2.1"
    assert meta["label"] == mode_label(decl)
    assert meta["rulesetVersion"] == decl.provenance.ruleset_version
    assert meta["study"] == {
        "referencePeriodStart": "2025-01-01T00:00:00Z",
        "referencePeriodEnd": "2026-01-01T00:00:00Z",
        "studyDate": STUDY["study_date"],
        "studyVersion": STUDY["study_version"],
        "verificationStatus": "verified",
        "verifier": STUDY["verifier"],
        "verificationStatementId": STUDY["verification_statement_id"],
    }
    assert [w["code"] for w in meta["warnings"]] == [w.code for w in decl.warnings]
    # a screening result states its study, never a verification
    screening = json.loads(render(sample(mode="screening"), "batterypass").text)
    assert "verificationStatus" not in screening["carbonfp"]["study"]
    assert screening["carbonfp"]["study"]["studyDate"] == STUDY["study_date"]


def test_the_aas_submodel_carries_the_study() -> None:
    pytest.importorskip("basyx")
    decl = sample()
    env = json.loads(render(decl, "aas").text)
    (submodel,) = env["submodels"]
    extensions = {e["name"]: e.get("value") for e in submodel["extensions"]}
    assert extensions["carbonfp:label"] == mode_label(decl)
    assert extensions["carbonfp:study.verifier"] == STUDY["verifier"]
    assert extensions["carbonfp:study.studyDate"] == STUDY["study_date"]
    warnings = [v for k, v in extensions.items() if k.startswith("carbonfp:warning.")]
    assert len(warnings) == len(decl.warnings)


# --------------------------------------------------------------------------------------------
# PACT: a verification only for a verified declaration
# --------------------------------------------------------------------------------------------


def pact(decl: Declaration) -> dict[str, object]:
    data = json.loads(render(decl, "pact").text)
    assert check_v3(data) == []
    return data  # type: ignore[no-any-return]


def test_pact_declares_the_verification_of_a_verified_declaration() -> None:
    decl = sample()
    data = pact(decl)
    assert data["status"] == "Active"
    assert data["pcf"]["verification"] == {  # type: ignore[index]
        "coverage": "product level",
        "providerName": STUDY["verifier"],
        "completedAt": f"{STUDY['study_date']}T00:00:00Z",
    }
    extension = data["extensions"][0]["data"]  # type: ignore[index]
    assert extension["verificationStatementId"] == STUDY["verification_statement_id"]
    assert extension["studyVersion"] == STUDY["study_version"]


def test_pact_without_a_study_date_leaves_completed_at_out() -> None:
    data = pact(sample(study_date=None))
    assert data["pcf"]["verification"] == {  # type: ignore[index]
        "coverage": "product level",
        "providerName": STUDY["verifier"],
    }


@pytest.mark.parametrize(
    ("mode", "status", "gates"),
    [
        ("screening", "verified", ()),  # a screening result never claims a verification
        ("declaration", "verified", ("missing primary data",)),  # gates failed: Deprecated
        ("declaration", "in progress", ()),
        ("declaration", "none", ()),
        ("declaration", None, ()),
    ],
)
def test_pact_claims_no_verification_otherwise(
    mode: str, status: str | None, gates: tuple[str, ...]
) -> None:
    decl, _ = declared(EV)
    changed = with_study(
        decl,
        mode=mode,
        gates=gates,
        study_date=date(2026, 2, 15),
        verification_status=status,
        verifier=STUDY["verifier"],
    )
    data = pact(changed)
    assert "verification" not in data["pcf"]  # type: ignore[operator]
    extension = data["extensions"][0]["data"]  # type: ignore[index]
    if mode == "screening":
        assert "verificationStatus" not in extension and "verifier" not in extension
