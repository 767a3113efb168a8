"""Demo data of the scam checker (fictional province "Tỉnh Lạc Hồng"): two small blocklists
and scam reports in every state, one approved report with a case started. All through the
services; every domain, number and account is invented (reserved TLDs .test/.example/.invalid
and made-up look-alikes of bank domains on risky TLDs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "demo"
LISTS = [
    (
        "canh-bao-lua-dao-lac-hong.csv",
        "Cảnh báo lừa đảo Tỉnh Lạc Hồng (maltrail)",
        "maltrail",
        "Dữ liệu minh hoạ: tên miền, đường link, địa chỉ IP giả mạo ngân hàng, cơ quan, nhà trường.",
    ),
    (
        "hosts-lua-dao-lac-hong.txt",
        "Tệp hosts chặn lừa đảo (minh hoạ)",
        "hosts",
        "Dữ liệu minh hoạ dạng tệp hosts.",
    ),
]


@dataclass(frozen=True)
class DemoReport:
    days_ago: int
    channel: str
    description: str
    checked_text: str = ""
    phones: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    amount_lost: int | None = None
    contact: str = ""
    by_unit_user: bool = False  # sent by a logged-in teacher or officer of a school
    outcome: str = "new"  # new | approved | case | rejected
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


REPORTS = [
    # --- waiting for review -------------------------------------------------------------------
    DemoReport(
        1,
        "phone",
        "Một người gọi xưng là giáo viên chủ nhiệm lớp 10A3, báo con tôi bị ngã cầu thang đang "
        "cấp cứu, cần chuyển ngay 35 triệu để mổ. Tôi gọi cho con thì con vẫn đang học.",
        checked_text="Con anh chị đang cấp cứu tại bệnh viện, cần mổ gấp. Chuyển ngay 35.000.000đ "
        "vào tài khoản 0900011122 chủ tài khoản NGUYEN VAN TUAN để bác sĩ mổ kịp.",
        phones=("0933 000 412",),
        accounts=("0900011122",),
        by_unit_user=True,
    ),
    DemoReport(
        2,
        "sms",
        "Tin nhắn mang tên ngân hàng báo tài khoản bị khoá, yêu cầu bấm link cập nhật sinh trắc học.",
        checked_text="[VCB] Tai khoan cua quy khach se bi khoa trong 24h. Cap nhat sinh trac hoc "
        "tai https://vietcombank-xacthuc.top/xac-thuc de tranh gian doan.",
        links=("https://vietcombank-xacthuc.top/xac-thuc",),
    ),
    DemoReport(
        3,
        "zalo",
        "Tài khoản Zalo giả danh cô giáo nhắn nhóm phụ huynh thu quỹ lớp vào tài khoản cá nhân.",
        accounts=("1029384756",),
        by_unit_user=True,
    ),
    DemoReport(
        4,
        "email",
        "Thư chúc mừng trúng tuyển, yêu cầu nộp lệ phí nhập học qua đường link.",
        links=("http://hocphi-lachong.example/nop-tien",),
        contact="phuhuynh.lop6@example.com",
    ),
    DemoReport(
        6,
        "facebook",
        "Trang Facebook tuyển cộng tác viên thả tim video, được trả tiền, sau đó yêu cầu nạp tiền "
        "để làm nhiệm vụ lớn hơn.",
        links=("https://nhiemvu-online.invalid/dang-ky",),
        amount_lost=2_500_000,
    ),
    # --- approved -------------------------------------------------------------------------------
    DemoReport(
        9,
        "phone",
        "Người gọi xưng là công an, nói con tôi liên quan vụ án rửa tiền, yêu cầu con giữ bí mật, "
        "thuê phòng khách sạn một mình và chuyển tiền vào tài khoản tạm giữ.",
        checked_text="Đây là cơ quan công an. Con bạn liên quan đường dây rửa tiền. Không được nói "
        "với ai, chuyển 120 triệu vào tài khoản tạm giữ 5566778899 để được minh oan.",
        phones=("0877 000 913",),
        accounts=("5566778899",),
        amount_lost=120_000_000,
        by_unit_user=True,
        outcome="case",
    ),
    DemoReport(
        12,
        "sms",
        "Tin nhắn báo phạt nguội giao thông, bấm link để nộp phạt.",
        links=("https://dichvucong-phatnguoi.top/tra-cuu",),
        outcome="approved",
    ),
    DemoReport(
        15,
        "email",
        "Thư báo học bổng du học toàn phần, yêu cầu chứng minh số dư 200 triệu và nộp phí hồ sơ.",
        links=("https://hocbong-toanphan-duhoc.test/ho-so",),
        accounts=("7788990011",),
        by_unit_user=True,
        outcome="approved",
    ),
    DemoReport(
        18,
        "website",
        "Trang web giả ngân hàng MB yêu cầu nhập tên đăng nhập, mật khẩu và mã OTP.",
        links=("https://mbbank-sinhtrachoc.xyz/dang-nhap",),
        amount_lost=15_000_000,
        outcome="approved",
    ),
    DemoReport(
        21,
        "phone",
        "Người gọi báo con nợ tiền mua hàng, đang giữ thẻ học sinh, yêu cầu chuyển 5 triệu.",
        phones=("0966 000 218",),
        accounts=("3344556677",),
        by_unit_user=True,
        outcome="approved",
    ),
    # --- rejected -------------------------------------------------------------------------------
    DemoReport(
        5,
        "sms",
        "Tin nhắn của nhà mạng về gói cước mới.",
        checked_text="Quy khach duoc tang 5GB khi gia han goi cuoc thang nay.",
        outcome="rejected",
        reason="Tin nhắn quảng cáo của nhà mạng, không có dấu hiệu lừa đảo.",
    ),
    DemoReport(
        8,
        "email",
        "Thư thông báo họp phụ huynh đầu năm, tôi thấy lạ nên báo.",
        by_unit_user=True,
        outcome="rejected",
        reason="Thư do nhà trường gửi thật (đã xác minh với trường).",
    ),
    DemoReport(
        11,
        "other",
        "Báo cáo thử.",
        outcome="rejected",
        reason="Báo cáo thử, không có nội dung.",
    ),
    DemoReport(
        14,
        "zalo",
        "Nhóm Zalo lớp thông báo thu tiền ảnh kỷ yếu qua tài khoản của trường.",
        by_unit_user=True,
        outcome="rejected",
        reason="Khoản thu hợp lệ, chuyển vào tài khoản mang tên nhà trường.",
    ),
    DemoReport(
        20,
        "facebook",
        "Quảng cáo khoá học tiếng Anh trên Facebook.",
        outcome="rejected",
        reason="Quảng cáo thương mại, không đủ căn cứ là lừa đảo.",
    ),
]


def _reporters() -> list[Any]:
    """Logged-in people of schools who send reports: learners first, then IT officers."""
    from django.contrib.auth import get_user_model

    from lachan.org.models import Role

    users = get_user_model().objects.filter(
        is_active=True,
        role_assignments__role__in=[Role.LEARNER, Role.UNIT_IT],
        role_assignments__unit__parent__isnull=False,
    )
    found = list(users.order_by("role_assignments__role", "username").distinct())
    return [u for u in found if u.has_usable_password()] or found


def seed_scams_demo(*, today: dt.date, actor) -> dict[str, int]:
    """Import the two demo blocklists and send, review and follow up the demo reports.

    ``actor`` is the Department officer who imports and reviews. Returns counts."""
    from .models import ScamReport
    from .services import approve_report, create_report, import_blocklist, reject_report, start_case

    imported = 0
    for filename, name, fmt, note in LISTS:
        outcome = import_blocklist(
            actor=actor,
            data=(FIXTURES / filename).read_bytes(),
            filename=filename,
            name=name,
            fmt=fmt,
            note=note,
        )
        imported += outcome.total
    reporters = _reporters()
    counts = {"entries": imported, "reports": 0, "approved": 0, "rejected": 0, "cases": 0}
    for n, item in enumerate(REPORTS):
        reporter = reporters[n % len(reporters)] if item.by_unit_user and reporters else None
        report = create_report(
            actor=reporter,
            description=item.description,
            channel=item.channel,
            happened_on=today - dt.timedelta(days=item.days_ago),
            phones=item.phones,
            accounts=item.accounts,
            links=item.links,
            amount_lost=item.amount_lost,
            reporter_contact=item.contact,
            checked_text=item.checked_text,
        )
        sent = timezone.now() - dt.timedelta(days=item.days_ago, hours=n % 7)
        ScamReport.objects.filter(pk=report.pk).update(created_at=sent)  # a demo's history
        counts["reports"] += 1
        if item.outcome in {"approved", "case"}:
            indicators = (
                [("phone", v) for v in item.phones]
                + [("account", v) for v in item.accounts]
                + [("url", v) for v in item.links]
            )
            report = approve_report(
                actor=actor,
                report=report,
                indicators=indicators,
                note="Đã đối chiếu với phản ánh của nhiều phụ huynh.",
            )
            counts["approved"] += 1
            if item.outcome == "case":
                start_case(actor=actor, report=report)
                counts["cases"] += 1
        elif item.outcome == "rejected":
            reject_report(actor=actor, report=report, reason=item.reason)
            counts["rejected"] += 1
    return counts
