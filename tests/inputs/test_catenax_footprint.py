"""Supplier data: a BOM line takes its factor from a supplier's Catena-X battery component
footprint (io.catenax.pcf_for_battery_component_supplier 1.0.0)."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from exchange_support import EV, declare, project_text, run
from support import BOM_CSV, SAMPLES, WriteProject

import carbonfp
from carbonfp.engine.calculate import calculate
from carbonfp.errors import InputError, Location
from carbonfp.inputs.catenax_footprint import (
    REQUIRED,
    STAGE_FIELDS,
    read_component_footprint,
)
from carbonfp.inputs.project import load_project
from carbonfp.model import DataType, Declaration, FactorSet, Ruleset, Stage

HERE = Path(__file__).resolve().parent
#: The published model's JSON Schema (tests/inputs/catenax/NOTICE.md): the reference the
#: checks in carbonfp/inputs/catenax_footprint.py are held to.
MODEL_SCHEMA = json.loads(
    (HERE / "catenax" / "PcfForBatteryComponentSupplier-schema.json").read_text()
)
SAMPLE = SAMPLES / "supplier-footprints" / "cam-nmc811.catenax.json"
PERIOD = "reference_period_start = 2025-01-01\nreference_period_end = 2026-01-01"
#: In-test stage values, kg CO2e per kg of component: they add up to ABS.
STAGES = {
    "stage1RawMaterialAquisitionPreProcessing": 2.0,
    "stage2MainProductProduction": 0.5,
    "stage3Distribution": 0.25,
    "stage4EndOfLifeRecycling": 0.25,
}
ABS = sum(STAGES.values())
SHARES = "pcfValues.sharesPerStage"
#: A supplier's footprint (every required field, validity to the end of 2026).
FOOTPRINT: dict[str, Any] = {
    "pcfValues": {
        "sharesPerStage": {
            "declaredUnit": "CO2KG/KG",
            "absPcfValue": {"stageValue": ABS},
            **{name: {"stageValue": value} for name, value in STAGES.items()},
        },
        "webLinkToCarbonFootPrintStudy": "https://example.com/separator-study.pdf",
    },
    "secondaryEmissionFactorSources": ["test database 1.0"],
    "primaryDataShare": 60.0,
    "customerPartId": "EXB-SEP-1",
    "manufacturerPartId": "SEP-20",
    "technologicalRepresentativeness": 2.0,
    "geographicalRepresentativeness": 1.5,
    "timerelatedRepresentativeness": 2.5,
    "dataQualityRating": 2.5,
    "validityPeriod": {"validFrom": "2025-01-01T00:00:00Z", "validTo": "2027-01-01T00:00:00Z"},
    "siteIdentifier": "BPNSTEST00000001",
    "legalidentifier": "BPNLTEST00000001",
    "productQualityParameter": ["wet-process PE film"],
    "contentC02Metals": [],
}
DELETE = object()


def footprint(**changes: Any) -> dict[str, Any]:
    """FOOTPRINT with changes: keys are dotted paths with '__' for '.', DELETE removes."""
    data = copy.deepcopy(FOOTPRINT)
    for key, value in changes.items():
        *parents, name = key.split("__")
        target = data
        for parent in parents:
            target = target[parent]
        if value is DELETE:
            del target[name]
        else:
            target[name] = value
    return data


def stage_value(name: str, value: Any) -> dict[str, Any]:
    return {f"pcfValues__sharesPerStage__{name}": {"stageValue": value}}


def write(
    write_project: WriteProject,
    line: str = "separator,separator,2,kg,,,catenax:sep.json",
    data: Any = None,
    declaration: str = PERIOD,
    raw: str | None = None,
) -> Path:
    text = raw if raw is not None else json.dumps(FOOTPRINT if data is None else data)
    return write_project(
        bom=BOM_CSV + line + "\n", project=project_text(declaration), files={"sep.json": text}
    )


def separator_lines(decl: Declaration) -> dict[Stage, float]:
    """kg CO2e of the separator's lines per stage."""
    found: dict[Stage, float] = {}
    for r in decl.lines:
        if r.line.component == "separator":
            found[r.stage] = found.get(r.stage, 0.0) + r.kg_co2e
    return found


