"""The learned host model (``url.model``): file, scores, exclusions, the shared split, and the
held-out figures its header states."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from publicsuffixlist import PublicSuffixList

from lachan.engine.scam import Checker
from lachan.engine.scam.urlmodel import (
    DEFAULT_MODEL_FILE,
    UrlModel,
    default_url_model,
    in_train,
    split_key,
)

ROOT = Path(__file__).resolve().parents[2]
PSL = PublicSuffixList()


def _p(host: str) -> float:
    model = default_url_model()
    return model.probability(host, PSL.publicsuffix(host))


def test_model_file_loads_and_is_small() -> None:
    model = UrlModel.load()
    assert DEFAULT_MODEL_FILE.stat().st_size < 3_000_000
    assert len(model.weights) == 1 << model.bits
    assert 0 < model.threshold_medium <= model.threshold_high < 1
    header = model.header
    assert "split_rule" in header and "training_data" in header and "features" in header


def test_scores_are_deterministic() -> None:
    first = _p("xk7qz-login.sbs")
    again = UrlModel.load().probability("xk7qz-login.sbs", "sbs")
    assert first == pytest.approx(again, abs=1e-9)
    assert 0.0 <= first <= 1.0


def test_random_cheap_domain_scores_higher_than_vnexpress() -> None:
    assert _p("xk7qz-login.sbs") > _p("vnexpress.net")


@pytest.mark.parametrize(
    "value",
    [
        "vietcombank.com.vn",
        "https://www.vietcombank.com.vn/",
        "chinhphu.vn",
        "xk7qz.gov.vn",
        "http://qwxzkj7.edu.vn/login",
        "http://192.168.1.1/",
    ],
)
def test_known_protected_gov_edu_and_local_never_flagged_by_the_model(value: str) -> None:
    result = Checker().check(value, "url")
    assert "url.model" not in {r.code for r in result.reasons}


def test_model_reason_in_vietnamese_with_the_host_as_evidence() -> None:
    checker = Checker()
    hits = [
        (v, r)
        for v in ("xk7qz-login.sbs", "qzxkvw8.icu", "a8f3kz.top", "login-vrfy92.shop")
        for r in checker.check(v, "url").reasons
        if r.code == "url.model"
    ]
    assert hits, "at least one random cheap domain is flagged by the model"
    value, reason = hits[0]
    assert reason.evidence == value and reason.weight > 0
    assert "Tên miền" in reason.message and "lừa đảo" in reason.message
    assert "url.model" not in {r.code for r in Checker(url_model=False).check(value).reasons}


def test_split_is_by_registrable_domain() -> None:
    assert split_key("https://a.b.example.co.uk/x?y", PSL) == "example.co.uk"
    assert split_key("||web.archive.org/web/1/http://192.0.2.1/x^$all", PSL) == "archive.org"
    assert split_key("http://[2001:db8::1]:8080/", PSL) == "2001:db8::1"
    assert split_key("198.51.100.7", PSL) == "198.51.100.7"
    hosts = ["a.example.com", "b.example.com", "example.com", "x.y.example.com"]
    assert len({in_train(split_key(h, PSL) or "") for h in hosts}) == 1


def _shared() -> Path:
    shared = Path(os.environ.get("LACHAN_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not (shared / "url_lists" / "maltrail" / "phishing_scam_indicators.csv").exists():
        pytest.skip(f"shared data not found under {shared} (set LACHAN_SHARED_DATA)")
    return shared


def _trainer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "train_url_model", ROOT / "scripts" / "train_url_model.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shared_data_split_is_disjoint_across_all_sets() -> None:
    shared = _shared()
    t = _trainer()
    sources = [t.read_phishing(shared), t.read_benign(shared)]
    sources += [t.read_adblock(p) for p in sorted((shared / "url_lists" / "urlhaus").glob("*.txt"))]
    train: set[str] = set()
    heldout: set[str] = set()
    for values in sources:
        for value in values:
            key = split_key(value, PSL)
            if key is not None:
                (train if in_train(key) else heldout).add(key)
    assert train and heldout and not train & heldout
    hosts, labels, _ = t.training_set(shared)
    assert all(in_train(split_key(h, PSL) or "") for h in hosts)


def test_shared_data_heldout_figures_match_the_header() -> None:
    shared = _shared()
    t = _trainer()
    model = default_url_model()
    stated = model.header["heldout_checker_with_model_no_blocklist"]
    measured = t.heldout_figures(shared, model)
    for form, sources in stated.items():
        for source, figures in sources.items():
            for key, value in figures.items():
                if key.startswith(("recall", "fpr")):
                    got = measured[form][source][key]
                    assert got == pytest.approx(value, abs=0.01), (form, source, key)
    json.dumps(measured)
