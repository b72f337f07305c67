"""A supplier's Catena-X battery component footprint read as the factor of a BOM line.

A BOM line with ``factor_source = catenax:FILE.json`` (``factor`` empty) takes its factor from
a payload of the Catena-X aspect model ``io.catenax.pcf_for_battery_component_supplier`` 1.0.0
(Eclipse Tractus-X sldt-semantic-models, CC BY 4.0): a component's footprint per declared unit
(``CO2KG/KG`` or ``CO2KG/piece``), split into the four life-cycle stages of the battery
regulation, with its data quality rating. The checks are carbonfp's own code, written from the
published model (required fields, types, ranges, patterns), plus what carbonfp needs to use the
numbers: the four stages add up to ``absPcfValue`` (or to 100 when given as percentages, as
the model's descriptions also read), and the footprint is still valid at the end of the
declaration's reference period (no clock: never checked against today).

How the stages are used (README "Exchange formats"): stage 1 (raw material acquisition and
pre-processing) becomes the line's factor in the line's stage (raw materials unless the BOM
row names one); stage 2 (main product production) a second line of the same row in the
production stage, so a supplier's cell manufacturing lands where Annex II puts it. A BOM row
that names a stage takes stages 1 and 2 together in that stage. Stages 3 (distribution) and 4
(end of life and recycling) are not taken: carbonfp computes the battery's distribution and
end of life itself, from the project's transport legs and end-of-life data; the provenance
says what they were.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from carbonfp.errors import InputError, Location
from carbonfp.files import read_text
from carbonfp.inputs.fields import JsonFields, kind_of
from carbonfp.model import Stage, SuppliedFactor

#: The aspect model a footprint file holds a payload of.
ASPECT = (
    "urn:samm:io.catenax.pcf_for_battery_component_supplier:1.0.0#PcfForBatteryComponentSupplier"
)
MODEL_NAME = "PcfForBatteryComponentSupplier 1.0.0"
#: declaredUnit (the model's enumeration) -> the unit carbonfp reads the amount in, and the
#: unit of the line's factor.
DECLARED_UNITS = {"CO2KG/KG": ("kg", "kg CO2e/kg"), "CO2KG/piece": ("piece", "kg CO2e/piece")}
#: The stages of sharesPerStage, in the order of Annex II.
STAGE_FIELDS = (
    "stage1RawMaterialAquisitionPreProcessing",
    "stage2MainProductProduction",
    "stage3Distribution",
    "stage4EndOfLifeRecycling",
)
#: The aspect's required properties (the model's samm:properties without samm:optional).
REQUIRED = (
    "pcfValues",
    "secondaryEmissionFactorSources",
    "customerPartId",
    "technologicalRepresentativeness",
    "geographicalRepresentativeness",
    "timerelatedRepresentativeness",
    "dataQualityRating",
    "manufacturerPartId",
    "validityPeriod",
    "siteIdentifier",
    "legalidentifier",
    "productQualityParameter",
    "contentC02Metals",
)
DQI_FIELDS = (
    "technologicalRepresentativeness",
    "geographicalRepresentativeness",
    "timerelatedRepresentativeness",
    "dataQualityRating",
)
#: The four stages must add up to absPcfValue (or to 100 %) within this share: the numbers
#: are written rounded, each stage on its own.
SUM_TOLERANCE = 0.01

#: Business partner numbers, as the shared Catena-X traits define them (BPNS site, BPNL legal).
_BPNS = re.compile(r"^BPNS[a-zA-Z0-9]{12}$")
_BPNL = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
#: xsd:dateTime as SAMM's Timestamp characteristic writes it (the zone is optional).
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$"
)


@dataclass(frozen=True)
class ComponentFootprint:
    """What carbonfp takes from a supplier's footprint file (values per declared unit)."""

    manufacturer_part_id: str
    customer_part_id: str
    legal_id: str
    site_id: str
    declared_unit: str
    abs_value: float
    #: the four stages in kg CO2e per declared unit (percentages already converted)
    stage_values: tuple[float, float, float, float]
    #: "values" when the stages are given in the declared unit, "percent" when as shares
    stage_basis: str
    dqr: float
    representativeness: tuple[float, float, float]
    primary_data_share: float | None
    secondary_sources: tuple[str, ...]
    valid_from: datetime | None
    valid_to: datetime | None
    metals: tuple[str, ...]


@dataclass(frozen=True)
class ComponentFactors:
    """The factors of one BOM row: (stage, factor) for each line it becomes (stage None: the
    line's own stage or the ruleset's default), and the footprint's data quality rating."""

    parts: tuple[tuple[Stage | None, SuppliedFactor], ...]
    dqr: float


