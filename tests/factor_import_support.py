"""Builders for factor import tests: small ILCD packages (process, flow, flow property, unit group
and LCIA method data sets, as ILCD 1.1 writes them) and wide LCIA result sheets.

The UUIDs are made up for the tests (uuid5 of a name): none names a real data set.
"""

from __future__ import annotations

import uuid as uuidlib
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROCESS_NS = "http://lca.jrc.it/ILCD/Process"
COMMON_NS = "http://lca.jrc.it/ILCD/Common"


def made_up_uuid(name: str) -> str:
    """A UUID made up for the tests from ``name``."""
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"carbonfp-tests/{name}"))


@dataclass(frozen=True)
class Method:
    name: str
    category: str = "Climate change"
    indicator: str = "Radiative forcing as Global Warming Potential (GWP100)"
    #: the unit group of its reference quantity ("mass": kg)
    unit_group: str = "mass"

    @property
    def uuid(self) -> str:
        return made_up_uuid("method/" + self.name)


CLIMATE = Method("Climate change")
FOSSIL = Method("Climate change-Fossil")
BIOGENIC = Method("Climate change-Biogenic")
ACIDIFICATION = Method(
    "Acidification", category="Acidification", indicator="Accumulated Exceedance (AE)"
)

#: unit group name -> (reference unit, other units with their factor to it)
UNIT_GROUPS = {
    "mass": ("kg", {"g": 0.001, "t": 1000.0}),
    "energy": ("MJ", {"kWh": 3.6}),
    "items": ("Item(s)", {}),
    "mass*distance": ("t*km", {}),
    "area*time": ("m2*a", {}),
}


@dataclass(frozen=True)
class Process:
    name: str
    #: the reference flow's amount and its unit group
    amount: float = 1.0
    unit_group: str = "mass"
    location: str = "EU+EFTA+UK"
    year: int | str | None = 2021
    version: str = "01.00.000"
    #: LCIA results: (method, amount per the reference flow amount)
    results: Sequence[tuple[Method, float | str]] = ((CLIMATE, 2.0),)
    #: extra elements inside <exchanges>, before the reference flow
    extra_exchanges: int = 0
    #: the meanValue of the flow's reference flow property
    property_value: float = 1.0
    reference_flows: int = 1

    @property
    def uuid(self) -> str:
        return made_up_uuid("process/" + self.name)

    @property
    def flow_uuid(self) -> str:
        return made_up_uuid("flow/" + self.name)


