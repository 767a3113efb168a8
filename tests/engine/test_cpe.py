"""lachan.engine.cpe: CPE 2.3 formatted strings (quoting, ANY/NA), the 2.2 URI form, building
names and matching a criteria name to an installed product."""

from __future__ import annotations

import gzip
import json

import pytest

from lachan.engine.cpe import (
    ANY,
    ATTRIBUTES,
    NA,
    Cpe,
    CpeError,
    build_cpe,
    format_cpe,
    matches,
    normalise_name,
    parse_cpe,
)


def test_parse_the_eleven_attributes():
    cpe = parse_cpe("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*")
    assert cpe == Cpe("a", "apache", "http_server", "2.4.49")
    assert [getattr(cpe, a) for a in ATTRIBUTES][3:] == ["2.4.49"] + [ANY] * 7


def test_parse_all_attributes_in_order():
    cpe = parse_cpe("cpe:2.3:o:microsoft:windows_10:1607:sp1:pro:vi:home:wordpress:x64:other")
    assert cpe == Cpe(
        "o",
        "microsoft",
        "windows_10",
        "1607",
        "sp1",
        "pro",
        "vi",
        "home",
        "wordpress",
        "x64",
        "other",
    )


@pytest.mark.parametrize(
    ("text", "vendor", "product"),
    [
        (
            r"cpe:2.3:a:passionatebrains:add_expires_headers_\&_optimized_minify:*:*:*:*:*:wordpress:*:*",
            "passionatebrains",
            "add_expires_headers_&_optimized_minify",
        ),
        (
            r"cpe:2.3:a:unlimited-elements:unlimited_elements_for_elementor_\(free_widgets\,_addons\,_templates\):*:*:*:*:*:wordpress:*:*",
            "unlimited-elements",
            "unlimited_elements_for_elementor_(free_widgets,_addons,_templates)",
        ),
        (r"cpe:2.3:a:apache:xerces-c\+\+:*:*:*:*:*:*:*:*", "apache", "xerces-c++"),
        (
            r"cpe:2.3:a:oracle:mysql_connector\/python:*:*:*:*:*:python:*:*",
            "oracle",
            "mysql_connector/python",
        ),
        (
            r"cpe:2.3:a:blueastral:page_builder\::*:*:*:*:*:wordpress:*:*",
            "blueastral",
            "page_builder:",
        ),
        (
            r"cpe:2.3:a:codebard:codebard\'s_patron_button_and_widgets_for_patreon:*:*:*:*:*:wordpress:*:*",
            "codebard",
            "codebard's_patron_button_and_widgets_for_patreon",
        ),
        ("cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*", "nodejs", "node.js"),
        (r"cpe:2.3:a:vendor:back\\slash\:x:*:*:*:*:*:*:*:*", "vendor", "back\\slash:x"),
        ("CPE:2.3:A:Google:Chrome:*:*:*:*:*:*:*:*", "google", "chrome"),
    ],
)
def test_quoted_characters(text, vendor, product):
    cpe = parse_cpe(text)
    assert (cpe.vendor, cpe.product) == (vendor, product)
    assert parse_cpe(format_cpe(cpe)) == cpe


def test_any_na_and_literal_dash():
    cpe = parse_cpe(r"cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*")
    assert cpe.version == NA
    assert cpe.update == ANY
    literal = parse_cpe(r"cpe:2.3:a:vendor:product:\-:*:*:*:*:*:*:*")
    assert literal.version != NA
    assert format_cpe(literal) == r"cpe:2.3:a:vendor:product:\-:*:*:*:*:*:*:*"


def test_format_quotes_as_nvd_does():
    assert (
        format_cpe(Cpe("a", "veeam", "veeam_backup_&_replication", "12.1"))
        == r"cpe:2.3:a:veeam:veeam_backup_\&_replication:12.1:*:*:*:*:*:*:*"
    )
    assert format_cpe(Cpe("a", "nodejs", "node.js")) == "cpe:2.3:a:nodejs:node.js:*:*:*:*:*:*:*:*"


def test_short_names_are_padded_with_any():
    assert parse_cpe("cpe:2.3:a:php:php:8.1.29") == Cpe("a", "php", "php", "8.1.29")


def test_uri_form():
    assert parse_cpe("cpe:/a:apache:http_server:2.4.49") == Cpe(
        "a", "apache", "http_server", "2.4.49"
    )
    assert parse_cpe("cpe:/o:canonical:ubuntu_linux:22.04::~~lts~~~") == Cpe(
        "o", "canonical", "ubuntu_linux", "22.04", sw_edition="lts"
    )
    assert (
        parse_cpe("cpe:/a:oracle:mysql_connector%2fpython:8.0").product == "mysql_connector/python"
    )
    assert parse_cpe("cpe:/a:microsoft:office:2016::~~~~x64~:vi").target_hw == "x64"
    assert parse_cpe("cpe:/a:microsoft:office:2016::~~~~x64~:vi").language == "vi"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "apache:http_server",
        "cpe:2.3:x:apache:http_server:*:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*:extra",
        "cpe:2.3:a:apache:http_server\\",
        "cpe:/a:b:c:d:e:f:g:h",
    ],
)
def test_not_a_cpe(text):
    with pytest.raises(CpeError):
        parse_cpe(text)


