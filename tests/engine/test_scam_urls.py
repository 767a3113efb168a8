"""Links and domains: each signal on its own, evidence offsets in the original input, official
and known domains, .gov.vn/.edu.vn, the registry's own domains, and kind detection."""

from __future__ import annotations

import pytest

from lachan.engine.scam import Checker, CheckResult, ProtectedDomain, check, detect_kind


@pytest.fixture(scope="module")
def checker():
    return Checker(
        extra_protected=[
            ProtectedDomain("lachong.edu.vn", "Sở GDĐT Lạc Hồng", "education"),
            ProtectedDomain("thptngoquyen.lachong.edu.vn", "Trường THPT Ngô Quyền", "education"),
        ]
    )


def codes(result: CheckResult) -> set[str]:
    return {r.code for r in result.reasons}


def reason(result: CheckResult, code: str):
    return next(r for r in result.reasons if r.code == code)


def test_brand_word_in_a_cheap_domain_is_high_and_says_why(checker):
    text = "https://vietcombank-xacthuc.top/login"
    result = checker.check(text)
    assert result.kind == "url" and result.risk == "high"
    brand = reason(result, "lookalike.brand_word")
    assert brand.evidence == "vietcombank-xacthuc.top"
    assert text[brand.start : brand.end] == brand.evidence
    assert "vietcombank.com.vn" in brand.message and "Vietcombank" in brand.message
    tld = reason(result, "url.risky_tld")
    assert tld.evidence == ".top"
    assert result.to_dict()["reasons"][0] == {
        "code": result.reasons[0].code,
        "message": result.reasons[0].message,
        "evidence": result.reasons[0].evidence,
    }


def test_cyrillic_letter_in_a_bank_domain(checker):
    text = "vietcombаnk.com.vn"  # the second "а" is Cyrillic
    assert not text.isascii()
    result = checker.check(text)
    assert result.risk == "high"
    homoglyph = reason(result, "lookalike.homoglyph")
    assert homoglyph.weight == 85
    assert homoglyph.evidence == text and (homoglyph.start, homoglyph.end) == (0, len(text))
    assert "Vietcombank" in homoglyph.message


def test_punycode_form_of_the_same_look_alike(checker):
    puny = "vietcombаnk.com.vn".encode("idna").decode() if False else None
    label = "vietcombаnk".encode("punycode").decode()
    puny = f"https://xn--{label}.com.vn/dang-nhap"
    result = checker.check(puny)
    assert result.risk == "high"
    homoglyph = reason(result, "lookalike.homoglyph")
    assert "punycode" in homoglyph.message
    assert homoglyph.evidence == f"xn--{label}.com.vn"


def test_digits_for_letters_and_typos(checker):
    assert "lookalike.leet" in codes(checker.check("vietc0mbank.com"))
    typo = checker.check("vietconbank.com.vn")
    assert typo.risk == "high" and "lookalike.edit_distance" in codes(typo)
    assert "lookalike.edit_distance" in codes(checker.check("https://agrribank.net/"))
    assert "lookalike.edit_distance" in codes(checker.check("viet-combank.com"))


def test_brand_under_another_suffix(checker):
    result = checker.check("vietcombank.net")
    assert "lookalike.other_suffix" in codes(result) and result.risk == "medium"


def test_fake_vietnamese_suffix_and_gov_words(checker):
    result = checker.check("dichvucong.gov.vn.xac-minh.xyz")
    assert {"lookalike.fake_suffix", "lookalike.gov_edu", "url.risky_tld"} <= codes(result)
    assert result.risk == "high"
    gov = checker.check("bocongan-gov.com")
    assert "lookalike.gov_edu" in codes(gov) and gov.risk != "low"
    school = checker.check("thpt-ngoquyen-edu.com")
    assert "lookalike.gov_edu" in codes(school)


def test_gov_vn_and_edu_vn_are_never_look_alikes(checker):
    for host in ("dichvucong.gov.vn", "congan.hanoi.gov.vn", "lachong2.edu.vn", "vcb.edu.vn"):
        result = checker.check(host)
        assert result.risk == "low", (host, result)
        assert not any(c.startswith("lookalike.") for c in codes(result)), host
    assert "allow.vn_restricted" in codes(checker.check("lachong2.edu.vn"))


def test_official_and_known_domains_are_reassuring(checker):
    official = checker.check("https://www.vietcombank.com.vn/vi-VN/Ca-nhan")
    assert official.score == 0 and reason(official, "allow.official_domain").weight < 0
    assert checker.check("https://thuedientu.gdt.gov.vn/").risk == "low"
    known = checker.check("https://vnexpress.net/thoi-su")
    assert "allow.known_domain" in codes(known) and known.score == 0