def load_error(project_file: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_project(project_file)
    return info.value


def compute(path: Path, factors: FactorSet, rules: Ruleset) -> Declaration:
    return calculate(load_project(path), factors, rules)


# --- the factor a line takes ---------------------------------------------------------------


def test_stage_1_in_raw_materials_and_stage_2_in_production(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    decl = compute(write(write_project), tiny_factors, tiny_rules)
    s1, s2 = (
        STAGES["stage1RawMaterialAquisitionPreProcessing"],
        STAGES["stage2MainProductProduction"],
    )
    assert separator_lines(decl) == {
        Stage.RAW_MATERIALS: pytest.approx(2 * s1),
        Stage.PRODUCTION: pytest.approx(2 * s2),
    }


def test_distribution_and_end_of_life_are_not_taken(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    decl = compute(write(write_project), tiny_factors, tiny_rules)
    taken = sum(separator_lines(decl).values())
    s3, s4 = STAGES["stage3Distribution"], STAGES["stage4EndOfLifeRecycling"]
    assert taken == pytest.approx(2 * (ABS - s3 - s4))
    source = next(r.factor_source for r in decl.lines if r.line.component == "separator")
    assert f"stage3Distribution {s3:g} and stage4EndOfLifeRecycling {s4:g} not taken" in source


def test_a_stage_in_the_row_takes_stages_1_and_2_together(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    line = "separator,separator,2,kg,raw_materials,,catenax:sep.json"
    decl = compute(write(write_project, line), tiny_factors, tiny_rules)
    s1, s2 = (
        STAGES["stage1RawMaterialAquisitionPreProcessing"],
        STAGES["stage2MainProductProduction"],
    )
    assert separator_lines(decl) == {Stage.RAW_MATERIALS: pytest.approx(2 * (s1 + s2))}


def test_no_stage_2_gives_one_line(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    s1 = STAGES["stage1RawMaterialAquisitionPreProcessing"]
    data = footprint(
        **stage_value("stage2MainProductProduction", 0),
        **stage_value("absPcfValue", ABS - STAGES["stage2MainProductProduction"]),
    )
    decl = compute(write(write_project, data=data), tiny_factors, tiny_rules)
    assert separator_lines(decl) == {Stage.RAW_MATERIALS: pytest.approx(2 * s1)}


def test_grams_are_converted(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    line = "separator,separator,2000,g,,,catenax:sep.json"
    by_grams = separator_lines(compute(write(write_project, line), tiny_factors, tiny_rules))
    by_kg = separator_lines(compute(write(write_project), tiny_factors, tiny_rules))
    assert by_grams == {stage: pytest.approx(kg) for stage, kg in by_kg.items()}


def test_a_footprint_per_piece_on_a_line_in_pieces(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    data = footprint(pcfValues__sharesPerStage__declaredUnit="CO2KG/piece")
    line = "separator,separator,10,pcs,,,catenax:sep.json"
    decl = compute(write(write_project, line, data), tiny_factors, tiny_rules)
    assert separator_lines(decl)[Stage.RAW_MATERIALS] == pytest.approx(
        10 * STAGES["stage1RawMaterialAquisitionPreProcessing"]
    )


@pytest.mark.parametrize(
    ("unit", "line_unit"), [("CO2KG/KG", "pcs"), ("CO2KG/piece", "kg"), ("CO2KG/KG", "kWh")]
)
def test_a_unit_that_does_not_fit_the_line_is_refused(
    write_project: WriteProject, unit: str, line_unit: str
) -> None:
    data = footprint(pcfValues__sharesPerStage__declaredUnit=unit)
    path = write(write_project, f"separator,separator,2,{line_unit},,,catenax:sep.json", data)
    error = load_error(path)
    assert error.code == "wrong-dimension"
    assert error.where == Location("sep.json", key=f"{SHARES}.declaredUnit")


def test_stages_given_as_percentages_are_shares_of_the_absolute_value(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    percent = {name: 100 * value / ABS for name, value in STAGES.items()}
    changes: dict[str, Any] = {}
    for name, value in percent.items():
        changes.update(stage_value(name, value))
    decl = compute(write(write_project, data=footprint(**changes)), tiny_factors, tiny_rules)
    by_value = compute(write(write_project), tiny_factors, tiny_rules)
    assert separator_lines(decl) == {
        stage: pytest.approx(kg) for stage, kg in separator_lines(by_value).items()
    }
    source = next(r.factor_source for r in decl.lines if r.line.component == "separator")
    assert f"stages as percentages of absPcfValue {ABS:g}" in source


def test_stages_that_add_up_to_neither_are_refused(write_project: WriteProject) -> None:
    data = footprint(**stage_value("absPcfValue", 2 * ABS))
    error = load_error(write(write_project, data=data))
    assert error.code == "invalid-catenax"
    assert error.where == Location("sep.json", key=f"{SHARES}.absPcfValue")
    assert f"the four stages add up to {ABS:g}, neither absPcfValue ({2 * ABS:g})" in error.message


def test_the_line_is_supplier_specific_with_the_footprint_dqr(write_project: WriteProject) -> None:
    project = load_project(write(write_project))
    lines = [x for x in project.lines if x.component == "separator"]
    assert len(lines) == 2
    for line in lines:
        assert line.data_type is DataType.SUPPLIER
        assert line.dqr == FOOTPRINT["dataQualityRating"]
        assert line.supplied is not None and line.supplied.unit == "kg CO2e/kg"
    assert "sep.json" in dict(project.inputs)


def test_the_bom_dqr_wins_over_the_footprint(write_project: WriteProject) -> None:
    bom = BOM_CSV.replace("factor_source\n", "factor_source,dqr\n").replace("\n", ",\n")
    bom = bom.replace("factor_source,dqr,\n", "factor_source,dqr\n")
    path = write_project(
        bom=bom + "separator,separator,2,kg,,,catenax:sep.json,1.5\n",
        project=project_text(PERIOD),
        files={"sep.json": json.dumps(FOOTPRINT)},
    )
    lines = [x for x in load_project(path).lines if x.component == "separator"]
    assert [x.dqr for x in lines] == [1.5, 1.5]


def test_provenance_names_the_footprint(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    decl = compute(write(write_project), tiny_factors, tiny_rules)
    sources = [r.factor_source for r in decl.lines if r.line.component == "separator"]
    for source in sources:
        assert "Catena-X sep.json: PcfForBatteryComponentSupplier 1.0.0" in source
        assert "supplier BPNLTEST00000001 site BPNSTEST00000001" in source
        assert "manufacturerPartId SEP-20 (customerPartId EXB-SEP-1)" in source
        assert "dataQualityRating 2.5, primaryDataShare 60 %" in source
        assert "secondaryEmissionFactorSources test database 1.0" in source
        assert "valid from 2025-01-01 until 2027-01-01" in source
    assert "stage1RawMaterialAquisitionPreProcessing 2 (stage2 0.5 on its own line" in sources[0]
    assert "stage2MainProductProduction 0.5 (stage1 2 on its own line)" in sources[1]


def test_the_metals_text_is_kept_in_the_provenance(
    write_project: WriteProject, tiny_factors: FactorSet, tiny_rules: Ruleset
) -> None:
    metals = ["Material: Nickel, Specific Content: 50.5%", "Material: Cobalt, Specific Content: 6%"]
    decl = compute(
        write(write_project, data=footprint(contentC02Metals=metals)), tiny_factors, tiny_rules
    )
    source = next(r.factor_source for r in decl.lines if r.line.component == "separator")
    assert "contentC02Metals " + " | ".join(metals) in source


# --- validity: against the declaration's reference period, never the clock -----------------


def test_an_expired_footprint_is_refused(write_project: WriteProject) -> None:
    data = footprint(validityPeriod={"validTo": "2025-12-31T23:59:59Z"})
    error = load_error(write(write_project, data=data))
    assert error.code == "invalid-catenax"
    assert error.where == Location("sep.json", key="validityPeriod.validTo")
    assert "expired" in error.message and "(2026-01-01)" in error.message


def test_valid_until_the_end_of_the_period_is_enough(write_project: WriteProject) -> None:
    data = footprint(validityPeriod={"validTo": "2026-01-01T00:00:00Z"})
    assert load_project(write(write_project, data=data)).lines


def test_the_time_zone_counts(write_project: WriteProject) -> None:
    """00:30 at UTC+1 is 23:30 UTC the day before: before the end of the period."""
    data = footprint(validityPeriod={"validTo": "2026-01-01T00:30:00+01:00"})
    assert "expired" in load_error(write(write_project, data=data)).message
    data = footprint(validityPeriod={"validTo": "2026-01-01T00:30:00-01:00"})
    assert load_project(write(write_project, data=data)).lines


def test_without_dates_a_footprint_never_expires(write_project: WriteProject) -> None:
    data = footprint(validityPeriod={})
    assert load_project(write(write_project, data=data, declaration="")).lines


def test_a_validity_needs_a_reference_period(write_project: WriteProject) -> None:
    error = load_error(write(write_project, declaration=""))
    assert error.code == "invalid-catenax"
    assert "no reference period" in error.message
    assert error.hint is not None and "reference_period_end" in error.hint


def test_validity_that_ends_before_it_starts_is_refused(write_project: WriteProject) -> None:
    data = footprint(
        validityPeriod={"validFrom": "2027-01-01T00:00:00Z", "validTo": "2026-06-01T00:00:00Z"}
    )
    assert "is not after validFrom" in load_error(write(write_project, data=data)).message


# --- the checks, held to the published model ------------------------------------------------


def model_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft4Validator(MODEL_SCHEMA)
    return [e.message for e in validator.iter_errors(data)]


def carbonfp_error(data: Any, tmp_path: Path) -> InputError | None:
    path = tmp_path / "fp.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    try:
        read_component_footprint(path, "fp.json", Location("bom.csv", 6))
    except InputError as exc:
        return exc
    return None


#: Footprints the published schema refuses, each with the field carbonfp must name.
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    *((f"no {name}", footprint(**{name: DELETE}), name) for name in REQUIRED),
    *(
        (
            f"no {name}",
            footprint(**{f"pcfValues__sharesPerStage__{name}": DELETE}),
            f"{SHARES}.{name}",
        )
        for name in (*STAGE_FIELDS, "absPcfValue", "declaredUnit")
    ),
    ("no sharesPerStage", footprint(pcfValues={}), "pcfValues.sharesPerStage"),
    (
        "stage value as text",
        footprint(**stage_value("stage3Distribution", "0.25")),
        f"{SHARES}.stage3Distribution.stageValue",
    ),
    (
        "negative stage value",
        footprint(**stage_value("stage4EndOfLifeRecycling", -0.25)),
        f"{SHARES}.stage4EndOfLifeRecycling.stageValue",
    ),
    (
        "stage without stageValue",
        footprint(pcfValues__sharesPerStage__stage3Distribution={}),
        f"{SHARES}.stage3Distribution.stageValue",
    ),
    (
        "unknown declared unit",
        footprint(pcfValues__sharesPerStage__declaredUnit="kilogram"),
        f"{SHARES}.declaredUnit",
    ),
    ("DQR above 5", footprint(dataQualityRating=5.5), "dataQualityRating"),
    ("DQI below 1", footprint(timerelatedRepresentativeness=0), "timerelatedRepresentativeness"),
    (
        "DQI as text",
        footprint(geographicalRepresentativeness="2"),
        "geographicalRepresentativeness",
    ),
    ("share above 100", footprint(primaryDataShare=100.5), "primaryDataShare"),
    ("BPNL of a site", footprint(legalidentifier="BPNSTEST00000001"), "legalidentifier"),
    ("short BPNS", footprint(siteIdentifier="BPNSTEST"), "siteIdentifier"),
    (
        "repeated source",
        footprint(secondaryEmissionFactorSources=["a", "a"]),
        "secondaryEmissionFactorSources",
    ),
    (
        "sources not a list",
        footprint(secondaryEmissionFactorSources="a"),
        "secondaryEmissionFactorSources",
    ),
    ("metals not texts", footprint(contentC02Metals=[1]), "contentC02Metals"),
    (
        "validity as a date",
        footprint(validityPeriod={"validTo": "2027-01-01"}),
        "validityPeriod.validTo",
    ),
    ("part id a number", footprint(manufacturerPartId=20), "manufacturerPartId"),
    (
        "performance class a number",
        footprint(pcfValues__pcfPerformanceClass=1),
        "pcfValues.pcfPerformanceClass",
    ),
]


@pytest.mark.parametrize(("case", "data", "field"), REFUSED, ids=[c for c, _, _ in REFUSED])
def test_what_the_model_refuses_carbonfp_refuses_naming_the_field(
    case: str, data: dict[str, Any], field: str, tmp_path: Path
) -> None:
    assert model_errors(data) != [], f"{case}: the published schema accepts it"
    error = carbonfp_error(data, tmp_path)
    assert error is not None, f"{case}: carbonfp accepts it"
    assert error.code == "invalid-catenax"
    assert error.where == Location("fp.json", key=field)


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("the test footprint", FOOTPRINT),
    (
        "no optional field",
        footprint(primaryDataShare=DELETE, pcfValues__webLinkToCarbonFootPrintStudy=DELETE),
    ),
    ("no validity dates", footprint(validityPeriod={})),
    (
        "integers",
        footprint(
            dataQualityRating=2,
            **stage_value("stage3Distribution", 0),
            **stage_value("stage4EndOfLifeRecycling", 0),
            **stage_value("absPcfValue", 2.5),
        ),
    ),
    ("time without a zone", footprint(validityPeriod={"validTo": "2027-01-01T00:00:00"})),
    ("fraction and offset", footprint(validityPeriod={"validTo": "2027-01-01T00:00:00.187+01:00"})),
    ("the shipped sample", json.loads(SAMPLE.read_text(encoding="utf-8"))),
]


@pytest.mark.parametrize(("case", "data"), ACCEPTED, ids=[c for c, _ in ACCEPTED])
def test_what_the_model_accepts_carbonfp_reads(
    case: str, data: dict[str, Any], tmp_path: Path
) -> None:
    assert model_errors(data) == []
    assert carbonfp_error(data, tmp_path) is None


def test_the_test_schema_is_the_published_file() -> None:
    """The schema the checks are held to is the model's, unchanged (its git blob id)."""
    import hashlib

    data = (HERE / "catenax" / "PcfForBatteryComponentSupplier-schema.json").read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert blob == "1abae3007a4afc40847bcd0058f446af2fedf4a9"
    assert MODEL_SCHEMA["x-samm-aspect-model-urn"].startswith(
        "urn:samm:io.catenax.pcf_for_battery_component_supplier:1.0.0#"
    )
    assert tuple(MODEL_SCHEMA["required"]) == REQUIRED


def test_malformed_json_names_line_and_column(write_project: WriteProject) -> None:
    error = load_error(write(write_project, raw='{\n  "pcfValues": }\n'))
    assert error.code == "invalid-catenax"
    assert error.where is not None and (error.where.line, error.where.column) == (2, 16)


def test_a_list_is_not_a_footprint(write_project: WriteProject) -> None:
    error = load_error(write(write_project, data=[FOOTPRINT]))
    assert error.code == "invalid-catenax" and "a list" in error.message


def test_missing_file(write_project: WriteProject) -> None:
    path = write(write_project, "separator,separator,2,kg,,,catenax:other.json")
    assert load_error(path).code == "missing-file"


def test_factor_and_catenax_file_together_are_refused(write_project: WriteProject) -> None:
    path = write(write_project, "separator,separator,2,kg,,2 kg CO2e/kg,catenax:sep.json")
    error = load_error(path)
    assert error.code == "invalid-value" and "not both" in error.message


def test_catenax_without_a_file_is_refused(write_project: WriteProject) -> None:
    error = load_error(write(write_project, "separator,separator,2,kg,,,catenax:"))
    assert error.code == "missing-value"


def test_cli_error_names_file_and_field_and_writes_nothing(
    write_project: WriteProject, tmp_path: Path
) -> None:
    path = write(write_project, data=footprint(dataQualityRating=7))
    out = tmp_path / "out.json"
    result = run("calc", path, "-o", out)
    assert result.exit_code == 3
    assert not out.exists()
    first, hint = result.stderr.splitlines()[:2]
    assert first == (
        "carbonfp: error: dataQualityRating is 7; the model allows from 1 to 5 "
        "(sep.json [dataQualityRating])"
    )
    assert hint.startswith("hint: ") and "bom.csv:6" in hint


def test_a_long_bom_refuses_a_catenax_file(tmp_path: Path) -> None:
    from carbonfp.inputs.long_bom import LongBom  # noqa: F401  (the reader the CLI uses)

    lines = tmp_path / "lines.csv"
    batteries = tmp_path / "batteries.csv"
    shutil.copy(SAMPLES / "variants" / "batteries.csv", batteries)
    with (SAMPLES / "variants" / "variants.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    column = header.index("factor_source")
    row = next(r for r in rows[1:] if r[header.index("factor")])
    row[column] = "catenax:cam.json"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    lines.write_text(buffer.getvalue(), encoding="utf-8")
    result = run("calc", lines, "--batteries", batteries)
    assert result.exit_code == 3
    assert "not a catenax: footprint file" in result.stderr


# --- the shipped sample: the same declaration as the factor written inline -------------------


def test_the_sample_footprint_gives_the_inline_declaration(tmp_path: Path) -> None:
    """The EV sample's cathode line with the shipped Catena-X file instead of its inline
    supplier factor (the same 22.0 kg CO2e/kg, all in stage 1, DQR 2): every figure equal."""
    work = tmp_path / "ev"
    shutil.copytree(EV.parent, work)
    shutil.copy(SAMPLE, work / SAMPLE.name)
    cells = (work / "cell.csv").read_text(encoding="utf-8")
    inline = "22.0 kg CO2e/kg,illustrative supplier PCF (sample data),supplier,2,"
    assert cells.count(inline) == 1
    (work / "cell.csv").write_text(
        cells.replace(inline, f",catenax:{SAMPLE.name},,,"), encoding="utf-8"
    )
    expected, _ = declare(EV)
    got = carbonfp.calculate(carbonfp.load_project(work / "battery.toml"))
    assert got.total_kg_co2e_per_kwh == expected.total_kg_co2e_per_kwh
    assert [s.kg_co2e for s in got.stages] == [s.kg_co2e for s in expected.stages]
    assert got.quality == expected.quality
    (line,) = [r for r in got.lines if r.factor_source.startswith("supplier: Catena-X")]
    assert line.line.dqr == 2 and line.factor_value == 22.0


def test_flatten_keeps_both_lines(tmp_path: Path) -> None:
    """A project whose footprint has a stage 2, flattened to a long BOM and computed again:
    the same figures (the long BOM holds the two lines with their factor values)."""
    work = tmp_path / "ev"
    shutil.copytree(EV.parent, work)
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    shares = data["pcfValues"]["sharesPerStage"]
    shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"] = 18.0
    shares["stage2MainProductProduction"]["stageValue"] = 4.0
    (work / "cam.json").write_text(json.dumps(data), encoding="utf-8")
    cells = (work / "cell.csv").read_text(encoding="utf-8")
    inline = "22.0 kg CO2e/kg,illustrative supplier PCF (sample data),supplier,2,"
    (work / "cell.csv").write_text(cells.replace(inline, ",catenax:cam.json,,,"), encoding="utf-8")
    project = json.loads(run("calc", work / "battery.toml", "-f", "json", "-q").stdout)
    lines = [x for x in project["lines"] if x["component"].startswith("cells (x96) > cathode")]
    assert [(x["stage"], x["factor_value"]) for x in lines] == [
        ("raw_materials", 18.0),
        ("production", 4.0),
    ]
    flat = tmp_path / "flat"
    assert run("flatten", work, "-o", flat, "-q").exit_code == 0
    again = run(
        "calc", flat / "lines.csv", "--batteries", flat / "batteries.csv", "-f", "json", "-q"
    )
    assert again.exit_code == 0, again.stderr
    figures = json.loads(again.stdout)["carbon_footprint"]
    assert figures == project["carbon_footprint"]
