"""The error catalogue: every error carbonfp raises, with its stable code and exit code.

An error carries a code (``missing-column``), a message that names what is wrong, a place (file,
line, key) and a hint on how to fix it; its class gives the exit code the command line ends with.
Every code is an entry of :data:`CATALOGUE`, with its class, a one-line meaning and a general
fix; an error with a code the catalogue does not hold, or holds for another class, is a bug and
cannot be created (ValueError). docs/errors.md is generated from the catalogue
(``python scripts/errors_doc.py``), and a test keeps the two equal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import TypeVar

_T = TypeVar("_T")


class ExitCode(IntEnum):
    """Documented process exit codes (see README, "Exit codes", and docs/errors.md)."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INPUT = 3
    FACTOR_DATA = 4
    GATE = 5
    INTERRUPTED = 130


#: What each exit code means, as the README and docs/errors.md say it.
EXIT_MEANINGS: Mapping[ExitCode, str] = MappingProxyType(
    {
        ExitCode.OK: "ok",
        ExitCode.INTERNAL: "internal error: a bug in carbonfp (please report it; `--debug` shows "
        "the traceback)",
        ExitCode.USAGE: "usage: the command line asks for something that cannot be done (an "
        "unknown option or value, a missing argument, an output that cannot be written)",
        ExitCode.INPUT: "invalid input: a project file, BOM, energy or transport input, long BOM "
        "or supplier footprint",
        ExitCode.FACTOR_DATA: "invalid or tampered factor data: a factor set or ruleset is "
        "unknown, malformed or does not match its manifest",
        ExitCode.GATE: "a declaration was computed but a gate failed (declaration-mode checks)",
        ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    }
)


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and where known its line, column or TOML key."""

    file: str
    line: int | None = None
    column: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.key:
            text += f" [{self.key}]"
        return text


class CarbonfpError(Exception):
    """Base of every error carbonfp raises on purpose; carries a stable short code.

    Raises ValueError (a bug in carbonfp) when ``code`` is not in :data:`CATALOGUE`, or is
    catalogued for another class: an InputError cannot carry a usage code.
    """

    exit_code: ExitCode = ExitCode.INTERNAL
    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        where: Location | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        if code is not None:
            self.code = code
        check_code(type(self), self.code)
        if self.hint is None:  # every error says how to fix it: the catalogue's general words
            self.hint = CATALOGUE[self.code].fix
        #: further problems of the same input, reported together with this one
        self.related: tuple[CarbonfpError, ...] = ()

    def with_related(self, related: Sequence[CarbonfpError]) -> CarbonfpError:
        """This error, carrying the other problems found in the same input (after those it
        already carries)."""
        self.related = (*self.related, *(r for r in related if r not in self.related))
        return self

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


class InputError(CarbonfpError):
    """A project, BOM, energy or transport input is invalid (exit 3)."""

    exit_code = ExitCode.INPUT
    code = "invalid-input"


class Collector:
    """The problems of reading one input, gathered while reading goes on: a step that fails
    adds its InputError (and those it carries) and gives a default instead."""

    def __init__(self) -> None:
        self.errors: list[CarbonfpError] = []

    def add(self, error: CarbonfpError) -> None:
        carried, error.related = error.related, ()
        for item in (error, *carried):
            if item not in self.errors:
                self.errors.append(item)

    def attempt(self, step: Callable[[], _T], default: _T) -> _T:
        try:
            return step()
        except InputError as exc:
            self.add(exc)
            return default

    def first(self) -> CarbonfpError | None:
        """The first problem carrying the others, or None."""
        return self.errors[0].with_related(self.errors[1:]) if self.errors else None

    def check(self) -> None:
        """Raise the first problem (carrying the others), if any."""
        if (error := self.first()) is not None:
            raise error


class FactorDataError(CarbonfpError):
    """A factor set or ruleset is invalid, missing or does not match its manifest (exit 4)."""

    exit_code = ExitCode.FACTOR_DATA
    code = "invalid-factor-data"


class UsageError(CarbonfpError):
    """The command line asks for something that cannot be done (exit 2)."""

    exit_code = ExitCode.USAGE
    code = "usage"


class GateError(CarbonfpError):
    """A declaration was computed but a gate failed: declaration-mode checks (exit 5)."""

    exit_code = ExitCode.GATE
    code = "gate-failed"


# --- The catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One error code: the class that raises it (and so its exit code), what it means, and how
    to fix it in general (the error's own hint says it for the case at hand)."""

    code: str
    error: type[CarbonfpError]
    meaning: str
    fix: str | None = None
    #: the code of the same problem in user input, for a code that reports it in factor data
    #: (see :func:`code_for`)
    same_as: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return self.error.exit_code


