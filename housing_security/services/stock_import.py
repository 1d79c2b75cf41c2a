"""Bulk import of units from a CSV or XLSX file in the documented layout (Chinese column headers, one unit per row).

`check_file` reads and validates the whole file without writing anything and returns a report listing every bad
row with its row number, column and reason; `import_file` writes the units only when the whole file is valid, or
— when the officer explicitly asks for it — the valid rows, keeping the report in a `stock_import` row. New
projects and buildings named in the file are created on the way; each new unit starts vacant with the first event
of its history. Lookups are preloaded into dicts and rows are written in bulk (no query per row).

Area caps come from the city's parameter pack in force on the import day (plan §4(2), box 1).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Optional

from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from sqlalchemy import insert, select

from ..extensions import db
from ..models import Building, Jurisdiction, Project, StockImport, Unit, UnitEvent, UnitStatus, User
from ..policy.units import UNIT_KINDS, area_within_limits, unit_area_limits
from . import audit
from .parameters import effective_pack
from .stock import UNIT_TENURES, city_districts

# (key, header, required): the documented layout, in template order.
COLUMNS: list[tuple[str, str, bool]] = [
    ("project_code", "项目编号", True),
    ("project_name", "项目名称", True),
    ("district", "区县", True),
    ("programme", "保障类别", True),
    ("building", "楼栋", True),
    ("floors", "总层数", True),
    ("elevator", "电梯", False),
    ("number", "房号", True),
    ("tenure", "产权/租赁类型", False),
    ("kind", "户型类别", False),
    ("area_m2", "建筑面积", True),
    ("bedrooms", "居室数", False),
    ("floor", "楼层", True),
    ("accessible", "无障碍", False),
    ("rent_month", "月租金", False),
    ("completed_on", "竣工日期", False),
]
HEADERS = {key: header for key, header, _ in COLUMNS}
EXAMPLE_ROWS = [
    ["TY-SR-09", "汾河青年公寓", "小店区", "保障性租赁住房", "1号楼", 18, "是", "101", "住宅型", "套房", 45.5, 1, 1,
     "是", 980, "2026-06-30"],
    ["TY-SR-09", "汾河青年公寓", "小店区", "保障性租赁住房", "2号楼", 12, "是", "1203", "宿舍型", "宿舍", 28, 0,
     12, "否", 720, "2026-06-30"],
]

# The words a file may use for the coded columns (the codes themselves are accepted too).
PROGRAMME_WORDS = {
    "公共租赁住房": "public_rental", "公租房": "public_rental",
    "保障性租赁住房": "subsidized_rental", "保租房": "subsidized_rental",
    "人才住房": "talent", "共有产权住房": "shared_ownership",
}
TENURE_WORDS = {
    "住宅型": "residential", "宿舍型": "dormitory", "租赁型": "rental", "完全产权": "full_property",
    "完全产权型": "full_property", "共有产权": "shared_ownership", "共有产权型": "shared_ownership",
    "实物配租": "unit", "产权": "property",
}
KIND_WORDS = {"套房": "apartment", "住宅": "apartment", "宿舍": "dormitory"}
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×"}
CENT = Decimal("0.01")
INTEGER_LIMIT = 10_000          # floors, floor and bedrooms: far beyond any building, well inside the columns
DECIMAL_LIMIT = Decimal(1_000_000)  # area (numeric 8,2) and rent
MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
CHUNK = 2000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing columns)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Report:
    filename: str
    rows_total: int = 0
    errors: list[dict] = field(default_factory=list)
    valid: list[dict] = field(default_factory=list)
    file_error: Optional[dict] = None
    new_projects: int = 0
    new_buildings: int = 0

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e["row"] for e in self.errors})

    def as_json(self) -> dict:
        return {"filename": self.filename, "rows_total": self.rows_total, "valid_rows": len(self.valid),
                "bad_rows": self.bad_rows, "errors": self.errors, "file_error": self.file_error,
                "new_projects": self.new_projects, "new_buildings": self.new_buildings}


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# ---- reading the file ---------------------------------------------------------------------------------------------

def read_rows(data: bytes, filename: str = "") -> Iterable[tuple[int, list[Any], list[Optional[str]]]]:
    """The header row and the data rows as (row number, values, per-cell problem or None). Raises ImportFileError."""
    if not data:
        raise ImportFileError("empty_file")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("old_excel")
    return _read_csv(data)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030 as Excel saves CSV on Chinese Windows; anything else refused."""
    if b"\x00" in data:
        raise ImportFileError("undecodable")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("undecodable")


