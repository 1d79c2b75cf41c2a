"""Importing registry snapshots: the layouts, encodings, XLSX, a corpus of bad files (each reported with row and
column, nothing written), immutability, supersession, and the refusals of the import itself."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from housing_security.extensions import db
from housing_security.models import RegistryRecord, RegistrySnapshot
from housing_security.models.registry import SnapshotImmutableError
from housing_security.policy import make_id_number
from housing_security.services import registry
from tests.services.helpers import audits, user

TODAY = date.today()
ID1 = make_id_number("140105", date(1980, 1, 1), 123)
ID2 = make_id_number("140105", date(1985, 5, 5), 456)
BAD_CHECKSUM = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")


@pytest.fixture
def ctx(app):
    with app.test_request_context():  # reasons are translatable texts, rendered in a request's language
        yield app


def csv_bytes(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts():
    return (db.session.scalar(select(func.count()).select_from(RegistrySnapshot)),
            db.session.scalar(select(func.count()).select_from(RegistryRecord)))


def run(kind, data, name="file.csv", as_of=TODAY, dry_run=False):
    result = registry.import_snapshot("taiyuan", kind, "测试数据", as_of, data, name, user("liuchu"), dry_run=dry_run)
    db.session.commit()
    return result


PROPERTY_HEADER = ["身份证号", "姓名", "不动产坐落", "建筑面积", "登记日期"]
GOOD_PROPERTY = [PROPERTY_HEADER, [ID1, "张三", "小店区某路1号", "89.5", "2025-06-18"],
                 [ID2, "李四", "迎泽区某街2号", "60", "2024-01-02"]]


def test_a_good_csv_is_imported_with_source_date_hash_and_records(ctx):
    result = run("property", csv_bytes(GOOD_PROPERTY))
    assert result.ok and result.snapshot is not None
    snapshot = result.snapshot
    assert (snapshot.kind, snapshot.source, snapshot.as_of, snapshot.row_count) == ("property", "测试数据", TODAY, 2)
    assert len(snapshot.sha256) == 64
    record = db.session.scalar(select(RegistryRecord).where(RegistryRecord.id_number == ID1))
    assert record.row_number == 2 and record.data == {"address": "小店区某路1号", "area_m2": "89.50",
                                                      "registered_on": "2025-06-18"}
    assert audits("registry_snapshot.import", snapshot.id)
    assert registry.current_snapshot("taiyuan", "property").id == snapshot.id


def test_gbk_csv_and_xlsx_are_read(ctx):
    rows = [["身份证号", "姓名", "救助类别", "认定日期"], [ID1, "王五", "低保", "2025-03-01"], [ID2, "赵六", "低收入", ""]]
    gbk = run("assistance", csv_bytes(rows, "gbk"))
    assert gbk.ok and gbk.snapshot.row_count == 2
    xlsx_rows = [["身份证号", "姓名", "户籍城市", "户口性质"], [ID1, "王五", "太原市", "城镇"], [ID2, "赵六", "运城", "农村"]]
    xlsx = run("hukou", xlsx_bytes(xlsx_rows), name="hukou.xlsx")
    assert xlsx.ok and xlsx.snapshot.row_count == 2
    record = db.session.scalar(select(RegistryRecord).where(RegistryRecord.snapshot_id == xlsx.snapshot.id,
                                                            RegistryRecord.id_number == ID2))
    assert record.data == {"hukou_city": "yuncheng", "hukou_type": "rural"}


def test_dry_run_validates_and_writes_nothing(ctx):
    before = counts()
    result = run("property", csv_bytes(GOOD_PROPERTY), dry_run=True)
    assert result.ok and len(result.rows) == 2 and result.snapshot is None
    assert counts() == before


BAD_FILES = [
    # (kind, rows or raw bytes, expected (row, column, words in the reason))
    ("property", [["身份证号", "姓名", "不动产坐落", "登记日期"], [ID1, "张三", "某路", "2025-01-01"]], (1, "建筑面积", "缺少")),
    ("property", [PROPERTY_HEADER, [BAD_CHECKSUM, "张三", "某路", "80", "2025-01-01"]], (2, "身份证号", "校验")),
    ("property", [PROPERTY_HEADER, [ID1, "", "某路", "80", "2025-01-01"]], (2, "姓名", "不能为空")),
    ("property", [PROPERTY_HEADER, [ID1, "张三", "某路", "-3", "2025-01-01"]], (2, "建筑面积", "面积")),
    ("property", [PROPERTY_HEADER, [ID1, "张三", "某路", "八十", "2025-01-01"]], (2, "建筑面积", "数字")),
    ("property", [PROPERTY_HEADER, [ID1, "张三", "某路", "80", "2025-13-40"]], (2, "登记日期", "YYYY-MM-DD")),
    ("property", [PROPERTY_HEADER, [ID1, "张三", "某路", "80", (TODAY + timedelta(days=5)).isoformat()]],
     (2, "登记日期", "晚于")),
    ("property", [PROPERTY_HEADER, [ID1, "张三", "某路", "80", "2025-01-01"], [ID1, "张三", "某路", "80", "2025-01-01"]],
     (3, "身份证号", "第 2 行")),
    ("assistance", [["身份证号", "姓名", "救助类别"], [ID1, "王五", "五保"]], (2, "救助类别", "低保")),
    ("hukou", [["身份证号", "姓名", "户籍城市", "户口性质"], [ID1, "王五", "北京市", "城镇"]], (2, "户籍城市", "未知")),
    ("talent", [["身份证号", "姓名", "人才类别", "认定日期"], [ID1, "陈静", "Z", "2024-01-01"]], (2, "人才类别", "人才目录")),
    ("social_insurance", [["身份证号", "姓名", "参保状态", "累计缴费月数"], [ID1, "王五", "参保", "三年"]],
     (2, "累计缴费月数", "整数")),
]


@pytest.mark.parametrize("kind, rows, expected", BAD_FILES)
def test_each_bad_file_is_reported_with_row_and_column_and_nothing_is_written(ctx, kind, rows, expected):
    before = counts()
    for encoding, name in (("utf-8", "bad.csv"), ("gbk", "bad.csv"), (None, "bad.xlsx")):
        data = xlsx_bytes(rows) if encoding is None else csv_bytes(rows, encoding)
        result = run(kind, data, name=name)
        assert not result.ok and result.snapshot is None
        row, column, words = expected
        assert any(e["row"] == row and e["column"] == column and words in str(e["reason"]) for e in result.errors), \
            (name, encoding, [(e["row"], e["column"], str(e["reason"])) for e in result.errors])
    assert counts() == before


@pytest.mark.parametrize("data, name, words", [
    (b"", "empty.csv", "文件为空"),
    (b"PK\x03\x04garbage", "broken.xlsx", "XLSX"),
    (b"\x00\x01\x02\xff", "binary.csv", "CSV"),
    ("身份证号,姓名,不动产坐落,建筑面积,登记日期\n".encode(), "header-only.csv", "没有数据行"),
])
def test_unreadable_files_are_refused_and_nothing_is_written(ctx, data, name, words):
    before = counts()
    result = run("property", data, name=name)
    assert not result.ok and any(words in str(e["reason"]) for e in result.errors)
    assert counts() == before


def test_one_bad_row_among_good_ones_writes_nothing(ctx):
    before = counts()
    rows = GOOD_PROPERTY + [[BAD_CHECKSUM, "某人", "某路", "70", "2025-01-01"]]
    result = run("property", csv_bytes(rows))
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "身份证号")]
    assert counts() == before


def test_snapshots_are_immutable(ctx):
    snapshot = run("property", csv_bytes(GOOD_PROPERTY)).snapshot
    snapshot.source = "changed"
    with pytest.raises(SnapshotImmutableError):
        db.session.flush()
    db.session.rollback()
    record = db.session.scalars(select(RegistryRecord).where(RegistryRecord.snapshot_id == snapshot.id)).first()
    db.session.delete(record)
    with pytest.raises(SnapshotImmutableError):
        db.session.flush()
    db.session.rollback()


def test_the_next_snapshot_supersedes_and_an_older_or_repeated_one_is_refused(ctx):
    first = run("property", csv_bytes(GOOD_PROPERTY), as_of=TODAY - timedelta(days=30)).snapshot
    second = run("property", csv_bytes(GOOD_PROPERTY[:2]), as_of=TODAY).snapshot
    assert registry.current_snapshot("taiyuan", "property").id == second.id != first.id
    with pytest.raises(registry.ImportRefused) as refused:
        run("property", csv_bytes(GOOD_PROPERTY + [[ID2[:-1] + "0", "x", "y", "1", "2020-01-01"]]),
            as_of=TODAY - timedelta(days=60))
    assert "as_of" in refused.value.errors
    db.session.rollback()
    with pytest.raises(registry.ImportRefused) as refused:
        run("property", csv_bytes(GOOD_PROPERTY[:2]), as_of=TODAY)
    assert "file" in refused.value.errors
    db.session.rollback()
    with pytest.raises(registry.ImportRefused) as refused:
        run("property", csv_bytes(GOOD_PROPERTY), as_of=TODAY + timedelta(days=1))
    assert "as_of" in refused.value.errors


def test_templates_have_the_documented_headers_and_an_example_row_that_imports(ctx):
    for kind, columns in registry.LAYOUTS.items():
        template = registry.template_csv(kind)
        assert template.startswith("\ufeff".encode())
        header = template.decode("utf-8-sig").splitlines()[0].split(",")
        assert header == [c.header for c in columns]
        result = registry.validate(kind, template, "t.csv", "taiyuan", TODAY)
        assert result.ok, (kind, [(e["row"], e["column"], str(e["reason"])) for e in result.errors])
