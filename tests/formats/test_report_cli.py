"""`carbonfp report` on the command line: usage errors, the optional extras, gates, imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_support import EV, ok, read_page, report_html, run
from support import REPO, render_project

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_without_matplotlib_report_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    out = tmp_path / "report.html"
    result = run("report", EV, "-o", out)
    assert result.exit_code == 2, result.stderr
    assert "matplotlib" in result.stderr
    assert "pip install 'carbonfp[report]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "final"], "--mode must be screening or declaration"),
        (["--plant-country", "PL,SE", "--rules", "a", "--rules", "b"], "at most one thing"),
        (["--electricity-policy", "a", "--electricity-policy", "b"], "unknown --electricity"),
        (["--uncertainty", "1"], "--uncertainty"),
        (["-o", "/nonexistent/folder/report.html"], "does not exist"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run("report", EV, *args)
    assert result.exit_code == 2, (result.stdout[:200], result.stderr)
    assert message in result.stderr
    assert result.stdout == ""


def test_three_projects_are_refused() -> None:
    result = run("report", EV, EV, EV)
    assert result.exit_code == 2
    assert "one or two project files" in result.stderr


def test_a_bom_is_not_a_project() -> None:
    result = run("report", EV.parent / "bom.csv")
    assert result.exit_code == 2
    assert "is a BOM" in result.stderr


def test_declaration_mode_gate_exits_5_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run("report", EV, "--mode", "declaration", "-o", out)
    assert result.exit_code == 5
    assert "cell manufacturing" in result.stderr
    assert not out.exists()


#: End-of-life data that lets the tiny project pass the declaration-mode gate.
END_OF_LIFE = """
[end_of_life]
route = "test recycling"

[end_of_life.materials.cathode-active-material]
recycling = "10 kg CO2e/kg"
recycling_source = "test recycler"

[end_of_life.materials.aluminium]
recycling = "0.5 kg CO2e/kg"
recycling_source = "test recycler"

[end_of_life.materials.steel]
recycling = "0.4 kg CO2e/kg"
recycling_source = "test recycler"
"""


def test_mode_label_screening_by_default_declaration_on_request(write_project) -> None:  # type: ignore[no-untyped-def]
    project = write_project(project=render_project() + END_OF_LIFE)
    screening = read_page(report_html(project))
    label = [m.text for m in screening.marked if m.attrs["data-key"] == "label"]
    assert label[0] == "screening, not a declaration"
    html = report_html(project, "--mode", "declaration")
    label = [m.text for m in read_page(html).marked if m.attrs["data-key"] == "label"]
    assert label[0].startswith("declaration (eu-ev-draft-2024-04, draft)")
    assert '<body class="declaration">' in html
    assert "screening" not in label[0]


def test_factor_layers_are_listed_with_their_hashes(tmp_path: Path) -> None:
    layer = tmp_path / "acme"
    csv = tmp_path / "acme.csv"
    csv.write_text(
        "id,table,name,value,unit,source,license\n"
        "steel-sheet,materials,steel sheet (acme),2.5,kg CO2e/kg,acme,proprietary\n",
        encoding="utf-8",
    )
    imported = run("factors", "import", csv, "--name", "acme", "--version", "1", "--out", layer)
    if imported.exit_code != 0:
        pytest.skip(f"factors import does not take this table: {imported.stderr}")
    html = report_html(EV, "--factors", layer)
    keys = {m.attrs["data-key"] for m in read_page(html).marked}
    assert {"provenance.factor_layers[0].sha256", "provenance.factor_layers[1].sha256"} <= keys


def test_output_file_and_message(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = ok("report", EV, "--output", out)
    assert result.stderr == f"carbonfp: wrote {out}\n"
    assert out.read_text(encoding="utf-8") == report_html(EV)


def test_importing_the_cli_loads_no_heavy_library() -> None:
    """`carbonfp --help` stays fast: the report's libraries load inside the command."""
    code = (
        "import sys, carbonfp.cli\n"
        "heavy = ('pandas', 'numpy', 'pint', 'matplotlib')\n"
        "print(','.join(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


def test_help_names_the_extra_and_the_options() -> None:
    result = ok("report", "--help")
    for option in ("--output", "--rules", "--factor-set", "--factors", "--mode"):
        assert option in result.stdout
    for option in ("--plant-country", "--electricity-policy", "--uncertainty", "--seed"):
        assert option in result.stdout
    assert "carbonfp[report]" in result.stdout


def test_pyproject_has_the_report_extra() -> None:
    with (REPO / "pyproject.toml").open("rb") as handle:
        extras = tomllib.load(handle)["project"]["optional-dependencies"]
    assert any(dep.startswith("matplotlib") for dep in extras["report"])
    assert any(dep.startswith("matplotlib") for dep in extras["test"])


def test_readme_documents_the_report_and_its_screenshot() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "carbonfp report samples/ev-nmc811-hu/battery.toml" in readme
    assert "docs/ev-report.png" in readme
    shot = REPO / "docs" / "ev-report.png"
    assert shot.read_bytes().startswith(b"\x89PNG")
