"""The error catalogue: every code carbonfp raises is catalogued once, for one class and so one
exit code; every error carbonfp creates passes its code; docs/errors.md is the catalogue; the
command line reports each error with the code and exit code the catalogue gives.

The checks of the package's source read it with ``ast`` (no hand-kept list of codes or sites):
each check is also run on a small made-up source, to show that it can fail.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import REPO, SAMPLES, write_project_files
from typer.testing import CliRunner, Result

from carbonfp.cli import app
from carbonfp.cli.boundary import error_record
from carbonfp.errors import (
    CATALOGUE,
    DOCS_COMMAND,
    DOCS_PATH,
    EXAMPLE,
    EXIT_MEANINGS,
    CarbonfpError,
    ExitCode,
    FactorDataError,
    GateError,
    InputError,
    Location,
    UsageError,
    check_code,
    code_for,
    errors_markdown,
)
from carbonfp.files import TomlTable, load_toml, read_text

PACKAGE = REPO / "carbonfp"
SAMPLE = SAMPLES / "ev-nmc811-hu" / "battery.toml"
CLASSES = {
    cls.__name__: cls for cls in (CarbonfpError, InputError, FactorDataError, UsageError, GateError)
}

#: Error constructions that need not pass ``code=``, each with the reason.
NO_CODE_NEEDED: dict[tuple[str, str], str] = {
    ("carbonfp/inputs/pact_footprint.py", "self.fail"): "_Reader.fail gives every problem of a "
    "supplier's PACT file the code invalid-pact itself",
    ("carbonfp/inputs/pact_footprint.py", "reader.fail"): "the same _Reader.fail",
    ("carbonfp/inputs/catenax_footprint.py", "self.fail"): "_Checker.fail gives every problem "
    "of a supplier's Catena-X file the code invalid-catenax itself",
    ("carbonfp/inputs/catenax_footprint.py", "check.fail"): "the same _Checker.fail",
    ("carbonfp/inputs/fields.py", "self.fail"): "JsonFields.fail gives each problem of a "
    "supplier's file its reader's code (invalid-pact, invalid-catenax)",
}


# --- Reading the package: error constructions and code literals -------------------------------


@dataclass(frozen=True)
class Site:
    """One place that creates an error: ``InputError(...)``, ``table.fail(...)``, ``error(...)``."""

    file: str
    line: int
    callee: str
    #: the error class the callee names, None where only the running code knows it
    cls: str | None
    has_code: bool
    literal: str | None  # the code, where it is a string literal

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.callee}(...)"


@dataclass
class Scan:
    sites: list[Site] = field(default_factory=list)
    #: every code written as a literal: in code=, code_for(), a class default, a comparison
    literals: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: class name -> its default code (``code = "..."`` in the class body)
    defaults: dict[str, str] = field(default_factory=dict)
    #: class name -> the error class it derives from
    bases: dict[str, str] = field(default_factory=dict)


def _error_classes(trees: dict[str, ast.Module]) -> dict[str, str]:
    """Every error class in the sources, with the error class it derives from."""
    known = {name: cls.__bases__[0].__name__ for name, cls in CLASSES.items()}
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in known:
                    for base in node.bases:
                        if isinstance(base, ast.Name) and base.id in known:
                            known[node.name] = base.id
                            changed = True
    return known


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _callee(call: ast.Call, classes: set[str], type_params: set[str]) -> tuple[str, str | None]:
    """(name, class) of a call that creates an error, or ("", None)."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in classes:
        return func.id, func.id
    if isinstance(func, ast.Name) and func.id in type_params:
        return func.id, None
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "error"
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    ):
        return "self.error", None
    if isinstance(func, ast.Attribute) and func.attr == "fail":
        return ast.unparse(func), None
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "type":
        return ast.unparse(func), None
    return "", None


