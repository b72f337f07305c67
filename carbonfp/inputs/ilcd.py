"""Reads ILCD process data sets (a zip or a folder, as EF 3.x secondary data sets and database
exports come): per process its reference flow, name, geography, year, UUID, version and LCIA
results, with an XML parser that refuses document types and entities.

What is read follows the ILCD format (version 1.1): a process names its reference flow by the
``dataSetInternalID`` of an exchange; the exchange refers to a flow data set, whose reference
flow property refers to a flow property data set, whose unit group gives the reference unit.
The amount of the reference flow is the exchange's amount (``resultingAmount``, else
``meanAmount``) times the ``meanValue`` of the flow's reference flow property. References are
followed within the package: by their ``uri`` relative to the referring file, else by the UUID
in the file names of the data set type's folder. Elements are matched by their local names,
so files written with or without the ILCD namespaces read alike.
"""

from __future__ import annotations

import io
import math
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbonfp.errors import InputError, Location
from carbonfp.files import limit, too_large

#: The folders of an ILCD package, by data set type.
PROCESSES, FLOWS, FLOW_PROPERTIES, UNIT_GROUPS, LCIA_METHODS = (
    "processes",
    "flows",
    "flowproperties",
    "unitgroups",
    "lciamethods",
)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class LciaResult:
    """One LCIA result of a process: the method data set it refers to and the amount."""

    method_uuid: str
    method_version: str
    #: the method's name (from its data set in the package, else the reference's description)
    name: str
    #: the method's impact category and indicator, where its data set is in the package
    category: str
    indicator: str
    #: the amount per the process's reference flow, or None when it is not a number
    amount: float | None
    #: the unit of the amount (the reference unit of the method's reference quantity, as the
    #: package gives it), or "" when the package does not say
    unit: str

    @property
    def key(self) -> str:
        return self.method_uuid.lower() or self.name.casefold()

    def describe(self) -> str:
        return f"{self.name!r} ({self.method_uuid or 'no UUID'})"


@dataclass(frozen=True)
class IlcdProcess:
    """What a factor needs from one process data set."""

    entry: str
    uuid: str
    version: str
    name: str
    location: str
    year: int | None
    #: the amount of the reference flow, in ``unit`` (the reference unit of its flow property)
    amount: float
    unit: str
    flow_name: str
    results: tuple[LciaResult, ...]


@dataclass(frozen=True)
class Problem:
    """A process data set that cannot be read, and why."""

    entry: str
    reason: str


def read_package(path: Path, label: str) -> tuple[list[IlcdProcess], list[Problem]]:
    """Every process data set of the ILCD zip or folder ``path``, and the problems of those
    that cannot be read (each with its file and reason).

    Raises InputError: ``missing-xml-reader`` without defusedxml, ``unsafe-xml`` for a file
    with a document type or entities, ``too-large`` past CARBONFP_MAX_ILCD_ENTRIES or
    CARBONFP_MAX_XML_BYTES, ``invalid-ilcd`` when there is no process data set,
    ``unreadable-file`` or ``missing-file`` when the package cannot be opened.
    """
    _parser()  # the reader is needed before anything is opened
    with _Package(path, label) as package:
        names = package.of_type(PROCESSES)
        if not names:
            raise InputError(
                "no process data set (a processes/ folder of .xml files) in the package",
                where=Location(label),
                hint="give the ILCD zip or folder as exported: ILCD/processes/*.xml with the "
                "flows, flow properties and unit groups they refer to",
                code="invalid-ilcd",
            )
        reader = _Reader(package)
        processes: list[IlcdProcess] = []
        problems: list[Problem] = []
        for name in names:
            try:
                processes.append(reader.process(name))
            except _Unreadable as exc:
                problems.append(Problem(name, str(exc)))
        return processes, problems


class _Unreadable(Exception):
    """A data set that cannot be read: the message says why (it becomes a listed problem)."""


def _parser() -> Any:
    try:
        from defusedxml import ElementTree
    except ImportError as exc:
        raise InputError(
            "reading ILCD data sets needs defusedxml",
            hint="pip install 'carbonfp[ilcd]'",
            code="missing-xml-reader",
        ) from exc
    return ElementTree