class _Checker(JsonFields):
    """A Catena-X payload's fields (numbers as JSON numbers, business partner numbers)."""

    def __init__(self, label: str, named_at: Location) -> None:
        super().__init__(
            label,
            named_at,
            scheme="catenax",
            code="invalid-catenax",
            required_by=f"the Catena-X model {MODEL_NAME}",
        )

    def obj(self, obj: dict[str, Any], field: str, path: str) -> dict[str, Any]:
        value = self.get(obj, field, path)
        if not isinstance(value, dict):
            raise self.fail(path, f"{path} must be a JSON object, got {kind_of(value)}")
        return value

    def number(
        self, obj: dict[str, Any], field: str, path: str, low: float, high: float = math.inf
    ) -> float:
        value = self.get(obj, field, path)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(
                path,
                f"{path} must be a JSON number, got {kind_of(value)}",
                hint="the model writes numbers as numbers, e.g. 3.14, not as text",
            )
        number = float(value)
        if not math.isfinite(number) or not low <= number <= high:
            bounds = f"at least {low:g}" if high == math.inf else f"from {low:g} to {high:g}"
            raise self.fail(path, f"{path} is {value!r}; the model allows {bounds}")
        return number

    def strings(self, obj: dict[str, Any], field: str, path: str, unique: bool) -> list[str]:
        value = self.get(obj, field, path)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(path, f"{path} must be a list of texts, got {kind_of(value)}")
        if unique and len(set(value)) != len(value):
            raise self.fail(path, f"{path} lists the same text twice; the model asks for a set")
        return value

    def pattern(self, obj: dict[str, Any], field: str, path: str, rule: re.Pattern[str]) -> str:
        value = self.text(obj, field, path)
        if not rule.match(value):
            raise self.fail(
                path,
                f"{path} {value!r} is not a business partner number",
                hint=f"write {rule.pattern[1:5]} and 12 letters or digits",
            )
        return value

    def timestamp(self, obj: dict[str, Any], field: str, path: str) -> datetime | None:
        if obj.get(field) is None:
            return None
        value = obj[field]
        moment = _parse_timestamp(value) if isinstance(value, str) else None
        if moment is None:
            raise self.fail(
                path,
                f"{path} {value!r} is not a date and time",
                hint='write e.g. "2026-01-01T00:00:00Z" (xsd:dateTime)',
            )
        return moment


def read_component_footprint(path: Path, label: str, named_at: Location) -> ComponentFootprint:
    """Read and check a supplier's footprint file, a payload of the Catena-X aspect model
    ``io.catenax.pcf_for_battery_component_supplier`` 1.0.0.

    Raises InputError (``invalid-catenax``, or the file's own ``missing-file``...) naming the
    file and the field: malformed JSON, a missing field, a wrong type, a value outside the
    model's range or pattern, stages that do not add up to ``absPcfValue``, a validity period
    that ends before it starts.
    """
    check = _Checker(label, named_at)
    text = read_text(path, label)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}",
            where=Location(label, exc.lineno, exc.colno),
            hint="a Catena-X footprint file holds one payload of the aspect model "
            f"{MODEL_NAME} as JSON; named at {named_at}",
            code="invalid-catenax",
        ) from exc
    if not isinstance(data, dict):
        raise check.fail(
            None,
            f"the file does not hold a payload of {MODEL_NAME} (a JSON object), but "
            f"{kind_of(data)}",
        )
    for field in REQUIRED:
        check.get(data, field, field)
    values = check.obj(data, "pcfValues", "pcfValues")
    shares = check.obj(values, "sharesPerStage", "pcfValues.sharesPerStage")
    prefix = "pcfValues.sharesPerStage."
    unit = check.text(shares, "declaredUnit", prefix + "declaredUnit")
    if unit not in DECLARED_UNITS:
        raise check.fail(
            prefix + "declaredUnit",
            f"declaredUnit {unit!r} is not one of the model's",
            hint="the model's declared units are " + " and ".join(DECLARED_UNITS),
        )
    abs_value = _stage(check, shares, "absPcfValue", prefix)
    given = tuple(_stage(check, shares, name, prefix) for name in STAGE_FIELDS)
    stages, basis = _stage_split(check, given, abs_value, prefix)
    for optional in ("pcfPerformanceClass", "webLinkToCarbonFootPrintStudy"):
        if values.get(optional) is not None and not isinstance(values[optional], str):
            raise check.fail(f"pcfValues.{optional}", f"pcfValues.{optional} must be text")
    sources = check.strings(
        data, "secondaryEmissionFactorSources", "secondaryEmissionFactorSources", unique=True
    )
    share = None
    if data.get("primaryDataShare") is not None:
        share = check.number(data, "primaryDataShare", "primaryDataShare", 0.0, 100.0)
    dqis = [check.number(data, name, name, 1.0, 5.0) for name in DQI_FIELDS]
    period = check.obj(data, "validityPeriod", "validityPeriod")
    valid_from = check.timestamp(period, "validFrom", "validityPeriod.validFrom")
    valid_to = check.timestamp(period, "validTo", "validityPeriod.validTo")
    if valid_from is not None and valid_to is not None and not valid_from < valid_to:
        raise check.fail("validityPeriod.validTo", "validityPeriod.validTo is not after validFrom")
    for name in ("productQualityParameter", "contentC02Metals"):
        check.strings(data, name, name, unique=False)
    return ComponentFootprint(
        manufacturer_part_id=check.text(data, "manufacturerPartId", "manufacturerPartId"),
        customer_part_id=check.text(data, "customerPartId", "customerPartId"),
        legal_id=check.pattern(data, "legalidentifier", "legalidentifier", _BPNL),
        site_id=check.pattern(data, "siteIdentifier", "siteIdentifier", _BPNS),
        declared_unit=unit,
        abs_value=abs_value,
        stage_values=stages,
        stage_basis=basis,
        dqr=dqis[3],
        representativeness=(dqis[0], dqis[1], dqis[2]),
        primary_data_share=share,
        secondary_sources=tuple(sources),
        valid_from=valid_from,
        valid_to=valid_to,
        metals=tuple(data["contentC02Metals"]),
    )