def scan_sources(sources: dict[str, str]) -> Scan:
    """Find the error constructions and code literals in ``sources`` (file name -> text)."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    result = Scan(bases=_error_classes(trees))
    classes = set(result.bases)
    for name, tree in trees.items():
        handlers = {n.name for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler) and n.name}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                for item in node.body:
                    if (
                        isinstance(item, (ast.Assign, ast.AnnAssign))
                        and "code" in [ast.unparse(t) for t in _targets(item)]
                        and (value := _string(item.value)) is not None
                    ):
                        result.defaults[node.name] = value
                        result.literals[value].append(f"{name}:{item.lineno}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _scan_function(node, name, classes, result)
            elif isinstance(node, ast.Compare):
                _scan_compare(node, name, handlers, result)
    return result


def _targets(item: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return item.targets if isinstance(item, ast.Assign) else [item.target]


def _scan_function(
    function: ast.FunctionDef | ast.AsyncFunctionDef, name: str, classes: set[str], result: Scan
) -> None:
    args = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    type_params = set()  # parameters that hold an error class: error: type[CarbonfpError]
    for arg in args:
        annotation = ast.unparse(arg.annotation).replace(" ", "") if arg.annotation else ""
        match = re.fullmatch(r"type\[(\w+)\]", annotation)
        if match and match.group(1) in classes:
            type_params.add(arg.arg)
    positional = [*function.args.posonlyargs, *function.args.args]
    with_default = positional[len(positional) - len(function.args.defaults) :]
    named = list(zip(with_default, function.args.defaults, strict=True))
    named += list(zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True))
    for arg, default in named:
        if arg.arg == "code" and (value := _string(default)) is not None:
            result.literals[value].append(f"{name}:{function.lineno}")
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_code_for = isinstance(func, ast.Name) and func.id == "code_for"
        if is_code_for and len(node.args) > 1 and (value := _string(node.args[1])) is not None:
            result.literals[value].append(f"{name}:{node.lineno}")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        literal = _string(keywords.get("code"))
        is_issue = isinstance(func, ast.Name) and func.id == "Issue"
        if literal is not None and not is_issue:
            result.literals[literal].append(f"{name}:{node.lineno}")
        callee, cls = _callee(node, classes, type_params)
        if callee:
            site = Site(name, node.lineno, callee, cls, "code" in keywords, literal)
            if site not in result.sites:  # nested functions are walked twice
                result.sites.append(site)


def _scan_compare(node: ast.Compare, name: str, handlers: set[str], result: Scan) -> None:
    """``exc.code == "missing-source"`` where ``exc`` is caught: a code carbonfp raises."""
    left = node.left
    if not (
        isinstance(left, ast.Attribute)
        and left.attr == "code"
        and isinstance(left.value, ast.Name)
        and left.value.id in handlers
    ):
        return
    for comparator in node.comparators:
        items = comparator.elts if isinstance(comparator, (ast.Tuple, ast.List, ast.Set)) else []
        for item in [comparator, *items]:
            if (value := _string(item)) is not None:
                result.literals[value].append(f"{name}:{node.lineno}")


def package_scan() -> Scan:
    return scan_sources(
        {
            path.relative_to(REPO).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.rglob("*.py"))
        }
    )


@pytest.fixture(scope="module")
def scan() -> Scan:
    return package_scan()


# --- What the checks report ------------------------------------------------------------------


def uncatalogued(scan: Scan) -> list[str]:
    return sorted(
        f"{code} ({', '.join(places)})"
        for code, places in scan.literals.items()
        if code not in CATALOGUE
    )


def unused(scan: Scan) -> list[str]:
    """Catalogued codes nothing raises: neither written anywhere, nor reached by code_for()
    from a code that is."""
    return sorted(
        e.code
        for e in CATALOGUE.values()
        if e.code not in scan.literals and (e.same_as is None or e.same_as not in scan.literals)
    )


def without_code(scan: Scan) -> list[str]:
    return [
        str(s) for s in scan.sites if not s.has_code and (s.file, s.callee) not in NO_CODE_NEEDED
    ]


def _ancestors(scan: Scan, cls: str) -> list[str]:
    chain = [cls]
    while chain[-1] in scan.bases and scan.bases[chain[-1]] in scan.bases:
        chain.append(scan.bases[chain[-1]])
    return chain


def classes_of_codes(scan: Scan) -> dict[str, set[str]]:
    """Code literal -> the error classes that raise it, where the source names the class."""
    found: dict[str, set[str]] = defaultdict(set)
    for site in scan.sites:
        if site.cls is not None and site.literal is not None:
            found[site.literal].add(site.cls)
    for cls, code in scan.defaults.items():
        found[code].add(cls)
    return found


def shared_codes(scan: Scan) -> list[str]:
    """Codes raised by two different error classes."""
    return sorted(
        f"{code}: {', '.join(sorted(classes))}"
        for code, classes in classes_of_codes(scan).items()
        if len(classes) > 1
    )


def misfiled_codes(scan: Scan) -> list[str]:
    """Codes raised by a class other than the one the catalogue gives them."""
    wrong = []
    for code, classes in classes_of_codes(scan).items():
        entry = CATALOGUE.get(code)
        for cls in classes:
            if entry is not None and entry.error.__name__ not in _ancestors(scan, cls):
                wrong.append(f"{code}: raised as {cls}, catalogued for {entry.error.__name__}")
    return sorted(wrong)


def test_the_package_is_scanned(scan: Scan) -> None:
    """The scan sees what it should: error classes, direct and dynamic sites, literals."""
    assert set(CLASSES) <= set(scan.bases)
    assert len(scan.sites) > 200
    callees = {s.callee for s in scan.sites}
    assert {"InputError", "FactorDataError", "UsageError", "GateError"} <= callees
    assert {"error", "self.error"} <= callees  # read_text's class parameter, TomlTable.error
    assert any(c.endswith(".fail") for c in callees)
    assert scan.defaults == {name: cls.code for name, cls in CLASSES.items()}
    assert "missing-source" in scan.literals  # only ever compared: exc.code == "missing-source"


def test_every_code_carbonfp_writes_is_catalogued(scan: Scan) -> None:
    assert uncatalogued(scan) == [], "add these codes to carbonfp.errors.CATALOGUE"


def test_every_catalogued_code_is_raised_somewhere(scan: Scan) -> None:
    assert unused(scan) == [], "remove these codes from the catalogue, or raise them"


def test_every_error_carbonfp_creates_passes_a_code(scan: Scan) -> None:
    assert without_code(scan) == [], "pass code= (a catalogued code) at each of these"


def test_no_code_is_raised_by_two_classes(scan: Scan) -> None:
    assert shared_codes(scan) == []
    assert misfiled_codes(scan) == []


def test_a_fail_code_fits_the_class_of_its_tables(scan: Scan) -> None:
    """``table.fail(..., code=...)`` raises the class of its table: FactorDataError for the
    factor sets and rulesets read in carbonfp/data/, InputError elsewhere. Its code is one of
    that class, or a user-input code that code_for() turns into one."""
    wrong = []
    for site in scan.sites:
        if site.callee.endswith(".fail") and site.literal is not None:
            cls = FactorDataError if site.file.startswith("carbonfp/data/") else InputError
            try:
                code_for(cls, site.literal)
            except ValueError as exc:
                wrong.append(f"{site}: {exc}")
    assert wrong == []


def test_the_exceptions_still_exist(scan: Scan) -> None:
    """An exception of NO_CODE_NEEDED that matches nothing any more is removed from the list."""
    used = {(s.file, s.callee) for s in scan.sites}
    assert set(NO_CODE_NEEDED) <= used


MADE_UP = """
class BomError(InputError):
    code = "bom-default"