class _Package:
    """The files of an ILCD zip or folder, by their paths inside it, read within the limits."""

    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        self.archive: zipfile.ZipFile | None = None
        self.folder: Path | None = None
        #: path inside the package (posix) -> size in bytes
        self.sizes: dict[str, int] = {}
        entries = limit("CARBONFP_MAX_ILCD_ENTRIES")
        if path.is_dir():
            self.folder = path
            for name, size in _walk(path):
                self.sizes[name] = size
                if len(self.sizes) > entries:
                    raise self._too_many(entries)
        else:
            try:
                self.archive = zipfile.ZipFile(path)
            except FileNotFoundError as exc:
                raise InputError(
                    "file not found", where=Location(label), code="missing-file"
                ) from exc
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise InputError(
                    f"not a readable zip file ({type(exc).__name__})",
                    where=Location(label),
                    hint="give the ILCD zip as exported, or the folder it unpacks to",
                    code="unreadable-file",
                ) from exc
            infos = self.archive.infolist()
            if len(infos) > entries:
                self.archive.close()
                raise self._too_many(len(infos))
            self.sizes = {i.filename: i.file_size for i in infos if not i.is_dir()}
        self._by_type: dict[str, list[str]] = {}
        for name in sorted(self.sizes):
            parts = name.split("/")
            if len(parts) >= 2 and parts[-1].lower().endswith(".xml"):
                self._by_type.setdefault(parts[-2].lower(), []).append(name)

    def _too_many(self, count: int) -> InputError:
        return too_large(
            "the ILCD package's number of files",
            count,
            "CARBONFP_MAX_ILCD_ENTRIES",
            Location(self.label),
        )

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.archive is not None:
            self.archive.close()

    def of_type(self, folder: str) -> list[str]:
        """The XML files in the folders named ``folder`` (any depth), sorted."""
        return self._by_type.get(folder, [])

    def where(self, name: str) -> str:
        return f"{self.label}:{name}" if self.archive is not None else f"{self.label}/{name}"

    def read(self, name: str) -> bytes:
        """The bytes of ``name``; refused past CARBONFP_MAX_XML_BYTES before it is unpacked."""
        most = limit("CARBONFP_MAX_XML_BYTES")
        size = self.sizes[name]
        if size > most:
            raise too_large(
                "the data set's size in bytes", size, "CARBONFP_MAX_XML_BYTES", self._at(name)
            )
        try:
            if self.archive is not None:
                with self.archive.open(name) as stream:
                    data = stream.read(most + 1)
            else:
                assert self.folder is not None
                with open(self.folder / name, "rb") as handle:
                    data = handle.read(most + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            # RuntimeError: an encrypted entry; BadZipFile: a bad CRC or a corrupt entry
            raise _Unreadable(f"{name} cannot be read: {exc}") from exc
        if len(data) > most:
            raise too_large(
                "the data set's size in bytes", len(data), "CARBONFP_MAX_XML_BYTES", self._at(name)
            )
        return data

    def _at(self, name: str) -> Location:
        return Location(self.where(name))

    def find(self, folder: str, ref: _Ref, near: str) -> str | None:
        """The file a reference points to: its ``uri`` relative to the referring file ``near``,
        else a file of ``folder`` named by the reference's UUID (of its version if several)."""
        if ref.uri and "://" not in ref.uri:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(near), ref.uri))
            if target in self.sizes:
                return target
        if not ref.uuid:
            return None
        uuid = ref.uuid.lower()
        named = [n for n in self.of_type(folder) if n.rsplit("/", 1)[-1].lower().startswith(uuid)]
        if ref.version:
            exact = [n for n in named if ref.version in n.rsplit("/", 1)[-1]]
            named = exact or named
        return named[-1] if named else None


def _walk(folder: Path) -> Iterator[tuple[str, int]]:
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for file in sorted(files):
            path = Path(top) / file
            try:
                size = path.stat().st_size
            except OSError:
                continue
            yield path.relative_to(folder).as_posix(), size


@dataclass(frozen=True)
class _Ref:
    """A reference to another data set: its UUID, version, uri and short description."""

    uuid: str
    version: str
    uri: str
    description: str


@dataclass(frozen=True)
class _Method:
    name: str
    category: str
    indicator: str
    unit: str