def _read_csv(data: bytes):
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values, [None] * len(values)
    except csv.Error as error:
        raise ImportFileError("bad_csv", detail=str(error)) from None


def _load(data: bytes, data_only: bool, read_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only)
    except Exception as error:  # a zip that is not a workbook, a broken workbook: the file as a whole is refused
        raise ImportFileError("unreadable_xlsx", detail=type(error).__name__) from None


def _is_formula(value) -> bool:
    return (isinstance(value, str) and value.startswith("=") and len(value) > 1) or isinstance(
        value, (ArrayFormula, DataTableFormula))


def _merged_ranges(data: bytes, sheet) -> list:
    """The merged ranges of the sheet. openpyxl's read-only mode streams the cells and does not report them, so
    they are read from the sheet's <mergeCells> element, which follows the cells at the end of its XML."""
    from openpyxl.worksheet.cell_range import CellRange

    path = getattr(sheet, "_worksheet_path", None)
    if not path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(path.lstrip("/"))
    start = max(xml.rfind(b"sheetData>"), 0)
    return [CellRange(ref.decode()) for ref in MERGE_REF.findall(xml, start)]


def _read_xlsx(data: bytes):
    book = _load(data, data_only=False, read_only=True)
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    merged = _merged_ranges(data, sheet)
    book.close()
    # A merged range (a project or building name spanning its rows) holds its value in its first cell only.
    for cells in merged:
        if cells.min_row > len(rows):
            continue
        anchor_row = rows[cells.min_row - 1]
        anchor = anchor_row[cells.min_col - 1] if cells.min_col <= len(anchor_row) else None
        for r in range(cells.min_row, min(cells.max_row, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < cells.max_col:
                row.extend([None] * (cells.max_col - len(row)))
            for c in range(cells.min_col, cells.max_col + 1):
                row[c - 1] = anchor
    problems = [[None] * len(row) for row in rows]
    formulas = [(r, c) for r, row in enumerate(rows) for c, value in enumerate(row) if _is_formula(value)]
    if formulas:
        # Formulas: the value Excel cached when it last saved the file; none cached (never opened in Excel) → refused.
        cached_book = _load(data, data_only=True, read_only=True)
        cached = [list(row) for row in cached_book.worksheets[0].iter_rows(values_only=True)]
        cached_book.close()
        for r, c in formulas:
            value = cached[r][c] if r < len(cached) and c < len(cached[r]) else None
            rows[r][c] = value
            if value is None:
                problems[r][c] = "formula_without_value"
    for number, (values, marks) in enumerate(zip(rows, problems), start=1):
        yield number, values, marks


# ---- values -------------------------------------------------------------------------------------------------------

class CellError(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _integer(value) -> int:
    if isinstance(value, bool):
        raise CellError("bad_integer")
    if isinstance(value, int):
        return _bounded(value, INTEGER_LIMIT)
    if isinstance(value, float):
        if value.is_integer():
            return _bounded(int(value), INTEGER_LIMIT)
        raise CellError("bad_integer")
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        raise CellError("bad_integer") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("bad_integer")
    return _bounded(int(number), INTEGER_LIMIT)


def _decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError("bad_number")
    try:
        number = Decimal(str(value)) if isinstance(value, (int, float)) else Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        raise CellError("bad_number") from None
    if not number.is_finite():
        raise CellError("bad_number")
    return _bounded(number, DECIMAL_LIMIT).quantize(CENT, rounding=ROUND_HALF_UP)


def _bounded(number, limit):
    """Numbers beyond what the columns hold (area 8 digits, integers) are refused as such, not by the database."""
    if abs(number) >= limit:
        raise CellError("out_of_range", limit=limit)
    return number


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("bad_boolean")


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise CellError("bad_date") from None


def _word(table: dict, codes: Iterable[str], code: str):
    def parse(value) -> str:
        text = _text(value)
        if text in codes:
            return text
        if text in table:
            return table[text]
        raise CellError(code, value=text)

    return parse


PARSERS = {
    "project_code": _text, "project_name": _text, "district": _text, "building": _text, "number": _text,
    "programme": _word(PROGRAMME_WORDS, set(PROGRAMME_WORDS.values()), "unknown_programme"),
    "tenure": _word(TENURE_WORDS, {t for ts in UNIT_TENURES.values() for t in ts}, "unknown_tenure"),
    "kind": _word(KIND_WORDS, set(UNIT_KINDS), "unknown_kind"),
    "floors": _integer, "floor": _integer, "bedrooms": _integer,
    "area_m2": _decimal, "rent_month": _decimal,
    "elevator": _boolean, "accessible": _boolean,
    "completed_on": _date,
}
DEFAULTS = {"elevator": False, "accessible": False, "tenure": None, "kind": "apartment", "bedrooms": 1,
            "rent_month": Decimal("0.00"), "completed_on": None}
MAX_LENGTH = {"project_code": 32, "project_name": 128, "building": 32, "number": 16}


def _header_key(text) -> Optional[str]:
    name = _text(text)
    for stop in ("（", "("):
        name = name.split(stop)[0]
    name = name.strip()
    for key, header, _ in COLUMNS:
        if name == header:
            return key
    return None


# ---- validation ---------------------------------------------------------------------------------------------------

class _Checker:
    """Everything a row is checked against, loaded once: districts, projects, buildings, units, area caps."""

    def __init__(self, city_code: str, on: date):
        self.city_code = city_code
        self.on = on
        districts = city_districts(city_code)
        self.districts: dict[str, Jurisdiction] = {}
        for district in districts:
            for name in (district.name_zh, district.name_en, district.code):
                if name:
                    self.districts[name] = district
        self.projects = {p.code: p for p in db.session.scalars(select(Project))}
        city_project_ids = [p.id for p in self.projects.values() if p.city_code == city_code]
        self.buildings: dict[tuple[str, str], tuple[int, int]] = {}
        self.units: set[tuple[str, str, str]] = set()
        code_of = {p.id: p.code for p in self.projects.values()}
        if city_project_ids:
            for building_id, project_id, name, floors in db.session.execute(
                    select(Building.id, Building.project_id, Building.name, Building.floors)
                    .where(Building.project_id.in_(city_project_ids))):
                self.buildings[(code_of[project_id], name)] = (building_id, floors)
            for project_id, building, number in db.session.execute(
                    select(Building.project_id, Building.name, Unit.number).join(Unit.building)
                    .where(Building.project_id.in_(city_project_ids))):
                self.units.add((code_of[project_id], building, number))
        self.snapshot = effective_pack(city_code).at(on)
        self.offered = set(self.snapshot["programmes.offered"].value)
        self.limits: dict[tuple, tuple] = {}
        # First definitions met in the file.
        self.file_projects: dict[str, tuple[int, str, int, str]] = {}
        self.file_buildings: dict[tuple[str, str], tuple[int, int, bool]] = {}
        self.file_units: dict[tuple[str, str, str], int] = {}

    def area_limits(self, programme: str, tenure: Optional[str], kind: str):
        key = (programme, tenure, kind)
        if key not in self.limits:
            low, high, _ = unit_area_limits(self.snapshot, programme, tenure, kind)
            self.limits[key] = (low, high)
        return self.limits[key]


def check_rows(rows, city_code: str, on: date, filename: str = "") -> Report:
    report = Report(filename=filename)
    try:
        iterator = iter(rows)
        header_number, header, _ = _first_nonblank(iterator)
    except ImportFileError as error:
        report.file_error = {"code": error.code, **{k: str(v) for k, v in error.params.items()}}
        return report
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        if key and key not in positions:
            positions[key] = index
    missing = [HEADERS[key] for key, _, required in COLUMNS if required and key not in positions]
    if missing:
        report.file_error = {"code": "missing_columns", "columns": "、".join(missing), "row": header_number}
        return report
    checker = _Checker(city_code, on)
    try:
        for number, values, marks in iterator:
            if all(_text(v) == "" for v in values):
                continue
            report.rows_total += 1
            row = _check_row(checker, number, values, marks, positions, report.errors)
            if row is not None:
                report.valid.append(row)
    except ImportFileError as error:
        report.file_error = {"code": error.code, **{k: str(v) for k, v in error.params.items()}}
        return report
    valid_keys = {(r["project_code"], r["building"]) for r in report.valid}
    report.new_projects = len({r["project_code"] for r in report.valid if r["project_code"] not in checker.projects})
    report.new_buildings = len({key for key in valid_keys if key not in checker.buildings})
    return report


def _first_nonblank(iterator):
    for number, values, marks in iterator:
        if any(_text(v) for v in values):
            return number, values, marks
    raise ImportFileError("no_header")


def _check_row(checker: _Checker, number: int, values: list, marks: list, positions: dict[str, int],
               errors: list[dict]) -> Optional[dict]:
    row: dict[str, Any] = {"row": number}
    bad: set[str] = set()

    def fail(key: str, code: str, **params) -> None:
        index = positions.get(key)
        raw = values[index] if index is not None and index < len(values) else None
        errors.append({"row": number, "column": HEADERS[key],
                       "letter": column_letter(index) if index is not None else "",
                       "code": code, "value": _text(raw)[:60],
                       "params": {k: str(v) for k, v in params.items()}})
        bad.add(key)

    for key, _header, required in COLUMNS:
        index = positions.get(key)
        raw = values[index] if index is not None and index < len(values) else None
        if index is not None and index < len(marks) and marks[index]:
            fail(key, marks[index])
            continue
        if _text(raw) == "":
            if required:
                fail(key, "required")
            else:
                row[key] = DEFAULTS[key]
            continue
        try:
            row[key] = PARSERS[key](raw)
        except CellError as error:
            fail(key, error.code, **error.params)
            continue
        if key in MAX_LENGTH and len(row[key]) > MAX_LENGTH[key]:
            fail(key, "too_long", max=MAX_LENGTH[key])

    # Project: the city's own, or new; the file's rows of one project agree with its first row.
    code = row.get("project_code")
    district = checker.districts.get(row["district"]) if "district" in row else None
    if "district" in row and district is None:
        fail("district", "unknown_district", value=row["district"])
    if "programme" in row and row["programme"] not in checker.offered:
        fail("programme", "programme_not_offered")
    project = checker.projects.get(code) if code else None
    if project is not None and project.city_code != checker.city_code:
        fail("project_code", "project_of_other_city")
    elif project is not None:
        if district is not None and project.district_id != district.id:
            fail("district", "project_district_differs")
        if "programme" in row and project.programme != row["programme"]:
            fail("programme", "project_programme_differs")
    elif code and not bad & {"project_name", "district", "programme"}:
        first = checker.file_projects.get(code)
        if first is None:
            checker.file_projects[code] = (number, row["project_name"], district.id, row["programme"])
        else:
            if first[1] != row["project_name"]:
                fail("project_name", "project_name_differs", first=first[0])
            if first[2] != district.id:
                fail("district", "project_district_differs_in_file", first=first[0])
            if first[3] != row["programme"]:
                fail("programme", "project_programme_differs_in_file", first=first[0])
    programme = project.programme if project is not None else row.get("programme")

    # Building: floors as registered, or as first given in the file.
    floors = None
    building_key = (code, row.get("building"))
    if code and "building" in row:
        known = checker.buildings.get(building_key)
        if known is not None:
            floors = known[1]
            if "floors" in row and row["floors"] != floors:
                fail("floors", "building_floors_differ", floors=floors)
        elif "floors" in row:
            if row["floors"] < 1:
                fail("floors", "floors_below_one")
            else:
                first = checker.file_buildings.get(building_key)
                if first is None:
                    checker.file_buildings[building_key] = (number, row["floors"], row.get("elevator", False))
                    floors = row["floors"]
                elif first[1] != row["floors"]:
                    fail("floors", "building_floors_differ_in_file", floors=first[1], first=first[0])
                else:
                    floors = first[1]

    # The unit itself.
    if "floor" in row:
        if row["floor"] < 1:
            fail("floor", "floor_below_one")
        elif floors is not None and row["floor"] > floors:
            fail("floor", "floor_above_building", floors=floors)
    if "rent_month" in row and row["rent_month"] < 0:
        fail("rent_month", "negative_rent")
    if "bedrooms" in row and row["bedrooms"] < 0:
        fail("bedrooms", "negative_bedrooms")
    if programme and row.get("tenure") and row["tenure"] not in UNIT_TENURES.get(programme, ()):
        fail("tenure", "tenure_not_of_programme")
    if programme and "area_m2" in row and "tenure" not in bad and "kind" not in bad:
        low, high = checker.area_limits(programme, row.get("tenure"), row.get("kind", "apartment"))
        if not area_within_limits(row["area_m2"], low, high):
            fail("area_m2", "area_outside_cap", low=low, high=high if high is not None else "—")
    if code and "building" in row and "number" in row:
        unit_key = (code, row["building"], row["number"])
        if unit_key in checker.units:
            fail("number", "duplicate_unit_in_database")
        elif unit_key in checker.file_units:
            fail("number", "duplicate_unit_in_file", first=checker.file_units[unit_key])
        else:
            checker.file_units[unit_key] = number
    if bad:
        return None
    row["programme"] = programme
    return row


def check_file(data: bytes, filename: str, city_code: str, on: date) -> Report:
    """Read and validate the whole file; writes nothing."""
    try:
        rows = read_rows(data, filename)
        return check_rows(rows, city_code, on, filename)
    except ImportFileError as error:
        report = Report(filename=filename)
        report.file_error = {"code": error.code, **{k: str(v) for k, v in error.params.items()}}
        return report


# ---- writing ------------------------------------------------------------------------------------------------------

class ImportRefused(ValueError):
    def __init__(self, report: Report):
        super().__init__("import refused")
        self.report = report


def import_file(data: bytes, filename: str, city_code: str, actor: Optional[User], on: date, *,
                valid_rows_only: bool = False) -> tuple[Report, StockImport]:
    """Validate the file and write its units in one transaction: all rows when every row is valid, or the valid
    rows when `valid_rows_only` (the report of the refused rows is kept). Raises ImportRefused otherwise."""
    report = check_file(data, filename, city_code, on)
    if report.file_error or (report.errors and not valid_rows_only) or not report.valid:
        raise ImportRefused(report)
    record = write_rows(report, city_code, actor, on, mode="valid_rows" if report.errors else "all")
    db.session.commit()
    return report, record


def write_rows(report: Report, city_code: str, actor: Optional[User], on: date, mode: str) -> StockImport:
    rows = report.valid
    checker_projects = {p.code: p for p in db.session.scalars(select(Project).where(Project.city_code == city_code))}
    districts = {}
    for district in city_districts(city_code):
        for name in (district.name_zh, district.name_en, district.code):
            if name:
                districts[name] = district
    projects_created = buildings_created = 0
    for row in rows:
        if row["project_code"] not in checker_projects:
            project = Project(code=row["project_code"], name=row["project_name"], city_code=city_code,
                              district_id=districts[row["district"]].id, programme=row["programme"], address="",
                              government_invested=True, completed_on=row.get("completed_on"))
            db.session.add(project)
            checker_projects[project.code] = project
            projects_created += 1
    db.session.flush()
    project_ids = [p.id for p in checker_projects.values()]
    buildings = {(b.project_id, b.name): b for b in db.session.scalars(
        select(Building).where(Building.project_id.in_(project_ids)))}
    for row in rows:
        key = (checker_projects[row["project_code"]].id, row["building"])
        if key not in buildings:
            building = Building(project_id=key[0], name=row["building"], floors=row["floors"],
                                elevator=bool(row.get("elevator")))
            db.session.add(building)
            buildings[key] = building
            buildings_created += 1
    db.session.flush()
    record = StockImport(city_code=city_code, filename=report.filename[:200], actor_id=getattr(actor, "id", None),
                         mode=mode, rows_total=report.rows_total, rows_imported=len(rows),
                         projects_created=projects_created, buildings_created=buildings_created,
                         error_count=len(report.errors), report=report.errors)
    db.session.add(record)
    db.session.flush()
    actor_id = getattr(actor, "id", None)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        unit_rows = [{
            "building_id": buildings[(checker_projects[r["project_code"]].id, r["building"])].id,
            "number": r["number"], "programme": r["programme"], "tenure": r.get("tenure"),
            "kind": r.get("kind") or "apartment", "area_m2": r["area_m2"], "bedrooms": r.get("bedrooms", 1),
            "floor": r["floor"], "accessible": bool(r.get("accessible")), "rent_month": r.get("rent_month"),
            "status": UnitStatus.vacant.value, "status_note": "", "status_until": None,
        } for r in chunk]
        db.session.execute(insert(Unit), unit_rows)
        # The new ids by (building, number), unique per building: one query per chunk, not one per row.
        building_ids = {values["building_id"] for values in unit_rows}
        by_key = {(b, n): i for i, b, n in db.session.execute(
            select(Unit.id, Unit.building_id, Unit.number).where(Unit.building_id.in_(building_ids)))}
        ids = [by_key[(values["building_id"], values["number"])] for values in unit_rows]
        db.session.execute(insert(UnitEvent), [{
            "unit_id": unit_id, "on": on, "from_status": None, "to_status": UnitStatus.vacant.value,
            "actor_id": actor_id, "reason": "", "data": {"source": "import", "import": record.id, "row": r["row"]},
        } for unit_id, r in zip(ids, chunk)])
    audit.record("stock.import", record, actor=actor, filename=report.filename, mode=mode,
                 rows_imported=len(rows), rows_refused=report.bad_rows, projects_created=projects_created,
                 buildings_created=buildings_created)
    return record


# ---- the template ---------------------------------------------------------------------------------------------------

def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "房源"
    sheet.append([header for _, header, _ in COLUMNS])
    for row in EXAMPLE_ROWS:
        sheet.append(row)
    for index, (_, header, _) in enumerate(COLUMNS):
        sheet.column_dimensions[column_letter(index)].width = max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([header for _, header, _ in COLUMNS])
    writer.writerows(EXAMPLE_ROWS)
    return out.getvalue().encode("utf-8-sig")
