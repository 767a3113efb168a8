"""Blocklists: the common list formats read into indicators, errors naming the list and the
line, and lookups (host and its parents, networks, URL keys, phones, accounts)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lachan.engine.scam import (
    Blocklist,
    BlocklistError,
    Checker,
    Indicator,
    guess_indicator,
    normalize_indicator,
    parse_blocklist,
)

DEV = Path(__file__).resolve().parents[1] / "data" / "scam_dev"


def values(items):
    return [(i.kind, i.value) for i in items]


def test_urlhaus_adblock_syntax():
    items = parse_blocklist(DEV / "urlhaus.txt")
    assert values(items) == [
        ("domain", "0022a601.pphost.example"),
        ("ip", "198.51.100.23"),
        ("domain", "evil-download.example.net"),
        ("url", "http://files.example.org/bins/mozi.m"),
        ("url", "http://github.com/bad-user/tool/releases/download/v1.0/setup.exe"),
    ]
    assert {i.source for i in items} == {"urlhaus.txt"}


def test_hosts_file_skips_localhost_and_reads_several_hosts_per_line():
    items = parse_blocklist(DEV / "hosts.txt")
    assert values(items) == [
        ("domain", "vietcombank-xacthuc.example"),
        ("domain", "phish-one.example"),
        ("domain", "phish-two.example"),
        ("domain", "tracker.example.net"),
    ]
    assert items[1].label == "two hosts on one line"


def test_maltrail_csv_keeps_family_and_path_indicators():
    items = parse_blocklist(DEV / "maltrail.csv")
    assert values(items) == [
        ("ip", "15.235.212.23"),
        ("domain", "0u12d.98win-vn.example"),
        ("url", "http://203.0.113.77/"),
        ("url", "/AmC00FrdEr00d0FF808Err0r8Ami07/"),
    ]
    assert items[0].label == "365stealer_phishtool / malicious"


def test_plain_list_recognises_each_kind_by_its_shape():
    items = parse_blocklist(DEV / "plain.txt")
    assert values(items) == [
        ("domain", "lua-dao-hocphi.example"),
        ("url", "https://hocbong-quocte.example/dang-ky?id=7"),
        ("ip", "203.0.113.0/24"),
        ("phone", "0912345678"),
        ("phone", "0988777666"),
        ("account", "19038822441122"),
        ("email", "taikhoan.gia@example.com"),
    ]
    assert items[0].label == "báo cáo ngày 12/10"


def test_csv_with_kind_value_label():
    items = parse_blocklist(DEV / "reports.csv")
    assert values(items) == [
        ("phone", "0977551382"),
        ("account", "19035577990011"),
        ("domain", "vnpost-giaolai.example"),
        ("url", "https://evn-thanhtoan.example/pay"),
    ]
    assert items[1].label == 'Tài khoản nhận tiền "con cấp cứu"'


def test_vietnamese_column_names_and_bytes_with_bom():
    data = "\ufeffloại,giá trị,ghi chú\r\nsố điện thoại,0912.345.678,báo cáo\r\n".encode()
    assert values(parse_blocklist(data, name="bc.csv")) == [("phone", "0912345678")]


def test_open_files_and_text_are_read_too():
    assert len(parse_blocklist(io.BytesIO(b"a.example\nb.example\n"))) == 2
    assert len(parse_blocklist("a.example\n", fmt="plain")) == 1


@pytest.mark.parametrize(
    ("content", "fmt", "line", "words"),
    [
        ("good.example\nnot_a_domain!\n", "plain", 2, ["không phải"]),
        ("good.example\nthis is not a domain\n", "plain", 2, ["mỗi dòng một giá trị"]),
        ("# header\n0.0.0.0 ok.example\nnot-a-hosts-line\n", "hosts", 3, ["hosts"]),
        ("! c\n||bad host^\n", "urlhaus", 2, ["không phải"]),
        ("indicator,type\nx.example,hash\n", "maltrail", 2, ["type", "hash"]),
        ("kind,value\nphone,12ab\n", "csv", 2, ["số điện thoại"]),
        ("kind,value\ncolour,red\n", "csv", 2, ["loại"]),
        ("value\nx.example\n", "csv", 1, ["kind"]),
    ],
)
def test_garbage_is_refused_naming_the_list_and_the_line(content, fmt, line, words):
    with pytest.raises(BlocklistError) as info:
        parse_blocklist(content, fmt=fmt, name="danh-sach.txt")
    message = str(info.value)
    assert message.startswith(f"danh-sach.txt, dòng {line}: ")
    assert info.value.line == line
    for word in words:
        assert word in message


def test_binary_and_bad_encoding_are_refused():
    with pytest.raises(BlocklistError, match="nhị phân"):
        parse_blocklist(b"a.example\n\x00\x01", name="x.bin")
    with pytest.raises(BlocklistError, match="x.txt, dòng 2: không phải văn bản UTF-8"):
        parse_blocklist(b"a.example\n\xff\xfe\xfa", name="x.txt")
    with pytest.raises(BlocklistError, match="định dạng"):
        parse_blocklist("a.example", fmt="stix")


def test_missing_file_names_it(tmp_path):
    with pytest.raises(BlocklistError, match="khong-co.txt"):
        parse_blocklist(tmp_path / "khong-co.txt")


def test_auto_detection():
    assert parse_blocklist("||a.example^\n")[0].value == "a.example"
    assert parse_blocklist("0.0.0.0 a.example\n0.0.0.0 b.example\n")[1].value == "b.example"
    assert parse_blocklist("indicator,type,port\na.example,domain,\n")[0].kind == "domain"
    assert parse_blocklist("kind,value\nip,203.0.113.5\n")[0].kind == "ip"
    # IPsum: "ip<TAB>count"; FireHOL ipset: comments and networks.
    assert values(parse_blocklist("# ipsum\n203.0.113.9\t5\n")) == [("ip", "203.0.113.9")]


def test_normalize_indicator_and_guess():
    assert normalize_indicator("tên miền", "WWW.Example.COM.").value == "www.example.com"
    assert (
        normalize_indicator("url", "HTTP://Example.com:80/a#frag").value == "http://example.com/a"
    )
    assert normalize_indicator("phone", "(+84) 912-345-678").value == "0912345678"
    assert normalize_indicator("phone", "+1 202 555 0143").value == "+12025550143"
    assert normalize_indicator("account", "0071 0001 23456").value == "0071000123456"
    assert normalize_indicator("domain", "vietcombаnk.com.vn").value.startswith("xn--")
    with pytest.raises(ValueError, match="số tài khoản"):
        normalize_indicator("account", "12ab")
    with pytest.raises(ValueError, match="loại"):
        normalize_indicator("colour", "red")
    assert guess_indicator("0912345678").kind == "phone"
    assert guess_indicator("123456789").kind == "account"
    assert guess_indicator("a@b.example").kind == "email"
    assert guess_indicator("hello world") is None


def test_lookups():
    blocklist = Blocklist.from_indicators(
        [
            Indicator("domain", "evil.example", "phishing", "list-a"),
            Indicator("url", "http://host.example/path/file.exe"),
            Indicator("url", "/AmC00FrdEr00d0FF808Err0r8Ami07/"),
            Indicator("ip", "203.0.113.0/24"),
            Indicator("ip", "198.51.100.7"),
            Indicator("phone", "0912345678"),
            Indicator("account", "19035577990011"),
            Indicator("email", "x@evil.example"),
        ]
    )
    assert len(blocklist) == 8
    assert blocklist.match_host("a.b.evil.example")[0] == "evil.example"
    assert blocklist.match_host("evil.example.com") is None
    assert blocklist.match_host("notevil.example") is None
    assert blocklist.match_url("host.example/path/file.exe") is not None
    assert (
        blocklist.match_url("host.example/other", "/x/amc00frder00d0ff808err0r8ami07/") is not None
    )
    assert blocklist.match_ip("203.0.113.200") is not None
    assert blocklist.match_ip("203.0.114.1") is None
    assert blocklist.match_ip("198.51.100.7") is not None
    assert blocklist.match_phone("0912345678") is not None
    assert blocklist.match_account("19035577990011") is not None
    assert blocklist.match_email("x@evil.example") is not None
    merged = blocklist.merged([Indicator("domain", "other.example")])
    assert len(merged) == 9 and len(blocklist) == 8


@pytest.fixture(scope="module")
def listed_checker():
    items = []
    for name in ("urlhaus.txt", "hosts.txt", "maltrail.csv", "plain.txt", "reports.csv"):
        items += parse_blocklist(DEV / name)
    return Checker(blocklist=Blocklist.from_indicators(items))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("https://login.vietcombank-xacthuc.example/x", "blocklist.domain"),
        ("http://files.example.org/bins/mozi.m", "blocklist.url"),
        ("https://github.com/bad-user/tool/releases/download/v1.0/setup.exe", "blocklist.url"),
        ("http://203.0.113.99/login", "blocklist.ip"),
        ("0977 551 382", "blocklist.phone"),
        ("1903 5577 9900 11", "blocklist.account"),
        ("http://203.0.113.77/", "blocklist.url"),
        ("http://any.example/AmC00FrdEr00d0FF808Err0r8Ami07/index.html", "blocklist.url"),
    ],
)
def test_listed_values_are_high_risk(listed_checker, text, code):
    result = listed_checker.check(text)
    assert result.risk == "high", result
    assert result.reasons[0].code == code
    assert result.reasons[0].weight == 90


def test_a_listed_url_on_a_known_domain_is_not_reassured(listed_checker):
    result = listed_checker.check(
        "https://github.com/bad-user/tool/releases/download/v1.0/setup.exe"
    )
    assert "allow.known_domain" not in {r.code for r in result.reasons}
    assert listed_checker.check("https://github.com/lachan/docs").risk == "low"


def test_in_a_message_listed_phone_and_account(listed_checker):
    text = "Con anh bị tai nạn, anh gọi ngay 0977.551.382 hoặc chuyển vào STK 1903 5577 9900 11."
    result = listed_checker.check(text)
    found = {r.code: r for r in result.reasons}
    assert found["blocklist.phone"].evidence == "0977.551.382"
    assert found["blocklist.account"].evidence == "1903 5577 9900 11"
    assert text[found["blocklist.phone"].start : found["blocklist.phone"].end] == "0977.551.382"


def test_same_and_similar_names_as_listed_domains(listed_checker):
    same = listed_checker.check("lua-dao-hocphi.net")
    assert "blocklist.same_name" in {r.code for r in same.reasons}
    similar = listed_checker.check("lua-dao-hocphj.example")
    assert "blocklist.similar_name" in {r.code for r in similar.reasons}


def test_with_indicators_adds_without_rebuilding():
    base = Checker()
    extended = base.with_indicators([Indicator("domain", "added.example", source="cli")])
    assert extended.check("added.example").risk == "high"
    assert base.check("added.example").risk == "low"
    assert len(base.blocklist) == 0 and len(extended.blocklist) == 1