def read(path, error: type[CarbonfpError], table):
    try:
        parse(path)
    except InputError as exc:
        if exc.code in ("compared-code", "missing-key"):
            raise
    raise InputError("no code")
    raise UsageError("shared", code="shared-code")
    raise InputError("shared", code="shared-code")
    raise GateError("filed", code="missing-key")
    raise error("dynamic")
    raise table.fail("key", "message")
    raise type(exc)(exc.message, code=exc.code)
    raise BomError("fine", code="missing-column")
    Issue("a-warning", "not an error", None)
    Issue(code="another-warning", message="nor this")
"""


def test_the_checks_can_fail() -> None:
    made_up = scan_sources({"made_up.py": MADE_UP})
    assert made_up.bases["BomError"] == "InputError"
    assert made_up.defaults == {"BomError": "bom-default"}
    assert uncatalogued(made_up) == [
        "bom-default (made_up.py:3)",
        "compared-code (made_up.py:9)",
        "shared-code (made_up.py:12, made_up.py:13)",
    ]
    assert without_code(made_up) == [
        "made_up.py:11 InputError(...)",
        "made_up.py:15 error(...)",
        "made_up.py:16 table.fail(...)",
    ]
    assert shared_codes(made_up) == ["shared-code: InputError, UsageError"]
    assert misfiled_codes(made_up) == [
        "missing-key: raised as GateError, catalogued for InputError"
    ]
    assert "missing-column" not in unused(made_up) and "cannot-write" in unused(made_up)


# --- The catalogue ----------------------------------------------------------------------------


def test_each_class_has_its_exit_code() -> None:
    assert {name: cls.exit_code for name, cls in CLASSES.items()} == {
        "CarbonfpError": ExitCode.INTERNAL,
        "InputError": ExitCode.INPUT,
        "FactorDataError": ExitCode.FACTOR_DATA,
        "UsageError": ExitCode.USAGE,
        "GateError": ExitCode.GATE,
    }
    assert set(EXIT_MEANINGS) == set(ExitCode)
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 130]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_an_entry_is_plain_and_complete(code: str) -> None:
    entry = CATALOGUE[code]
    assert entry.code == code
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
    assert entry.error in CLASSES.values()
    assert entry.exit_code == entry.error.exit_code
    assert entry.meaning.strip() and "\n" not in entry.meaning
    assert entry.fix is None or (entry.fix.strip() and "\n" not in entry.fix)
    if entry.code != entry.error.code:  # a precise code says how to fix it
        assert entry.fix, code
    if entry.same_as is not None:
        same = CATALOGUE[entry.same_as]
        assert same.exit_code != entry.exit_code and entry.same_as != code
        assert code == "factor-data-" + entry.same_as
    # an error of the class can carry the code, and carries its exit code
    error = entry.error("message", code=code)
    assert (error.code, error.exit_code) == (code, entry.exit_code)


def test_each_class_default_is_catalogued_for_it() -> None:
    for cls in CLASSES.values():
        error = cls("message")
        assert error.code == cls.code
        assert CATALOGUE[cls.code].error is cls


# --- The enforcement: an uncatalogued code, or another class's code, is a bug ------------------


def test_an_uncatalogued_code_cannot_be_raised() -> None:
    with pytest.raises(ValueError, match="'no-such-code' is not in the catalogue"):
        InputError("message", code="no-such-code")


@pytest.mark.parametrize(
    ("cls", "code"),
    [
        (InputError, "cannot-write"),  # a usage code
        (UsageError, "missing-key"),  # an input code
        (FactorDataError, "missing-key"),  # factor data has factor-data-missing-key
        (InputError, "factor-data-missing-key"),
        (GateError, "invalid-option"),
        (InputError, "error"),  # the base class's default: exit 1, not 3
        (CarbonfpError, "invalid-input"),
    ],
)
def test_a_code_of_another_class_cannot_be_raised(cls: type[CarbonfpError], code: str) -> None:
    with pytest.raises(ValueError, match=f"{code!r} is catalogued for"):
        cls("message", code=code)
    with pytest.raises(ValueError):
        check_code(cls, code)


def test_a_subclass_raises_the_codes_of_its_class() -> None:
    class BomError(InputError):
        pass

    assert BomError("message", code="missing-column").exit_code == ExitCode.INPUT
    with pytest.raises(ValueError):
        BomError("message", code="hash-mismatch")


def test_a_bad_code_is_reported_as_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ValueError from the check goes through the boundary as an internal error (exit 1)."""
    import carbonfp.api

    def broken(*args: object, **kwargs: object) -> None:
        raise InputError("simulated", code="no-such-code")

    monkeypatch.setattr(carbonfp.api, "calculate_many", broken)
    result = CliRunner().invoke(app, ["calc", str(SAMPLE)])
    assert result.exit_code == ExitCode.INTERNAL
    assert "internal error: ValueError" in result.stderr and "no-such-code" in result.stderr