def test_build_cpe():
    assert (
        build_cpe("a", "Apache", "HTTP Server", "2.4.49")
        == "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*"
    )
    assert build_cpe(
        "a", "wpexperts", "Rocket Maintenance Mode & Coming Soon Page", target_sw="WordPress"
    ) == (
        r"cpe:2.3:a:wpexperts:rocket_maintenance_mode_\&_coming_soon_page:*:*:*:*:*:wordpress:*:*"
    )
    assert (
        build_cpe("o", "microsoft", "windows", "-") == "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"
    )
    assert build_cpe("a", "php", "php", "") == "cpe:2.3:a:php:php:*:*:*:*:*:*:*:*"
    with pytest.raises(CpeError):
        build_cpe("a", "php", "php", colour="red")
    with pytest.raises(CpeError):
        build_cpe("x", "php", "php")


def test_normalise_name():
    assert normalise_name(r"Veeam Backup \& Replication") == "veeam_backup_&_replication"
    assert normalise_name("  Google   Chrome ") == "google_chrome"


# --- matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "args", "kwargs", "expected"),
    [
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("apache", "http_server", "2.4.49"),
            {},
            True,
        ),
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("Apache", "HTTP_Server", "2.4.49.0"),
            {},
            True,
        ),
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("apache", "http_server", "2.4.50"),
            {},
            False,
        ),
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("apache", "http_server", None),
            {},
            False,
        ),
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("apache", "tomcat", "2.4.49"),
            {},
            False,
        ),
        (
            "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
            ("nginx", "http_server", "2.4.49"),
            {},
            False,
        ),
        (
            "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*",
            ("apache", "http_server", "9.9"),
            {},
            True,
        ),
        ("cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*", ("apache", "http_server", None), {}, True),
        ("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", ("microsoft", "windows", ""), {}, True),
        ("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", ("microsoft", "windows", "-"), {}, True),
        ("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", ("microsoft", "windows", "10"), {}, False),
        (
            "cpe:2.3:a:openssl:openssl:1.1.1W:*:*:*:*:*:*:*",
            ("openssl", "openssl", "1.1.1w"),
            {},
            True,
        ),
        ("cpe:2.3:a:git:git:27ddd49:*:*:*:*:*:*:*", ("git", "git", "27DDD49"), {}, True),
        (
            r"cpe:2.3:a:veeam:veeam_backup_\&_replication:12:*:*:*:*:*:*:*",
            ("veeam", "Veeam Backup & Replication", "12.0"),
            {},
            True,
        ),
        # part
        (
            "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
            ("linux", "linux_kernel", "6.1"),
            {"part": "o"},
            True,
        ),
        (
            "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
            ("linux", "linux_kernel", "6.1"),
            {"part": "a"},
            False,
        ),
        # target_sw and update never exclude what is not known
        (
            "cpe:2.3:a:helpiewp:accordion_\\&_faq:*:*:*:*:*:wordpress:*:*",
            ("helpiewp", "accordion_&_faq", "1.2"),
            {},
            True,
        ),
        (
            "cpe:2.3:a:x:plugin:*:*:*:*:*:wordpress:*:*",
            ("x", "plugin", "1.2"),
            {"target_sw": "WordPress"},
            True,
        ),
        (
            "cpe:2.3:a:x:plugin:*:*:*:*:*:wordpress:*:*",
            ("x", "plugin", "1.2"),
            {"target_sw": "joomla"},
            False,
        ),
        (
            "cpe:2.3:a:x:plugin:*:*:*:*:*:wordpress:*:*",
            ("x", "plugin", "1.2"),
            {"target_sw": "*"},
            True,
        ),
        (
            "cpe:2.3:a:x:plugin:*:*:*:*:*:*:*:*",
            ("x", "plugin", "1.2"),
            {"target_sw": "joomla"},
            True,
        ),
        ("cpe:2.3:a:x:app:*:*:*:*:*:*:x64:*", ("x", "app", "1.2"), {"target_hw": "arm64"}, False),
        (
            "cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*",
            ("openbsd", "openssh", "9.3"),
            {"update": "p1"},
            True,
        ),
        (
            "cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*",
            ("openbsd", "openssh", "9.3"),
            {"update": "p2"},
            False,
        ),
        ("cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*", ("openbsd", "openssh", "9.3"), {}, True),
    ],
)
def test_matches(criteria, args, kwargs, expected):
    assert matches(criteria, *args, **kwargs) is expected
    assert matches(parse_cpe(criteria), *args, **kwargs) is expected


def test_every_real_criteria_parses_and_round_trips(shared_data):
    path = shared_data / "nvd_cpe_configurations" / "nvd_cpe_configurations.jsonl.gz"
    seen = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            for configuration in json.loads(line)["cve"].get("configurations", []):
                for node in configuration["nodes"]:
                    for match in node["cpeMatch"]:
                        cpe = parse_cpe(match["criteria"])
                        assert cpe.part in "aoh"
                        assert format_cpe(cpe).lower() == match["criteria"].lower(), match[
                            "criteria"
                        ]
                        seen += 1
    assert seen > 7000
