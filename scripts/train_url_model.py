"""Train the scam checker's host model (``lachan/engine/data/scam/url_model.json``).

Reads the public lists under ``LACHAN_SHARED_DATA`` (default ``../shared/data``):

- positives: ``url_lists/maltrail/phishing_scam_indicators.csv`` (phishing, scam, fake apps)
  and every ``url_lists/urlhaus/*.txt`` (malware distribution), one class;
- negatives: ``url_lists/benign/maltrail_whitelist.txt`` and the checker's own
  ``legitimate_domains.txt`` / ``protected_domains.csv``.

Every item, whatever its list, is split by :func:`lachan.engine.scam.urlmodel.split_key` /
``in_train`` (SHA-256 of the registrable domain); only the train half is used here. Hosts are
deduplicated; a positive host whose registrable domain is also a negative (a malware file on
github.com) is dropped from training (the model sees hosts, not paths). Classes are weighted
to equal mass, and IP addresses to at most a third of the positive mass.

Logistic regression, hashed features (see ``urlmodel.host_features``), L2 penalty, full-batch
Adam with a fixed number of steps (deterministic: no randomness at all). The thresholds of the
"medium" and "high" contributions are chosen by 5-fold cross-validation *within the train
half* (folds by another byte of the same hash): out-of-fold probabilities, added to the rule
signals of the checker without the model, so that the benign train half is flagged at most
1.5 % (medium) and the rules' own rate + 0.5 point (high). The held-out figures in the header are computed afterwards,
once, and are not used to choose anything (``--no-heldout`` skips them).

Run: ``.venv/bin/python scripts/train_url_model.py [--out FILE] [--no-heldout]``.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import os
import re
import sys
import zlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from publicsuffixlist import PublicSuffixList  # noqa: E402

from lachan.engine.scam import Checker, normalize_host, normalize_ip  # noqa: E402
from lachan.engine.scam.data import load_data  # noqa: E402
from lachan.engine.scam.urlmodel import (  # noqa: E402
    DEFAULT_MODEL_FILE,
    SPLIT_RULE,
    UrlModel,
    hash_feature,
    host_features,
    in_train,
    split_key,
)

SHARED = Path(os.environ.get("LACHAN_SHARED_DATA", ROOT.parent / "shared" / "data"))
BITS = 18
L2 = 1e-5  # chosen by cross-validation inside the train half (1e-3 … 1e-5 tried)
STEPS = 400
LEARNING_RATE = 0.05
FOLDS = 5
TARGET_FPR_MEDIUM = 0.015
TARGET_FPR_HIGH = 0.005  # on top of what the rules alone flag high
WEIGHT_MEDIUM = 40
WEIGHT_HIGH = 70
IP_SHARE = 1 / 3
PSL = PublicSuffixList()

PHISHING = Path("url_lists/maltrail/phishing_scam_indicators.csv")
URLHAUS_ONLINE = Path("url_lists/urlhaus/urlhaus-filter-online.txt")
BENIGN = Path("url_lists/benign/maltrail_whitelist.txt")


# --- reading the lists ------------------------------------------------------------------------


def host_of(value: str) -> str | None:
    """The host (ASCII, lower case) or IP of a URL, bare host, hosts-file line or adblock rule."""
    text = value.strip().lower()
    if text.startswith(("0.0.0.0 ", "127.0.0.1 ")):
        text = text.split()[1]
    if text.startswith("||"):
        text = text[2:].split("$", 1)[0].rstrip("^|")
    text = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", text)
    for stop in "/?#^":
        text = text.split(stop, 1)[0]
    text = text.rsplit("@", 1)[-1]
    if text.startswith("["):
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    ip = normalize_ip(text)
    return ip if ip is not None else normalize_host(text)


def read_phishing(shared: Path) -> list[str]:
    """Indicator values (domains, IPs, URLs), path-only URLs left out."""
    with (shared / PHISHING).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        r["indicator"] for r in rows if not (r["type"] == "url" and r["indicator"].startswith("/"))
    ]


def read_adblock(path: Path) -> list[str]:
    """Values of a URLhaus-filter file: adblock rules, hosts-file lines or bare hosts."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and stripped[0] not in "!#":
            if stripped.startswith(("0.0.0.0 ", "127.0.0.1 ")):
                stripped = stripped.split()[1]
            out.append(stripped)
    return out


