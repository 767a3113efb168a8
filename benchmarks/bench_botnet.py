"""Botnet list attribution (issue 3, item 8): ``lachan.engine.ipindex`` against a baseline.

Generates, in a temporary directory, a synthetic network registry of 100,000 prefixes
(IPv4 and IPv6; single addresses, blocks, ISP pools with nested assignments, dynamic
addresses reassigned mid-month) across 5,000 units, and a 1,000,000-row botnet list as CSV
with the columns of a real list ("STT", "Địa chỉ IP", "Thời gian ghi nhận" as dd/mm/yyyy
HH:MM, "Tên mã độc", "Nhà mạng"). Then times, in one process:

- reading: the CSV with the standard ``csv`` module, and ``parse_addresses`` on its IP column;
- attribution: ``PrefixIndex.lookup_many`` for all rows (point times, the list's period for
  rows without one), plus building the index, classifying and formatting the addresses;
- the baseline: ``ipaddress.ip_address`` and a loop over all prefixes as ``ipaddress``
  networks, keeping the most specific one whose window matches, timed on a sample of rows
  and scaled to the whole list (its answers are checked against the index's);
- end to end: the stateless ``lachan botnet match`` command as a process, and its stages
  (``lachan.engine.botnet``: read_networks, read_units, read_botnet_list, attribute, the
  JSON output) timed one by one in a child process.

Prints one JSON object. Run: ``.venv/bin/python benchmarks/bench_botnet.py [--rows N]
[--prefixes N] [--sample N]``. Needs no database.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import ipaddress
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lachan.engine.ipindex import (  # noqa: E402
    ADDRESS_CLASSES,
    PrefixIndex,
    PrefixRecord,
    classify_addresses,
    format_addresses,
    parse_addresses,
)

TZ = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving time
PERIOD_START = dt.datetime(2025, 6, 1, tzinfo=TZ)
PERIOD_END = dt.datetime(2025, 7, 1, tzinfo=TZ)
MID_MONTH = dt.datetime(2025, 6, 15, 12, 0, tzinfo=TZ)

# Address blocks of Vietnamese ISPs (for realism only; the data is random).
ISP_V4 = [
    ("VNPT", "14.160.0.0/11"),
    ("VNPT", "113.160.0.0/11"),
    ("VNPT", "123.16.0.0/12"),
    ("Viettel", "27.64.0.0/12"),
    ("Viettel", "116.96.0.0/12"),
    ("Viettel", "171.224.0.0/11"),
    ("FPT", "42.112.0.0/13"),
    ("FPT", "118.68.0.0/14"),
    ("CMC", "103.9.76.0/22"),
    ("MobiFone", "103.199.32.0/20"),
]
ISP_V6 = [("VNPT", "2001:ee0::/32"), ("Viettel", "2402:800::/32"), ("FPT", "2405:4800::/32")]
MALWARE = ["Mirai", "Gafgyt", "Mozi", "Emotet", "Conficker", "Sality", "Ramnit", "Andromeda"]
LINE_TYPES = ["FTTH", "leased_line", "4G", "other"]


def epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def random_in(rng: random.Random, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> int:
    return int(network.network_address) + rng.getrandbits(network.max_prefixlen - network.prefixlen)


# --- synthetic data -------------------------------------------------------------------------


def make_registry(
    rng: random.Random, size: int, units: int
) -> tuple[list[PrefixRecord], list[dict[str, str]]]:
    """``size`` records: 50 % IPv4 /32, 15 % IPv4 blocks, 1 % ISP pools, 10 % dynamic /32s
    (two records each, reassigned mid-month), 19 % IPv6 /48–/64, 5 % IPv6 /128."""
    codes = [f"DV{u:05d}" for u in range(units)]
    v4_blocks = [(isp, ipaddress.IPv4Network(n)) for isp, n in ISP_V4]
    v6_blocks = [(isp, ipaddress.IPv6Network(n)) for isp, n in ISP_V6]
    used: set[tuple[int, int, int]] = set()
    records: list[PrefixRecord] = []
    rows: list[dict[str, str]] = []

    def add(version: int, value: int, length: int, isp: str, **window: float) -> None:
        if version == 4:
            text = f"{ipaddress.IPv4Address(value)}/{length}"
        else:
            text = f"{ipaddress.IPv6Address(value)}/{length}"
        unit = rng.choice(codes)
        records.append(PrefixRecord(text, unit, ref=len(records), **window))
        rows.append(
            {
                "unit_code": unit,
                "prefix": text,
                "isp": isp,
                "subscriber": f"Trường {unit}",
                "line_type": rng.choice(LINE_TYPES),
                "valid_from": fmt_time(window.get("valid_from")),
                "valid_to": fmt_time(window.get("valid_to")),
                "note": "",
            }
        )

    weights = {4: [b.num_addresses for _, b in v4_blocks], 6: [1] * len(v6_blocks)}

    def fresh(version: int, blocks: list, length: int) -> tuple[int, str]:
        while True:
            # Larger blocks get more customers (IPv6 blocks are all /32s).
            isp, block = rng.choices(blocks, weights[version])[0]
            bits = block.max_prefixlen
            value = random_in(rng, block) >> (bits - length) << (bits - length)
            key = (version, value, length)
            if key not in used:
                used.add(key)
                return value, isp

    counts = {
        "pool": size // 100,
        "block": size * 15 // 100,
        "dynamic": size * 5 // 100,  # two records each
        "v6_net": size * 19 // 100,
        "v6_host": size * 5 // 100,
    }
    counts["single"] = size - sum(counts.values()) - counts["dynamic"]
    for _ in range(counts["pool"]):
        length = rng.choice([18, 20, 22])
        value, isp = fresh(4, v4_blocks, length)
        add(4, value, length, isp)
    for _ in range(counts["block"]):
        length = rng.choice([24, 26, 27, 28, 29, 30])
        value, isp = fresh(4, v4_blocks, length)
        add(4, value, length, isp)
    for _ in range(counts["single"]):
        value, isp = fresh(4, v4_blocks, 32)
        # A tenth of the static addresses were registered during the month.
        window = {"valid_from": epoch(MID_MONTH)} if rng.random() < 0.1 else {}
        add(4, value, 32, isp, **window)
    for _ in range(counts["dynamic"]):
        value, isp = fresh(4, v4_blocks, 32)
        add(4, value, 32, isp, valid_from=epoch(PERIOD_START), valid_to=epoch(MID_MONTH))
        add(4, value, 32, isp, valid_from=epoch(MID_MONTH), valid_to=epoch(PERIOD_END))
    for _ in range(counts["v6_net"]):
        length = rng.choice([48, 56, 64])
        value, isp = fresh(6, v6_blocks, length)
        add(6, value, length, isp)
    for _ in range(counts["v6_host"]):
        value, isp = fresh(6, v6_blocks, 128)
        add(6, value, 128, isp)
    return records, rows


def fmt_time(value: float | None) -> str:
    if value is None:
        return ""
    return dt.datetime.fromtimestamp(value, TZ).isoformat()


def make_list(
    rng: random.Random, size: int, records: list[PrefixRecord]
) -> tuple[list[str], np.ndarray]:
    """Row addresses and times: 70 % inside registered prefixes, 30 % elsewhere in the ISPs'
    space; a tenth of the rows without a time; every 50th address written untidily, a few
    private or mistyped ones."""
    networks = [ipaddress.ip_network(r.network) for r in records]
    v4_blocks = [ipaddress.IPv4Network(n) for _, n in ISP_V4]
    v6_blocks = [ipaddress.IPv6Network(n) for _, n in ISP_V6]
    v4_weights = list(itertools.accumulate(b.num_addresses for b in v4_blocks))
    texts: list[str] = []
    for i in range(size):
        if rng.random() < 0.7:
            network = networks[rng.randrange(len(networks))]
        else:
            if rng.random() < 0.15:
                network = rng.choice(v6_blocks)
            else:
                network = rng.choices(v4_blocks, cum_weights=v4_weights)[0]
        address = ipaddress.ip_address(random_in(rng, network))
        text = str(address)
        if i % 50 == 0:
            text = f" {text} " if address.version == 4 else f"[{text.upper()}]"
        elif i % 997 == 1:
            text = f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        elif i % 1999 == 2:
            text = text.replace(".", ",", 1) if address.version == 4 else text + ":"
        texts.append(text)
    start = epoch(PERIOD_START)
    seconds = np.array([rng.randrange(30 * 86400) // 60 * 60 for _ in range(size)], np.float64)
    times = start + seconds
    times[np.array([rng.random() < 0.1 for _ in range(size)])] = np.nan
    return texts, times


def write_list(path: Path, texts: list[str], times: np.ndarray, rng: random.Random) -> None:
    isps = [isp for isp, _ in ISP_V4]
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["STT", "Địa chỉ IP", "Thời gian ghi nhận", "Tên mã độc", "Nhà mạng"])
        for i, (text, moment) in enumerate(zip(texts, times.tolist(), strict=True)):
            seen = (
                ""
                if moment != moment  # NaN
                else dt.datetime.fromtimestamp(moment, TZ).strftime("%d/%m/%Y %H:%M")
            )
            writer.writerow([i + 1, text, seen, rng.choice(MALWARE), rng.choice(isps)])


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# --- measurements ---------------------------------------------------------------------------


def timed(function, repeat: int = 3):
    """(best seconds, median seconds, last result) over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        begin = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - begin)
    return min(times), statistics.median(times), result