def test_an_error_keeps_its_fields_through_pickle() -> None:
    """Errors cross process boundaries (the Dask executor): the check does not get in the way."""
    error = FactorDataError(
        "changed",
        where=Location("materials.toml", 3, key="id"),
        hint="restore",
        code="hash-mismatch",
    ).with_related([FactorDataError("also", code="unlisted-file")])
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.where, copy.hint) == (
        "hash-mismatch",
        "changed",
        Location("materials.toml", 3, key="id"),
        "restore",
    )
    assert [r.code for r in copy.related] == ["unlisted-file"]
    assert str(copy) == "changed (materials.toml:3 [id])"


# --- The shared readers give each class its own codes -------------------------------------------


def test_code_for_maps_a_problem_to_the_code_of_the_class() -> None:
    assert code_for(InputError, "missing-key") == "missing-key"
    assert code_for(FactorDataError, "missing-key") == "factor-data-missing-key"
    assert code_for(FactorDataError, "hash-mismatch") == "hash-mismatch"
    assert code_for(FactorDataError, "factor-data-missing-key") == "factor-data-missing-key"
    with pytest.raises(ValueError):
        code_for(UsageError, "missing-key")  # no usage code for a missing key
    with pytest.raises(ValueError):
        code_for(InputError, "no-such-code")