_FACTOR_DATA_PREFIX = "factor-data-"

_ENTRIES = (
    # --- every class's default: an error raised without a more precise code -----------------
    Entry(
        "error",
        CarbonfpError,
        "an error without a more precise code; carbonfp never raises it on purpose",
        "please report it, with the output of --debug",
    ),
    Entry("usage", UsageError, "a usage error without a more precise code"),
    Entry("invalid-input", InputError, "an invalid input without a more precise code"),
    Entry(
        "invalid-factor-data", FactorDataError, "invalid factor data without a more precise code"
    ),
    Entry("gate-failed", GateError, "a gate failed, without a more precise code"),
    # --- usage: exit 2 ----------------------------------------------------------------------
    Entry(
        "invalid-option",
        UsageError,
        "an option or argument asks for something the command cannot do",
        "see `carbonfp COMMAND --help` for the options and the values each takes",
    ),
    Entry(
        "missing-option",
        UsageError,
        "the command needs an option that was not given",
        "give the options the message names",
    ),
    Entry(
        "missing-dependency",
        UsageError,
        "the output asked for needs an optional library that is not installed",
        "install the extra the hint names, e.g. pip install 'carbonfp[xlsx]' or 'carbonfp[report]'",
    ),
    Entry(
        "too-many-draws",
        UsageError,
        "a Monte Carlo asks for more draws than the memory can hold (checked before any "
        "allocation: 40 bytes per draw, plus one block of draws)",
        "ask for fewer draws (the message says how many fit), or run where more memory is free",
    ),
    Entry(
        "nothing-to-write",
        UsageError,
        "there is no declaration or estimate to write",
        "give at least one project",
    ),
    Entry(
        "cannot-write",
        UsageError,
        "the operating system refused to write the output (no space, no permission, a closed "
        "pipe...)",
        "free some space or write somewhere you may write",
    ),
    Entry(
        "missing-folder",
        UsageError,
        "the folder of the output file does not exist, or a part of its path is not a folder",
        "create the folder first, or write somewhere else",
    ),
    Entry(
        "not-a-folder",
        UsageError,
        "the output folder is a file, or cannot be created",
        "give the path of a folder, or a new path for carbonfp to create",
    ),
    Entry(
        "output-is-folder",
        UsageError,
        "the output file given is a folder",
        "give a file name inside it",
    ),
    Entry(
        "output-exists",
        UsageError,
        "the output folder exists and is not empty; carbonfp does not write over it",
        "give a new folder",
    ),
    # --- invalid input: exit 3 --------------------------------------------------------------
    Entry(
        "missing-file",
        InputError,
        "an input file (project, BOM, sub-BOM, energy, transport, supplier footprint) is not found",
        "check the path; paths inside a project file are relative to that file",
    ),
    Entry(
        "unreadable-file",
        InputError,
        "an input file cannot be read: a folder, no permission, not UTF-8, not a workbook",
        "save it as UTF-8 text (or as an .xlsx workbook) and check that you may read it",
    ),
    Entry(
        "missing-xlsx-reader",
        InputError,
        "reading an .xlsx input needs the optional library openpyxl, which is not installed",
        "pip install 'carbonfp[xlsx]', or save the sheet as CSV",
    ),
    Entry(
        "changed-file",
        InputError,
        "an input file changed while a run was reading it (its hash differs from the one the "
        "run started with)",
        "run again once the file is written",
    ),
    Entry(
        "missing-parquet-reader",
        InputError,
        "reading a .parquet input needs the optional library pyarrow, which is not installed",
        "pip install 'carbonfp[dask]' (or pyarrow), or give the table as CSV",
    ),
    Entry(
        "empty-file",
        InputError,
        "a file has no header row, or a header but no rows",
        "add the header and one row per line",
    ),
    Entry(
        "malformed-csv",
        InputError,
        "a CSV file cannot be parsed (an unclosed quote, say)",
        "check the quoting of the row the message names; save it again as CSV",
    ),
    Entry(
        "missing-column",
        InputError,
        "a table lacks a required column",
        "add the column with its header; the hint lists the required and optional columns",
    ),
    Entry(
        "duplicate-column",
        InputError,
        "a table has the same column twice",
        "remove or rename one of them",
    ),
    Entry(
        "missing-value",
        InputError,
        "a required cell of a table is empty",
        "fill it in",
    ),
    Entry(
        "not-a-number",
        InputError,
        "a value that must be a number is not one",
        "write a plain number (12.5, or 12,5 in a semicolon-separated file), without quotes in "
        "TOML",
    ),
    Entry(
        "not-positive",
        InputError,
        "a value that must be greater than zero is not",
        "give a positive number",
    ),
    Entry(
        "negative-quantity",
        InputError,
        "an amount, mass or distance is negative",
        "give amounts as positive numbers; credits belong to end of life",
    ),
    Entry(
        "bad-quantity",
        InputError,
        "a value that must be a quantity (a number and a unit) is not one",
        'write a number followed by its unit, e.g. "75 kWh" or "480 kg"',
    ),
    Entry(
        "missing-unit",
        InputError,
        "a quantity has a number but no unit",
        'add the unit, e.g. "75 kWh"',
    ),
    Entry(
        "unknown-unit",
        InputError,
        "a unit carbonfp does not know",
        "use a unit of factors/units.txt (kg, t, kWh, MJ, km, t*km, pcs, kg CO2e/kg...)",
    ),
    Entry(
        "wrong-dimension",
        InputError,
        "a quantity's unit measures the wrong thing (kWh where kg is needed, say)",
        "give the amount in a unit of the dimension the message names",
    ),
    Entry(
        "invalid-toml",
        InputError,
        "a TOML input is not valid TOML",
        "check quotes around text, '=' between key and value, and [table] headers at the line "
        "given",
    ),
    Entry(
        "missing-key",
        InputError,
        "a TOML input lacks a required key or table",
        "add the key the message names (the hint gives an example)",
    ),
    Entry(
        "unknown-key",
        InputError,
        "a TOML input has a key carbonfp does not know (often a typo)",
        "fix its spelling or remove it; the hint lists the keys allowed there",
    ),
    Entry(
        "wrong-type",
        InputError,
        "a TOML value has the wrong type (text, number, true/false, date, table or array)",
        "write the value as the message says, e.g. a number without quotes",
    ),
    Entry(
        "invalid-value",
        InputError,
        "a value is outside what its key or column allows (an unknown choice, a share above 1, "
        "a malformed code)",
        "use one of the values the message or hint names",
    ),
    Entry(
        "unknown-factor",
        InputError,
        "an input names a factor id (material, grid, fuel, gas, transport mode) the factor set "
        "does not have",
        "fix the id (the hint lists the closest ones), or give a supplier-specific factor",
    ),
    Entry(
        "unknown-country",
        InputError,
        "an origin is not an ISO 3166-1 alpha-2 country code (factors/sourcing/countries.toml)",
        "write the two-letter code (CN, KR, DE, GB...); a supply-chain stage as refining=FI",
    ),
    Entry(
        "wrong-factor-table",
        InputError,
        "a factor id of one table is used where another table is needed (a grid as a material)",
        "use an id of the table the hint names",
    ),
    Entry(
        "bad-factor",
        InputError,
        "a supplier-specific factor is not an emission factor, or is negative",
        'write it with its unit, e.g. "12.4 kg CO2e/kg"',
    ),
    Entry(
        "missing-source",
        InputError,
        "a supplier-specific factor has no source",
        "name its source in factor_source",
    ),
    Entry(
        "invalid-pact",
        InputError,
        "a supplier's PACT footprint file (factor_source = pact:FILE) is invalid",
        "fix the field the message names, or ask the supplier for a valid PACT footprint (v3)",
    ),
    Entry(
        "invalid-catenax",
        InputError,
        "a supplier's Catena-X battery component footprint file (factor_source = catenax:FILE) "
        "is invalid, or expired before the end of the declaration's reference period",
        "fix the field the message names, or ask the supplier for a current footprint",
    ),
    Entry(
        "unknown-stage",
        InputError,
        "a life-cycle stage carbonfp does not know",
        "use raw_materials, production, distribution or end_of_life",
    ),
    Entry(
        "use-stage",
        InputError,
        "a line is in the use stage, which Annex II leaves out of the battery carbon footprint",
        "remove the line",
    ),
    Entry(
        "missing-stage",
        InputError,
        "a line has no stage and the ruleset gives none for its kind",
        "give the line's stage",
    ),
    Entry(
        "sub-bom-cycle",
        InputError,
        "sub-BOMs refer to each other in a cycle",
        "remove the line that closes the cycle",
    ),
    Entry(
        "sub-bom-depth",
        InputError,
        "sub-BOMs are nested too deep",
        "flatten some levels of sub-BOMs",
    ),
    Entry(
        "too-large",
        InputError,
        "an input passes one of carbonfp's limits (a workbook that unpacks to gigabytes, a line "
        "of a megabyte, a sheet of thousands of columns): refused before the work",
        "check that it is the file you meant; raise the limit with the environment variable the "
        "message names (README, Guarantees)",
    ),
    Entry(
        "overflow",
        InputError,
        "an amount, a factor, or a product or sum of them is too large for a number: the result "
        "would be infinite",
        "check the quantity, unit and factor of the line named (a unit of t where kg was meant, "
        "an extra zero)",
    ),
    Entry(
        "impossible-distribution",
        InputError,
        "an uncertainty cannot hold: a geometric standard deviation below 1, or a lognormal or "
        "range around a value that is not positive",
        "give a geometric standard deviation of at least 1, and a spread only for positive values",
    ),
    Entry(
        "missing-recycled-factor",
        InputError,
        "a recycled share needs the emissions of the recycled material, which the factor set "
        "does not have",
        "give the recycled material's factor, or remove the recycled share",
    ),
    Entry(
        "missing-recycling-factor",
        InputError,
        "the Circular Footprint Formula needs the emissions of recycling or energy recovery "
        "(R2 or R3 above 0), and none is given",
        "add them under [end_of_life.materials.NAME] in the project file",
    ),
    Entry(
        "negative-total",
        InputError,
        "the total footprint comes out negative: end-of-life credits exceed the emissions",
        "check the end-of-life credits and the amounts of the lines",
    ),
    Entry(
        "ruleset-category",
        InputError,
        "the ruleset does not cover the battery's category",
        "choose a ruleset for that category (carbonfp rules list), or fix the category",
    ),
    Entry(
        "unknown-vehicle-category",
        InputError,
        "the ruleset gives no cycles per year for the battery's vehicle category",
        "fix the vehicle category, or give cycles_per_year with its justification",
    ),
    Entry(
        "missing-km-basis",
        InputError,
        "a warranty in km needs a basis to turn km into years, and there is none",
        "give the annual distance the hint names",
    ),
    Entry(
        "unknown-gwp-set",
        InputError,
        "the factor set has no GWP values of the set the ruleset asks for",
        "use a factor set that has it, or a ruleset with another gwp_set",
    ),
    Entry(
        "unknown-chemistry",
        InputError,
        "no screening factor for the battery's chemistry",
        "use a chemistry the hint lists",
    ),
    Entry(
        "unknown-battery",
        InputError,
        "a long BOM's lines name a battery that has no row in the battery table",
        "add the battery's row, or fix the battery id on its lines",
    ),
    Entry(
        "duplicate-battery",
        InputError,
        "the battery table lists the same battery twice",
        "give each battery one row",
    ),
    Entry(
        "invalid-factor-rows",
        InputError,
        "rows of a file to import as a factor set (CSV, XLSX, ILCD process data sets) are "
        "invalid (each is listed with its row or data set, column and reason)",
        "fix each row listed",
    ),
    Entry(
        "unsafe-xml",
        InputError,
        "an XML file declares a document type (DTD) or entities: carbonfp refuses them, so that "
        "no file can make it read other files (external entities) or expand text without end",
        "export the data set again without a DOCTYPE; ILCD data sets never need one",
    ),
    Entry(
        "invalid-ilcd",
        InputError,
        "an ILCD zip or folder holds no process data set, or no process data set with a "
        "climate-change LCIA result",
        "give the zip or folder as the database exported it (processes, flows, flow properties "
        "and unit groups, with the LCIA results in the process data sets)",
    ),
    Entry(
        "missing-xml-reader",
        InputError,
        "reading ILCD data sets needs the optional library defusedxml, which is not installed",
        "pip install 'carbonfp[ilcd]'",
    ),
    Entry(
        "choose-indicator",
        UsageError,
        "the ILCD data sets carry several climate-change LCIA indicators (total, fossil, "
        "biogenic...), or --indicator names none of them",
        "pass --indicator with one of the names or UUIDs the message lists",
    ),
    # --- invalid or tampered factor data: exit 4 -------------------------------------------
    Entry(
        "unknown-factor-set",
        FactorDataError,
        "no factor set, or no version of it, by that name or path",
        "use a shipped set (carbonfp factors list) or the path of a set folder",
    ),
    Entry(
        "unknown-ruleset",
        FactorDataError,
        "no ruleset by that name or path (or a ruleset extends an unknown one)",
        "use a shipped ruleset (carbonfp rules list) or the path of a ruleset file",
    ),
    Entry(
        "unknown-sourcing-rule",
        FactorDataError,
        "no sourcing rule (factors/sourcing/rules) by that name, version or path",
        "use a shipped sourcing rule (the hint lists them) or the path of your own rule file",
    ),
    Entry(
        "ruleset-cycle",
        FactorDataError,
        "rulesets extend each other in a cycle",
        "remove one of the extends keys",
    ),
    Entry(
        "hash-mismatch",
        FactorDataError,
        "a file of a factor set does not match its sha256 in the manifest: the set has been "
        "changed",
        "restore the file; publish a change as a new version with its own manifest",
    ),
    Entry(
        "unlisted-file",
        FactorDataError,
        "a factor set folder holds a file its manifest does not list",
        "add it to the manifest with its sha256, or remove it",
    ),
    Entry(
        "duplicate-id",
        FactorDataError,
        "two factors of a set have the same id",
        "give each factor its own id",
    ),
    Entry(
        "unknown-source",
        FactorDataError,
        "a factor cites a source key that sources.toml does not have",
        "add the source to sources.toml, or fix the key",
    ),
    Entry(
        "conflicting-source",
        FactorDataError,
        "a layered factor set gives a source key a different meaning than an earlier layer",
        "give the layer's sources keys of their own",
    ),
    Entry(
        "bad-license",
        FactorDataError,
        "a source's licence is not in the allow-list",
        "use a licence of the allow-list the hint gives",
    ),
    Entry(
        "negative-factor",
        FactorDataError,
        "a factor outside the end-of-life table is negative",
        "credits belong to end-of-life rows or to the Circular Footprint Formula",
    ),
    Entry(
        "unsupported-gwp-set",
        FactorDataError,
        "the ruleset's GWP set cannot be declared in the format asked for (PACT: AR5 or AR6)",
        "use a ruleset with gwp_set AR6",
    ),
    # the same problems as in user input, found in a factor set or ruleset: code_for()
    Entry(
        "factor-data-missing-file",
        FactorDataError,
        "a file of a factor set or ruleset is missing",
        "restore the file, or remove it from the manifest",
        same_as="missing-file",
    ),
    Entry(
        "factor-data-unreadable-file",
        FactorDataError,
        "a file of a factor set or ruleset cannot be read, or is not UTF-8",
        "restore the file",
        same_as="unreadable-file",
    ),
    Entry(
        "factor-data-invalid-toml",
        FactorDataError,
        "a file of a factor set or ruleset is not valid TOML",
        "fix the syntax at the line given",
        same_as="invalid-toml",
    ),
    Entry(
        "factor-data-missing-key",
        FactorDataError,
        "a factor set or ruleset lacks a required key or table",
        "add the key the message names",
        same_as="missing-key",
    ),
    Entry(
        "factor-data-unknown-key",
        FactorDataError,
        "a factor set or ruleset has a key carbonfp does not know",
        "fix its spelling or remove it",
        same_as="unknown-key",
    ),
    Entry(
        "factor-data-wrong-type",
        FactorDataError,
        "a value in a factor set or ruleset has the wrong type",
        "write the value as the message says",
        same_as="wrong-type",
    ),
    Entry(
        "factor-data-not-a-number",
        FactorDataError,
        "a value in a factor set or ruleset that must be a number is not one",
        "write a number without quotes",
        same_as="not-a-number",
    ),
    Entry(
        "factor-data-not-positive",
        FactorDataError,
        "a value in a factor set or ruleset that must be greater than zero is not",
        "give a positive number",
        same_as="not-positive",
    ),
    Entry(
        "factor-data-invalid-value",
        FactorDataError,
        "a value in a factor set or ruleset is outside what its key allows",
        "use one of the values the message names",
        same_as="invalid-value",
    ),
    Entry(
        "factor-data-unknown-unit",
        FactorDataError,
        "a factor's unit is not a unit carbonfp knows",
        "use a unit of factors/units.txt",
        same_as="unknown-unit",
    ),
    Entry(
        "factor-data-wrong-dimension",
        FactorDataError,
        "a factor's unit is not kg CO2e per an amount of its table (per kg of a material, per "
        "kWh of electricity...)",
        "give the factor in kg CO2e per the amount the hint names",
        same_as="wrong-dimension",
    ),
    # --- a gate failed: exit 5 --------------------------------------------------------------
    Entry(
        "not-a-declaration",
        GateError,
        "in declaration mode, a check of the ruleset fails (lines without company- or "
        "supplier-specific data, say): the result is computed but is not a declaration",
        "give the data the message names, or run --mode screening",
    ),
)