class _Reader:
    """Reads process data sets and the flows, flow properties, unit groups and LCIA methods
    they refer to (each of those read once)."""

    def __init__(self, package: _Package) -> None:
        self.package = package
        self.et = _parser()
        self._units: dict[str, tuple[str, float]] = {}  # flow file -> (unit, meanValue)
        self._property_units: dict[str, str] = {}  # flow property file -> unit
        self._methods: dict[str, _Method | None] = {}  # method file -> what it says

    def _tree(self, name: str) -> Any:
        data = self.package.read(name)
        try:
            return self.et.fromstring(data, forbid_dtd=True)
        except self.et.ParseError as exc:
            raise _Unreadable(f"{name} is not well-formed XML: {exc}") from exc
        except ValueError as exc:  # defusedxml's DTDForbidden, EntitiesForbidden, ...
            raise self._unsafe(name, exc) from exc

    def _unsafe(self, name: str, exc: Exception) -> InputError:
        return InputError(
            f"the XML declares a document type or entities ({type(exc).__name__}): refused",
            where=Location(self.package.where(name)),
            hint="carbonfp reads no DTD, entity or external reference in XML; export the data "
            "sets again (ILCD data sets never need a DOCTYPE)",
            code="unsafe-xml",
        )

    def process(self, name: str) -> IlcdProcess:
        """Read one process data set, streaming its exchanges (only the small facts of each
        are kept). Raises _Unreadable, or InputError for unsafe XML or a file too large."""
        data = self.package.read(name)
        exchanges: dict[str, tuple[_Ref, str]] = {}
        results: list[tuple[_Ref, str]] = []
        root = None
        try:
            for event, element in self.et.iterparse(
                io.BytesIO(data), events=("start", "end"), forbid_dtd=True
            ):
                if root is None:
                    root = element
                if event != "end":
                    continue
                tag = _local(element.tag)
                if tag == "exchange":
                    given = _text(_kid(element, "resultingAmount")) or _text(
                        _kid(element, "meanAmount")
                    )
                    internal = element.get("dataSetInternalID", "").strip()
                    exchanges[internal] = (_ref(_kid(element, "referenceToFlowDataSet")), given)
                    element.clear()
                elif tag == "LCIAResult":
                    ref = _ref(_kid(element, "referenceToLCIAMethodDataSet"))
                    results.append((ref, _text(_kid(element, "meanAmount"))))
                    element.clear()
        except self.et.ParseError as exc:
            raise _Unreadable(f"not well-formed XML: {exc}") from exc
        except ValueError as exc:
            raise self._unsafe(name, exc) from exc
        assert root is not None
        if _local(root.tag) != "processDataSet":
            raise _Unreadable(f"not a process data set (its root is <{_local(root.tag)}>)")
        info = _path(root, "processInformation", "dataSetInformation")
        uuid = _text(_kid(info, "UUID"))
        if not uuid:
            raise _Unreadable("the data set has no UUID (processInformation/dataSetInformation)")
        name_parts = _kid(info, "name")
        parts = [
            _lang(_kids(name_parts, part))
            for part in (
                "baseName",
                "treatmentStandardsRoutes",
                "mixAndLocationTypes",
                "functionalUnitFlowProperties",
            )
        ]
        title = "; ".join(p for p in parts if p)
        version = _text(
            _path(root, "administrativeInformation", "publicationAndOwnership", "dataSetVersion")
        )
        geography = _path(root, "processInformation", "geography")
        location = ""
        place = _kid(geography, "locationOfOperationSupplyOrProduction")
        if place is not None:
            location = place.get("location", "").strip()
        year_text = _text(_path(root, "processInformation", "time", "referenceYear"))
        year = None
        if year_text:
            if not year_text.isdigit():
                raise _Unreadable(f"reference year {year_text!r} is not a year")
            year = int(year_text)
        references = _kids(
            _path(root, "processInformation", "quantitativeReference"), "referenceToReferenceFlow"
        )
        if len(references) != 1:
            raise _Unreadable(
                "the process has no reference flow (quantitativeReference/referenceToReferenceFlow)"
                if not references
                else f"the process has {len(references)} reference flows: carbonfp takes a "
                "factor per one reference flow (allocate the process first)"
            )
        internal = _text(references[0])
        if internal not in exchanges:
            raise _Unreadable(f"the reference flow {internal!r} is not among its exchanges")
        flow_ref, amount_text = exchanges[internal]
        amount = _number(amount_text, "the reference flow's amount")
        flow_file = self.package.find(FLOWS, flow_ref, name)
        if flow_file is None:
            raise _Unreadable(
                f"the reference flow's data set {flow_ref.uuid or flow_ref.uri!r} "
                f"({flow_ref.description or 'no name'}) is not in the package"
            )
        unit, scale = self._flow_unit(flow_file)
        amount *= scale
        if amount <= 0:
            raise _Unreadable(f"the reference flow's amount is {amount:g}, not above zero")
        lcia = tuple(self._result(ref, text, name) for ref, text in results)
        return IlcdProcess(
            entry=name,
            uuid=uuid,
            version=version,
            name=title or flow_ref.description or uuid,
            location=location,
            year=year,
            amount=amount,
            unit=unit,
            flow_name=flow_ref.description,
            results=lcia,
        )

    def _flow_unit(self, flow_file: str) -> tuple[str, float]:
        """The reference unit of a flow's reference flow property, and that property's
        meanValue (the amount of the property in one unit of the flow)."""
        if flow_file in self._units:
            return self._units[flow_file]
        root = self._tree(flow_file)
        internal = _text(
            _path(
                root, "flowInformation", "quantitativeReference", "referenceToReferenceFlowProperty"
            )
        )
        chosen = None
        for prop in _kids(_kid(root, "flowProperties"), "flowProperty"):
            if prop.get("dataSetInternalID", "").strip() == internal:
                chosen = prop
        if chosen is None:
            raise _Unreadable(
                f"the flow {flow_file} names no reference flow property "
                f"(referenceToReferenceFlowProperty {internal!r} is not among its flow properties)"
            )
        scale_text = _text(_kid(chosen, "meanValue"))
        scale = _number(scale_text, f"the meanValue of {flow_file}'s reference flow property")
        ref = _ref(_kid(chosen, "referenceToFlowPropertyDataSet"))
        unit = self._property_unit(ref, flow_file)
        self._units[flow_file] = (unit, scale)
        return unit, scale

    def _property_unit(self, ref: _Ref, near: str) -> str:
        """The reference unit of a flow property data set's unit group."""
        file = self.package.find(FLOW_PROPERTIES, ref, near)
        if file is None:
            raise _Unreadable(
                f"the flow property data set {ref.uuid or ref.uri!r} "
                f"({ref.description or 'no name'}) is not in the package"
            )
        if file in self._property_units:
            return self._property_units[file]
        root = self._tree(file)
        group_ref = _ref(
            _path(
                root,
                "flowPropertiesInformation",
                "quantitativeReference",
                "referenceToReferenceUnitGroup",
            )
        )
        group_file = self.package.find(UNIT_GROUPS, group_ref, file)
        if group_file is None:
            raise _Unreadable(
                f"the unit group data set {group_ref.uuid or group_ref.uri!r} "
                f"({group_ref.description or 'no name'}) of {file} is not in the package"
            )
        group = self._tree(group_file)
        internal = _text(
            _path(
                group, "unitGroupInformation", "quantitativeReference", "referenceToReferenceUnit"
            )
        )
        unit = ""
        for item in _kids(_kid(group, "units"), "unit"):
            if item.get("dataSetInternalID", "").strip() == internal:
                unit = _text(_kid(item, "name"))
        if not unit:
            raise _Unreadable(
                f"the unit group {group_file} names no reference unit "
                f"(referenceToReferenceUnit {internal!r} is not among its units)"
            )
        self._property_units[file] = unit
        return unit

    def _result(self, ref: _Ref, amount_text: str, near: str) -> LciaResult:
        method = self._method(ref, near)
        amount: float | None
        try:
            amount = _number(amount_text, "")
        except _Unreadable:
            amount = None
        return LciaResult(
            method_uuid=ref.uuid,
            method_version=ref.version,
            name=(method.name if method else "") or ref.description or ref.uuid,
            category=method.category if method else "",
            indicator=method.indicator if method else "",
            amount=amount,
            unit=method.unit if method else "",
        )

    def _method(self, ref: _Ref, near: str) -> _Method | None:
        """What the package's LCIA method data set says, or None when it is not there."""
        file = self.package.find(LCIA_METHODS, ref, near)
        if file is None:
            return None
        if file not in self._methods:
            root = self._tree(file)
            info = _path(root, "LCIAMethodInformation", "dataSetInformation")
            quantity = _ref(
                _path(root, "LCIAMethodInformation", "quantitativeReference", "referenceQuantity")
            )
            unit = ""
            if quantity.uuid or quantity.uri:
                try:
                    unit = self._property_unit(quantity, file)
                except _Unreadable:
                    unit = ""  # the method's quantity is not in the package: not said
            self._methods[file] = _Method(
                name=_lang(_kids(info, "name")),
                category=_lang(_kids(info, "impactCategory")),
                indicator=_lang(_kids(info, "impactIndicator")),
                unit=unit,
            )
        return self._methods[file]


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _kids(element: Any, name: str) -> list[Any]:
    if element is None:
        return []
    return [child for child in element if _local(child.tag) == name]


def _kid(element: Any, name: str) -> Any:
    found = _kids(element, name)
    return found[0] if found else None


def _path(element: Any, *names: str) -> Any:
    for name in names:
        element = _kid(element, name)
    return element


def _text(element: Any) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


def _lang(elements: list[Any]) -> str:
    """The English text of a multi-language element, else the first."""
    for element in elements:
        if element.get(_XML_LANG, "").lower().startswith("en") and _text(element):
            return _text(element)
    for element in elements:
        if _text(element):
            return _text(element)
    return ""


def _ref(element: Any) -> _Ref:
    if element is None:
        return _Ref("", "", "", "")
    uuid = element.get("refObjectId", "").strip()
    uri = element.get("uri", "").strip()
    if not uuid:
        found = _UUID.search(uri)
        uuid = found.group(0) if found else ""
    return _Ref(
        uuid=uuid,
        version=element.get("version", "").strip(),
        uri=uri,
        description=_lang(_kids(element, "shortDescription")),
    )


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Unreadable(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise _Unreadable(f"{what} {text!r} is not a finite number")
    return value