TOML = 'id = "x"\nwords = 3\nnumber = "8"\nzero = 0\ntable = 1\nrows = 2\nodd = 1\n'


def _table(error: type[CarbonfpError]) -> TomlTable:
    return TomlTable(
        {"id": "x", "words": 3, "number": "8", "zero": 0, "table": 1, "rows": 2, "odd": 1},
        label="data.toml",
        text=TOML,
        table="",
        error=error,
    )


PROBLEMS: dict[str, tuple[str, Callable[[TomlTable], object]]] = {
    "missing key": ("missing-key", lambda t: t.string("absent")),
    "missing number": ("missing-key", lambda t: t.number("absent")),
    "missing table": ("missing-key", lambda t: t.sub("absent")),
    "unknown key": ("unknown-key", lambda t: t.unknown_keys({"id"})),
    "not text": ("wrong-type", lambda t: t.string("words")),
    "not a table": ("wrong-type", lambda t: t.sub("table")),
    "not rows": ("wrong-type", lambda t: t.items("rows")),
    "not a number": ("not-a-number", lambda t: t.number("number")),
    "not positive": ("not-positive", lambda t: t.number("zero")),
    "a value": ("invalid-value", lambda t: t.fail("odd", "odd", code="invalid-value")),
}


@pytest.mark.parametrize("cls", [InputError, FactorDataError])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_a_toml_table_raises_the_codes_of_its_class(cls: type[CarbonfpError], problem: str) -> None:
    code, fail = PROBLEMS[problem]
    with pytest.raises(cls) as caught:
        raised = fail(_table(cls))
        if isinstance(raised, CarbonfpError):
            raise raised
    expected = code if cls is InputError else "factor-data-" + code
    assert caught.value.code == expected
    assert CATALOGUE[expected].error is cls
    assert caught.value.where is not None and caught.value.where.file == "data.toml"


@pytest.mark.parametrize("cls", [InputError, FactorDataError])
def test_reading_a_file_raises_the_codes_of_its_class(
    cls: type[CarbonfpError], tmp_path: Path
) -> None:
    prefix = "" if cls is InputError else "factor-data-"
    cases = {
        "missing-file": tmp_path / "absent.toml",
        "unreadable-file": tmp_path,  # a folder
        "invalid-toml": tmp_path / "broken.toml",
    }
    (tmp_path / "broken.toml").write_text("id = \n", encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes(b'id = "caf\xe9"\n')
    for code, path in [*cases.items(), ("unreadable-file", tmp_path / "latin1.toml")]:
        with pytest.raises(cls) as caught:
            load_toml(path, path.name, cls)
        assert caught.value.code == prefix + code, path
        assert caught.value.hint and caught.value.where is not None
    with pytest.raises(cls) as caught:
        read_text(tmp_path / "absent.txt", "absent.txt", cls)
    assert caught.value.code == prefix + "missing-file"


# --- docs/errors.md is the catalogue -----------------------------------------------------------


def test_the_docs_are_generated_from_the_catalogue() -> None:
    path = REPO / DOCS_PATH
    if not path.parent.is_dir():
        pytest.skip("no docs/ folder here (an sdist)")
    assert path.is_file(), f"{DOCS_PATH} is missing: run {DOCS_COMMAND}"
    assert path.read_text(encoding="utf-8") == errors_markdown(), (
        f"{DOCS_PATH} differs from the catalogue in carbonfp/errors.py: run {DOCS_COMMAND}"
    )


def test_the_docs_list_every_code_and_exit_code() -> None:
    text = errors_markdown()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (\d+) \|", text, re.MULTILINE)
    assert sorted(code for code, _ in rows) == sorted(CATALOGUE)
    assert all(int(exit_code) == CATALOGUE[code].exit_code for code, exit_code in rows)
    for exit_code in ExitCode:
        assert f"\n| {int(exit_code)} | " in text


def test_the_docs_example_is_what_carbonfp_says(tmp_path: Path) -> None:
    project = write_project_files(
        tmp_path,
        bom="component,material,quantity,unit,stage\n"
        "tray,aluminium-primary,10,kg,\nlid,aluminium-primry,10,kg,\n",
    )
    record = json_errors(run("calc", project, "--format", "json"))[0]
    assert {k: record[k] for k in ("code", "where", "exit_code")} == {
        k: EXAMPLE[k] for k in ("code", "where", "exit_code")
    }
    assert str(record["message"]).startswith("unknown material 'aluminium-primry': ")
    assert str(record["hint"]).startswith("did you mean 'aluminium-primary'")


# --- The command line reports each error with the catalogue's code and exit code --------------


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def json_errors(result: Result) -> list[dict[str, object]]:
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("{") for line in lines), result.stderr
    return [json.loads(line)["error"] for line in lines]