def _catalogue(entries: Sequence[Entry]) -> Mapping[str, Entry]:
    table: dict[str, Entry] = {}
    for entry in entries:
        if entry.code in table:
            raise ValueError(f"error code {entry.code!r} is catalogued twice")
        table[entry.code] = entry
    return MappingProxyType(table)


#: Every error code carbonfp raises: code -> entry.
CATALOGUE: Mapping[str, Entry] = _catalogue(_ENTRIES)


def _fits(error: type[CarbonfpError], entry: Entry) -> bool:
    return issubclass(error, entry.error) and error.exit_code == entry.exit_code


def check_code(error: type[CarbonfpError], code: str) -> None:
    """Raise ValueError (a bug in carbonfp) unless ``code`` is catalogued for ``error``'s class
    (or a class it derives from, with the same exit code)."""
    entry = CATALOGUE.get(code)
    if entry is None:
        raise ValueError(
            f"error code {code!r} is not in the catalogue: add it to carbonfp.errors.CATALOGUE "
            "(and regenerate docs/errors.md with python scripts/errors_doc.py)"
        )
    if not _fits(error, entry):
        raise ValueError(
            f"error code {code!r} is catalogued for {entry.error.__name__} (exit "
            f"{int(entry.exit_code)}), not for {error.__name__} (exit {int(error.exit_code)})"
        )