def component_factors(
    path: Path,
    label: str,
    line_unit: str,
    named_at: Location,
    period_end: datetime | None,
    *,
    stage_given: bool,
) -> ComponentFactors:
    """The factors a BOM row takes from a supplier's footprint file.

    Without a stage in the row: stage 1 per declared unit in the row's default stage, stage 2
    (when above 0) as a second line in production; with ``stage_given``: stages 1 and 2 added,
    in that stage. The line's unit must be a mass for ``CO2KG/KG`` and pieces for
    ``CO2KG/piece``. ``period_end`` is the end of the declaration's reference period: a
    footprint whose ``validityPeriod.validTo`` comes before it is refused.

    Raises InputError naming the file and field: an invalid file (see
    read_component_footprint), a unit that does not fit the line (``wrong-dimension``), an
    expired footprint, or a validTo with no reference period to check it against.
    """
    from carbonfp.units import dimension_name

    fp = read_component_footprint(path, label, named_at)
    check = _Checker(label, named_at)
    amount_unit, factor_unit = DECLARED_UNITS[fp.declared_unit]
    if dimension_name(line_unit, named_at) != dimension_name(amount_unit):
        raise InputError(
            f"the footprint is per {amount_unit} ({fp.declared_unit}), but the line's unit is "
            f"{line_unit!r}",
            where=Location(label, key="pcfValues.sharesPerStage.declaredUnit"),
            hint=f"named at {named_at}: give the line's quantity in "
            + ("a mass (kg, g, t)" if amount_unit == "kg" else "pieces (pcs)")
            + "; the model carries no mass per piece to convert with",
            code="wrong-dimension",
        )
    _check_validity(check, fp, period_end)
    raw, main, distribution, end_of_life = fp.stage_values
    basis = (
        f"stages as percentages of absPcfValue {fp.abs_value:g}"
        if fp.stage_basis == "percent"
        else f"absPcfValue {fp.abs_value:g}"
    )
    common = (
        f"Catena-X {label}: {MODEL_NAME}, supplier {fp.legal_id} site {fp.site_id}, "
        f"manufacturerPartId {fp.manufacturer_part_id} (customerPartId "
        f"{fp.customer_part_id}), kg CO2e per {amount_unit} ({basis})"
    )
    tail = (
        f"; stage3Distribution {distribution:g} and stage4EndOfLifeRecycling "
        f"{end_of_life:g} not taken (carbonfp computes the battery's distribution and end of "
        f"life); dataQualityRating {fp.dqr:g}"
        + (
            f", primaryDataShare {fp.primary_data_share:g} %"
            if fp.primary_data_share is not None
            else ""
        )
        + (
            "; secondaryEmissionFactorSources " + ", ".join(fp.secondary_sources)
            if fp.secondary_sources
            else ""
        )
        + ("; contentC02Metals " + " | ".join(fp.metals) if fp.metals else "")
        + f"; valid {_validity_text(fp)}"
    )
    if stage_given or main == 0:
        what = (
            f"stage1RawMaterialAquisitionPreProcessing {raw:g} + stage2MainProductProduction "
            f"{main:g}"
            if main
            else f"stage1RawMaterialAquisitionPreProcessing {raw:g}"
        )
        parts: tuple[tuple[Stage | None, SuppliedFactor], ...] = (
            (None, SuppliedFactor(raw + main, factor_unit, f"{common}: {what}{tail}")),
        )
    else:
        parts = (
            (
                None,
                SuppliedFactor(
                    raw,
                    factor_unit,
                    f"{common}: stage1RawMaterialAquisitionPreProcessing {raw:g} (stage2 "
                    f"{main:g} on its own line in production){tail}",
                ),
            ),
            (
                Stage.PRODUCTION,
                SuppliedFactor(
                    main,
                    factor_unit,
                    f"{common}: stage2MainProductProduction {main:g} (stage1 {raw:g} on its "
                    f"own line){tail}",
                ),
            ),
        )
    return ComponentFactors(parts, fp.dqr)


