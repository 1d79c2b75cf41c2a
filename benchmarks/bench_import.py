"""Bulk unit import at a big city's scale: a generated XLSX of 30,000 units in the documented layout (new projects
and buildings in every district), checked (dry run) and imported into a fresh SQLite database holding the demo
city, with timing, the statements run and peak memory.

    .venv/bin/python benchmarks/bench_import.py [--units 30000] [--households 24] [--seed 1]

The file is read in openpyxl's read-only (streaming) mode above 2 MB; lookups are preloaded into dicts and the
units and their first history events are written in bulk (no query per row). Wall and CPU seconds are both
printed: on a shared machine the wall time mostly measures the other processes.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

CONFIG = {"SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
DISTRICTS = ["小店区", "迎泽区", "杏花岭区", "尖草坪区", "万柏林区", "晋源区"]
# (programme, tenure, kind, area range) — every row inside the caps of the city pack.
KINDS = [
    ("公共租赁住房", "", "套房", (30, 60)),
    ("保障性租赁住房", "住宅型", "套房", (35, 70)),
    ("保障性租赁住房", "宿舍型", "宿舍", (20, 45)),
    ("人才住房", "租赁型", "套房", (60, 90)),
    ("人才住房", "共有产权型", "套房", (90, 120)),
]


def generate_xlsx(units: int, seed: int) -> bytes:
    from openpyxl import Workbook

    from housing_security.services.stock_import import COLUMNS

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("房源")
    sheet.append([header for _, header, _ in COLUMNS])
    written = project = 0
    while written < units:
        project += 1
        programme, tenure, kind, (low, high) = KINDS[project % len(KINDS)]
        district = DISTRICTS[project % len(DISTRICTS)]
        floors = rng.choice([6, 11, 18, 26, 33])
        for building in range(1, 5):
            for floor in range(1, floors + 1):
                for door in range(1, 5):
                    if written >= units:
                        break
                    area = round(rng.uniform(low, high), 1)
                    sheet.append([f"BENCH-{project:04d}", f"基准测试项目{project}", district, programme,
                                  f"{building}号楼", floors, "是" if floors > 6 else "否", f"{floor}{door:02d}",
                                  tenure, kind, area, rng.randint(0, 3), floor, "是" if floor == 1 else "否",
                                  round(area * 18, 2), "2026-06-30"])
                    written += 1
    out = io.BytesIO()
    book.save(out)
    return shared_strings(out.getvalue())


INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')


def shared_strings(data: bytes) -> bytes:
    """openpyxl writes text as inline strings; Excel and WPS write a shared-string table. The benchmark file is
    made like theirs (what a developer sends), so the figure is the one an officer sees."""
    table: dict[bytes, int] = {}

    def share(match) -> bytes:
        index = table.setdefault(match.group(2), len(table))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), index)

    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = INLINE.sub(share, content)
            elif item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                                          b'sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.'
                                          b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                          b'Target="sharedStrings.xml"/></Relationships>')
            out.writestr(item, content)
        strings = b"".join(b"<si><t>%s</t></si>" % text for text in table)
        out.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
                     % (len(table), len(table), strings))
    return target.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=30_000)
    parser.add_argument("--households", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(f"machine: {platform.machine()} python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    instance = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["HOUSING_INSTANCE_PATH"] = str(instance)
    try:
        import logging

        from flask_migrate import upgrade
        from sqlalchemy import event, func, select

        from housing_security import create_app
        from housing_security.extensions import db
        from housing_security.models import Unit, UnitEvent
        from housing_security.services import demo, stock_import

        started = time.perf_counter()
        data = generate_xlsx(args.units, args.seed)
        print(f"generated {args.units} units: {len(data) / 1e6:.1f} MB XLSX in {time.perf_counter() - started:.1f} s",
              flush=True)
        app = create_app(dict(CONFIG))
        with app.app_context():
            logging.getLogger("alembic").setLevel(logging.WARNING)
            upgrade()
            demo.seed(households=args.households, seed=args.seed)
            statements = [0]
            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
            before = db.session.scalar(select(func.count()).select_from(Unit))

            statements[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            report = stock_import.check_file(data, "bench.xlsx", "taiyuan", date.today())
            dry, dry_cpu = time.perf_counter() - started, time.process_time() - cpu
            assert report.ok, report.errors[:5] or report.file_error
            print(f"dry run : {dry:6.2f} s wall, {dry_cpu:6.2f} s CPU  {report.rows_total} rows, {len(report.valid)} valid, "
                  f"{report.new_projects} new projects, {report.new_buildings} new buildings, "
                  f"{statements[0]} SQL statements, peak {peak_mb():.0f} MB", flush=True)

            statements[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            report, record = stock_import.import_file(data, "bench.xlsx", "taiyuan", None, date.today())
            real, real_cpu = time.perf_counter() - started, time.process_time() - cpu
            after = db.session.scalar(select(func.count()).select_from(Unit))
            events = db.session.scalar(select(func.count()).select_from(UnitEvent).where(
                UnitEvent.data["import"].as_integer() == record.id))
            print(f"import  : {real:6.2f} s wall, {real_cpu:6.2f} s CPU  {after - before} units written, {events} first events, "
                  f"{statements[0]} SQL statements, peak {peak_mb():.0f} MB")
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