def test_an_error_record_holds_the_error() -> None:
    error = InputError(
        "missing quantity", where=Location("bom.csv", 2, 3), hint="add it", code="missing-value"
    )
    assert error_record(error) == {
        "code": "missing-value",
        "message": "missing quantity",
        "where": "bom.csv:2:3",
        "hint": "add it",
        "exit_code": 3,
    }
    assert list(error_record(error, battery="B7")) == [
        "battery",
        "code",
        "message",
        "where",
        "hint",
        "exit_code",
    ]


def _bad_bom(tmp_path: Path) -> list[str]:
    bom = "component,material,quantity,unit,stage\ntray,aluminium-primry,10,kg,\n"
    return ["calc", str(write_project_files(tmp_path, bom=bom))]


def _broken_rules(tmp_path: Path) -> list[str]:
    rules = tmp_path / "rules.toml"
    rules.write_text('id = "broken"\ntitle = \n', encoding="utf-8")
    return ["calc", str(SAMPLE), "--rules", str(rules)]


FAILURES: dict[str, tuple[Callable[[Path], list[str]], str, ExitCode]] = {
    "unknown factor": (_bad_bom, "unknown-factor", ExitCode.INPUT),
    "unknown ruleset": (
        lambda _: ["calc", str(SAMPLE), "--rules", "no-such-ruleset"],
        "unknown-ruleset",
        ExitCode.FACTOR_DATA,
    ),
    "broken ruleset": (_broken_rules, "factor-data-invalid-toml", ExitCode.FACTOR_DATA),
    "bad --mode": (
        lambda _: ["calc", str(SAMPLE), "--mode", "nonsense"],
        "invalid-option",
        ExitCode.USAGE,
    ),
    "gate": (
        lambda _: ["calc", str(SAMPLE), "--mode", "declaration"],
        "not-a-declaration",
        ExitCode.GATE,
    ),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_a_failure_reports_the_catalogued_code_and_exit_code(tmp_path: Path, name: str) -> None:
    args, code, exit_code = FAILURES[name]
    command = args(tmp_path)
    as_json = run(*command, "--format", "json")
    assert as_json.exit_code == exit_code, as_json.stderr
    assert as_json.stdout == ""
    record = json_errors(as_json)[0]
    assert set(record) == {"code", "message", "where", "hint", "exit_code"}
    assert record["code"] == code
    assert record["exit_code"] == exit_code == CATALOGUE[code].exit_code
    assert record["hint"]
    # the same error as text: the same message, place and hint
    as_text = run(*command)
    assert as_text.exit_code == exit_code
    where = f" ({record['where']})" if record["where"] else ""
    assert as_text.stderr.splitlines()[:2] == [
        f"carbonfp: error: {record['message']}{where}",
        f"hint: {record['hint']}",
    ]