def code_for(error: type[CarbonfpError], code: str) -> str:
    """``code`` as ``error`` raises it: ``code`` itself if it is catalogued for that class, else
    the code of the same problem in that class (``missing-key`` in a ruleset, a FactorDataError,
    is ``factor-data-missing-key``).

    The shared readers of carbonfp.files (text files, TOML tables) raise the same problems in
    user inputs (InputError, exit 3) and in factor sets and rulesets (FactorDataError, exit 4);
    each code has one class, so one problem has one code per class. Raises ValueError if there
    is no such code.
    """
    entry = CATALOGUE.get(code)
    if entry is not None and _fits(error, entry):
        return code
    for twin in CATALOGUE.values():
        if twin.same_as == code and _fits(error, twin):
            return twin.code
    check_code(error, code)  # raises: no code of that class for the problem
    return code


# --- docs/errors.md -----------------------------------------------------------------------------

#: Where the generated catalogue is, relative to the repository, and the command that writes it.
DOCS_PATH = "docs/errors.md"
DOCS_COMMAND = "python scripts/errors_doc.py"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


#: The example of docs/errors.md: a misspelt material in a BOM, as carbonfp reports it.
EXAMPLE: Mapping[str, object] = MappingProxyType(
    {
        "code": "unknown-factor",
        "message": "unknown material 'aluminium-primry': carbonfp-open@2026.1 has no factor for it",
        "where": "bom.csv:3",
        "hint": "did you mean 'aluminium-primary' or 'aluminium-foil' or 'aluminium-recycled'? "
        "If not, give a supplier-specific value in the BOM's factor column (e.g. '12.4 kg "
        "CO2e/kg') with its factor_source",
        "exit_code": 3,
    }
)


