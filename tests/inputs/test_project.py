"""The project file (battery.toml) and the energy and transport tables it names."""

from __future__ import annotations

import pytest
from support import ENERGY_TOML, TRANSPORT_TOML, WriteProject, render_project

from carbonfp.errors import InputError
from carbonfp.inputs.project import load_project
from carbonfp.model import BatteryCategory, LineKind, Stage


def load_error(path: object) -> InputError:
    with pytest.raises(InputError) as info:
        load_project(path)  # type: ignore[arg-type]
    return info.value


def test_battery_quantities_are_converted(write_project: WriteProject) -> None:
    project = load_project(
        write_project(
            battery={
                "usable_capacity": '"75000 Wh"',
                "mass": '"0,41 t"',
                "warranty_km": '"160000 km"',
                "annual_distance": '"15000 km"',
            }
        )
    )
    battery = project.battery
    assert battery.category is BatteryCategory.EV
    assert battery.usable_capacity_kwh == pytest.approx(75.0)
    assert battery.mass_kg == pytest.approx(410.0)
    assert battery.warranty_km == pytest.approx(160000.0)
    assert battery.annual_distance_km == pytest.approx(15000.0)


@pytest.mark.parametrize(
    ("battery", "code", "key"),
    [
        ({"usable_capacity": '"75"'}, "missing-unit", "battery.usable_capacity"),
        ({"usable_capacity": '"75 kg"'}, "wrong-dimension", "battery.usable_capacity"),
        ({"usable_capacity": '"0 kWh"'}, "not-positive", "battery.usable_capacity"),
        ({"mass": '"80 furlong"'}, "unknown-unit", "battery.mass"),
        ({"mass": None}, "missing-key", "battery"),
        ({"vehicle_category": None}, "missing-key", "battery"),
        ({"colour": '"red"'}, "unknown-key", "battery.colour"),
        ({"category": '"toy"'}, "invalid-value", "battery.category"),
        ({"warranty_years": '"8 years"'}, "not-a-number", "battery.warranty_years"),
    ],
)
def test_bad_battery_table(
    write_project: WriteProject, battery: dict[str, str | None], code: str, key: str
) -> None:
    error = load_error(write_project(battery=battery))
    assert error.code == code
    assert error.where is not None
    assert error.where.file == "battery.toml"
    assert error.where.key == key
    assert error.where.line is not None


def test_a_misspelt_key_names_the_key_it_was_meant_to_be(write_project: WriteProject) -> None:
    error = load_error(write_project(battery={"warranty_yeras": "8", "warranty_years": None}))
    assert error.code == "unknown-key"
    assert error.message == "unknown key 'warranty_yeras': did you mean 'warranty_years'?"
    assert error.hint is not None and error.hint.startswith("write 'warranty_years'")
    far = load_error(write_project(battery={"colour": '"red"'}))
    assert "did you mean" not in far.message and far.hint is not None
    assert far.hint.startswith("allowed keys here: ")


def test_country_must_be_an_iso_code(write_project: WriteProject) -> None:
    text = render_project().replace('country = "HU"', 'country = "Hungary"')
    error = load_error(write_project(project=text))
    assert error.where is not None and error.where.key == "plant.country"


def test_a_project_without_a_bom(write_project: WriteProject) -> None:
    text = render_project().replace('bom = "bom.csv"\n', "")
    error = load_error(write_project(project=text))
    assert error.code == "missing-key"


def test_inline_energy_and_transport(write_project: WriteProject) -> None:
    """Energy and transport tables may sit in battery.toml itself (the scooter sample does)."""
    text = render_project().replace('energy = "energy.toml"\ntransport = "transport.toml"\n', "")
    text += "\n" + ENERGY_TOML + "\n" + TRANSPORT_TOML
    inline = load_project(write_project(project=text))
    separate = load_project(write_project(write_project().parent.parent / "separate"))
    assert [(ln.kind, ln.factor_id, ln.quantity) for ln in inline.lines] == [
        (ln.kind, ln.factor_id, ln.quantity) for ln in separate.lines
    ]


def test_energy_per_kwh_of_capacity_uses_the_nominal_capacity(
    write_project: WriteProject,
) -> None:
    energy = ENERGY_TOML.replace('"per_battery"', '"per_kwh_capacity"').replace("100 kWh", "20 kWh")
    project = load_project(write_project(energy=energy, battery={"nominal_capacity": '"12.5 kWh"'}))
    (electricity,) = [ln for ln in project.lines if ln.kind is LineKind.ELECTRICITY]
    assert electricity.quantity == pytest.approx(20 * 12.5)
    assert electricity.factor_id == "grid-hu"


def test_transport_mass_battery_means_the_battery_mass(write_project: WriteProject) -> None:
    project = load_project(write_project())
    (leg,) = [ln for ln in project.lines if ln.kind is LineKind.TRANSPORT]
    assert leg.quantity == pytest.approx(0.080 * 500)
    assert leg.unit == "t*km"
    assert leg.stage is Stage.DISTRIBUTION


@pytest.mark.parametrize(
    ("transport", "code"),
    [
        (TRANSPORT_TOML.replace('stage = "distribution"\n', ""), "missing-key"),
        (TRANSPORT_TOML.replace('"500 km"', '"-500 km"'), "negative-quantity"),
        (TRANSPORT_TOML.replace('"500 km"', '"500 kg"'), "wrong-dimension"),
        (TRANSPORT_TOML.replace('"distribution"', '"production"'), "invalid-value"),
    ],
)
def test_bad_transport_legs(write_project: WriteProject, transport: str, code: str) -> None:
    error = load_error(write_project(transport=transport))
    assert error.code == code
    assert error.where is not None and error.where.file == "transport.toml"


@pytest.mark.parametrize(
    ("energy", "code"),
    [
        (ENERGY_TOML.replace('"100 kWh"', '"100 kg"'), "wrong-dimension"),
        (ENERGY_TOML.replace('"100 kWh"', '"-100 kWh"'), "negative-quantity"),
        (ENERGY_TOML.replace('basis = "per_battery"\n', ""), "missing-key"),
        (ENERGY_TOML + 'colour = "green"\n', "unknown-key"),
    ],
)
def test_bad_energy_blocks(write_project: WriteProject, energy: str, code: str) -> None:
    error = load_error(write_project(energy=energy))
    assert error.code == code
    assert error.where is not None and error.where.file == "energy.toml"
    assert error.where.line is not None


def test_vehicle_category_is_declared_as_written(write_project: WriteProject) -> None:
    """Regression: an L1e-B moped was declared as 'L1E-B'."""
    project = load_project(
        write_project(battery={"vehicle_category": '"L1e-B"', "category": '"LMT"'})
    )
    assert project.battery.vehicle_category == "L1e-B"
