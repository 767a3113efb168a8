"""A small learned model of risky host names: one more signal of the URL check.

Logistic regression over hashed features of the *host* alone (``zlib.crc32`` into
``2**bits`` buckets): character 3–5-grams of the registrable label and of the subdomain
labels, the public suffix and top-level domain, bucketed counts (length, digits, hyphens,
labels, vowel ratio, entropy, consonant runs) and, for an IP literal, its version and
leading octets. Paths and ports are left out on purpose: the legitimate training set holds
bare domains only, so a model would learn "has a path" = bad; the rule-based signals judge
paths (``url.executable``, ``url.malware_path``…).

The weights are data (``lachan/engine/data/scam/url_model.json``) written by
``scripts/train_url_model.py``, whose header says what it was trained on, the split rule,
the thresholds and the held-out figures. Inference is pure Python.

The split shared by training and evaluation is :func:`split_key` + :func:`in_train`: the
SHA-256 of the registrable domain (an IP address stands for itself), first byte even →
train half, odd → held-out half, for every list alike, so a registrable domain is never in
both halves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import zlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from .indicators import normalize_host, normalize_ip

__all__ = [
    "DEFAULT_MODEL_FILE",
    "UrlModel",
    "UrlModelError",
    "default_url_model",
    "host_features",
    "in_train",
    "split_key",
]

DEFAULT_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "scam" / "url_model.json"
SPLIT_RULE = (
    "registrable domain by the Public Suffix List (an IP address stands for itself); "
    "sha256(utf-8)[0] % 2 == 0 → train, otherwise held out"
)

_VOWELS = frozenset("aeiouy")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")


class UrlModelError(ValueError):
    """The model file is missing or malformed."""


class _Suffixes(Protocol):
    def publicsuffix(self, domain: str, accept_unknown: bool = ...) -> str | None: ...

    def privatesuffix(self, domain: str, accept_unknown: bool = ...) -> str | None: ...


# --- the split ------------------------------------------------------------------------------


def split_key(value: str, psl: _Suffixes) -> str | None:
    """The registrable domain of a host, URL or adblock rule (``||host/path^``); an IP
    address is its own key. ``None`` when no host can be read."""
    text = value.strip().lower()
    if text.startswith("||"):
        text = text[2:].split("$", 1)[0].rstrip("^|")
    text = _SCHEME.sub("", text)
    host = re.split(r"[/?#^]", text, maxsplit=1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:
        host = host.split(":")[0]
    ip = normalize_ip(host)
    if ip is not None:
        return ip
    ascii_host = normalize_host(host)
    if ascii_host is None:
        return None
    return psl.privatesuffix(ascii_host) or ascii_host


def in_train(key: str) -> bool:
    """Whether the registrable domain ``key`` (from :func:`split_key`) is in the train half."""
    return hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0


# --- features ---------------------------------------------------------------------------------


def _bucket(value: int, edges: tuple[int, ...]) -> int:
    for k, edge in enumerate(edges):
        if value <= edge:
            return k
    return len(edges)


def _entropy(text: str) -> float:
    counts: dict[str, int] = {}
    for c in text:
        counts[c] = counts.get(c, 0) + 1
    n = len(text)
    return -sum(k / n * math.log2(k / n) for k in counts.values()) if n else 0.0


def _grams(text: str, prefix: str) -> list[str]:
    padded = f"^{text}$"
    return [prefix + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]


def host_features(host: str, suffix: str | None) -> list[tuple[str, float]]:
    """Named features of ``host`` (lower-case ASCII or an IP) with their values;
    ``suffix`` is its public suffix (``None``: the last label)."""
    ip = normalize_ip(host)
    if ip is not None:
        out: list[tuple[str, float]] = [("ip", 1.0)]
        if ":" in ip:
            out.append(("ip:v6", 1.0))
            out.append(("ip6:" + ip.split(":")[0], 1.0))
        else:
            octets = ip.split(".")
            out.append(("ip:v4", 1.0))
            out.append(("ip8:" + octets[0], 1.0))
            out.append(("ip16:" + ".".join(octets[:2]), 1.0))
        return out
    labels = host.split(".")
    if suffix is None or not host.endswith("." + suffix):
        suffix = labels[-1]
    n_suffix = suffix.count(".") + 1
    rest = labels[:-n_suffix]
    reg = rest[-1] if rest else ""
    subs = rest[:-1]
    tld = labels[-1]
    out = [
        ("bias:domain", 1.0),
        ("sfx:" + suffix, 1.0),
        ("tld:" + tld, 1.0),
        ("sfxlabels:" + str(min(n_suffix, 3)), 1.0),
        ("rlab:" + reg, 1.0),
        ("nsub:" + str(min(len(subs), 4)), 1.0),
    ]
    grams = _grams(reg, "r:")
    if grams:
        scale = 1.0 / math.sqrt(len(grams))
        out.extend((g, scale) for g in grams)
    sub_grams: list[str] = []
    for label in subs:
        sub_grams.extend(_grams(label, "s:"))
        if len(label) <= 12:
            out.append(("slab:" + label, 1.0))
    if sub_grams:
        scale = 1.0 / math.sqrt(len(sub_grams))
        out.extend((g, scale) for g in sub_grams)
    letters = [c for c in reg if c.isalpha()]
    digits = sum(c.isdigit() for c in reg)
    vowels = sum(c in _VOWELS for c in letters)
    runs = [len(m) for m in _CONSONANT_RUN.findall(reg)]
    digit_runs = _DIGIT_RUN.findall(reg)
    sub_text = ".".join(subs)
    out.extend(
        [
            ("len:" + str(_bucket(len(reg), (3, 5, 7, 9, 11, 14, 18, 24))), 1.0),
            ("digits:" + str(_bucket(digits, (0, 1, 2, 4, 7))), 1.0),
            ("digitruns:" + str(min(len(digit_runs), 3)), 1.0),
            ("hyphens:" + str(min(reg.count("-"), 3)), 1.0),
            (
                "vowels:" + (str(min(9, int(10 * vowels / len(letters)))) if letters else "none"),
                1.0,
            ),
            ("entropy:" + str(min(9, int(2 * _entropy(reg)))), 1.0),
            ("crun:" + str(_bucket(max(runs, default=0), (1, 2, 3, 4, 6))), 1.0),
            ("sublen:" + str(_bucket(len(sub_text), (0, 3, 6, 10, 16, 24, 40))), 1.0),
            ("subdigits:" + str(_bucket(sum(c.isdigit() for c in sub_text), (0, 1, 3, 6))), 1.0),
            ("idn", 1.0 if "xn--" in host else 0.0),
            ("alldigits", 1.0 if reg.isdigit() else 0.0),
        ]
    )
    return [(name, value) for name, value in out if value]


def hash_feature(name: str, bits: int) -> int:
    """The bucket of a named feature: CRC-32 of its UTF-8 bytes, low ``bits`` bits."""
    return zlib.crc32(name.encode("utf-8")) & ((1 << bits) - 1)


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlModel:
    """Weights, bias and thresholds read from the model file."""

    header: dict[str, Any]
    bits: int
    bias: float
    weights: array  # type: ignore[type-arg]
    threshold_medium: float
    threshold_high: float
    weight_medium: int
    weight_high: int

    @classmethod
    def load(cls, path: Path | None = None) -> UrlModel:
        file = Path(path) if path is not None else DEFAULT_MODEL_FILE
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            header = data["header"]
            bits = int(data["bits"])
            raw = zlib.decompress(base64.b64decode(data["weights_f32_zlib_b64"]))
            weights = array("f")
            weights.frombytes(raw)
            if len(weights) != 1 << bits:
                raise UrlModelError(f"{file.name}: {len(weights)} trọng số, cần {1 << bits}")
            th = data["thresholds"]
            return cls(
                header=header,
                bits=bits,
                bias=float(data["bias"]),
                weights=weights,
                threshold_medium=float(th["medium"]),
                threshold_high=float(th["high"]),
                weight_medium=int(th["weight_medium"]),
                weight_high=int(th["weight_high"]),
            )
        except OSError as exc:
            raise UrlModelError(f"{file.name}: không đọc được tệp ({exc})") from exc
        except (KeyError, TypeError, ValueError, zlib.error) as exc:
            if isinstance(exc, UrlModelError):
                raise
            raise UrlModelError(f"{file.name}: tệp mô hình không hợp lệ ({exc})") from exc

    def probability(self, host: str, suffix: str | None) -> float:
        """P(risky) of ``host`` (lower-case ASCII or IP) with public suffix ``suffix``."""
        w = self.weights
        mask = (1 << self.bits) - 1
        z = self.bias
        for name, value in host_features(host, suffix):
            z += w[zlib.crc32(name.encode("utf-8")) & mask] * value
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def weight_for(self, probability: float) -> int:
        """The reason weight for a probability: high, medium or nothing (0)."""
        if probability >= self.threshold_high:
            return self.weight_high
        if probability >= self.threshold_medium:
            return self.weight_medium
        return 0


@lru_cache(maxsize=1)
def default_url_model() -> UrlModel:
    """The bundled model, read on first use."""
    return UrlModel.load()
