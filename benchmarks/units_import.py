"""Units import: ``lachan.org.importers.import_units`` against a plain baseline.

Generates a realistic province of about 3,000 units (Department, offices, high schools,
centres, commune/ward clusters with their schools) as CSV and XLSX, then times in one
process, on a fresh SQLite database:

- reading the table (``engine.tabular.read_table``) against ``csv.DictReader``;
- importing (create, re-import unchanged, re-import with 10 % of rows edited, XLSX);
- the baseline: ``csv.DictReader`` + one ``Unit.objects.update_or_create`` per row, with no
  validation, no tree paths and no audit log.

Prints one JSON object. Run: ``LACHAN_HOME=$(mktemp -d) .venv/bin/python benchmarks/units_import.py``
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

WORKDIR = Path(tempfile.mkdtemp(prefix="lachan-bench-units-"))
os.environ.setdefault("LACHAN_HOME", str(WORKDIR / "home"))
# Always a fresh in-process SQLite database, whatever DATABASE_URL the shell has.
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
os.environ["DJANGO_SETTINGS_MODULE"] = "lachan.web.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from lachan.audit.models import AuditLog  # noqa: E402
from lachan.engine.tabular import read_table  # noqa: E402
from lachan.importing import export_table  # noqa: E402
from lachan.org.importers import EXPORT_COLUMNS, UnitImporter, import_units  # noqa: E402
from lachan.org.models import Unit  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu", "Quang", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hương",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Việt",
    "Xuân",
    "Yến",
]
PATRONS = [
    "Lê Lợi",
    "Nguyễn Trãi",
    "Trần Phú",
    "Phan Chu Trinh",
    "Lê Quý Đôn",
    "Nguyễn Du",
    "Hoàng Hoa Thám",
    "Võ Thị Sáu",
    "Kim Đồng",
    "Lý Tự Trọng",
    "Chu Văn An",
    "Hùng Vương",
    "Quang Trung",
    "Ngô Quyền",
    "Trưng Vương",
    "Bà Triệu",
    "Hoa Sen",
    "Sơn Ca",
    "Họa Mi",
    "Tuổi Thơ",
    "Măng Non",
    "Ánh Dương",
    "Trần Quốc Toản",
    "Lê Hồng Phong",
]
PLACES = [
    "Hòa Bình",
    "Hải Châu",
    "Thanh Khê",
    "Sơn Trà",
    "Ngũ Hành Sơn",
    "Liên Chiểu",
    "Cẩm Lệ",
    "Hòa Vang",
    "Điện Bàn",
    "Hội An",
    "Tam Kỳ",
    "Núi Thành",
    "Đại Lộc",
    "Duy Xuyên",
    "Thăng Bình",
    "Quế Sơn",
    "Tiên Phước",
    "Phú Ninh",
    "Hiệp Đức",
    "Nông Sơn",
]
OFFICES = [
    "Văn phòng Sở",
    "Thanh tra Sở",
    "Phòng Tổ chức cán bộ",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Giáo dục Mầm non",
    "Phòng Giáo dục Tiểu học",
    "Phòng Giáo dục Trung học",
    "Phòng Giáo dục thường xuyên",
    "Phòng Quản lý chất lượng",
    "Phòng Chính trị tư tưởng",
    "Phòng Công nghệ thông tin",
    "Phòng Khảo thí",
    "Phòng Pháp chế",
    "Phòng Hợp tác quốc tế",
    "Phòng Giáo dục nghề nghiệp",
]
SCHOOL_KINDS = [
    ("mn", "Trường Mầm non"),
    ("th", "Trường Tiểu học"),
    ("thcs", "Trường THCS"),
    ("pt_nhieu_cap", "Trường TH và THCS"),
]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def province(rng: random.Random) -> list[dict[str, str]]:
    """About 3,000 units in tree order, every field filled the way a Department would."""
    rows: list[dict[str, str]] = []

    def add(code: str, name: str, kind: str, parent: str, ward: str = "") -> None:
        officer = person(rng)
        rows.append(
            {
                "code": code,
                "name": name,
                "short_name": name.replace("Trường ", ""),
                "type": kind,
                "parent_code": parent,
                "address": f"{rng.randint(1, 400)} đường {rng.choice(PATRONS)}",
                "ward": ward,
                "province": "Thành phố Đà Nẵng",
                "phone": f"0236 {rng.randint(3500000, 3899999)}",
                "email": f"{code.lower()}@example.edu.vn",
                "it_officer_name": officer,
                "it_officer_phone": f"09{rng.randint(10000000, 99999999)}",
                "it_officer_email": f"cntt.{code.lower()}@example.edu.vn",
                "aliases": f"{name.upper()};{code}" if rng.random() < 0.3 else "",
            }
        )

    add("SO", "Sở Giáo dục và Đào tạo", "so", "")
    for i, office in enumerate(OFFICES, start=1):
        add(f"SO-P{i:02d}", office, "phong", "SO")
    for i in range(1, 61):
        add(f"THPT-{i:03d}", f"Trường THPT {PATRONS[i % len(PATRONS)]} {i}", "thpt", "SO")
    for i in range(1, 11):
        add(f"GDTX-{i:02d}", f"Trung tâm GDNN-GDTX số {i}", "gdnn_gdtx", "SO")
    for c in range(1, 101):
        ward = f"{rng.choice(['Phường', 'Xã'])} {PLACES[c % len(PLACES)]} {c}"
        cluster = f"CUM-{c:03d}"
        add(cluster, f"Cụm trường {ward}", "khac", "SO", ward)
        for s in range(1, 29):
            kind, label = SCHOOL_KINDS[s % len(SCHOOL_KINDS)]
            add(f"{cluster}-{s:02d}", f"{label} {rng.choice(PATRONS)} {ward}", kind, cluster, ward)
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    return export_table(rows, EXPORT_COLUMNS, "csv")


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    return export_table(rows, EXPORT_COLUMNS, "xlsx")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return result, round(elapsed, 3), counter.count


def baseline(data: bytes, prefix: str) -> int:
    """Plain import: DictReader and update_or_create per row, parents by a code → id dict."""
    ids: dict[str, int] = {}
    n = 0
    with transaction.atomic():
        for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
            code = prefix + row["code"]
            parent = prefix + row["parent_code"] if row["parent_code"] else None
            unit, _ = Unit.objects.update_or_create(
                code=code,
                defaults={
                    "name": row["name"],
                    "short_name": row["short_name"],
                    "type": row["type"],
                    "parent_id": ids.get(parent) if parent else None,
                    "address": row["address"],
                    "ward": row["ward"],
                    "province": row["province"],
                    "phone": row["phone"],
                    "email": row["email"],
                    "it_officer_name": row["it_officer_name"],
                    "it_officer_phone": row["it_officer_phone"],
                    "it_officer_email": row["it_officer_email"],
                    "aliases": [a for a in row["aliases"].split(";") if a],
                },
            )
            ids[code] = unit.pk
            n += 1
    return n


def main() -> None:
    bench_start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20250701)
    rows = province(rng)
    csv_data, xlsx_data = as_csv(rows), as_xlsx(rows)
    (WORKDIR / "units.csv").write_bytes(csv_data)
    (WORKDIR / "units.xlsx").write_bytes(xlsx_data)
    spec = UnitImporter(actor=None).spec()

    _, read_csv_s, _ = timed(lambda: read_table(csv_data, "units.csv", spec))
    _, read_xlsx_s, _ = timed(lambda: read_table(xlsx_data, "units.xlsx", spec))
    _, dictreader_s, _ = timed(
        lambda: list(csv.DictReader(io.StringIO(csv_data.decode("utf-8-sig"))))
    )

    def run(data: bytes, name: str):
        report = import_units(actor=None, data=data, filename=name)
        assert report.ok, report.errors[:5]
        return report

    created, create_s, create_q = timed(lambda: run(csv_data, "units.csv"))
    unchanged, reimport_s, reimport_q = timed(lambda: run(csv_data, "units.csv"))
    edited_rows = [dict(r) for r in rows]
    for r in rng.sample(edited_rows, len(rows) // 10):
        r["it_officer_name"] = person(rng)
    edited, edit_s, edit_q = timed(lambda: run(as_csv(edited_rows), "units.csv"))
    xlsx_report, xlsx_s, _ = timed(lambda: run(xlsx_data, "units.xlsx"))

    base_n, base_create_s, base_create_q = timed(lambda: baseline(csv_data, "B-"))
    _, base_update_s, base_update_q = timed(lambda: baseline(csv_data, "B-"))

    print(
        json.dumps(
            {
                "benchmark": "units_import",
                "database": connection.vendor,
                "units": len(rows),
                "csv_bytes": len(csv_data),
                "xlsx_bytes": len(xlsx_data),
                "read": {
                    "tabular_csv_s": read_csv_s,
                    "tabular_xlsx_s": read_xlsx_s,
                    "dictreader_csv_s": dictreader_s,
                    "ratio_tabular_csv_to_dictreader": round(
                        read_csv_s / max(dictreader_s, 1e-9), 1
                    ),
                },
                "import": {
                    "create_s": create_s,
                    "create_queries": create_q,
                    "created": created.created,
                    "reimport_unchanged_s": reimport_s,
                    "reimport_unchanged_queries": reimport_q,
                    "unchanged": unchanged.unchanged,
                    "reimport_10pct_edited_s": edit_s,
                    "reimport_10pct_edited_queries": edit_q,
                    "updated": edited.updated,
                    "reimport_xlsx_s": xlsx_s,
                    "xlsx_updated": xlsx_report.updated,
                    "rows_per_s_create": round(len(rows) / create_s),
                    "audit_records": AuditLog.objects.count(),
                },
                "baseline_update_or_create": {
                    "create_s": base_create_s,
                    "create_queries": base_create_q,
                    "rows": base_n,
                    "rerun_s": base_update_s,
                    "rerun_queries": base_update_q,
                },
                "ratios": {
                    "create_vs_baseline": round(create_s / base_create_s, 2),
                    "reimport_unchanged_vs_baseline_rerun": round(reimport_s / base_update_s, 2),
                    "reimport_10pct_edited_vs_baseline_rerun": round(edit_s / base_update_s, 2),
                },
                "total_s": round(time.perf_counter() - bench_start, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
