"""Messages: the §7.9 patterns, robust to missing diacritics, teen code, letters written apart,
zero-width characters and Cyrillic look-alikes, with evidence pointing into the original text;
negations and warnings keep real messages low."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lachan.engine.scam import Checker
from lachan.engine.scam.textnorm import Mapped, clean, fold, fold_plain

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def checker():
    return Checker()


def codes(result):
    return {r.code for r in result.reasons}


def reason(result, code):
    return next(r for r in result.reasons if r.code == code)


def assert_evidence_in_place(text, result):
    for r in result.reasons:
        assert r.start >= 0, r
        assert text[r.start : r.end] == r.evidence, r


# --- normalisation keeps offsets -------------------------------------------------------------


def test_clean_drops_invisible_characters_and_maps_back():
    text = "chuyển\u200b khoản\u00ad ngay"
    cleaned = clean(text)
    assert cleaned.text == "chuyển khoản ngay"
    start, end = cleaned.span(0, len("chuyển khoản"))
    assert text[start:end] == "chuyển\u200b khoản"


def test_fold_removes_marks_and_maps_cyrillic_and_fullwidth():
    folded = fold(Mapped.identity("Đừng gửi ОТР cho ＡＩ"))  # Cyrillic О, Т, Р; full-width A, I
    assert folded.text == "dung gui otp cho ai"
    assert folded.marks.startswith("đừng")
    assert fold_plain("Chuyển KHOẢN!!") == "chuyen khoan"


def test_decomposed_diacritics_are_composed():
    nfd = "chuye\u0302\u0309n khoa\u0309n"
    assert clean(nfd).text == "chuyển khoản"


# --- the patterns ----------------------------------------------------------------------------

OTP_VARIANTS = [
    "Em ơi gửi chị mã OTP vừa nhận được nhé, chị chuyển nhầm",
    "em oi gui chi ma otp vua nhan duoc nhe",
    "e ơi gửi c mã 0TP nha",
    "Gửi mình mã O T P với",
    "gửi giúp mã O.T.P vừa về máy nhé",
    "Gửi em mã ОТР nhé",  # Cyrillic
    "Gửi em mã O\u200bT\u200bP nhé",
    "cho chị xin mã xác thực 6 số vừa gửi về máy em",
    "đọc giúp anh mật khẩu đăng nhập email nhé",
]


@pytest.mark.parametrize("text", OTP_VARIANTS)
def test_otp_requests_in_every_spelling(checker, text):
    result = checker.check(text)
    assert "text.otp_request" in codes(result), (text, result)
    assert result.risk != "low"
    assert_evidence_in_place(text, result)


TRANSFER_VARIANTS = [
    "Chuyển khoản ngay 5 triệu vào STK 0123456789 Vietcombank chủ TK Nguyễn Văn An",
    "chuyen khoan ngay 5tr vao stk 0123456789 vcb chu tk nguyen van an",
    "ck gấp 5tr vô stk 0123456789 vcb, Nguyễn Văn An",
    "c.h.u.y.ể.n k.h.o.ả.n 5 triệu vào tk 0123456789 MB NGUYEN VAN AN",
]


@pytest.mark.parametrize("text", TRANSFER_VARIANTS)
def test_money_to_a_personal_account(checker, text):
    result = checker.check(text)
    found = codes(result)
    assert {"text.money_request", "text.personal_account"} <= found, (text, result)
    assert result.risk == "high" or result.score >= 65
    assert fold_plain(reason(result, "text.personal_account").evidence) == "nguyen van an"
    assert_evidence_in_place(text, result)


def test_school_account_is_not_personal(checker):
    text = (
        "Nhà trường thông báo phụ huynh nộp học phí học kỳ I vào tài khoản 1234567890 tại "
        "Agribank, chủ tài khoản: Trường THPT Ngô Quyền, nội dung ghi họ tên học sinh."
    )
    result = checker.check(text)
    assert "text.personal_account" not in codes(result)
    assert "allow.organisation_account" in codes(result)
    assert result.risk == "low"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Con chị đang cấp cứu, cần chuyển gấp 30 triệu để mổ", "text.child_emergency"),
        ("con chi dang cap cuu, can chuyen gap 30tr de mo", "text.emergency_money"),
        (
            "Đây là công an, em liên quan vụ án rửa tiền, phải giữ bí mật, không được nói với ai",
            "text.authority_secrecy",
        ),
        (
            "Học bổng toàn phần du học Mỹ, chỉ cần chứng minh tài chính 250 triệu",
            "text.scholarship_balance",
        ),
        ("HB 100% di Uc, phi ho so 2tr, ib ngay", "text.scholarship_balance"),
        ("Gửi ảnh chụp CCCD 2 mặt cho cô qua Zalo nhé", "text.id_request"),
        ("Tài khoản của bạn sẽ bị khóa trong 24h", "text.account_threat"),
        ("Viec nhe luong cao, 2h/ngay kiem 600k", "text.task_strong"),
        ("Lãi 5%/ngày, rút liền", "text.daily_return"),
        ("Quét mã QR để nhận tiền hoàn", "text.qr_receive"),
        ("Cứ yên tâm chuyển, tên người nhận khác là của chủ shop", "text.name_mismatch"),
        ("Bạn trúng thưởng 1 xe SH, đóng phí trước bạ 5% để nhận giải", "text.advance_fee"),
        ("Cài ứng dụng UltraViewer để em hỗ trợ từ xa", "text.remote_app"),
    ],
)
def test_section_7_patterns(checker, text, code):
    result = checker.check(text)
    assert code in codes(result), (text, result)
    assert_evidence_in_place(text, result)


def test_urgency_tells_gap_from_gap(checker):
    # "gấp" (urgent) and "gặp" (meet) fold alike; written with diacritics they differ.
    assert "text.urgency" in codes(checker.check("Chuyển tiền gấp cho em"))
    assert "text.urgency" not in codes(checker.check("Hẹn gặp lại cô vào thứ Hai"))


def test_link_claiming_a_bank_in_a_message(checker):
    text = "Vietcombank: tai khoan cua quy khach bi khoa. Xac thuc tai vcb-xacthuc[.]top ngay"
    result = checker.check(text)
    assert result.kind == "text" and result.risk == "high"
    claim = reason(result, "text.link_claims_brand")
    assert claim.evidence == "vcb-xacthuc[.]top"
    assert "Vietcombank" in claim.message
    assert_evidence_in_place(text, result)


def test_official_link_in_a_message_does_not_hide_an_otp_request(checker):
    text = "Vietcombank: vao vietcombank.com.vn roi doc cho em ma OTP de xac minh"
    result = checker.check(text)
    assert reason(result, "allow.official_domain").weight == 0
    assert result.risk != "low"
    # Without a strong request, a real link takes off at most 15 points.
    calm = checker.check("Vietcombank: xem uu dai tai vietcombank.com.vn, het han hom nay")
    assert reason(calm, "allow.official_domain").weight == -15


# --- real messages stay low ------------------------------------------------------------------

LEGIT = [
    "Ma OTP cua Quy khach la 482913, hieu luc 3 phut. KHONG chia se ma OTP cho bat ky ai.",
    "Vietcombank: So du TK 0071xxx456 +1,250,000VND luc 09:14. ND: LUONG THANG 11.",
    "Bộ phận CNTT không bao giờ yêu cầu thầy cô cung cấp mật khẩu qua thư hay điện thoại.",
    "Nhà trường không thu qua tài khoản cá nhân của giáo viên.",
    "Học bổng hoàn toàn miễn phí, không thu phí hồ sơ, không yêu cầu sao kê ngân hàng.",
    "Kính gửi Quý khách, sao kê thẻ tín dụng tháng 10 đã sẵn sàng trên ứng dụng.",
    "Cơ quan Công an không làm việc qua điện thoại, không yêu cầu chuyển tiền vào tài khoản.",
    "Sở GDĐT cảnh báo: có đối tượng giả danh giáo viên báo học sinh bị tai nạn, yêu cầu "
    "chuyển tiền gấp. Phụ huynh tuyệt đối không chuyển tiền, hãy gọi cho nhà trường.",
    "Hoa hồng trong vườn trường nở rất đẹp.",
    "Kính gửi phụ huynh, nhà trường thông báo họp phụ huynh vào 8h ngày 12/10.",
]


@pytest.mark.parametrize("text", LEGIT)
def test_real_messages_are_low(checker, text):
    result = checker.check(text)
    assert result.risk == "low", (text, result)


def test_teen_code_only_for_words_written_without_diacritics(checker):
    # "hồng" is not "hong" (= không), so "hoa hồng" stays "hoa hồng".
    rules = checker._rules
    prepared = rules.prepare(clean("nhận hoa hồng, ko cần vốn"))
    assert "hoa hong" in prepared.text
    assert "khong can von" in prepared.text


# --- the labelled sets (regression floors; the evaluation script prints the figures) ------


@pytest.mark.parametrize(
    ("path", "recall", "fpr"),
    [
        (DATA / "scam_messages.jsonl", 0.95, 0.02),
        (DATA / "scam_dev" / "messages.jsonl", 0.95, 0.05),
    ],
)
def test_labelled_sets(checker, path, recall, fpr):
    if not path.exists():
        pytest.skip(f"{path} not found")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    scams = [r for r in rows if r["label"] == "scam"]
    legit = [r for r in rows if r["label"] == "legit"]
    caught = sum(checker.check(r["text"]).risk != "low" for r in scams)
    alarms = [r["id"] for r in legit if checker.check(r["text"]).risk != "low"]
    assert caught / len(scams) >= recall
    assert len(alarms) / len(legit) <= fpr, alarms
    for row in rows[:40]:
        assert_evidence_in_place(row["text"], checker.check(row["text"]))


# --- any input at all ------------------------------------------------------------------------


_PIECES = st.sampled_from(
    [
        "chuyển khoản", "ck", "stk", "0912 345 678", "1903 5577 9900 11", "OTP", "O T P",
        "http://", "hxxp://", "[.]", ".top", "vietcombаnk", "xn--", "@", "NGUYEN VAN A", "không",
        "\u200b", "\u0301", "đ", "Đ", "。", "…", "(", ")", "\n", " ", "5tr", "1.000.000đ", "%",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=25).map("".join),
    st.sampled_from(["auto", "url", "phone", "account", "text"]),
)
def test_any_input_gives_a_result_with_evidence_in_place(text, kind):
    result = _shared().check(text, kind)
    assert 0 <= result.score <= 100
    assert result.risk in ("low", "medium", "high")
    for r in result.reasons:
        if r.start >= 0:
            assert text[r.start : r.end] == r.evidence, r


_CHECKER: list[Checker] = []


def _shared() -> Checker:
    if not _CHECKER:
        _CHECKER.append(Checker())
    return _CHECKER[0]


# --- generalising patterns (own example sentences, not from any labelled set) -----------------

# Official warnings quote the scammers' words; the advisory framing discounts them.
ADVISORIES = [
    "Phòng Giáo dục huyện cảnh báo: thời gian qua xuất hiện thủ đoạn giả danh cán bộ thuế gọi "
    "điện cho giáo viên, đe dọa khóa tài khoản, yêu cầu cung cấp mã OTP và chuyển tiền gấp "
    "vào tài khoản an toàn. Tuyệt đối không cung cấp mã, nếu nhận được cuộc gọi như vậy hãy "
    "báo ngay cho công an xã.",
    "Ngân hàng lưu ý quý khách: kẻ gian mạo danh nhân viên, nhắn tin báo trúng thưởng rồi bảo "
    "đóng phí nhận giải và đọc mã xác thực. Ngân hàng không bao giờ yêu cầu khách hàng cung "
    "cấp mã OTP.",
    "Cả nhà ơi, hôm qua có người gọi bảo cháu nội em bị ngã phải mổ cấp cứu, đòi chuyển ngay "
    "20 triệu. Em gọi lại cho cô giáo thì cháu vẫn ngồi học. Mọi người cảnh giác, đừng chuyển "
    "tiền khi chưa gọi lại số đã biết nhé.",
]


@pytest.mark.parametrize("text", ADVISORIES)
def test_advisories_quoting_scam_words_stay_below_medium(checker, text):
    result = checker.check(text, "text")
    assert "text.advisory" in codes(result)
    assert result.risk == "low", result


def test_advisory_framing_does_not_excuse_a_direct_request_or_a_bad_link(checker):
    direct = (
        "Cảnh báo: kẻ gian đang giả mạo ngân hàng. Để bảo vệ tài khoản, quý khách vui lòng "
        "cung cấp mã OTP vừa nhận cho nhân viên hỗ trợ. Tuyệt đối không chia sẻ mã cho ai khác."
    )
    result = checker.check(direct, "text")
    assert "text.advisory" not in codes(result)
    assert result.risk != "low"
    link = (
        "Cảnh báo thủ đoạn lừa đảo mới: hãy cảnh giác và kiểm tra tài khoản của bạn ngay tại "
        "http://vietcombank-kiemtra.top/login"
    )
    result = checker.check(link, "text")
    assert any(r.code.startswith("url.") and r.weight > 0 for r in result.reasons)


def test_sender_excuse_not_to_transfer_is_not_advice(checker):
    text = "Anh đang ở nước ngoài không chuyển tiền được, em nộp giúp anh phí hải quan để nhận quà nhé."
    assert "text.scam_warning" not in codes(checker.check(text, "text"))


@pytest.mark.parametrize(
    "text",
    [
        "Trường THCS Bình An thông báo thu tiền bảo hiểm y tế qua tài khoản đứng tên trường hoặc "
        "nộp tại phòng kế toán, hạn cuối ngày 15/11.",
        "Kính gửi phụ huynh, học phí tháng 3 nộp vào tài khoản 1020 3040 5060 tại Agribank chi "
        "nhánh Đông Hà, chủ tài khoản Trường Tiểu học Kim Đồng. Nội dung: họ tên học sinh.",
        "[NganHangX] 482913 là mã xác thực giao dịch chuyển tiền 500.000 VND tới TK 9988xxx12. "
        "KHÔNG cung cấp mã này cho bất kỳ ai.",
        "quên mật khẩu wifi rồi, nhắn lại cho tớ với",
        "Nhà trường thông báo: học sinh có mặt trước 15 phút, mang theo thẻ học sinh khi dự thi.",
        "Nhà mạng thông báo thuê bao chưa xác thực sinh trắc học sẽ bị tạm dừng một chiều; quý "
        "khách đến cửa hàng gần nhất để cập nhật. Chúng tôi không gọi điện yêu cầu cung cấp OTP.",
    ],
)
def test_official_notices_and_everyday_messages_are_low(checker, text):
    result = checker.check(text, "text")
    assert result.risk == "low", result


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Chúc mừng bạn đã trúng tuyển vị trí nhân viên kho. Để nhận việc bạn nộp 800k phí "
            "đồng phục trước khi ký hợp đồng nhé.",
            "text.job_fee",
        ),
        (
            "Anh gửi em hộp quà có trang sức và tiền mặt, giờ hải quan giữ lại, em đóng giúp anh "
            "phí thông quan 9 triệu nha.",
            "text.gift_customs",
        ),
        (
            "tặng acc liên quân full skin nè, nạp 100k thẻ cào rồi gửi mã thẻ cho mình là nhận acc",
            "text.card_code_request",
        ),
        (
            "bạn ơi bình chọn giúp em mình với, vào link đăng nhập facebook là bình chọn được nha",
            "text.vote_login",
        ),
        (
            "Thầy đây, thầy đổi số nên nhắn qua số này. Em chuyển giúp thầy 5 triệu, chiều thầy "
            "trả lại ngay.",
            "text.borrow_new_contact",
        ),
        (
            "Phát hiện giao dịch bất thường 9.000.000đ. Để hủy giao dịch, nhập mã OTP vừa nhận "
            "vào trang xác nhận.",
            "text.cancel_with_otp",
        ),
        (
            "Bạn có khoản tiền hỗ trợ 3.000.000đ chưa nhận, đọc mã OTP cho tổng đài viên để nhận.",
            "text.gain_with_otp",
        ),
        (
            "Quỹ đầu tư mời góp vốn, lợi nhuận 12%/tháng, chuyển tiền vào tài khoản giám đốc.",
            "text.investment_return",
        ),
        (
            "Ban quản lý bãi xe yêu cầu nhập số tài khoản và mật khẩu ngân hàng để trừ phí tự động.",
            "text.bank_secret_request",
        ),
    ],
)
def test_general_scam_patterns(checker, text, code):
    result = checker.check(text, "text")
    assert code in codes(result), result
    assert result.risk in ("medium", "high"), result
    assert_evidence_in_place(text, result)


def test_debt_claim_with_a_student_card_left_as_pledge(checker):
    text = (
        "Con chị để lại thẻ học sinh làm tin khi mua hàng của tôi, còn nợ 2 triệu, chị chuyển "
        "khoản cho tôi để lấy lại thẻ."
    )
    assert "text.child_debt" in codes(checker.check(text, "text"))


def test_same_words_do_not_count_twice_in_one_rule(checker):
    text = "Phụ huynh nào cần hỗ trợ xin nhắn riêng cho ban đại diện lớp."
    assert "text.new_contact" not in codes(checker.check(text, "text"))


def test_advisory_settings_are_validated():
    from lachan.engine.scam.rules import MessageRules, RulesError

    document = {"concepts": {"negation": ["không"]}, "rules": [], "advisory": {"factor": 2}}
    with pytest.raises(RulesError):
        MessageRules(document, {})