def urlhaus_input(rule: str) -> str:
    """An adblock rule as a person would paste it (as ``benchmarks/eval_checker.py``)."""
    value = rule[2:].split("$", 1)[0].rstrip("^|") if rule.startswith("||") else rule
    return ("http://" + value) if "/" in value else value


def read_benign(shared: Path) -> list[str]:
    out = []
    for line in (shared / BENIGN).read_text(encoding="utf-8").splitlines():
        value = line.split("#", 1)[0].strip()
        if value and "." in value:
            out.append(value)
    return out


def split(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """(train, held out) by the shared rule; unreadable values are dropped."""
    train, heldout = [], []
    for value in values:
        key = split_key(value, PSL)
        if key is not None:
            (train if in_train(key) else heldout).append(value)
    return train, heldout


def heldout_inputs(shared: Path) -> dict[str, list[str]]:
    """The held-out inputs, exactly as ``benchmarks/eval_checker.py`` checks them."""
    _, phishing = split(read_phishing(shared))
    _, urlhaus = split(read_adblock(shared / URLHAUS_ONLINE))
    _, benign = split(read_benign(shared))
    return {
        "phishing": phishing,
        "urlhaus": [urlhaus_input(v) for v in urlhaus],
        "benign": benign,
    }


def training_set(shared: Path) -> tuple[list[str], np.ndarray, dict[str, Any]]:
    """Train-half hosts, labels (1 = risky) and counts."""
    positives: dict[str, str] = {}
    counts: dict[str, Any] = defaultdict(int)
    sources: list[tuple[str, list[str]]] = [("maltrail_phishing", read_phishing(shared))]
    for path in sorted((shared / "url_lists" / "urlhaus").glob("*.txt")):
        sources.append((f"urlhaus/{path.name}", read_adblock(path)))
    for name, values in sources:
        train, heldout = split(values)
        counts[f"{name}: train rows"] = len(train)
        counts[f"{name}: held-out rows (unused)"] = len(heldout)
        for value in train:
            host = host_of(value)
            if host is not None:
                positives.setdefault(host, name)
    negatives: dict[str, str] = {}
    benign_train, benign_heldout = split(read_benign(shared))
    counts["benign: train rows"] = len(benign_train)
    counts["benign: held-out rows (unused)"] = len(benign_heldout)
    for value in benign_train:
        host = host_of(value)
        if host is not None:
            negatives.setdefault(host, "benign")
    data = load_data()
    own = sorted(set(data.legitimate_domains) | {p.domain for p in data.protected})
    own_train, _ = split(own)
    counts["checker data domains: train half"] = len(own_train)
    counts["checker data domains: other half (unused)"] = len(own) - len(own_train)
    for host in own_train:
        negatives.setdefault(host, "checker")
    negative_keys = {split_key(h, PSL) for h in negatives}
    dropped = [h for h in positives if split_key(h, PSL) in negative_keys or h in negatives]
    for host in dropped:
        del positives[host]
    counts["positive hosts dropped (registrable domain also negative)"] = len(dropped)
    hosts = sorted(positives) + sorted(negatives)
    labels = np.array([1.0] * len(positives) + [0.0] * len(negatives))
    counts["positive hosts"] = len(positives)
    counts["positive IPs"] = sum(normalize_ip(h) is not None for h in positives)
    counts["negative hosts"] = len(negatives)
    counts["negative IPs"] = sum(normalize_ip(h) is not None for h in negatives)
    return hosts, labels, dict(counts)


# --- the model --------------------------------------------------------------------------------


def design(hosts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse design matrix as (row, column, value) arrays."""
    rows, cols, vals = [], [], []
    for i, host in enumerate(hosts):
        suffix = None if normalize_ip(host) is not None else PSL.publicsuffix(host)
        for name, value in host_features(host, suffix):
            rows.append(i)
            cols.append(hash_feature(name, BITS))
            vals.append(value)
    return np.array(rows), np.array(cols), np.array(vals)


def sample_weights(hosts: list[str], labels: np.ndarray) -> np.ndarray:
    is_ip = np.array([normalize_ip(h) is not None for h in hosts])
    pos, neg = labels == 1, labels == 0
    weights = np.ones(len(hosts))
    ip_pos = pos & is_ip
    if ip_pos.sum() > IP_SHARE * pos.sum():
        weights[ip_pos] = IP_SHARE * pos.sum() / ip_pos.sum()
    weights[pos] *= len(hosts) / 2 / weights[pos].sum()
    weights[neg] *= len(hosts) / 2 / weights[neg].sum()
    return weights


def fit(
    x: tuple[np.ndarray, np.ndarray, np.ndarray],
    labels: np.ndarray,
    weights: np.ndarray,
    index: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression on the rows in ``index``: full-batch Adam."""
    rows, cols, vals = x
    keep = np.isin(rows, index)
    remap = np.full(len(labels), -1)
    remap[index] = np.arange(len(index))
    r, c, v = remap[rows[keep]], cols[keep], vals[keep]
    y, sw = labels[index], weights[index]
    n, dim = len(index), 1 << BITS
    w = np.zeros(dim)
    b = 0.0
    m, s = np.zeros(dim + 1), np.zeros(dim + 1)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    total = sw.sum()
    for step in range(1, STEPS + 1):
        z = np.bincount(r, weights=v * w[c], minlength=n) + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g = sw * (p - y) / total
        grad = np.empty(dim + 1)
        grad[:dim] = np.bincount(c, weights=v * g[r], minlength=dim) + L2 * w
        grad[dim] = g.sum()
        m = beta1 * m + (1 - beta1) * grad
        s = beta2 * s + (1 - beta2) * grad * grad
        update = LEARNING_RATE * (m / (1 - beta1**step)) / (np.sqrt(s / (1 - beta2**step)) + eps)
        w -= update[:dim]
        b -= update[dim]
    return w.astype(np.float32), float(b)


def predict(x: tuple[np.ndarray, np.ndarray, np.ndarray], n: int, w: np.ndarray, b: float):
    rows, cols, vals = x
    z = np.bincount(rows, weights=vals * w[cols].astype(np.float64), minlength=n) + b
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fold_of(host: str) -> int:
    key = split_key(host, PSL) or host
    return hashlib.sha256(key.encode("utf-8")).digest()[1] % FOLDS


# --- thresholds -------------------------------------------------------------------------------


def rule_scores(hosts: list[str]) -> np.ndarray:
    """The score of each host by the checker without the model (as listed)."""
    checker = Checker(url_model=False)
    return np.array([checker.check(h, "url").score for h in hosts], dtype=float)


def choose_thresholds(
    prob: np.ndarray, rules: np.ndarray, labels: np.ndarray, benign: np.ndarray
) -> dict[str, Any]:
    """Smallest probability thresholds whose combined flag rate on benign train hosts (out of
    fold) stays within the targets (high: the rules' own rate + TARGET_FPR_HIGH)."""
    candidates = np.unique(np.round(prob, 4))

    def fpr(level: float, t_med: float, t_high: float) -> float:
        add = np.where(prob >= t_high, WEIGHT_HIGH, np.where(prob >= t_med, WEIGHT_MEDIUM, 0))
        return float(((rules + add)[benign] >= level).mean())

    rules_high = float((rules[benign] >= 70).mean())
    t_high = next(
        (t for t in candidates if fpr(70, 2.0, t) <= rules_high + TARGET_FPR_HIGH),
        float(candidates[-1]),
    )
    t_med = next(
        (t for t in candidates if t <= t_high and fpr(40, t, t_high) <= TARGET_FPR_MEDIUM),
        t_high,
    )
    add = np.where(prob >= t_high, WEIGHT_HIGH, np.where(prob >= t_med, WEIGHT_MEDIUM, 0))
    score = rules + add
    pos = labels == 1
    return {
        "medium": round(float(t_med), 4),
        "high": round(float(t_high), 4),
        "weight_medium": WEIGHT_MEDIUM,
        "weight_high": WEIGHT_HIGH,
        "cv_train_half_as_listed": {
            "benign_train_fpr_medium": round(float((score[benign] >= 40).mean()), 4),
            "benign_train_fpr_high": round(float((score[benign] >= 70).mean()), 4),
            "positive_train_recall_medium": round(float((score[pos] >= 40).mean()), 4),
            "positive_train_recall_high": round(float((score[pos] >= 70).mean()), 4),
            "positive_train_recall_medium_domains_only": round(
                float((score[pos & ~IS_IP] >= 40).mean()), 4
            ),
        },
    }


IS_IP = np.zeros(0, dtype=bool)


# --- held-out figures ---------------------------------------------------------------------------


def rates(bad: list[str], good: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"positives": len(bad), "negatives": len(good)}
    for name, levels in (("medium", ("medium", "high")), ("high", ("high",))):
        tp = sum(r in levels for r in bad)
        fp = sum(r in levels for r in good)
        out[f"recall_{name}"] = round(tp / len(bad), 4) if bad else None
        out[f"fpr_{name}"] = round(fp / len(good), 4) if good else None
    return out


def as_link(value: str) -> str:
    if "://" in value:
        return value
    return ("http://" + value) if "/" in value else f"http://{value}/"


def heldout_figures(shared: Path, model: UrlModel) -> dict[str, Any]:
    """Checker with the model, no blocklist: held-out recall and benign false-positive rate."""
    sets = heldout_inputs(shared)
    checker = Checker(url_model=model)
    out: dict[str, Any] = {}
    for form, shape in (("as_listed", lambda v: v), ("as_links", as_link)):
        risk = {k: [checker.check(shape(v), "url").risk for v in vs] for k, vs in sets.items()}
        out[form] = {
            "phishing": rates(risk["phishing"], risk["benign"]),
            "urlhaus": rates(risk["urlhaus"], risk["benign"]),
        }
    return out


# --- main ---------------------------------------------------------------------------------------


def encode(w: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(w.astype("<f4").tobytes(), 9)).decode("ascii")


def main() -> None:
    global IS_IP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_FILE)
    parser.add_argument("--no-heldout", action="store_true")
    args = parser.parse_args()
    if not (SHARED / PHISHING).exists():
        sys.exit(f"Không thấy dữ liệu dùng chung ở {SHARED} (đặt LACHAN_SHARED_DATA).")
    hosts, labels, counts = training_set(SHARED)
    IS_IP = np.array([normalize_ip(h) is not None for h in hosts])
    x = design(hosts)
    weights = sample_weights(hosts, labels)
    folds = np.array([fold_of(h) for h in hosts])
    oof = np.zeros(len(hosts))
    for k in range(FOLDS):
        w, b = fit(x, labels, weights, np.flatnonzero(folds != k))
        test = np.flatnonzero(folds == k)
        oof[test] = predict(x, len(hosts), w, b)[test]
    benign_set = set(split(read_benign(SHARED))[0])
    benign = np.array([h in benign_set for h in hosts]) & (labels == 0)
    rules = rule_scores(hosts)
    thresholds = choose_thresholds(oof, rules, labels, benign)
    w, b = fit(x, labels, weights, np.arange(len(hosts)))
    header: dict[str, Any] = {
        "description": "Lá Chắn scam checker: logistic regression over hashed host features "
        "(url.model signal). Regenerate with scripts/train_url_model.py.",
        "trained": dt.date.today().isoformat(),
        "split_rule": SPLIT_RULE,
        "training_data": {
            "positives": "train half of url_lists/maltrail/phishing_scam_indicators.csv and of "
            "every url_lists/urlhaus/*.txt (one class, no source feature)",
            "negatives": "train half of url_lists/benign/maltrail_whitelist.txt and of the "
            "checker's legitimate_domains.txt + protected_domains.csv",
            "counts": counts,
        },
        "features": "crc32(name) & (2**bits - 1); char 3-5-grams of the registrable label and "
        "of subdomain labels (1/sqrt(n) each), whole labels, public suffix, TLD, bucketed "
        "length/digits/hyphens/labels/vowel ratio/entropy/consonant run; IP: version, first "
        "octet, first two octets. No path or port features (no legitimate URLs with paths).",
        "training": f"weighted L2 ({L2}) logistic regression, full-batch Adam, {STEPS} steps, "
        f"lr {LEARNING_RATE}; classes equal mass, IPs at most {IP_SHARE:.2f} of positives",
        "thresholds": f"{FOLDS}-fold CV inside the train half (folds: sha256(key)[1] % "
        f"{FOLDS}), out-of-fold probability + rule score of the checker without the model; "
        f"benign train FPR ≤ {TARGET_FPR_MEDIUM} (medium), ≤ rules alone + {TARGET_FPR_HIGH} "
        "(high)",
        "cv": thresholds["cv_train_half_as_listed"],
    }
    data: dict[str, Any] = {
        "header": header,
        "bits": BITS,
        "bias": round(b, 6),
        "thresholds": {
            k: thresholds[k] for k in ("medium", "high", "weight_medium", "weight_high")
        },
        "weights_f32_zlib_b64": encode(w),
    }
    if not args.no_heldout:
        args.out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        header["heldout_checker_with_model_no_blocklist"] = heldout_figures(
            SHARED, UrlModel.load(args.out)
        )
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(header, ensure_ascii=False, indent=2))
    print(f"{args.out}: {args.out.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
