"""Subscriber-name matching: ``lachan.engine.names.NameMatcher`` against a naive baseline.

Generates a province of 5,000 units (same proper names at several levels and in several
wards, schools named after their commune, numbered and lettered schools, boarding schools,
centres) and 10,000 subscriber strings as ISPs write them: abbreviated or spelled out,
without diacritics, upper case, "T.H.P.T", glued, with "- Sở GD&ĐT …", "(HIỆU TRƯỞNG: …)",
"- CS2", the province, the ward, a typo in long names, an installation address for some;
and 10 % decoys (companies, shops, people) named like schools.

The baseline is what one writes first: ``rapidfuzz.process.extractOne`` with ``WRatio``
over all folded unit names, score cutoff 85, no level guard, no address. It takes about
8 ms a row, so it gets the first 2,000 rows (``--baseline-rows``); ours is also scored on
those same rows.

Prints one JSON object: wall and CPU seconds, matches per CPU second for both and their
ratio (CPU time, because the machine may be shared), and for both the rows attributed
correctly, to a wrong unit, to a unit of another level (must be 0 for ours), decoys
attributed, and rows left for review. Rows the generator knows to be ambiguous (two units
share level and folded name — "Tiến Hồng" and "Tiên Hồng" typed without marks are one
name — and neither the name nor the address gives the ward) are counted separately:
leaving them for review is the right answer.

Run: ``.venv/bin/python benchmarks/bench_names.py [--seed N] [--baseline-rows N]``
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz, process  # noqa: E402

from lachan.engine.names import NameMatcher, UnitName, fold  # noqa: E402

UNITS = 5_000
ROWS = 10_000
PROVINCE = "Thành phố Hải Phòng"

SYLLABLES = (
    "An Bình Hòa Tân Phú Hưng Thịnh Long Phước Đông Tây Nam Bắc Trung Hải Sơn Thủy Lâm Hồng"
    " Quang Minh Đức Thành Vĩnh Kiến Tiên Lãng Cát Đồ Lạc Mỹ Xuân Thuận Yên Quỳnh Gia Hà Kim"
    " Ngọc Phong Lộc Tiến Lợi Hiệp Khê Thái Cường Dương Viên Biên Chân"
).split()
FIGURES = [
    "Ngô Quyền", "Trần Phú", "Lê Quý Đôn", "Nguyễn Trãi", "Chu Văn An", "Lê Lợi",
    "Trần Hưng Đạo", "Nguyễn Du", "Nguyễn Huệ", "Quang Trung", "Lý Thường Kiệt",
    "Hai Bà Trưng", "Phan Bội Châu", "Phan Chu Trinh", "Nguyễn Bỉnh Khiêm", "Lê Hồng Phong",
    "Tô Hiệu", "Võ Thị Sáu", "Nguyễn Văn Trỗi", "Lý Tự Trọng", "Kim Đồng", "Trần Quốc Toản",
    "Hoàng Văn Thụ", "Nguyễn Thị Minh Khai", "Bạch Đằng", "Đinh Tiên Hoàng", "Lê Thánh Tông",
    "Nguyễn Khuyến", "Nguyễn Đình Chiểu", "Hồ Xuân Hương", "Tô Vĩnh Diện", "Phan Đình Phùng",
    "Trần Nhân Tông", "Lê Văn Tám", "Trương Định", "Võ Nguyên Giáp", "Nguyễn Chí Thanh",
    "Lương Thế Vinh", "Hùng Vương", "An Dương Vương", "Mạc Đĩnh Chi", "Nguyễn Đức Cảnh",
    "Hoàng Hoa Thám", "Cù Chính Lan", "Ngô Gia Tự", "Thái Phiên", "Trần Nguyên Hãn",
    "Nguyễn Hữu Cầu", "Văn Cao", "Lê Chân", "Đào Duy Từ", "Nguyễn Công Trứ", "Lê Lai",
    "Trần Quang Khải", "Phạm Ngũ Lão", "Yết Kiêu", "Dã Tượng", "Nguyễn Thái Học",
]  # fmt: skip
KINDERGARTEN = [
    "Hoa Sen", "Sao Mai", "Hoa Hồng", "Họa Mi", "Hoa Phượng", "Sơn Ca", "Hoa Mai",
    "Bình Minh", "Tuổi Thơ", "Măng Non", "Hướng Dương", "Thủy Tiên", "Hoa Lan", "Ánh Dương",
]  # fmt: skip
LEVELS = [  # unit type, weight, spellings of the level
    ("mn", 34, ["Mầm non", "MN", "Mẫu giáo", "MG", "M.N"]),
    ("th", 30, ["Tiểu học", "TH", "T.H"]),
    ("thcs", 22, ["THCS", "Trung học cơ sở", "T.H.C.S"]),
    ("thpt", 7, ["THPT", "Trung học phổ thông", "T.H.P.T"]),
    ("pt_nhieu_cap", 4, ["TH&THCS", "TH và THCS", "Tiểu học - THCS", "liên cấp TH-THCS"]),
    ("ptdtnt", 1, ["PTDTNT THCS", "Phổ thông Dân tộc nội trú THCS", "PT DTNT THCS"]),
    ("gdnn_gdtx", 2, ["GDNN-GDTX", "GDNN - GDTX", "Giáo dục nghề nghiệp - Giáo dục thường xuyên"]),
]  # fmt: skip
UNIT_TYPE = {"ptdtnt": "thcs"}
PREFIX = {"gdnn_gdtx": ["Trung tâm", "TT", "Trung tâm"]}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Khánh", "Lan", "Long", "Minh"]
DECOYS = [
    "Công ty TNHH {name}", "CONG TY CP GIAO DUC {name}", "Quán cà phê {name}",
    "Cửa hàng {name}", "Nhà văn hóa {ward}", "UBND xã {ward}", "Karaoke {name}",
    "Hộ kinh doanh {name}", "{person}", "Nhà hàng {name}", "Khách sạn {name}",
]  # fmt: skip


def strip_marks(text: str) -> str:
    return " ".join(w for w in fold(text).split())


def make_units(rng: random.Random) -> tuple[list[UnitName], dict[str, tuple[str, str, str]]]:
    """Units and, per key, (level key, proper name, ward)."""
    wards = sorted({f"{a} {b}" for a in SYLLABLES for b in SYLLABLES if a != b})
    rng.shuffle(wards)
    wards = wards[:400]
    communes = {w: ("Xã" if i % 3 else "Phường") for i, w in enumerate(wards)}
    units = [
        UnitName("SO", "Sở Giáo dục và Đào tạo Hải Phòng", unit_type="so", province=PROVINCE),
    ]
    truth: dict[str, tuple[str, str, str]] = {"SO": ("so", "", "")}
    seen: set[tuple[str, str, str]] = set()
    weights = [w for _, w, _ in LEVELS]
    while len(units) < UNITS:
        level, _, _ = rng.choices(LEVELS, weights)[0]
        ward = rng.choice(wards)
        roll = rng.random()
        if level == "mn" and roll < 0.35:
            proper = rng.choice(KINDERGARTEN)
        elif roll < 0.55:
            proper = rng.choice(FIGURES)
        else:
            proper = ward
        if (level, proper, ward) in seen:
            proper = f"{proper} {rng.choice(['Số 2', 'Số 3', 'B', 'C'])}"
            if (level, proper, ward) in seen:
                continue
        seen.add((level, proper, ward))
        spelled = {"pt_nhieu_cap": "TH và THCS", "ptdtnt": "Phổ thông Dân tộc nội trú THCS"}
        label = (
            spelled.get(level)
            or {"gdnn_gdtx": "GDNN-GDTX"}.get(level)
            or LEVELS[[lv for lv, _, _ in LEVELS].index(level)][2][0]
        )
        head = "Trung tâm" if level == "gdnn_gdtx" else "Trường"
        key = f"U{len(units):05d}"
        units.append(
            UnitName(
                key,
                f"{head} {label} {proper}",
                unit_type=UNIT_TYPE.get(level, level),
                ward=f"{communes[ward]} {ward}",
                province=PROVINCE,
                address=f"Số {rng.randint(1, 300)} đường {rng.choice(FIGURES)}, "
                f"{communes[ward].lower()} {ward}",
            )
        )
        truth[key] = (level, proper, ward)
    return units, truth


def typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 12:
        return text
    i = rng.choice(letters[1:])
    return text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]


def make_rows(
    rng: random.Random, units: list[UnitName], truth: dict[str, tuple[str, str, str]]
) -> list[tuple[str, str, str | None, bool]]:
    """(subscriber, address, true key or None for a decoy, ambiguous by design)."""
    schools = [u for u in units if u.key != "SO"]
    # "Tiến Hồng" and "Tiên Hồng" are one name once the marks are gone
    shared = Counter((truth[u.key][0], fold(truth[u.key][1])) for u in schools)
    in_ward = Counter((truth[u.key][0], fold(truth[u.key][1]), fold(u.ward)) for u in schools)
    spellings = {lv: sp for lv, _, sp in LEVELS}
    rows: list[tuple[str, str, str | None, bool]] = []
    while len(rows) < ROWS:
        if rng.random() < 0.1:
            template = rng.choice(DECOYS)
            text = template.format(
                name=rng.choice(FIGURES + KINDERGARTEN),
                ward=truth[rng.choice(schools).key][2],
                person=f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}",
            )
            rows.append(
                (text if rng.random() < 0.5 else strip_marks(text).upper(), "", None, False)
            )
            continue
        unit = rng.choice(schools)
        level, proper, ward = truth[unit.key]
        head = rng.choice(PREFIX.get(level, ["Trường", "Trường", "Truong", ""]))
        spelled = rng.choice(spellings[level])
        name = typo(rng, proper) if rng.random() < 0.1 else proper
        form = rng.random()  # 35 % upper case without marks, 20 % lower case, else as typed
        glue = rng.random() < 0.06
        if glue and form >= 0.55:  # "TruongTHPTNgoQuyen"
            text = "".join(w[:1].upper() + w[1:] for w in (head, spelled, *name.split()) if w)
        elif glue and spelled.isalpha():  # "THPTNgô Quyền"
            text = " ".join(p for p in (head, spelled + name) if p)
        else:
            text = " ".join(p for p in (head, spelled, name) if p)
        gives_ward = False
        roll = rng.random()
        if roll < 0.15:
            text += " - Sở GD&ĐT Hải Phòng"
        elif roll < 0.25:
            text += f" (HIỆU TRƯỞNG: {rng.choice(FAMILY)} Văn {rng.choice(GIVEN)})"
        elif roll < 0.32:
            text += " - CS2"
        elif roll < 0.40:
            text += " Hải Phòng"
        elif roll < 0.50:
            text += f", {unit.ward.lower()}"
            gives_ward = True
        address = ""
        if rng.random() < 0.4:
            address = f"Thôn {rng.randint(1, 9)}, {unit.ward}, Hải Phòng"
            gives_ward = True
        if form < 0.35:
            text = strip_marks(text).upper()
        elif form < 0.55:
            text = strip_marks(text)
        same = (level, fold(proper))
        ambiguous = shared[same] > 1 and not gives_ward
        ambiguous |= in_ward[(*same, fold(unit.ward))] > 1 and text.isascii()
        rows.append((text, address, unit.key, ambiguous))
    return rows


def level_of(unit: UnitName) -> str:
    return unit.unit_type + ("/ptdtnt" if "nội trú" in unit.name else "")


def score(
    predictions: list[str | None],
    rows: list[tuple[str, str, str | None, bool]],
    by_key: dict[str, UnitName],
) -> dict[str, int | float]:
    out: Counter[str] = Counter()
    for predicted, (_, _, true, ambiguous) in zip(predictions, rows, strict=True):
        if true is None:
            out["decoys"] += 1
            out["decoys_attributed"] += predicted is not None
            continue
        out["school_rows"] += 1
        if ambiguous:
            out["ambiguous_by_design"] += 1
            out["ambiguous_left_for_review"] += predicted is None
        if predicted is None:
            out["left_for_review"] += 1
        elif predicted == true:
            out["correct"] += 1
        else:
            out["wrong_unit"] += 1
            out["other_level"] += level_of(by_key[predicted]) != level_of(by_key[true])
    attributed = out["correct"] + out["wrong_unit"] + out["decoys_attributed"]
    result: dict[str, int | float] = dict(out)
    for name in ("wrong_unit", "other_level", "decoys_attributed", "ambiguous_left_for_review"):
        result.setdefault(name, 0)
    result["precision"] = round(out["correct"] / attributed, 4) if attributed else 1.0
    result["recall"] = round(out["correct"] / out["school_rows"], 4)
    return result


class Clock:
    """Wall and CPU time of a ``with`` block (CPU time is steadier on a shared machine)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self._times = {
            "wall_seconds": round(time.perf_counter() - self._wall, 3),
            "cpu_seconds": round(time.process_time() - self._cpu, 3),
        }

    def result(self) -> dict[str, float]:
        return self._times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=2000,
        help="rows given to the slow baseline (the first N; default 2000)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    units, truth = make_units(rng)
    rows = make_rows(rng, units, truth)
    by_key = {u.key: u for u in units}

    clock = Clock()
    with clock:
        matcher = NameMatcher(units, noise=["Hải Dương"])
    build = clock.result()
    with clock:
        ours = [m.key if (m := matcher.match(s, a)) else None for s, a, _, _ in rows]
    ours_time = clock.result()
    with clock:  # what one monthly list costs: a fresh matcher and 1,000 rows
        first_thousand = NameMatcher(units, noise=["Hải Dương"])
        for s, a, _, _ in rows[:1000]:
            first_thousand.match(s, a)
    thousand = clock.result()

    sample = rows[: args.baseline_rows]
    with clock:
        folded = [fold(u.name) for u in units]
        baseline: list[str | None] = []
        for s, _, _, _ in sample:
            hit = process.extractOne(fold(s), folded, scorer=fuzz.WRatio, score_cutoff=85)
            baseline.append(units[hit[2]].key if hit else None)
    baseline_time = clock.result()
    ours_rate = len(rows) / ours_time["cpu_seconds"]
    baseline_rate = len(sample) / baseline_time["cpu_seconds"]

    report = {
        "units": len(units),
        "rows": len(rows),
        "ours": {
            "build": build,
            "match": ours_time,
            "matches_per_cpu_second": round(ours_rate),
            "fresh_matcher_and_1000_rows": thousand,
            **score(ours, rows, by_key),
        },
        "baseline_extractOne_WRatio": {
            "rows": len(sample),
            "match": baseline_time,
            "matches_per_cpu_second": round(baseline_rate),
            **score(baseline, sample, by_key),
        },
        "ours_on_the_baseline_rows": score(ours[: len(sample)], sample, by_key),
        "speed_ratio_ours_to_baseline": round(ours_rate / baseline_rate, 2),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