@dataclass
class Package:
    """The files of an ILCD package, by their path inside it."""

    files: dict[str, bytes] = field(default_factory=dict)
    root: str = "ILCD/"

    def write_zip(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(self.files.items()):
                archive.writestr(name, data)
        return path

    def write_folder(self, path: Path) -> Path:
        for name, data in self.files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return path


def _lang(tag: str, text: str) -> str:
    return f'<{tag} xml:lang="en">{text}</{tag}>'


def process_xml(p: Process, *, namespaces: bool = True) -> str:
    c = "common:" if namespaces else ""
    ns = f' xmlns="{PROCESS_NS}" xmlns:common="{COMMON_NS}"' if namespaces else ""
    year = "" if p.year is None else f"<time><{c}referenceYear>{p.year}</{c}referenceYear></time>"
    base, _, route = p.name.partition("; ")
    name = _lang("baseName", base) + (_lang("treatmentStandardsRoutes", route) if route else "")
    elementary = [made_up_uuid(f"elementary/{i}") for i in range(p.extra_exchanges)]
    exchanges = [
        f'<exchange dataSetInternalID="{i + 10}"><referenceToFlowDataSet type="flow data set" '
        f'refObjectId="{flow}" uri="../flows/{flow}.xml">'
        f"{_lang(c + 'shortDescription', 'carbon dioxide, fossil')}</referenceToFlowDataSet>"
        f"<exchangeDirection>Output</exchangeDirection><meanAmount>0.5</meanAmount>"
        f"<resultingAmount>0.5</resultingAmount></exchange>"
        for i, flow in enumerate(elementary)
    ]
    exchanges.append(
        f'<exchange dataSetInternalID="0"><referenceToFlowDataSet type="flow data set" '
        f'refObjectId="{p.flow_uuid}" uri="../flows/{p.flow_uuid}.xml" version="01.00.000">'
        f"{_lang(c + 'shortDescription', base)}</referenceToFlowDataSet>"
        f"<exchangeDirection>Output</exchangeDirection><meanAmount>{p.amount}</meanAmount>"
        f"<resultingAmount>{p.amount}</resultingAmount></exchange>"
    )
    results = "".join(
        f'<LCIAResult><referenceToLCIAMethodDataSet type="LCIA method data set" '
        f'refObjectId="{m.uuid}" uri="../lciamethods/{m.uuid}.xml" version="01.00.000">'
        f"{_lang(c + 'shortDescription', m.name)}</referenceToLCIAMethodDataSet>"
        f"<meanAmount>{amount}</meanAmount></LCIAResult>"
        for m, amount in p.results
    )
    references = "".join(
        "<referenceToReferenceFlow>0</referenceToReferenceFlow>" for _ in range(p.reference_flows)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<processDataSet{ns} version="1.1"><processInformation><dataSetInformation>'
        f"<{c}UUID>{p.uuid}</{c}UUID><name>{name}</name></dataSetInformation>"
        f'<quantitativeReference type="Reference flow(s)">{references}</quantitativeReference>'
        f"{year}<geography><locationOfOperationSupplyOrProduction "
        f'location="{p.location}"/></geography></processInformation>'
        "<administrativeInformation><publicationAndOwnership>"
        f"<{c}dataSetVersion>{p.version}</{c}dataSetVersion>"
        "</publicationAndOwnership></administrativeInformation>"
        f"<exchanges>{''.join(exchanges)}</exchanges>"
        + (f"<LCIAResults>{results}</LCIAResults>" if results else "")
        + "</processDataSet>\n"
    )


def flow_xml(p: Process) -> str:
    prop = made_up_uuid("flowproperty/" + p.unit_group)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow" '
        f'xmlns:common="{COMMON_NS}" version="1.1"><flowInformation><dataSetInformation>'
        f"<common:UUID>{p.flow_uuid}</common:UUID><name>{_lang('baseName', p.name)}</name>"
        "</dataSetInformation><quantitativeReference>"
        "<referenceToReferenceFlowProperty>0</referenceToReferenceFlowProperty>"
        "</quantitativeReference></flowInformation><flowProperties>"
        f'<flowProperty dataSetInternalID="0"><referenceToFlowPropertyDataSet '
        f'type="flow property data set" refObjectId="{prop}" uri="../flowproperties/{prop}.xml">'
        f"{_lang('common:shortDescription', p.unit_group)}</referenceToFlowPropertyDataSet>"
        f"<meanValue>{p.property_value}</meanValue></flowProperty></flowProperties>"
        "</flowDataSet>\n"
    )


def flow_property_xml(group: str) -> str:
    uuid = made_up_uuid("flowproperty/" + group)
    unit_group = made_up_uuid("unitgroup/" + group)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<flowPropertyDataSet xmlns="http://lca.jrc.it/ILCD/FlowProperty" '
        f'xmlns:common="{COMMON_NS}" version="1.1"><flowPropertiesInformation>'
        f"<dataSetInformation><common:UUID>{uuid}</common:UUID>"
        f"{_lang('common:name', group)}</dataSetInformation><quantitativeReference>"
        f'<referenceToReferenceUnitGroup type="unit group data set" refObjectId="{unit_group}" '
        f'uri="../unitgroups/{unit_group}.xml">{_lang("common:shortDescription", group)}'
        "</referenceToReferenceUnitGroup></quantitativeReference></flowPropertiesInformation>"
        "</flowPropertyDataSet>\n"
    )


def unit_group_xml(group: str) -> str:
    reference, others = UNIT_GROUPS[group]
    units = [
        f'<unit dataSetInternalID="0"><name>{reference}</name><meanValue>1.0</meanValue></unit>'
    ]
    units += [
        f'<unit dataSetInternalID="{i}"><name>{name}</name><meanValue>{value}</meanValue></unit>'
        for i, (name, value) in enumerate(others.items(), 1)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<unitGroupDataSet xmlns="http://lca.jrc.it/ILCD/UnitGroup" '
        f'xmlns:common="{COMMON_NS}" version="1.1"><unitGroupInformation><dataSetInformation>'
        f"<common:UUID>{made_up_uuid('unitgroup/' + group)}</common:UUID>"
        f"{_lang('common:name', 'Units of ' + group)}</dataSetInformation>"
        "<quantitativeReference><referenceToReferenceUnit>0</referenceToReferenceUnit>"
        f"</quantitativeReference></unitGroupInformation><units>{''.join(units)}</units>"
        "</unitGroupDataSet>\n"
    )