#: Limits on what an input may make carbonfp do, each raised by an environment variable of
#: its name (README, "Guarantees"): a hostile or broken file ends in a clear error before the
#: work, never in a hang or an exhausted memory.
LIMITS: dict[str, tuple[int, str]] = {
    "CARBONFP_MAX_TOML_BYTES": (16 * 1024**2, "size of a project, energy or transport file"),
    "CARBONFP_MAX_XLSX_BYTES": (
        512 * 1024**2,
        "uncompressed size of a workbook's parts (the zip's entries)",
    ),
    "CARBONFP_MAX_XLSX_ENTRIES": (10_000, "number of parts in a workbook (zip entries)"),
    "CARBONFP_MAX_XLSX_COLUMNS": (1_000, "columns of a sheet that hold a value"),
    "CARBONFP_MAX_LINE_BYTES": (1024**2, "length of one line of a CSV file"),
    "CARBONFP_MAX_ILCD_ENTRIES": (
        500_000,
        "number of files in an ILCD package (the zip's entries, or the folder's files)",
    ),
    "CARBONFP_MAX_XML_BYTES": (
        256 * 1024**2,
        "size of one XML data set of an ILCD package, unpacked",
    ),
}


def errors_markdown() -> str:
    """docs/errors.md: how errors look, the exit codes, and one row per catalogued code."""
    exit_rows = "\n".join(f"| {int(c)} | {_cell(m)} |" for c, m in EXIT_MEANINGS.items())
    # by exit code; in each, the class default first, then by code
    entries = sorted(
        CATALOGUE.values(), key=lambda e: (int(e.exit_code), e.code != e.error.code, e.code)
    )
    code_rows = "\n".join(
        f"| `{e.code}` | {int(e.exit_code)} | {_cell(e.meaning)} | {_cell(e.fix)} |"
        for e in entries
    )
    limit_rows = "\n".join(
        f"| `{name}` | {_cell(what)} | {value:,} |".replace(",", " ")
        for name, (value, what) in LIMITS.items()
    )
    text = f"carbonfp: error: {EXAMPLE['message']} ({EXAMPLE['where']})\nhint: {EXAMPLE['hint']}"
    record = json.dumps({"error": dict(EXAMPLE)}, ensure_ascii=False)
    return f"""# Errors

<!-- Generated from carbonfp/errors.py (CATALOGUE) by `{DOCS_COMMAND}`: edit the
catalogue, not this file. A test fails when the two differ. -->

Every error carbonfp reports has a stable code, a message that names what is wrong and where
(the file, and the line, column or key where known), a hint on how to fix it, and an exit code.
A command that fails leaves no half-written output file and shows no traceback (unless `--debug`
asks for it).

Errors go to standard error as text, a message line and a hint line:

```text
{text}
```

Where the command was asked for JSON (`--format json`), each error is one JSON object on one line
of standard error, with the same fields and the exit code:

```json
{record}
```

`where` is `null` where there is no place to name. When one input has several problems, each is
reported (one record each). With many batteries (a long BOM, or several project files), a
battery that fails is reported with its id, `carbonfp: error: [battery B7] ...` in text and
`"battery": "B7"` first in the JSON record, the other batteries are still written, and the
command ends with the exit code of the worst failure.

## Guarantees

What carbonfp promises, whatever the input (the fuzz tests in `tests/test_fuzz.py` and the
cases they found, `tests/corpus/`, hold it to these):

- **Bad input gets a clear error**: one of the codes below, with the file and line, column or
  key where known, what is wrong and a hint, and a documented exit code (2, 3, 4 or 5). Never
  an internal error (exit 1) or a traceback for something wrong in the input or the machine:
  a missing or unreadable file, a folder where a file belongs, a loop of symbolic links, a full
  disk, a closed pipe.
- **Never a wrong number written as success**: a row with more or fewer fields than its header
  is refused with its line; every number is finite after parsing and after every product and
  sum (an overflow is refused naming the line); negative zero is written as zero; JSON is
  written with non-finite numbers forbidden, so it is always JSON.
- **Never a half-written file**: an output file is written whole or not at all (a temporary
  file renamed at the end), and not at all when every battery failed. A link, FIFO or device
  given as the output is written through, never replaced.
- **Bounded work**: a workbook is read by the cells it holds, whatever size it claims; inputs
  past the limits below are refused before they are parsed; a Monte Carlo that cannot fit in
  memory is refused before anything is allocated, saying how much it needs; many batteries are
  read and written a partition at a time.

Limits, each raised by setting the environment variable of its name to a larger whole number:

| variable | what it limits | default |
|---|---|---|
{limit_rows}

## Exit codes

| exit code | meaning |
|---|---|
{exit_rows}

## Error codes

A code belongs to one exit code. Codes that start with `{_FACTOR_DATA_PREFIX}` are problems
that have another code in user input, found in a factor set or ruleset (exit 4):
`{_FACTOR_DATA_PREFIX}missing-key` is `missing-key` in a ruleset. The first code of each exit
code ("without a more precise code") is the default of its class, which carbonfp does not
raise on purpose.

| code | exit code | meaning | how to fix |
|---|---|---|---|
{code_rows}
"""
