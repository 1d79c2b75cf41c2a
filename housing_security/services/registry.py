"""Importing a dated snapshot of another department's registry (数据共享核查, plan §4(6): 加强部门之间互联互通,
动态化跟踪收入状况、居住状况): the 民政 低保/低收入 roster, a 不动产登记 property extract, 人社 social-insurance
records, a 公安 hukou extract and the 人才办 certified-talent list.

One documented layout per kind (Chinese column headers, `LAYOUTS`; a template is downloadable), from CSV
(UTF-8 or GBK/GB18030) or XLSX. A dry run reports every bad row (row, column, reason) and writes nothing; an
import with any error writes nothing either. A snapshot is immutable once imported, keeps its source, date
and SHA-256, and is superseded by the next snapshot of its kind (the newest date wins).
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import policy
from ..extensions import db
from ..models import REGISTRY_KINDS, RegistryRecord, RegistrySnapshot, User
from ..policy.idnumber import normalise_id_number
from . import audit
from .parameters import effective_pack

MAX_ROWS = 200_000

KIND_LABELS = {
    "assistance": _l("低保/低收入名单"),
    "property": _l("不动产登记信息"),
    "social_insurance": _l("社会保险参保信息"),
    "hukou": _l("户籍信息"),
    "talent": _l("人才认定名单"),
}
ASSISTANCE_GROUPS = {"低保": "minimum_allowance", "低收入": "low_income", "特困": "special_hardship"}
INSURANCE_STATES = {"参保": True, "正常参保": True, "停保": False, "中断": False}
HUKOU_TYPES = {"城镇": "urban", "非农业": "urban", "农村": "rural", "农业": "rural"}


class RowError(ValueError):
    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


# ---- cell parsers: text of a cell → stored value, or RowError with the reason ---------------------

def _text(value: str, context: dict) -> str:
    if len(value) > 200:
        raise RowError(_l("内容过长（最多 200 个字）"))
    return value


def _name(value: str, context: dict) -> str:
    if len(value) > 64:
        raise RowError(_l("姓名过长（最多 64 个字）"))
    return value


def _id_number(value: str, context: dict) -> str:
    number = normalise_id_number(value.replace(" ", ""))
    if not policy.is_valid_id_number(number):
        raise RowError(_l("不是有效的 18 位身份证号（含校验位）"))
    return number


def _date(value: str, context: dict) -> str:
    text = value.strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        day = date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise RowError(_l("日期格式应为 YYYY-MM-DD")) from None
    if day > context["as_of"]:
        raise RowError(_l("日期晚于快照日期"))
    return day.isoformat()


def _later_date(value: str, context: dict) -> str:
    try:
        return date.fromisoformat(value.strip().replace("/", "-")[:10]).isoformat()
    except ValueError:
        raise RowError(_l("日期格式应为 YYYY-MM-DD")) from None


def _area(value: str, context: dict) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise RowError(_l("应为数字")) from None
    if not number.is_finite() or number <= 0 or number > 10000:
        raise RowError(_l("面积应大于 0 且不超过 10000 平方米"))
    return str(number.quantize(Decimal("0.01")))


def _months(value: str, context: dict) -> int:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or int(text) > 1200:
        raise RowError(_l("应为 0 到 1200 之间的整数"))
    return int(text)


def _choice(mapping: dict) -> Callable[[str, dict], Any]:
    def parse(value: str, context: dict):
        if value not in mapping:
            raise RowError(_l("应为以下之一：%(choices)s", choices="、".join(mapping)))
        return mapping[value]
    return parse


def _city(value: str, context: dict) -> str:
    code = context["cities"].get(value)
    if code is None:
        raise RowError(_l("未知的城市（填写城市名称，如 太原市）"))
    return code


def _talent_category(value: str, context: dict) -> str:
    if value not in context["talent_catalogue"]:
        raise RowError(_l("不在本市人才目录中：%(choices)s", choices="、".join(context["talent_catalogue"])))
    return value


@dataclass(frozen=True)
class Column:
    header: str          # the Chinese column header in the file
    key: str             # where the value is kept in RegistryRecord.data (id_number and name are columns)
    parse: Callable[[str, dict], Any]
    required: bool = True
    example: str = ""


_ID = Column("身份证号", "id_number", _id_number, example="140105198001011233")
_NAME = Column("姓名", "name", _name, example="张三")

LAYOUTS: dict[str, tuple[Column, ...]] = {
    "assistance": (_ID, _NAME, Column("救助类别", "group", _choice(ASSISTANCE_GROUPS), example="低保"),
                   Column("认定日期", "since", _date, required=False, example="2025-03-01")),
    "property": (_ID, _NAME, Column("不动产坐落", "address", _text, example="小店区某路1号1-101"),
                 Column("建筑面积", "area_m2", _area, example="89.50"),
                 Column("登记日期", "registered_on", _date, example="2025-06-18")),
    "social_insurance": (_ID, _NAME, Column("参保状态", "insured", _choice(INSURANCE_STATES), example="参保"),
                         Column("参保单位", "employer", _text, required=False, example="某某有限公司"),
                         Column("累计缴费月数", "months", _months, example="36")),
    "hukou": (_ID, _NAME, Column("户籍城市", "hukou_city", _city, example="太原市"),
              Column("户口性质", "hukou_type", _choice(HUKOU_TYPES), example="城镇")),
    "talent": (_ID, _NAME, Column("人才类别", "category", _talent_category, example="A"),
               Column("认定日期", "certified_on", _date, example="2024-09-01"),
               Column("有效期至", "valid_until", _later_date, required=False, example="2029-08-31")),
}
assert set(LAYOUTS) == set(REGISTRY_KINDS)


def template_csv(kind: str) -> bytes:
    """The layout of one kind as a CSV file (UTF-8 with BOM, so spreadsheet programs read it) with one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in LAYOUTS[kind]])
    writer.writerow([c.example for c in LAYOUTS[kind]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---- reading files ------------------------------------------------------------------------------

def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK, what Excel saves in a Chinese locale)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RowError(_l("无法识别文件编码（应为 UTF-8 或 GBK）"))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, file_name: str) -> list[list[str]]:
    """Every row of the file as text cells (the header first). XLSX: the first worksheet."""
    if data[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            book.close()
        except Exception:  # a damaged or non-XLSX archive: openpyxl raises many kinds of errors
            raise RowError(_l("无法读取 XLSX 文件")) from None
    else:
        if b"\x00" in data:
            raise RowError(_l("不是文本格式的 CSV 文件"))
        text = decode_csv(data)
        try:
            rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error:
            raise RowError(_l("CSV 格式有误")) from None
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


# ---- validation and import ----------------------------------------------------------------------

@dataclass
class ImportResult:
    kind: str
    errors: list[dict] = field(default_factory=list)   # {row, column, reason}; row 1 is the header
    rows: list[dict] = field(default_factory=list)      # {row_number, id_number, name, data}
    sha256: str = ""
    snapshot: Optional[RegistrySnapshot] = None

    @property
    def ok(self) -> bool:
        return not self.errors


def city_names() -> dict[str, str]:
    """City name (太原市, 太原) or code → code, from the parameter packs."""
    names = {}
    for code in policy.list_cities():
        names[code] = code
        zh = effective_pack(code).name.get("zh", "")
        if zh:
            names[zh] = code
            names[zh.removesuffix("市")] = code
    return names


def current_snapshot(city_code: str, kind: str) -> Optional[RegistrySnapshot]:
    """The snapshot in force: the newest date of its kind (the later import on the same date)."""
    return db.session.scalar(
        select(RegistrySnapshot).where(RegistrySnapshot.city_code == city_code, RegistrySnapshot.kind == kind)
        .order_by(RegistrySnapshot.as_of.desc(), RegistrySnapshot.id.desc()).limit(1))


def validate(kind: str, data: bytes, file_name: str, city_code: str, as_of: date) -> ImportResult:
    result = ImportResult(kind=kind, sha256=hashlib.sha256(data).hexdigest())
    columns = LAYOUTS[kind]
    try:
        rows = read_rows(data, file_name)
    except RowError as error:
        result.errors.append({"row": 0, "column": "", "reason": error.reason})
        return result
    if not rows:
        result.errors.append({"row": 0, "column": "", "reason": _l("文件为空")})
        return result
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    positions = {}
    for column in columns:
        if column.header in header:
            positions[column.key] = header.index(column.header)
        elif column.required:
            result.errors.append({"row": 1, "column": column.header, "reason": _l("缺少此列")})
    if result.errors:
        return result
    if len(rows) < 2:
        result.errors.append({"row": 2, "column": "", "reason": _l("没有数据行")})
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append({"row": MAX_ROWS + 2, "column": "", "reason": _l("行数过多")})
        return result
    context = {"as_of": as_of, "cities": city_names() if kind == "hukou" else {},
               "talent_catalogue": _catalogue(city_code, as_of) if kind == "talent" else {}}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        values, bad = {}, False
        for column in columns:
            if column.key not in positions:
                continue
            index = positions[column.key]
            text = row[index].strip() if index < len(row) else ""
            if not text:
                if column.required:
                    result.errors.append({"row": number, "column": column.header, "reason": _l("不能为空")})
                    bad = True
                continue
            try:
                values[column.key] = column.parse(text, context)
            except RowError as error:
                result.errors.append({"row": number, "column": column.header, "reason": error.reason})
                bad = True
        if bad:
            continue
        id_number = values.pop("id_number")
        if id_number in seen:
            result.errors.append({"row": number, "column": _ID.header,
                                  "reason": _l("与第 %(row)s 行重复", row=seen[id_number])})
            continue
        seen[id_number] = number
        result.rows.append({"row_number": number, "id_number": id_number, "name": values.pop("name"),
                            "data": values})
    return result


def _catalogue(city_code: str, as_of: date) -> dict:
    return dict(effective_pack(city_code).value("talent.catalogue", as_of) or {})


class ImportRefused(ValueError):
    """A form-level refusal: {field: message}."""

    def __init__(self, errors: dict):
        super().__init__(", ".join(errors))
        self.errors = errors


def import_snapshot(city_code: str, kind: str, source: str, as_of: date, data: bytes, file_name: str,
                    actor: Optional[User], dry_run: bool = False, today: Optional[date] = None) -> ImportResult:
    """Validate the file; unless it is a dry run or has any error, store the snapshot and its records.
    Leaves the commit to the caller; nothing is added to the session when the result has errors."""
    if kind not in LAYOUTS:
        raise ImportRefused({"kind": _l("未知的数据类别")})
    source = (source or "").strip()
    if not source:
        raise ImportRefused({"source": _l("请写明数据来源（提供部门、批次）")})
    today = today or date.today()
    if as_of > today:
        raise ImportRefused({"as_of": _l("快照日期不能晚于今天")})
    current = current_snapshot(city_code, kind)
    if current is not None and as_of < current.as_of:
        raise ImportRefused({"as_of": _l("已有 %(day)s 的同类快照，不能导入更早的快照", day=current.as_of.isoformat())})
    result = validate(kind, data, file_name, city_code, as_of)
    duplicate = db.session.scalar(select(func.count()).select_from(RegistrySnapshot).where(
        RegistrySnapshot.city_code == city_code, RegistrySnapshot.kind == kind,
        RegistrySnapshot.sha256 == result.sha256))
    if duplicate:
        raise ImportRefused({"file": _l("同一文件已导入过")})
    if dry_run or result.errors:
        return result
    snapshot = RegistrySnapshot(city_code=city_code, kind=kind, source=source[:200], as_of=as_of,
                                file_name=(file_name or "")[-255:], sha256=result.sha256,
                                row_count=len(result.rows), imported_by_id=getattr(actor, "id", None))
    db.session.add(snapshot)
    db.session.flush()
    db.session.execute(RegistryRecord.__table__.insert(), [
        {"snapshot_id": snapshot.id, "row_number": r["row_number"], "id_number": r["id_number"],
         "name": r["name"], "data": r["data"]} for r in result.rows])
    audit.record("registry_snapshot.import", snapshot, actor=actor, city_code=city_code, kind=kind,
                 source=snapshot.source, as_of=as_of, sha256=result.sha256, rows=len(result.rows),
                 supersedes=getattr(current, "id", None))
    result.snapshot = snapshot
    return result


def records_for(snapshot: RegistrySnapshot, id_numbers) -> dict[str, RegistryRecord]:
    ids = list(set(id_numbers))
    if not ids:
        return {}
    return {r.id_number: r for r in db.session.scalars(
        select(RegistryRecord).where(RegistryRecord.snapshot_id == snapshot.id, RegistryRecord.id_number.in_(ids)))}