def read_csv_columns(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        ips, seen = [], []
        for row in reader:
            ips.append(row[1])
            seen.append(row[2])
    return ips, seen


def baseline_lookup(
    text: str, networks: list, records: list[PrefixRecord], start: float, end: float
) -> int:
    """The plain way: parse with ipaddress and test every prefix; most specific wins, then
    the same tie-breaks as the index (longer overlap, later valid_from, lower position)."""
    address = ipaddress.ip_address(text.strip().strip("[]"))
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    best, best_key = -1, None
    for position, network in enumerate(networks):
        if address in network:
            record = records[position]
            lo = -np.inf if record.valid_from is None else record.valid_from
            hi = np.inf if record.valid_to is None else record.valid_to
            point = start == end
            if not (start < hi and (lo <= start if point else lo < end)):
                continue
            key = (network.prefixlen, min(hi, end) - max(lo, start), lo, -position)
            if best_key is None or key > best_key:
                best, best_key = position, key
    return best


# Run in a child process so that its time and peak memory are its own.
READ_LIST_CHILD = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from lachan.engine import botnet
from lachan.engine.ipindex import PrefixIndex
from lachan.engine.names import NameMatcher
from lachan.cli.botnet import output_frame, write_json
list_path, units_path, networks_path, output = sys.argv[2:6]
stages = {}
def stage(name, work):
    begin = time.perf_counter()
    result = work()
    stages[name] = round(time.perf_counter() - begin, 3)
    return result
period = botnet.parse_period("2025-06")
def read(path):
    with open(path, "rb") as handle:
        return handle.read()
records = stage("read_networks", lambda: botnet.read_networks(read(networks_path), "networks.csv"))
units = stage("read_units", lambda: botnet.read_units(read(units_path), "units.csv"))
data = read(list_path)
result = stage("read_botnet_list", lambda: botnet.read_botnet_list(data, os.path.basename(list_path), period=period))
del data
index = stage("build_index", lambda: PrefixIndex.build(records))
matcher = stage("name_matcher", lambda: NameMatcher(units))
found = stage("attribute", lambda: botnet.attribute(result, index=index, matcher=matcher, period=period))
def write():
    rows = output_frame(found, result.tz)
    summary = {"rows_read": result.rows_read, "rows_rejected": len(result.rejected),
               "duplicates": result.duplicates, **found.counts()}
    with open(output, "wb") as handle:
        write_json(handle, summary, rows, [{"row": r.row, "reason": r.reason} for r in result.rejected])
    return summary
summary = stage("write_json", write)
total = sum(stages.values())
print(json.dumps({
    "seconds": stages["read_botnet_list"],
    "rows": len(result),
    "read_rows_per_s": round(result.rows_read / stages["read_botnet_list"]),
    "stages_seconds": stages,
    "in_process_total_seconds": round(total, 3),
    "summary": summary,
    # VmHWM: this process's own peak (ru_maxrss may carry the parent's over fork and exec).
    "peak_memory_mib": round(int(next(
        line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")
    )) / 1024, 1),
}))
"""


def end_to_end(
    workdir: Path, list_path: Path, units_path: Path, networks_path: Path, rows: int
) -> dict:
    """The stateless command on the whole list in a child process, then the same stages
    timed one by one in another child (read_networks, read_units, read_botnet_list, the
    index, the name matcher, attribute, the JSON output), without the process start-up."""
    report: dict = {"command": None, "read_botnet_list": None}
    lachan = shutil.which("lachan", path=str(Path(sys.executable).parent)) or shutil.which("lachan")
    env = {**os.environ, "LACHAN_HOME": str(workdir / "home")}
    output = workdir / "result.json"
    command = [
        lachan or "lachan",
        *("botnet", "match", str(list_path)),
        *("--units", str(units_path), "--networks", str(networks_path)),
        *("--period", "2025-06", "--format", "json", "--output", str(output)),
    ]
    probe = (
        subprocess.run(
            [command[0], "botnet", "match", "--help"], capture_output=True, text=True, env=env
        )
        if lachan
        else None
    )
    if probe is None or probe.returncode != 0:
        report["command_reason"] = "`lachan botnet match` is not available yet"
    else:
        begin = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - begin
        # The largest child so far: the command (the probe above is much smaller).
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = None
        if run.returncode == 0:
            with output.open(encoding="utf-8") as handle:
                summary = json.load(handle).get("summary")
        report["command"] = {
            "argv": " ".join(["lachan", *command[1:]]).replace(str(workdir), "$TMP"),
            "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds) if run.returncode == 0 else None,
            "exit_status": run.returncode,
            "stderr": run.stderr.strip()[-300:] or None,
            "summary": summary,
            "peak_memory_mib": round(child_peak, 1),
            "goal_5s_met": run.returncode == 0 and seconds <= 5.0,
            "goal_memory_met": child_peak < 1024,
        }
    if importlib.util.find_spec("lachan.engine.botnet") is None:
        report["read_botnet_list_reason"] = "lachan.engine.botnet does not exist yet"
        return report
    run = subprocess.run(
        [
            sys.executable,
            *("-c", READ_LIST_CHILD, str(ROOT / "src")),
            *(str(list_path), str(units_path), str(networks_path), str(workdir / "child.json")),
        ],
        capture_output=True,
        text=True,
    )
    if run.returncode == 0:
        report["read_botnet_list"] = json.loads(run.stdout.strip().splitlines()[-1])
    else:
        report["read_botnet_list_reason"] = run.stderr.strip()[-300:]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--prefixes", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=40, help="rows for the baseline")
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="lachan-bench-botnet-"))
    try:
        report = run(args, rng, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=2))


def run(args: argparse.Namespace, rng: random.Random, workdir: Path) -> dict:
    begin = time.perf_counter()
    records, registry_rows = make_registry(rng, args.prefixes, args.units)
    texts, times = make_list(rng, args.rows, records)
    list_path = workdir / "danh_sach_botnet_2025_06.csv"
    write_list(list_path, texts, times, rng)
    networks_path = workdir / "networks.csv"
    write_csv(networks_path, registry_rows)
    units_path = workdir / "units.csv"
    write_csv(
        units_path,
        [
            {"code": f"DV{u:05d}", "name": f"Trường DV{u:05d}", "type": "THPT"}
            for u in range(args.units)
        ],
    )
    generated = time.perf_counter() - begin
    rows = args.rows

    # Reading.
    csv_best, _, (ips, _seen) = timed(lambda: read_csv_columns(list_path), repeat=1)
    parse_best, parse_median, parsed = timed(lambda: parse_addresses(ips))
    # Attribution: point times, the list's period for rows without one.
    has_time = ~np.isnan(times)
    start = np.where(has_time, times, epoch(PERIOD_START))
    end = np.where(has_time, times, epoch(PERIOD_END))
    build_best, _, index = timed(lambda: PrefixIndex.build(records), repeat=3)
    record_best, _, _ = timed(
        lambda: [PrefixRecord(r.prefix, r.unit_key, r.valid_from, r.valid_to) for r in records],
        repeat=1,
    )
    lookup_best, lookup_median, found = timed(lambda: index.lookup_many(parsed, start, end), 5)
    classify_best, _, classes = timed(lambda: classify_addresses(parsed), 3)
    format_best, _, _ = timed(lambda: format_addresses(parsed), 1)
    overlaps_best, _, overlaps = timed(index.overlaps, 1)

    # Baseline on a sample, checked against the index.
    networks = [ipaddress.ip_network(r.network) for r in records]
    sample = rng.sample(range(rows), min(args.sample, rows))
    began = time.perf_counter()
    expected = [baseline_lookup(ips[i], networks, records, start[i], end[i]) for i in sample]
    baseline_per_row = (time.perf_counter() - began) / len(sample)
    disagreements = sum(int(found[i]) != e for i, e in zip(sample, expected, strict=True))

    # Peak memory of parsing and attribution alone (numpy reports to tracemalloc).
    tracemalloc.start()
    traced = parse_addresses(ips)
    index.lookup_many(traced, start, end)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced

    # This process: the generated data, the CSV columns, the index and the arrays.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    e2e = (
        {"skipped": "--no-end-to-end"}
        if args.no_end_to_end
        else end_to_end(workdir, list_path, units_path, networks_path, rows)
    )
    command = e2e.get("command") or {}
    attribution_rate = rows / lookup_best
    baseline_seconds = baseline_per_row * rows
    matched = int((found >= 0).sum())
    counts = np.bincount(classes, minlength=len(ADDRESS_CLASSES))
    return {
        "rows": rows,
        "prefixes": len(records),
        "units": args.units,
        "ipv6_rows": int((parsed.version == 6).sum()),
        "invalid_rows": int((parsed.version == 0).sum()),
        "matched_rows": matched,
        "address_classes": {
            name: int(n) for name, n in zip(ADDRESS_CLASSES, counts, strict=True) if n
        },
        "overlaps": len(overlaps),
        "generate_seconds": round(generated, 2),
        "reading": {
            "csv_module_seconds": round(csv_best, 3),
            "csv_module_rows_per_s": round(rows / csv_best),
            "parse_addresses_seconds": round(parse_best, 3),
            "parse_addresses_median_seconds": round(parse_median, 3),
            "parse_addresses_rows_per_s": round(rows / parse_best),
        },
        "attribution": {
            "records_seconds": round(record_best, 3),
            "build_index_seconds": round(build_best, 3),
            "lookup_many_seconds": round(lookup_best, 3),
            "lookup_many_median_seconds": round(lookup_median, 3),
            "rows_per_s": round(attribution_rate),
            "classify_seconds": round(classify_best, 3),
            "format_seconds": round(format_best, 3),
            "overlaps_seconds": round(overlaps_best, 3),
        },
        "baseline": {
            "method": "ipaddress.ip_address + loop over all prefixes (ipaddress networks)",
            "sample_rows": len(sample),
            "seconds_per_row": round(baseline_per_row, 5),
            "scaled_seconds": round(baseline_seconds, 1),
            "rows_per_s": round(1 / baseline_per_row, 1),
            "disagreements_with_index": disagreements,
        },
        "ratio_vs_baseline": round(baseline_seconds / lookup_best),
        "ratio_parse_and_attribution_vs_baseline": round(
            baseline_seconds / (lookup_best + parse_best)
        ),
        "end_to_end": e2e,
        "peak_memory_mib": round(peak_mib, 1),
        "traced_peak_parse_and_lookup_mib": round(traced_peak / 2**20, 1),
        "goals": {
            "attribution_2M_rows_per_s": attribution_rate >= 2_000_000,
            "attribution_margin": round(attribution_rate / 2_000_000, 2),
            "peak_memory_under_1GiB": peak_mib < 1024,
            "end_to_end_5s": command.get("goal_5s_met"),
            "end_to_end_margin": (
                round(5.0 / command["seconds"], 2) if command.get("seconds") else None
            ),
            "end_to_end_peak_memory_under_1GiB": command.get("goal_memory_met"),
            "baseline_agrees": disagreements == 0,
        },
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    main()