def method_xml(m: Method) -> str:
    prop = made_up_uuid("flowproperty/" + m.unit_group)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<LCIAMethodDataSet xmlns="http://lca.jrc.it/ILCD/LCIAMethod" '
        f'xmlns:common="{COMMON_NS}" version="1.1"><LCIAMethodInformation><dataSetInformation>'
        f"<common:UUID>{m.uuid}</common:UUID>{_lang('common:name', m.name)}"
        f"<methodology>Environmental Footprint</methodology>"
        f"<impactCategory>{m.category}</impactCategory>"
        f"<impactIndicator>{m.indicator}</impactIndicator></dataSetInformation>"
        f'<quantitativeReference><referenceQuantity type="flow property data set" '
        f'refObjectId="{prop}" uri="../flowproperties/{prop}.xml">'
        f"{_lang('common:shortDescription', 'Mass CO2-equivalents')}</referenceQuantity>"
        "</quantitativeReference></LCIAMethodInformation></LCIAMethodDataSet>\n"
    )


def ilcd_package(
    processes: Sequence[Process],
    *,
    methods: bool = True,
    namespaces: bool = True,
    root: str = "ILCD/",
    replace: Mapping[str, bytes] | None = None,
) -> Package:
    """An ILCD package with ``processes``, their flows, flow properties and unit groups, and
    (with ``methods``) the LCIA method data sets their results refer to."""
    files: dict[str, bytes] = {}
    groups = {p.unit_group for p in processes}
    if methods:
        groups.add("mass")
    for p in processes:
        files[f"{root}processes/{p.uuid}.xml"] = process_xml(p, namespaces=namespaces).encode()
        files[f"{root}flows/{p.flow_uuid}.xml"] = flow_xml(p).encode()
        if methods:
            for m, _ in p.results:
                files[f"{root}lciamethods/{m.uuid}.xml"] = method_xml(m).encode()
    for group in groups:
        files[f"{root}flowproperties/{made_up_uuid('flowproperty/' + group)}.xml"] = (
            flow_property_xml(group).encode()
        )
        files[f"{root}unitgroups/{made_up_uuid('unitgroup/' + group)}.xml"] = unit_group_xml(
            group
        ).encode()
    files.update(replace or {})
    return Package(files, root)


#: A file that defines an entity through a DTD and uses it: an external one reads a file of the
#: machine (XXE), an internal one expands (a "billion laughs" in small).
XXE_PROCESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE processDataSet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process"><processInformation>
<dataSetInformation><UUID>&secret;</UUID></dataSetInformation></processInformation>
</processDataSet>
"""
LAUGHS_PROCESS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<processDataSet><processInformation><dataSetInformation><UUID>&lol3;</UUID>
</dataSetInformation></processInformation></processDataSet>
"""


#: A wide LCIA results sheet as licensed databases export them: title rows, then method,
#: category and indicator over three header rows, a units row, one row per activity.
WIDE_HEADER = [
    ["Cumulative LCIA results (test data, not a real database)"],
    [],
    ["", "", "", "", "", "EF v3.1", "EF v3.1", "EF v3.1", "EF v3.1"],
    [
        "Activity UUID",
        "Activity Name",
        "Geography",
        "Reference Product Name",
        "Reference Product Unit",
        "climate change",
        "climate change",
        "acidification",
        "land use",
    ],
    [
        "",
        "",
        "",
        "",
        "",
        "global warming potential (GWP100)",
        "global warming potential (GWP100), fossil",
        "accumulated exceedance (AE)",
        "soil quality index",
    ],
    ["", "", "", "", "", "kg CO2-Eq", "kg CO2-Eq", "mol H+-Eq", "dimensionless"],
]
WIDE_ROWS = [
    ["act-cu", "copper production, cathode", "GLO", "copper, cathode", "kg", 4.1, 3.9, 0.05, 12.0],
    ["act-el", "electrolyte production, LiPF6", "RER", "electrolyte", "kg", 9.25, 9.0, 0.02, 3.0],
    ["act-kwh", "electricity, medium voltage", "IT", "electricity", "kWh", 0.33, 0.32, 0.001, 1.0],
    ["act-lorry", "transport, freight, lorry", "RER", "transport", "tkm", 0.17, 0.17, 0.0, 0.5],
]
#: The name the climate change column has when header rows 3 to 5 are joined.
WIDE_GWP = "EF v3.1 | climate change | global warming potential (GWP100)"


def write_wide_xlsx(path: Path, rows: Sequence[Sequence[object]] = WIDE_ROWS) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Read the LCIA sheet"])
    sheet = book.create_sheet("LCIA")
    for row in WIDE_HEADER:
        sheet.append(row)
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def write_wide_csv(path: Path, rows: Sequence[Sequence[object]] = WIDE_ROWS) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        width = len(WIDE_HEADER[3])
        for row in [*WIDE_HEADER, *rows]:
            cells = [str(c) for c in row]
            writer.writerow(cells + [""] * (width - len(cells)))
    return path
