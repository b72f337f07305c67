"""Plausibility bands by chemistry, and the declaration gate's role matching."""

from __future__ import annotations

import pytest

from carbonfp.data import load_factors, load_rules
from carbonfp.engine.calculate import calculate
from carbonfp.method.quality import band_applies, chemistry_key, mandatory_matches_of
from carbonfp.model import LineKind, SuppliedFactor
from tests.support import make_battery, make_line, make_project


def _pack(chemistry: str, copper_kg: float) -> list[str]:
    """Warning codes and messages of a 75 kWh pack with ``copper_kg`` of copper foil."""
    own = SuppliedFactor(7.0, "kg CO2e/kg", "supplier PCF")
    lines = [
        make_line("copper-foil", copper_kg, supplied=own, row=2),
        make_line("steel-sheet", 300.0, row=3),
    ]
    project = make_project(lines, make_battery(chemistry=chemistry))
    decl = calculate(project, load_factors(["carbonfp-open"]), load_rules("eu-ev-draft-2024-04"))
    return [f"{w.code}: {w.message}" for w in decl.warnings]


def test_a_lithium_ion_pack_short_of_copper_is_warned() -> None:
    warnings = _pack("NMC811", 75 * 0.05)
    (content,) = [w for w in warnings if w.startswith("implausible-material-content")]
    assert "Cu: 0.050 kg per kWh" in content


def test_a_sodium_ion_pack_is_not_held_to_lithium_ion_bands() -> None:
    """Sodium-ion packs have aluminium anode foil: the BatPaC copper band (lithium-ion packs)
    does not apply, and the declaration says which checks were not made."""
    warnings = _pack("SIB (layered oxide)", 75 * 0.05)
    assert not any(w.startswith("implausible-material-content") for w in warnings)
    assert not any(w.startswith("implausible-cradle-to-gate") for w in warnings)
    skipped = [w for w in warnings if w.startswith("no-plausibility-band")]
    assert len(skipped) == 2
    assert any("material content per kWh (Cu) not checked" in w for w in skipped)
    assert any("cradle-to-gate" in w and "'SIB (layered oxide)'" in w for w in skipped)


@pytest.mark.parametrize(
    ("given", "key"), [("NMC 811", "NMC811"), ("ncm-811", "NMC811"), ("LiFePO4", "LIFEPO4")]
)
def test_chemistries_compare_without_case_spaces_or_ncm(given: str, key: str) -> None:
    assert chemistry_key(given) == key


def test_a_band_with_no_chemistries_applies_to_all() -> None:
    assert band_applies((), "anything")
    assert band_applies(("NMC811",), "nmc 811")
    assert not band_applies(("NMC811", "LFP"), "LMFP")


def test_mandatory_items_match_roles_and_factor_ids_never_names() -> None:
    rules = load_rules("eu-ev-draft-2024-04")
    cam = "cathode active material and its precursor"
    assert mandatory_matches_of(LineKind.MATERIAL, "x", "cathode-active-material", rules) == [cam]
    assert mandatory_matches_of(LineKind.MATERIAL, "x", "cathode-precursor", rules) == [cam]
    # an energy role on a material line is still that role: the kinds decide which items
    assert mandatory_matches_of(LineKind.TRANSPORT, "x", "cathode-active-material", rules) == []
    assert mandatory_matches_of(LineKind.MATERIAL, "cam-nmc811", None, rules) == []
