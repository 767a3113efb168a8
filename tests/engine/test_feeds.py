"""Feed readers: NVD CVE API 2.0, CVE JSON 5, CPE configuration records, KEV, EPSS."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from lachan.engine import feeds
from lachan.engine.feeds import (
    FeedError,
    count_hint,
    cpe_product_name,
    cpe_vendor_name,
    feed_files,
    iter_records,
    read_epss,
    read_kev,
    split_cpe,
    version_item_bounds,
)
from lachan.engine.vulndata import PUBLISHED, REJECTED, CpeMatch, VulnRecord

FIXTURES = Path(__file__).parent / "fixtures" / "vuln"
UTC = dt.UTC


def by_id(records) -> dict[str, VulnRecord]:
    out = {}
    for record in records:
        assert record.record_id not in out, record.record_id
        out[record.record_id] = record
    return out


def all_matches(record: VulnRecord) -> list[CpeMatch]:
    return [m for c in record.configurations for n in c.nodes for m in n.matches]


# --------------------------------------------------------------------------- NVD 2.0


def test_nvd_single_page_every_field():
    records = by_id(iter_records([FIXTURES / "nvd_single.json"]))
    assert list(records) == ["CVE-2021-41773", "CVE-2021-0001"]
    r = records["CVE-2021-41773"]
    assert r.source == "nvd"
    assert r.status == PUBLISHED
    assert r.description.startswith("A flaw was found") and r.description.endswith("2.4.49.")
    assert r.published == dt.datetime(2021, 10, 5, 9, 15, 7, 593000, tzinfo=UTC)
    assert r.modified == dt.datetime(2024, 7, 24, 17, 8, 49, 603000, tzinfo=UTC)
    # the Primary (NVD) v3.1 metric wins over the CNA's Secondary one
    assert (r.cvss31.version, r.cvss31.score, r.cvss31.severity) == ("3.1", 9.8, "critical")
    assert r.cvss31.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert (r.cvss40.version, r.cvss40.score, r.cvss40.severity) == ("4.0", 8.7, "high")
    assert r.best_cvss is r.cvss31
    assert r.cwes == ("CWE-22",)  # NVD-CWE-Other dropped, duplicates kept once
    assert r.references == (
        "https://httpd.apache.org/security/vulnerabilities_24.html",
        "http://www.openwall.com/lists/oss-security/2021/10/05/2",
    )
    first, second = r.configurations
    assert first.operator == "OR" and not first.negate
    (only,) = first.nodes[0].matches
    assert only == CpeMatch("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*")
    assert second.operator == "AND"
    app, platform = second.nodes
    assert (app.operator, app.negate) == ("OR", False)
    assert app.matches == (
        CpeMatch(
            "cpe:2.3:a:oracle:instantis_enterprisetrack:*:*:*:*:*:*:*:*",
            True,
            version_start_including="17.1",
            version_end_including="17.3",
        ),
        CpeMatch(
            "cpe:2.3:a:netapp:cloud_backup:*:*:*:*:*:*:*:*",
            True,
            version_start_excluding="1.0",
            version_end_excluding="2.0",
        ),
    )
    assert platform.negate is True
    assert platform.matches == (
        CpeMatch("cpe:2.3:o:fedoraproject:fedora:34:*:*:*:*:*:*:*", vulnerable=False),
    )


def test_nvd_rejected_by_status_and_by_description():
    single = by_id(iter_records([FIXTURES / "nvd_single.json"]))
    assert single["CVE-2021-0001"].status == REJECTED
    assert single["CVE-2021-0001"].cvss31 is None
    pages = by_id(iter_records([FIXTURES / "nvd_pages"]))
    assert pages["CVE-1999-0002"].status == REJECTED  # "** REJECT **" description


def test_nvd_multi_page_folder_is_walked_recursively_and_sorted():
    records = list(iter_records([FIXTURES / "nvd_pages"]))
    # sorted paths: nvd_pages/2024/page-0002.json before nvd_pages/page-0000.json; README skipped
    assert [r.record_id for r in records] == [
        "CVE-1999-0002",
        "CVE-2024-0002",
        "CVE-2017-0144",
        "CVE-2024-0001",
    ]
    r = by_id(records)
    v30 = r["CVE-2017-0144"]
    assert (v30.cvss31.version, v30.cvss31.score, v30.cvss31.severity) == ("3.0", 8.1, "high")
    assert v30.cvss40 is None
    assert all_matches(v30) == [CpeMatch("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")]
    v4 = r["CVE-2024-0001"]
    assert v4.cvss31 is None
    assert (v4.cvss40.score, v4.cvss40.severity) == (6.9, "medium")  # severity from the score
    assert v4.best_cvss is v4.cvss40
    assert r["CVE-2024-0002"].description == "Seulement en français."  # no English: first one
    assert r["CVE-2024-0002"].configurations == ()


def test_json_array_of_pages_reads_like_the_pages():
    array = [(r.record_id, r) for r in iter_records([FIXTURES / "nvd_pages_array.json"])]
    folder = {r.record_id: r for r in iter_records([FIXTURES / "nvd_pages"])}
    assert [rid for rid, _ in array] == [
        "CVE-2017-0144",
        "CVE-2024-0001",
        "CVE-1999-0002",
        "CVE-2024-0002",
    ]
    for rid, record in array:
        assert record == folder[rid]


def test_single_nvd_item_and_bare_cve_object(tmp_path):
    page = json.loads((FIXTURES / "nvd_single.json").read_text())
    item = page["vulnerabilities"][0]
    (tmp_path / "item.json").write_text(json.dumps(item))
    (tmp_path / "bare.json").write_text(json.dumps(item["cve"]))
    a, b = iter_records([tmp_path / "item.json", tmp_path / "bare.json"])
    assert a == b
    assert a.record_id == "CVE-2021-41773" and a.cvss31.score == 9.8


# --------------------------------------------------------------------------- CVE JSON 5


def test_cve5_file_with_cna_and_cisa_adp():
    (r,) = iter_records([FIXTURES / "cve5" / "2024" / "4xxx" / "CVE-2024-4577.json"])
    assert r.record_id == "CVE-2024-4577"
    assert r.source == "cve5"
    assert r.status == PUBLISHED
    assert r.description.startswith("In PHP versions 8.1.* before 8.1.29")  # lang en-US
    assert r.published == dt.datetime(2024, 6, 9, 19, 15, 8, tzinfo=UTC)
    assert r.modified == dt.datetime(2024, 8, 19, 7, 55, 6, 493000, tzinfo=UTC)
    assert (r.cvss31.score, r.cvss31.severity, r.cvss31.version) == (9.8, "critical", "3.1")
    assert r.cvss40 is None
    assert r.cwes == ("CWE-78",)
    assert r.references == (
        "https://github.com/php/php-src/security/advisories/GHSA-3qgc-jrrr-25jv",
        "https://www.php.net/ChangeLog-8.php#8.1.29",
    )
    # ADP entry (with its CPE, version set to "*" for the range), then the CNA entry (CPE
    # built from the names: "PHP Group" / "PHP" is php:php)
    adp, cna = r.configurations
    assert all_matches(r.__class__(r.record_id, configurations=(adp,))) == [
        CpeMatch(
            "cpe:2.3:a:php_group:php:*:*:*:*:*:*:*:*",
            version_start_including="8.1.0",
            version_end_excluding="8.1.29",
        )
    ]
    assert cna.nodes[0].matches == (
        CpeMatch(
            "cpe:2.3:a:php:php:*:*:*:*:*:*:*:*",
            version_start_including="8.1",
            version_end_excluding="8.1.29",
        ),
        CpeMatch(
            "cpe:2.3:a:php:php:*:*:*:*:*:*:*:*",
            version_start_including="8.2",
            version_end_excluding="8.2.20",
        ),
        CpeMatch(
            "cpe:2.3:a:php:php:*:*:*:*:*:*:*:*",
            version_start_including="8.3",
            version_end_excluding="8.3.8",
        ),
    )


def test_cve5_folder_tree():
    records = by_id(iter_records([FIXTURES / "cve5"]))
    assert list(records) == ["CVE-2023-0100", "CVE-2023-0200", "CVE-2024-4577", "CVE-2024-4600"]

    rejected = records["CVE-2023-0200"]
    assert rejected.status == REJECTED
    assert rejected.description == "This candidate was withdrawn by its CNA."
    assert rejected.configurations == ()

    r = records["CVE-2023-0100"]
    assert r.description == "Several products of several vendors, in every shape a CNA writes."
    assert r.published == dt.datetime(2023, 1, 10, tzinfo=UTC)  # no offset: UTC
    assert (r.cvss31.score, r.cvss31.severity) == (6.1, "medium")  # from the CISA ADP only
    assert r.cwes == ("CWE-79", "CWE-116")  # CNA text "CWE-79: …", then the ADP's
    moodle, fortios, zyxel = (c.nodes[0].matches for c in r.configurations)
    assert moodle == (
        CpeMatch(
            "cpe:2.3:a:moodle:moodle:*:*:*:*:*:*:*:*",
            version_start_including="4.1.0",
            version_end_including="4.1.5",
        ),
        CpeMatch("cpe:2.3:a:moodle:moodle:*:*:*:*:*:*:*:*", version_end_excluding="3.11.15"),
    )
    assert fortios == (
        CpeMatch("cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*"),
        CpeMatch("cpe:2.3:o:fortinet:fortios:7.0.1:*:*:*:*:*:*:*"),
    )
    assert zyxel == (
        CpeMatch(
            "cpe:2.3:a:zyxel:atp_series_firmware:*:*:*:*:*:*:*:*",
            version_start_including="4.32",
            version_end_including="5.35",
        ),
    )
    # the n/a entry and the git-commit range gave nothing

    app = records["CVE-2024-4600"]
    assert (app.cvss40.score, app.cvss40.severity) == (9.3, "critical")
    assert (app.cvss31.version, app.cvss31.score, app.cvss31.severity) == ("3.0", 9.8, "critical")
    (conf,) = app.configurations  # cpeApplicability wins over the affected list
    assert conf.operator == "AND"
    assert [n.matches for n in conf.nodes] == [
        (CpeMatch("cpe:2.3:a:example:agent:*:*:*:*:*:*:*:*", version_end_excluding="9.9"),),
        (CpeMatch("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", vulnerable=False),),
    ]


def test_cpes_of_an_entry_lose_their_version_for_a_range_and_keep_other_fields(tmp_path):
    record = {
        "dataType": "CVE_RECORD",
        "cveMetadata": {"cveId": "CVE-2021-1675", "state": "PUBLISHED"},
        "containers": {
            "cna": {
                "affected": [
                    {
                        "vendor": "Microsoft",
                        "product": "Windows 10 Version 1809",
                        "cpes": [
                            "cpe:2.3:o:microsoft:windows_10_1809:10.0.17763.1999:*:*:*:*:*:x86:*",
                            "cpe:2.3:o:microsoft:windows_10_1809:10.0.17763.1999:*:*:*:*:*:x64:*",
                        ],
                        "versions": [
                            {
                                "status": "affected",
                                "version": "10.0.0",
                                "lessThan": "10.0.17763.1999",
                            }
                        ],
                    },
                    {
                        "vendor": "Microsoft",
                        "product": "Windows 11 version 23H2",
                        "cpes": ["cpe:2.3:o:microsoft:windows_11_23H2:*:*:*:*:*:*:*:*"],
                        "versions": [{"status": "affected", "version": "9.3(9)"}],
                    },
                ]
            }
        },
    }
    (tmp_path / "r.json").write_text(json.dumps(record))
    (r,) = iter_records([tmp_path / "r.json"])
    assert all_matches(r) == [
        CpeMatch(
            "cpe:2.3:o:microsoft:windows_10_1809:*:*:*:*:*:*:x86:*",
            version_start_including="10.0.0",
            version_end_excluding="10.0.17763.1999",
        ),
        CpeMatch(
            "cpe:2.3:o:microsoft:windows_10_1809:*:*:*:*:*:*:x64:*",
            version_start_including="10.0.0",
            version_end_excluding="10.0.17763.1999",
        ),
        # vendor/product in lower case; an exact version is quoted as CPE 2.3 wants
        CpeMatch("cpe:2.3:o:microsoft:windows_11_23h2:9.3\\(9\\):*:*:*:*:*:*:*"),
    ]


@pytest.mark.parametrize(
    ("item", "bounds"),
    [
        ({"version": "2.4.0", "lessThan": "2.4.59"}, (None, "2.4.0", None, None, "2.4.59")),
        ({"version": "0", "lessThanOrEqual": "0.9.0"}, (None, None, None, "0.9.0", None)),
        ({"version": "*", "lessThanOrEqual": "5.96"}, (None, None, None, "5.96", None)),
        ({"version": "-", "lessThan": "105.0.5195.52"}, (None, None, None, None, "105.0.5195.52")),
        ({"version": "16.1.0", "lessThanOrEqual": "*"}, (None, "16.1.0", None, None, None)),
        ({"version": "0", "lessThanOrEqual": "*"}, (None, None, None, None, None)),
        ({"version": "*"}, (None, None, None, None, None)),
        ({"version": "7.0.0-0"}, ("7.0.0-0", None, None, None, None)),
        ({"version": "V4.16"}, ("4.16", None, None, None, None)),
        ({"version": "5.50\\(abom.8\\)c0"}, ("5.50(abom.8)c0", None, None, None, None)),
        ({"version": "8.1.*", "lessThan": "8.1.29"}, (None, "8.1", None, None, "8.1.29")),
        ({"version": "8.0.x", "lessThan": "8.0.28"}, (None, "8.0", None, None, "8.0.28")),
        ({"version": "13.x"}, (None, "13", None, None, "14")),
        ({"version": ">= 8.2.0", "lessThan": "8.2.5"}, (None, "8.2.0", None, None, "8.2.5")),
        ({"version": "< 3.0"}, (None, None, None, None, "3.0")),
        ({"version": "7.0.1-5119 and earlier versions"}, (None, None, None, "7.0.1-5119", None)),
        ({"version": "8.3.0 to 8.3.4"}, (None, "8.3.0", None, "8.3.4", None)),
        ({"version": "versions V4.16 through V5.38"}, (None, "4.16", None, "5.38", None)),
        (
            {"version": "Oracle GraalVM Enterprise Edition:20.3.1"},
            ("20.3.1", None, None, None, None),
        ),
        (
            {"version": "8.1", "changes": [{"at": "8.1.23-h1", "status": "unaffected"}]},
            (None, "8.1", None, None, "8.1.23-h1"),
        ),
        ({"version": "unspecified", "lessThan": "2.0"}, (None, None, None, None, "2.0")),
        # what cannot be read gives nothing rather than a wider range
        ({"version": "n/a"}, None),
        ({"version": "unspecified"}, None),
        ({"version": "0"}, None),
        ({"version": "previous versions"}, None),
        ({"version": "16.0.1", "lessThan": "https://aka.ms/OfficeSecurityReleases"}, None),
        ({"version": "2.0", "lessThan": "unspecified"}, None),
        ({"version": "2022 SU5", "lessThanOrEqual": "2022 SU5"}, None),
        ({"version": "b9c370b61d73", "lessThan": "0f7908a016c0", "versionType": "git"}, None),
        ({"version": "ef1f7df9170d"}, None),
    ],
)
def test_version_item_bounds(item, bounds):
    assert version_item_bounds({"status": "affected", **item}) == bounds


@pytest.mark.parametrize("status", ["unaffected", "unknown", None])
def test_version_items_not_affected_give_nothing(status):
    assert version_item_bounds({"status": status, "version": "1.0", "lessThan": "2.0"}) is None


@pytest.mark.parametrize(
    ("vendor", "product", "cpe"),
    [
        ("Apache Software Foundation", "Apache HTTP Server", "apache:http_server"),
        ("PHP Group", "PHP", "php:php"),
        ("Oracle Corporation", "MySQL Server", "oracle:mysql_server"),
        ("Google", "Chrome", "google:chrome"),
        ("Mozilla", "Firefox ESR", "mozilla:firefox_esr"),
        ("Jenkins Project", "Jenkins", "jenkins:jenkins"),
        ("Apache Software Foundation", "Apache StreamPark (incubating)", "apache:streampark"),
        (
            "Zoom Video Communications, Inc.",
            "Zoom Workplace",
            "zoom_video_communications:workplace",
        ),
        ("ZoomIt", "ZoomSounds - WordPress Wave Audio", "zoomit:zoomsounds_-_wordpress_wave_audio"),
        ("Acme", "Path: tool & co", "acme:path\\:_tool_\\&_co"),
        ("n/a", "n/a", ":"),
    ],
)
def test_cpe_names_from_cve5_names(vendor, product, cpe):
    assert f"{cpe_vendor_name(vendor)}:{cpe_product_name(product, vendor)}" == cpe


def test_split_cpe_keeps_escaped_colons():
    fields = split_cpe("cpe:2.3:a:oracle:mysql_connector\\:python:8.0:*:*:*:*:*:*:*")
    assert fields[4] == "mysql_connector\\:python" and len(fields) == 13
    assert split_cpe("cpe:/a:apache:http_server:2.4") is None
    assert split_cpe("cpe:2.3:a:short:form") is None
    assert split_cpe("cpe:2.3:a:vendor:product:1.0")[5:] == ["1.0"] + ["*"] * 7


# --------------------------------------------------------------------------- JSONL, gzip


def _jsonl(path: Path, docs) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def _gzip(src: Path, dest: Path) -> Path:
    with open(src, "rb") as fin, gzip.open(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    return dest


def test_jsonl_and_gzip_of_cve5_and_nvd_pages(tmp_path):
    cve5 = sorted((FIXTURES / "cve5").rglob("*.json"))
    docs = [json.loads(p.read_text()) for p in cve5]
    pages = [json.loads(p.read_text()) for p in sorted((FIXTURES / "nvd_pages").rglob("*.json"))]
    plain = _jsonl(tmp_path / "cve5.jsonl", docs)
    mixed = _jsonl(tmp_path / "mixed.ndjson", [*pages, docs[0]])
    expected = list(iter_records([FIXTURES / "cve5"]))

    assert list(iter_records([plain])) == expected
    assert list(iter_records([_gzip(plain, tmp_path / "cve5.jsonl.gz")])) == expected
    # JSON lines named .json, gzipped under a name that says nothing: told by content
    assert list(iter_records([_gzip(plain, tmp_path / "dump.json.gz")])) == expected
    assert list(iter_records([_gzip(plain, tmp_path / "feed.bin")])) == expected
    assert [r.record_id for r in iter_records([mixed])] == [
        "CVE-1999-0002",
        "CVE-2024-0002",
        "CVE-2017-0144",
        "CVE-2024-0001",
        "CVE-2023-0100",
    ]
    # a gzipped NVD page and a folder mixing everything
    (tmp_path / "sub").mkdir()
    _gzip(FIXTURES / "nvd_single.json", tmp_path / "sub" / "nvd.json.gz")
    ids = [r.record_id for r in iter_records([tmp_path / "sub"])]
    assert ids == ["CVE-2021-41773", "CVE-2021-0001"]


def test_cpe_configuration_records():
    records = by_id(iter_records([FIXTURES / "nvd_cpe_configurations.jsonl"]))
    empty, pan = records["CVE-2024-21683"], records["CVE-2024-3400"]
    assert empty.source == pan.source == "nvd-config"
    assert empty.configurations == () and empty.status == PUBLISHED and empty.published is None
    assert pan.description == "A command injection in GlobalProtect of PAN-OS."
    assert pan.published == dt.datetime(2024, 4, 12, 8, 15, 6, 230000, tzinfo=UTC)
    assert pan.modified == dt.datetime(2024, 4, 19, 14, 0, tzinfo=UTC)
    assert pan.references == (
        "https://security.paloaltonetworks.com/CVE-2024-3400",
        "https://unit42.paloaltonetworks.com/cve-2024-3400/",
    )
    assert all_matches(pan) == [
        CpeMatch(
            "cpe:2.3:o:paloaltonetworks:pan-os:*:*:*:*:*:*:*:*",
            version_start_including="10.2.0",
            version_end_excluding="10.2.9-h1",
        )
    ]


def test_large_documents_are_streamed_element_by_element(monkeypatch):
    whole_single = list(iter_records([FIXTURES / "nvd_single.json"]))
    whole_array = list(iter_records([FIXTURES / "nvd_pages_array.json"]))
    monkeypatch.setattr(feeds, "_STREAM_ABOVE", 0)
    monkeypatch.setattr(feeds, "_CHUNK", 97)  # elements larger than the buffer
    assert list(iter_records([FIXTURES / "nvd_single.json"])) == whole_single
    assert list(iter_records([FIXTURES / "nvd_pages_array.json"])) == whole_array


def test_streamed_document_cut_short_is_an_error(tmp_path, monkeypatch):
    text = (FIXTURES / "nvd_single.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2])
    monkeypatch.setattr(feeds, "_STREAM_ABOVE", 0)
    monkeypatch.setattr(feeds, "_CHUNK", 256)
    with pytest.raises(FeedError) as err:
        list(iter_records([cut]))
    assert err.value.path == str(cut)


def test_progress_and_count_hint(tmp_path):
    paths = [FIXTURES / "nvd_pages", FIXTURES / "cve5", FIXTURES / "nvd_single.json"]
    hint = count_hint(paths)
    files = feed_files(paths)
    assert hint.files == len(files) == 7
    assert hint.bytes == sum(p.stat().st_size for p in files)
    seen = []
    records = list(iter_records(paths, progress=seen.append))
    assert len(records) == 10
    assert [p.files_done for p in seen] == list(range(1, 8))
    last = seen[-1]
    assert (last.files_total, last.bytes_done, last.bytes_total, last.records) == (
        7,
        hint.bytes,
        hint.bytes,
        10,
    )


def test_progress_inside_a_large_jsonl(tmp_path, monkeypatch):
    doc = json.loads((FIXTURES / "cve5" / "2024" / "4xxx" / "CVE-2024-4577.json").read_text())
    docs = []
    for n in range(25):
        d = json.loads(json.dumps(doc))
        d["cveMetadata"]["cveId"] = f"CVE-2024-{10000 + n}"
        docs.append(d)
    path = _gzip(_jsonl(tmp_path / "many.jsonl", docs), tmp_path / "many.jsonl.gz")
    monkeypatch.setattr(feeds, "_PROGRESS_EVERY", 10)
    seen = []
    assert len(list(iter_records([path], progress=seen.append))) == 25
    assert [p.records for p in seen] == [10, 20, 25]
    assert seen[0].files_done == 0 and 0 < seen[0].bytes_done <= seen[-1].bytes_done


# --------------------------------------------------------------------------- errors


def test_bad_json_names_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "NVD_CVE", "vulnerabilities": [')
    with pytest.raises(FeedError) as err:
        list(iter_records([bad]))
    assert str(bad) in str(err.value) and "not JSON" in str(err.value)
    assert err.value.path == str(bad) and err.value.line is None


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    doc = json.loads((FIXTURES / "cve5" / "2023" / "0xxx" / "CVE-2023-0200.json").read_text())
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(doc) + "\n\n" + '{"dataType": "CVE_RECORD", \n', encoding="utf-8")
    with pytest.raises(FeedError) as err:
        list(iter_records([path]))
    assert err.value.line == 3
    assert f"{path}, line 3" in str(err.value)


def test_record_of_the_wrong_shape_names_file_line_and_record(tmp_path):
    path = tmp_path / "records.jsonl"
    good = {"cveMetadata": {"cveId": "CVE-2024-1", "state": "PUBLISHED"}, "containers": {}}
    bad = {
        "dataType": "CVE_RECORD",
        "cveMetadata": {"cveId": "CVE-2024-2"},
        "containers": {"cna": {"affected": [{"vendor": "x", "product": "y", "versions": 5}]}},
    }
    _jsonl(path, [good, bad])
    with pytest.raises(FeedError) as err:
        list(iter_records([path]))
    assert (err.value.line, err.value.record_id) == (2, "CVE-2024-2")
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"cveMetadata": {"state": "PUBLISHED"}}))
    with pytest.raises(FeedError, match="cveId"):
        list(iter_records([missing]))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hello": "world"}', "not an NVD CVE API 2.0 page"),
        ("[1, 2]", "expected a JSON object"),
        ("", "empty file"),
        ('{"vulnerabilities": [{"cveID": "CVE-2024-4577"}]}', "KEV"),
    ],
)
def test_unknown_shapes_are_errors(tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_text(content)
    with pytest.raises(FeedError, match=message):
        list(iter_records([path]))


def test_kev_catalogue_given_as_records_is_refused():
    with pytest.raises(FeedError, match="KEV"):
        list(iter_records([FIXTURES / "kev.json"]))


def test_missing_path_and_truncated_gzip(tmp_path):
    with pytest.raises(FeedError, match="no such file"):
        list(iter_records([tmp_path / "nope"]))
    data = gzip.compress((FIXTURES / "nvd_single.json").read_bytes())
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FeedError) as err:
        list(iter_records([cut]))
    assert err.value.path == str(cut)


# --------------------------------------------------------------------------- KEV


def test_kev_json_and_csv_agree():
    from_json = read_kev(FIXTURES / "kev.json")
    from_csv = read_kev(FIXTURES / "kev.csv")
    assert from_json == from_csv
    php = from_json["CVE-2024-4577"]
    assert php.vendor == "PHP Group" and php.product == "PHP"
    assert php.name == "PHP-CGI OS Command Injection Vulnerability"
    assert php.date_added == dt.date(2024, 6, 12) and php.due_date == dt.date(2024, 7, 3)
    assert php.ransomware is True
    assert php.required_action.startswith("Apply mitigations")
    assert php.notes.startswith("https://www.php.net/ChangeLog-8.php#8.1.29")
    assert from_json["CVE-2021-41773"].ransomware is False
    assert from_json["CVE-2021-41773"].notes == ""


def test_kev_gzipped_and_errors(tmp_path):
    gz = _gzip(FIXTURES / "kev.csv", tmp_path / "kev.csv.gz")
    assert read_kev(gz) == read_kev(FIXTURES / "kev.csv")
    other = tmp_path / "other.csv"
    other.write_text("cve,epss\nCVE-1,0.1\n")
    with pytest.raises(FeedError, match="cveID"):
        read_kev(other)
    bad_date = tmp_path / "bad.csv"
    rows = list(csv.reader((FIXTURES / "kev.csv").read_text().splitlines()))
    rows[2][4] = "03/11/2021"
    with open(bad_date, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(FeedError) as err:
        read_kev(bad_date)
    assert err.value.line == 3 and "CVE-2021-41773 dateAdded" in str(err.value)
    not_kev = tmp_path / "x.json"
    not_kev.write_text('{"a": 1}')
    with pytest.raises(FeedError, match="vulnerabilities"):
        read_kev(not_kev)


# --------------------------------------------------------------------------- EPSS

EPSS_TEXT = (
    "#model_version:v2023.03.01,score_date:2026-11-27T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-1999-0001,0.01167,0.77675\n"
    "CVE-2024-4577,0.94358,0.99957\n"
    "CVE-2021-41773,0.94470,0.99992\n"
)


def test_epss_gzip_with_comment_line(tmp_path):
    path = tmp_path / "epss_scores-2026-11-27.csv.gz"
    path.write_bytes(gzip.compress(EPSS_TEXT.encode()))
    scores = read_epss(path)
    assert len(scores) == 3
    php = scores["CVE-2024-4577"]
    assert (php.cve_id, php.epss, php.percentile) == ("CVE-2024-4577", 0.94358, 0.99957)
    assert php.date == dt.date(2026, 11, 27)


def test_epss_plain_without_comment(tmp_path):
    path = tmp_path / "epss.csv"
    path.write_text(EPSS_TEXT.split("\n", 1)[1].replace("\n", "\r\n"))
    scores = read_epss(path)
    assert scores["CVE-1999-0001"].epss == 0.01167 and scores["CVE-1999-0001"].date is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("cve,score\nCVE-1,0.1\n", 1),
        ("#model_version:x\ncve,epss,percentile\nCVE-1,0.1,0.2\nCVE-2,high,0.3\n", 4),
        ("cve,epss,percentile\nCVE-1\n", 2),
    ],
)
def test_epss_errors(tmp_path, text, line):
    path = tmp_path / "epss.csv"
    path.write_text(text)
    with pytest.raises(FeedError) as err:
        read_epss(path)
    assert err.value.line == line
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FeedError, match="empty"):
        read_epss(empty)


# --------------------------------------------------------------------------- real data


def test_real_cve_records_all_parse(shared_data):
    path = shared_data / "cve_records" / "cve_records_v5.jsonl.gz"
    records = by_id(iter_records([path]))
    assert len(records) == 2140
    with open(shared_data / "cve_records" / "index.csv", newline="") as fh:
        index = {row["cve_id"]: row for row in csv.DictReader(fh)}
    assert set(records) == set(index)
    assert all(r.source == "cve5" and r.status == PUBLISHED for r in records.values())
    assert all(r.description and r.published and r.modified for r in records.values())
    assert sum(1 for r in records.values() if r.configurations) >= 1900
    assert sum(1 for r in records.values() if r.best_cvss) >= 1700
    for r in records.values():
        for m in all_matches(r):
            fields = split_cpe(m.criteria)
            assert fields is not None and fields[2] in "aoh", m.criteria
            assert fields[3] == fields[3].lower() and fields[4] == fields[4].lower()

    # the samples are the same records, byte for byte from the origin
    samples = by_id(iter_records([shared_data / "cve_records" / "samples"]))
    assert len(samples) == 10
    for rid, record in samples.items():
        assert record == records[rid]

    kev = read_kev(shared_data / "kev" / "known_exploited_vulnerabilities.json")
    in_kev = {rid for rid, row in index.items() if row["in_kev"] == "yes"}
    assert len(in_kev) == 251 and in_kev <= set(kev)

    flash = records["CVE-2014-0502"]
    assert flash.cvss31.score == 8.8 and flash.cvss31.severity == "high"  # CISA ADP
    assert flash.cvss31.vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
    assert flash.cwes == ("CWE-415",)
    assert flash.configurations == ()  # the CNA says n/a; nothing is guessed
    assert flash.published == dt.datetime(2014, 2, 21, 2, 0, tzinfo=UTC)
    assert "Double free vulnerability in Adobe Flash Player" in flash.description
    assert "http://helpx.adobe.com/security/products/flash-player/apsb14-07.html" in (
        flash.references
    )
    assert kev["CVE-2014-0502"].date_added == dt.date(2024, 9, 17)
    assert kev["CVE-2014-0502"].due_date == dt.date(2024, 10, 8)

    php = records["CVE-2024-4577"]
    assert php.cvss31.score == 9.8
    assert CpeMatch(
        "cpe:2.3:a:php:php:*:*:*:*:*:*:*:*",
        version_start_including="8.1",
        version_end_excluding="8.1.29",
    ) in all_matches(php)
    assert kev["CVE-2024-4577"].ransomware is True


def test_real_nvd_configurations_all_parse(shared_data):
    folder = shared_data / "nvd_cpe_configurations"
    records = by_id(iter_records([folder / "nvd_cpe_configurations.jsonl.gz"]))
    assert len(records) == 2000
    assert all(r.source == "nvd-config" for r in records.values())
    assert sum(1 for r in records.values() if not r.configurations) == 1
    assert sum(len(r.configurations) for r in records.values()) == 2964
    assert sum(1 for r in records.values() for c in r.configurations if c.operator == "AND") == 188
    matches = [m for r in records.values() for m in all_matches(r)]
    assert len(matches) == 7956
    assert sum(1 for m in matches if m.version_end_excluding) == 4511 + 2585
    assert sum(1 for m in matches if m.version_end_including) == 212 + 90
    assert sum(1 for m in matches if m.version_start_including) == 4511 + 212 + 13

    # the whole folder: the JSON Schema beside the data is no feed and is left out
    assert [p.name for p in feed_files([folder])] == [
        "full-page.json",  # nvd_api_2_0_examples/ sorts before nvd_cpe_…
        "single-entry.json",
        "nvd_cpe_configurations.jsonl.gz",
    ]
    assert sum(1 for _ in iter_records([folder])) == 2000 + 39

    examples = by_id(iter_records([folder / "nvd_api_2_0_examples"]))
    assert len(examples) == 39
    assert sum(1 for r in examples.values() if r.configurations) == 26
    assert all(r.source == "nvd" and r.status == PUBLISHED for r in examples.values())
    assert sum(1 for r in examples.values() if r.cvss31) == 36
    one = examples["CVE-2022-1576"]
    assert (one.cvss31.score, one.cwes) == (6.5, ("CWE-352",))
    assert all_matches(one) == [
        CpeMatch(
            "cpe:2.3:a:themeisle:wp_maintenance_mode_\\&_coming_soon:*:*:*:*:*:wordpress:*:*",
            version_end_excluding="2.4.5",
        )
    ]


def test_real_kev_json_and_csv(shared_data):
    folder = shared_data / "kev"
    from_json = read_kev(folder / "known_exploited_vulnerabilities.json")
    from_csv = read_kev(folder / "known_exploited_vulnerabilities.csv")
    assert len(from_json) == 1404
    assert from_json == from_csv
    assert sum(e.ransomware for e in from_json.values()) == 293
    assert all(e.date_added and e.due_date for e in from_json.values())