def _stage(check: _Checker, shares: dict[str, Any], name: str, prefix: str) -> float:
    entry = check.obj(shares, name, prefix + name)
    return check.number(entry, "stageValue", f"{prefix}{name}.stageValue", 0.0)


def _stage_split(
    check: _Checker, given: tuple[float, ...], abs_value: float, prefix: str
) -> tuple[tuple[float, float, float, float], str]:
    """The four stages in the declared unit, and how the file gave them.

    The model describes each stage both as "the percentage of the absolute PCF value" and as
    "the PCF value of the parent stage measured in the declared unit": the stages are read as
    values when they add up to absPcfValue, as percentages when they add up to 100, and the
    file is refused when they add up to neither (within SUM_TOLERANCE).
    """
    total = math.fsum(given)
    raw, main, distribution, end_of_life = given
    if abs(total - abs_value) <= SUM_TOLERANCE * abs_value:
        return (raw, main, distribution, end_of_life), "values"
    if abs(total - 100.0) <= SUM_TOLERANCE * 100.0:
        scale = abs_value / 100.0
        return (raw * scale, main * scale, distribution * scale, end_of_life * scale), "percent"
    raise check.fail(
        prefix + "absPcfValue",
        f"the four stages add up to {total:g}, neither absPcfValue ({abs_value:g}) nor 100 "
        "(percentages of it)",
        hint="ask the supplier for a footprint whose stages add up to its absolute value",
    )


def _check_validity(check: _Checker, fp: ComponentFootprint, period_end: datetime | None) -> None:
    """Refuse a footprint whose validity ends before the end of the reference period (no
    clock; a footprint without validTo never expires, as the model says)."""
    if fp.valid_to is None:
        return
    if period_end is None:
        raise check.fail(
            "validityPeriod.validTo",
            f"the footprint is valid {_validity_text(fp)}, and the declaration has no reference "
            "period to check that against",
            hint="add reference_period_start and reference_period_end to the project's "
            "[declaration] (end exclusive), e.g. 2025-01-01 and 2026-01-01",
        )
    if fp.valid_to < period_end:
        raise check.fail(
            "validityPeriod.validTo",
            f"the footprint expired: valid until {fp.valid_to:%Y-%m-%d %H:%M} UTC, before the "
            f"end of the declaration's reference period ({period_end:%Y-%m-%d})",
            hint="ask the supplier for a current footprint, valid until the end of the "
            "reference period at least",
        )


def _validity_text(fp: ComponentFootprint) -> str:
    start = f"from {fp.valid_from:%Y-%m-%d}" if fp.valid_from is not None else ""
    end = f"until {fp.valid_to:%Y-%m-%d}" if fp.valid_to is not None else ""
    return " ".join(p for p in (start, end) if p) or "at any time (no validity dates)"


def _parse_timestamp(text: str) -> datetime | None:
    """An xsd:dateTime as UTC (a time without a zone is read as UTC); None if it is none."""
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    extra = timedelta(0)
    if hour == 24 and minute == second == micro == 0:  # 24:00:00 is the end of the day
        hour, extra = 0, timedelta(days=1)
    zone = match.group(8)
    offset = timedelta(0)
    if zone and zone not in ("Z", "z"):
        hours, minutes = int(match.group(9)), int(match.group(10))
        if hours > 14 or minutes > 59 or (hours == 14 and minutes):
            return None
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)
    try:
        local = datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)
    except ValueError:
        return None
    return local + extra - offset