def test_the_registry_domains_are_protected(checker):
    assert "allow.official_domain" in codes(checker.check("https://lachong.edu.vn/tin-tuc"))
    assert "allow.official_domain" in codes(checker.check("thptngoquyen.lachong.edu.vn"))
    fake = checker.check("lachong-edu.top")
    assert fake.risk == "high", fake
    assert "Sở GDĐT Lạc Hồng" in " ".join(r.message for r in fake.reasons)
    assert checker.check("thptngoquyen-hocphi.com").risk != "low"
    # A place name alone is weak (honest businesses use it); beside "sogd", "edu"… it is not.
    assert checker.check("lachongtravel.com").risk == "low"
    assert checker.check("sogd-lachong.com").risk != "low"


def test_shortener_ip_literal_userinfo_port_executable(checker):
    short = checker.check("bit.ly/3abcXYZ")
    assert codes(short) == {"url.shortener"} and short.risk == "low"
    ip = checker.check("http://203.0.113.45/owa/login")
    assert {"url.ip_literal", "url.credential_words"} <= codes(ip) and ip.risk == "medium"
    assert reason(ip, "url.ip_literal").evidence == "203.0.113.45"
    assert reason(checker.check("192.168.1.1"), "url.ip_literal").weight == 20
    trick = checker.check("https://vietcombank.com.vn@203.0.113.9/")
    assert reason(trick, "url.userinfo").evidence == "vietcombank.com.vn@"
    assert trick.risk == "high"
    port = checker.check("http://cong-thong-tin.example:8443/a")
    assert "url.port" in codes(port)
    apk = checker.check("https://tai-ung-dung.example/VNeID_moi.apk")
    assert reason(apk, "url.executable").evidence == "VNeID_moi.apk"


def test_defanged_links_are_read_and_evidence_is_as_written(checker):
    text = "hxxps://vietcombank-xacthuc[.]top/login"
    result = checker.check(text)
    assert result.kind == "url" and result.risk == "high"
    tld = reason(result, "url.risky_tld")
    assert tld.evidence == "[.]top"
    assert text[tld.start : tld.end] == "[.]top"


def test_free_hosting_gambling_and_structure(checker):
    assert "url.shared_hosting" in codes(checker.check("vietcombank-login.pages.dev"))
    assert checker.check("vietcombank-login.pages.dev").risk == "high"
    assert "url.scam_words" in codes(checker.check("nhacai-uytin.example"))
    assert "url.scam_words" in codes(checker.check("789bet-vn.example"))
    odd = checker.check("pcsecure-helpline-error-0x80.example")
    assert "url.structure" in codes(odd) and "url.scam_words" in codes(odd)


def test_brand_in_path(checker):
    result = checker.check("https://khuyen-mai.example/vietcombank/dang-nhap")
    assert "lookalike.brand_in_path" in codes(result)
    assert reason(result, "lookalike.brand_in_path").evidence == "vietcombank"


def test_not_a_url_is_said_plainly(checker):
    result = checker.check("không phải link", "url")
    assert result.risk == "low" and result.reasons[0].code == "input.unrecognised"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("https://example.com", "url"),
        ("example.com/path", "url"),
        ("vietcombank-xacthuc[.]top", "url"),
        ("203.0.113.5", "url"),
        ("0912345678", "phone"),
        ("+84 912 345 678", "phone"),
        ("0912.345.678", "phone"),
        ("1900 545 413", "phone"),
        ("113", "phone"),
        ("0071000123456", "account"),
        ("1903 5577 9900 11", "account"),
        ("Chuyển khoản gấp cho em", "text"),
        ("", "text"),
        ("a@b.example", "text"),
    ],
)
def test_detect_kind(text, kind):
    assert detect_kind(text) == kind


def test_module_level_check_and_thresholds():
    assert check("https://vietcombank-xacthuc.top/login").risk == "high"
    with pytest.raises(ValueError):
        check("x", "email")
    assert check("   ").score == 0


def test_registrable_domain(checker):
    assert checker.registrable_domain("so.lachong.edu.vn") == "lachong.edu.vn"
    assert checker.registrable_domain("www.vietcombank.com.vn") == "vietcombank.com.vn"
    assert checker.registrable_domain("edu.vn") is None
    assert checker.registrable_domain("user.github.io") == "user.github.io"
