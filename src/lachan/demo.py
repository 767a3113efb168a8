"""The demo province: a realistic, clearly fictional data set for ``lachan demo``.

"Tỉnh Lạc Hồng" does not exist. Every unit address says "dữ liệu minh hoạ", every e-mail is
at example.edu.vn, every phone number is 0900 000 xxx and every IP address is from the
documentation ranges (RFC 5737). The CVE ids are real, so the vulnerability pages read true.

Everything is written through the services (units, people, findings, tasks and their whole
workflow), so the audit log and the notification outbox fill up as they would in real use.
The data is deterministic for a given day (a seeded random generator; dates are relative to
today so that "overdue" and "due soon" always mean something). ``seed_demo`` is idempotent:
when the Department's unit exists it only returns the logins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lachan.org.models import Role, Unit, UnitType

PROVINCE = "Tỉnh Lạc Hồng"
DEMO_PASSWORD = "LaChan@2026"
DEMO_NOTE = "dữ liệu minh hoạ"
MAIL_DOMAIN = "example.edu.vn"
SO_CODE = "LH-SO"
SEED = 2026

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    unit: str


@dataclass
class DemoInfo:
    """What ``seed_demo`` did: the logins to print, and whether it created anything."""

    logins: list[DemoLogin]
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


# --- the province -----------------------------------------------------------------------------

OFFICES = [
    ("VP", "Văn phòng Sở"),
    ("TTRA", "Thanh tra Sở"),
    ("TCCB", "Phòng Tổ chức cán bộ"),
    ("KHTC", "Phòng Kế hoạch - Tài chính"),
    ("GDPT", "Phòng Giáo dục phổ thông"),
    ("GDMN", "Phòng Giáo dục mầm non"),
    ("GDNN", "Phòng Giáo dục nghề nghiệp - Giáo dục thường xuyên"),
    ("QLCL", "Phòng Quản lý chất lượng"),
]

WARDS = [
    "phường Lạc Hồng",
    "phường Đông Thành",
    "phường Tây Sơn",
    "phường Nam Giang",
    "phường Bắc Hà",
    "phường Ngọc Lâm",
    "phường An Phú",
    "xã Tân Phú",
    "xã Hòa An",
    "xã Phú Mỹ",
    "xã Vĩnh Lợi",
    "xã Thạnh Xuân",
    "xã Sơn Lâm",
    "xã Đồng Tâm",
    "xã Yên Hòa",
    "xã Phước Long",
    "xã Tam Hiệp",
    "đặc khu Hòn Ngọc",
]

STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thái Tổ",
    "Quang Trung",
    "Hùng Vương",
    "Phan Đình Phùng",
    "Nguyễn Văn Linh",
    "Võ Văn Kiệt",
]

# (name, short name, type, ward index). The first one is the province's gifted school.
HIGH_SCHOOLS = [
    ("Trường THPT chuyên Lê Quý Đôn", "THPT chuyên Lê Quý Đôn", UnitType.THPT, 0),
    ("Trường THPT Nguyễn Du", "THPT Nguyễn Du", UnitType.THPT, 1),
    ("Trường THPT Trần Phú", "THPT Trần Phú", UnitType.THPT, 2),
    ("Trường THPT Chu Văn An", "THPT Chu Văn An", UnitType.THPT, 3),
    ("Trường THPT Nguyễn Trãi", "THPT Nguyễn Trãi", UnitType.THPT, 4),
    ("Trường THPT Lê Lợi", "THPT Lê Lợi", UnitType.THPT, 5),
    ("Trường THPT Trần Hưng Đạo", "THPT Trần Hưng Đạo", UnitType.THPT, 6),
    ("Trường THPT Quang Trung", "THPT Quang Trung", UnitType.THPT, 7),
    ("Trường THPT Nguyễn Huệ", "THPT Nguyễn Huệ", UnitType.THPT, 8),
    ("Trường THPT Lý Thường Kiệt", "THPT Lý Thường Kiệt", UnitType.THPT, 9),
    ("Trường THPT Phan Bội Châu", "THPT Phan Bội Châu", UnitType.THPT, 10),
    ("Trường THPT Phan Chu Trinh", "THPT Phan Chu Trinh", UnitType.THPT, 11),
    ("Trường THPT Nguyễn Thị Minh Khai", "THPT Nguyễn Thị Minh Khai", UnitType.THPT, 12),
    ("Trường THPT Hùng Vương", "THPT Hùng Vương", UnitType.THPT, 13),
    ("Trường THPT Ngô Quyền", "THPT Ngô Quyền", UnitType.THPT, 14),
    ("Trường THPT Lê Hồng Phong", "THPT Lê Hồng Phong", UnitType.THPT, 15),
    ("Trường THPT Nguyễn Đình Chiểu", "THPT Nguyễn Đình Chiểu", UnitType.THPT, 16),
    ("Trường THPT Bùi Thị Xuân", "THPT Bùi Thị Xuân", UnitType.THPT, 1),
    ("Trường THPT Trưng Vương", "THPT Trưng Vương", UnitType.THPT, 2),
    ("Trường THPT Lương Thế Vinh", "THPT Lương Thế Vinh", UnitType.THPT, 3),
    ("Trường THPT Nguyễn Bỉnh Khiêm", "THPT Nguyễn Bỉnh Khiêm", UnitType.THPT, 4),
    ("Trường THPT Tô Hiến Thành", "THPT Tô Hiến Thành", UnitType.THPT, 5),
    ("Trường THPT Hai Bà Trưng", "THPT Hai Bà Trưng", UnitType.THPT, 6),
    ("Trường THPT Lê Thánh Tông", "THPT Lê Thánh Tông", UnitType.THPT, 7),
    ("Trường THPT Võ Thị Sáu", "THPT Võ Thị Sáu", UnitType.THPT, 8),
    ("Trường THPT Nguyễn Văn Cừ", "THPT Nguyễn Văn Cừ", UnitType.THPT, 9),
    ("Trường THPT Hoàng Hoa Thám", "THPT Hoàng Hoa Thám", UnitType.THPT, 10),
    ("Trường THPT Phạm Văn Đồng", "THPT Phạm Văn Đồng", UnitType.THPT, 11),
    ("Trường THPT Mạc Đĩnh Chi", "THPT Mạc Đĩnh Chi", UnitType.THPT, 12),
    ("Trường THPT Trần Quốc Tuấn", "THPT Trần Quốc Tuấn", UnitType.THPT, 13),
    ("Trường THPT Tân Phú", "THPT Tân Phú", UnitType.THPT, 7),
    ("Trường THPT Hòa An", "THPT Hòa An", UnitType.THPT, 8),
    ("Trường THPT Phú Mỹ", "THPT Phú Mỹ", UnitType.THPT, 9),
    ("Trường THPT Vĩnh Lợi", "THPT Vĩnh Lợi", UnitType.THPT, 10),
    ("Trường THPT Hòn Ngọc", "THPT Hòn Ngọc", UnitType.THPT, 17),
    ("Trường Phổ thông Dân tộc nội trú tỉnh Lạc Hồng", "PT DTNT tỉnh", UnitType.THPT, 0),
    (
        "Trường Phổ thông Dân tộc nội trú THCS và THPT Sơn Lâm",
        "PT DTNT Sơn Lâm",
        UnitType.PT_NHIEU_CAP,
        12,
    ),
    ("Trường TH, THCS và THPT Ngôi Sao", "Liên cấp Ngôi Sao", UnitType.PT_NHIEU_CAP, 6),
    ("Trường THCS và THPT Nguyễn Khuyến", "THCS-THPT Nguyễn Khuyến", UnitType.PT_NHIEU_CAP, 4),
    ("Trung tâm GDNN-GDTX phường Đông Thành", "TT GDNN-GDTX Đông Thành", UnitType.GDNN_GDTX, 1),
    ("Trung tâm GDNN-GDTX xã Phú Mỹ", "TT GDNN-GDTX Phú Mỹ", UnitType.GDNN_GDTX, 9),
    ("Trung tâm Giáo dục thường xuyên tỉnh Lạc Hồng", "TT GDTX tỉnh", UnitType.GDNN_GDTX, 0),
]

# The 2025 story: two district-level centres (the district level is gone since 01/7/2025)
# merged into one regional centre; history keeps pointing at the old units.
MERGED_PREDECESSORS = [
    ("LH-GDNN-TP", "Trung tâm GDNN-GDTX huyện Tân Phú (cũ)", "TT GDNN-GDTX Tân Phú (cũ)", 7),
    ("LH-GDNN-HA", "Trung tâm GDNN-GDTX huyện Hòa An (cũ)", "TT GDNN-GDTX Hòa An (cũ)", 8),
]
MERGED_SUCCESSOR = (
    "LH-GDNN-KV",
    "Trung tâm GDNN-GDTX khu vực Tân Phú - Hòa An",
    "TT GDNN-GDTX Tân Phú - Hòa An",
    7,
)
MERGER_DATE = dt.date(2025, 7, 1)

# Commune/ward schools under a second level: one cluster (cụm trường) per ward or commune.
CLUSTERS = [
    (
        "DT",
        "Cụm trường phường Đông Thành",
        1,
        [
            ("Trường THCS Đông Thành", UnitType.THCS),
            ("Trường THCS Nguyễn Văn Trỗi", UnitType.THCS),
            ("Trường Tiểu học Kim Đồng", UnitType.TH),
            ("Trường Tiểu học Đông Thành", UnitType.TH),
            ("Trường Mầm non Hoa Sen", UnitType.MN),
        ],
    ),
    (
        "TS",
        "Cụm trường phường Tây Sơn",
        2,
        [
            ("Trường THCS Tây Sơn", UnitType.THCS),
            ("Trường Tiểu học Võ Thị Sáu", UnitType.TH),
            ("Trường Tiểu học Lê Văn Tám", UnitType.TH),
            ("Trường Mầm non Họa Mi", UnitType.MN),
            ("Trường Mầm non Sơn Ca", UnitType.MN),
        ],
    ),
    (
        "NG",
        "Cụm trường phường Nam Giang",
        3,
        [
            ("Trường THCS Nam Giang", UnitType.THCS),
            ("Trường THCS Lê Quý Đôn", UnitType.THCS),
            ("Trường Tiểu học Nam Giang", UnitType.TH),
            ("Trường Mầm non Hoa Mai", UnitType.MN),
        ],
    ),
    (
        "PM",
        "Cụm trường xã Phú Mỹ",
        9,
        [
            ("Trường THCS Phú Mỹ", UnitType.THCS),
            ("Trường Tiểu học Phú Mỹ", UnitType.TH),
            ("Trường Tiểu học Phú Mỹ B", UnitType.TH),
            ("Trường Mầm non Phú Mỹ", UnitType.MN),
        ],
    ),
    (
        "HA",
        "Cụm trường xã Hòa An",
        8,
        [
            ("Trường THCS Hòa An", UnitType.THCS),
            ("Trường Tiểu học Hòa An", UnitType.TH),
            ("Trường Mầm non Hướng Dương", UnitType.MN),
        ],
    ),
    (
        "HN",
        "Cụm trường đặc khu Hòn Ngọc",
        17,
        [
            ("Trường TH và THCS Hòn Ngọc", UnitType.PT_NHIEU_CAP),
            ("Trường Mầm non Hòn Ngọc", UnitType.MN),
        ],
    ),
]

ALIASES = {
    SO_CODE: ["Sở GD&ĐT Lạc Hồng", "Sở Giáo dục - Đào tạo tỉnh Lạc Hồng", "SGDDT Lac Hong"],
    "LH-THPT-01": ["THPT Chuyên LQĐ", "Truong THPT chuyen Le Quy Don"],
    "LH-THPT-02": ["Trường Trung học phổ thông Nguyễn Du", "THPT Nguyen Du"],
    "LH-THPT-03": ["Trường Trung học phổ thông Trần Phú", "THPT Tran Phu"],
    "LH-THPT-13": ["THPT NTMK", "THPT Minh Khai"],
    "LH-THPT-36": ["Trường DTNT tỉnh", "PTDTNT Lac Hong"],
    MERGED_SUCCESSOR[0]: ["Trung tâm GDNN-GDTX Tân Phú - Hòa An", "TTGDNN-GDTX KV Tan Phu"],
}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
FAMILY += ["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Lương"]
MIDDLE_M = ["Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công", "Gia", "Hoàng", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Hoài", "Kim", "Phương", "Mỹ"]
GIVEN_M = ["An", "Bình", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong"]
GIVEN_M += ["Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Trung", "Toàn", "Đạt", "Khoa"]
GIVEN_F = ["Chi", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Nga", "Quỳnh"]
GIVEN_F += ["Tâm", "Thảo", "Trang", "Vân", "Yến", "Hằng", "Nhung", "Oanh", "Thư", "Uyên"]


# --- the findings -----------------------------------------------------------------------------

MALWARE = [
    ("Trojan.Win32.Agent", "high", "PC-KETOAN-01", "máy tính phòng kế toán"),
    ("Worm.VBS.Dinihou", "medium", "PC-PHONGMAY-12", "máy tính phòng tin học (lây qua USB)"),
    ("Ransom.LockBit (đã bị chặn)", "critical", "SRV-FILE-01", "máy chủ lưu trữ tệp"),
    ("Backdoor.PlugX", "high", "PC-VANTHU-02", "máy tính văn thư"),
    ("Adware.Win32.BrowserAssistant", "low", "PC-GV-07", "máy tính giáo viên"),
]

COMPLIANCE = [
    (
        "cap-do-cong-ttdt",
        "medium",
        "Chưa có hồ sơ đề xuất cấp độ cho Cổng thông tin điện tử của đơn vị",
        "Lập hồ sơ đề xuất cấp độ (cấp độ 2) cho Cổng thông tin điện tử theo Nghị định "
        "85/2016/NĐ-CP và Thông tư 12/2022/TT-BTTTT, gửi Sở thẩm định.",
    ),
    (
        "sao-luu",
        "medium",
        "Chưa sao lưu định kỳ dữ liệu phần mềm quản lý trường học",
        "Thiết lập sao lưu tự động hằng tuần, lưu một bản ngoài máy chủ; thử khôi phục và "
        "gửi biên bản thử khôi phục.",
    ),
    (
        "quy-che-attt",
        "low",
        "Chưa ban hành quy chế bảo đảm an toàn thông tin của đơn vị",
        "Ban hành quy chế bảo đảm an toàn thông tin theo mẫu của Sở, phổ biến tới toàn thể "
        "cán bộ, giáo viên.",
    ),
    (
        "mat-khau-mac-dinh",
        "high",
        "Thiết bị mạng còn dùng mật khẩu quản trị mặc định",
        "Đổi mật khẩu quản trị của bộ định tuyến, bộ phát Wi-Fi và camera; tắt quản trị từ "
        "Internet.",
    ),
]

MANUAL = [
    (
        "Rà soát, khoá tài khoản quản trị website không còn sử dụng",
        "medium",
        "Rà soát danh sách tài khoản quản trị Cổng thông tin điện tử, khoá tài khoản của người "
        "đã nghỉ hưu hoặc chuyển công tác, bật xác thực hai lớp cho tài khoản còn lại.",
    ),
    (
        "Tổ chức tuyên truyền phòng, chống lừa đảo trực tuyến cho cha mẹ học sinh",
        "low",
        "Phổ biến các thủ đoạn “con đang cấp cứu”, “thu học phí giả” trong buổi họp cha mẹ học "
        "sinh; gửi ảnh và danh sách tham dự.",
    ),
    (
        "Cập nhật thông tin cán bộ phụ trách CNTT của đơn vị",
        "low",
        "Kiểm tra và cập nhật họ tên, số điện thoại, thư điện tử của cán bộ phụ trách CNTT.",
    ),
]

GUIDANCE = {
    "malware": (
        "Phần mềm diệt mã độc phát hiện {family} trên {asset}.\n"
        "Cách ly máy khỏi mạng, quét toàn bộ, kiểm tra các máy dùng chung thư mục hoặc USB; "
        "cài lại hệ điều hành nếu không làm sạch được. Gửi biên bản xử lý."
    ),
}

ANSWERS = {
    "botnet": "Đã xác định máy phòng hành chính dùng IP này, ngắt mạng, quét bằng phần mềm diệt "
    "mã độc, xoá 3 tệp độc hại, đổi mật khẩu. Kiểm tra lại sau 3 ngày không còn kết nối lạ.",
    "vulnerability": "Đã cập nhật bản vá mới nhất của hãng, khởi động lại dịch vụ và kiểm tra "
    "phiên bản. Đính kèm biên bản cập nhật.",
    "malware": "Đã cách ly máy, quét toàn bộ, cài lại hệ điều hành và khôi phục dữ liệu từ bản "
    "sao lưu sạch. Đã quét các máy dùng chung USB, không phát hiện thêm.",
    "compliance": "Đơn vị đã hoàn thành theo hướng dẫn, đính kèm văn bản và biên bản.",
    "manual": "Đơn vị đã thực hiện xong, đính kèm báo cáo.",
}
RETURN_REASONS = [
    "Báo cáo chưa có ảnh chụp kết quả quét mã độc; đề nghị bổ sung.",
    "Phiên bản phần mềm trong ảnh chụp vẫn là bản cũ, chưa được vá. Đề nghị kiểm tra lại.",
    "Biên bản chưa có chữ ký của thủ trưởng đơn vị.",
]

# Workflow plans: what happens to a task after it is opened. "overdue" ones get a due date
# in the past.
PLANS = [
    "open",
    "in_progress",
    "submitted",
    "returned",
    "verified",
    "closed",
    "overdue_open",
    "overdue_in_progress",
    "due_soon",
    "overdue_returned",
    "cancelled",
    "submitted",
    "open",
    "verified",
]


class _Builder:
    def __init__(self, today: dt.date, progress: ProgressCallback | None) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.progress = progress
        self.phone_no = 0
        self.units: dict[str, Unit] = {}
        self.users: dict[str, object] = {}
        self.it_users: dict[str, object] = {}
        self.logins: list[DemoLogin] = []
        self.step = 0

    def tick(self, label: str, total: int) -> None:
        self.step += 1
        if self.progress:
            self.progress(label, self.step, total)

    # -- helpers ---------------------------------------------------------------------------

    def phone(self) -> str:
        self.phone_no += 1
        return f"0900 000 {self.phone_no:03d}"

    def person(self) -> str:
        if self.rng.random() < 0.5:
            return " ".join(
                (self.rng.choice(FAMILY), self.rng.choice(MIDDLE_M), self.rng.choice(GIVEN_M))
            )
        return " ".join(
            (self.rng.choice(FAMILY), self.rng.choice(MIDDLE_F), self.rng.choice(GIVEN_F))
        )

    def address(self, ward: str) -> str:
        number = self.rng.randint(1, 250)
        street = self.rng.choice(STREETS)
        return f"Số {number} đường {street}, {ward}, tỉnh {PROVINCE.split(maxsplit=1)[1]} ({DEMO_NOTE})"

    def unit(
        self,
        code: str,
        name: str,
        unit_type: str,
        parent: Unit | None,
        *,
        short_name: str = "",
        ward: str = "",
        **extra,
    ) -> Unit:
        from lachan.org.services import save_unit

        slug = code.lower()
        unit, _created = save_unit(
            actor=None,
            code=code,
            parent=parent,
            name=name,
            short_name=short_name,
            type=unit_type,
            address=self.address(ward or WARDS[0]),
            ward=ward,
            province=PROVINCE,
            phone=self.phone(),
            email=f"{slug}@{MAIL_DOMAIN}",
            it_officer_name=self.person(),
            it_officer_phone=self.phone(),
            it_officer_email=f"cntt.{slug}@{MAIL_DOMAIN}",
            head_name=self.person(),
            **extra,
        )
        self.units[code] = unit
        return unit

    # -- units -----------------------------------------------------------------------------

    def build_units(self) -> None:
        so = self.unit(
            SO_CODE,
            "Sở Giáo dục và Đào tạo tỉnh Lạc Hồng",
            UnitType.SO,
            None,
            short_name="Sở GDĐT Lạc Hồng",
            ward=WARDS[0],
        )
        for code, name in OFFICES:
            self.unit(f"{SO_CODE}-{code}", name, UnitType.PHONG, so, ward=WARDS[0])
        for i, (name, short, unit_type, ward) in enumerate(HIGH_SCHOOLS, start=1):
            prefix = "THPT" if unit_type == UnitType.THPT else "PT"
            if unit_type == UnitType.GDNN_GDTX:
                prefix = "GDNN"
            self.unit(
                f"LH-{prefix}-{i:02d}", name, unit_type, so, short_name=short, ward=WARDS[ward]
            )
        code, name, short, ward = MERGED_SUCCESSOR
        self.unit(
            code,
            name,
            UnitType.GDNN_GDTX,
            so,
            short_name=short,
            ward=WARDS[ward],
            valid_from=MERGER_DATE,
        )
        for code, name, short, ward in MERGED_PREDECESSORS:
            self.unit(
                code,
                name,
                UnitType.GDNN_GDTX,
                so,
                short_name=short,
                ward=WARDS[ward],
                valid_from=dt.date(2008, 9, 1),
            )
        for key, cluster_name, ward, schools in CLUSTERS:
            cluster = self.unit(f"LH-CUM-{key}", cluster_name, UnitType.KHAC, so, ward=WARDS[ward])
            for j, (school, unit_type) in enumerate(schools, start=1):
                self.unit(f"LH-{key}-{j:02d}", school, unit_type, cluster, ward=WARDS[ward])

    def add_aliases(self) -> None:
        from lachan.org.services import add_unit_alias

        for code, aliases in ALIASES.items():
            for alias in aliases:
                add_unit_alias(actor=None, unit=self.units[code], alias=alias)

    # -- people ----------------------------------------------------------------------------

    def login(
        self, username: str, full_name: str, role: str, code: str, *, officer: bool = False
    ) -> object:
        from lachan.org.services import assign_role, create_user, save_unit

        unit = self.units[code]
        email = f"{username}@{MAIL_DOMAIN}"
        user = create_user(
            actor=None, username=username, password=DEMO_PASSWORD, email=email, full_name=full_name
        )
        assign_role(actor=None, user=user, unit=unit, role=role)
        if officer:
            # This person is the unit's IT officer: the unit record points at them.
            self.units[code], _created = save_unit(
                actor=None,
                code=unit.code,
                parent=unit.parent,
                it_officer_name=full_name,
                it_officer_email=email,
            )
            self.it_users[code] = user
        self.users[username] = user
        self.logins.append(
            DemoLogin(username, DEMO_PASSWORD, str(Role(role).label), unit.short_name or unit.name)
        )
        return user

    def build_people(self) -> None:
        from lachan.org.services import assign_role, create_user

        self.login("demo-so-admin", "Trần Quốc Bảo", Role.DEPT_ADMIN, SO_CODE)
        self.login("demo-so-attt", "Lê Thị Thu Hà", Role.DEPT_SECURITY, SO_CODE)
        self.login("demo-vp-attt", "Phạm Minh Đức", Role.DEPT_SECURITY, f"{SO_CODE}-VP")
        self.login("demo-thpt-cntt", "Nguyễn Văn Hải", Role.UNIT_IT, "LH-THPT-02", officer=True)
        self.login("demo-thpt-hieutruong", "Đỗ Thị Lan", Role.UNIT_HEAD, "LH-THPT-02")
        self.login("demo-thpt2-cntt", "Võ Thanh Sơn", Role.UNIT_IT, "LH-THPT-03", officer=True)
        self.login("demo-cum-cntt", "Hoàng Gia Khánh", Role.UNIT_IT, "LH-CUM-DT", officer=True)
        self.login("demo-thcs-cntt", "Bùi Ngọc Trang", Role.UNIT_IT, "LH-DT-01", officer=True)
        self.login(
            "demo-gdnn-cntt", "Đặng Hữu Phúc", Role.UNIT_IT, MERGED_SUCCESSOR[0], officer=True
        )
        self.login("demo-giaovien", "Phan Mỹ Linh", Role.LEARNER, "LH-THPT-02")
        # Every other unit's IT officer has an account (no password: they would get one
        # from the Department), so reports carry a real name.
        for code, unit in self.units.items():
            if code in self.it_users or unit.type in {UnitType.SO, UnitType.PHONG}:
                continue
            user = create_user(
                actor=None,
                username=f"cntt-{code.lower()}",
                password=None,
                email=unit.it_officer_email,
                full_name=unit.it_officer_name,
            )
            assign_role(actor=None, user=user, unit=unit, role=Role.UNIT_IT)
            self.it_users[code] = user

    # -- findings and tasks ----------------------------------------------------------------

    def officer(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.get(username="demo-so-attt")

    def evidence_file(self, task, n: int) -> SimpleUploadedFile:
        text = (
            f"BIÊN BẢN XỬ LÝ ({DEMO_NOTE})\n"
            f"Đơn vị: {task.unit.name}\n"
            f"Việc: {task.title}\n"
            f"Ngày: {self.today:%d/%m/%Y}\n\n"
            "Nội dung đã thực hiện:\n"
            f"{ANSWERS.get(task.source, ANSWERS['manual'])}\n"
        )
        return SimpleUploadedFile(
            f"bien-ban-xu-ly-{n:02d}.txt", text.encode("utf-8"), content_type="text/plain"
        )

    def run_plan(self, task, plan: str, n: int) -> None:
        from lachan.remediation import services as rs

        dept = self.officer()
        worker = self.it_users.get(task.unit.code)
        answer = ANSWERS.get(task.source, ANSWERS["manual"])
        if plan in {"open", "overdue_open", "due_soon"}:
            return
        if plan == "cancelled":
            rs.close_task(
                actor=dept,
                task=task,
                note="Đơn vị đã thay thiết bị, vấn đề không còn; Sở đóng việc.",
            )
            return
        task = rs.start_task(actor=worker, task=task)
        if plan in {"in_progress", "overdue_in_progress"}:
            rs.add_comment(
                actor=worker,
                task=task,
                body="Đơn vị đang xử lý, dự kiến hoàn thành trong tuần.",
            )
            return
        task = rs.submit_task(
            actor=worker, task=task, answer_text=answer, files=[self.evidence_file(task, n)]
        )
        if plan == "submitted":
            return
        if plan in {"returned", "overdue_returned"}:
            rs.return_task(actor=dept, task=task, reason=RETURN_REASONS[n % len(RETURN_REASONS)])
            return
        task = rs.verify_task(actor=dept, task=task, note="Đã kiểm tra minh chứng, đạt yêu cầu.")
        if plan == "closed":
            rs.close_task(actor=dept, task=task)

    def due_for(self, plan: str, severity: str) -> dt.date:
        """A due date that fits the plan: past for overdue work, ahead for work in hand."""
        from lachan.remediation.models import DuePolicy

        days = DuePolicy.days_for(severity)
        if plan.startswith("overdue"):
            return self.today - dt.timedelta(days=self.rng.randint(2, 20))
        if plan == "due_soon":
            return self.today + dt.timedelta(days=self.rng.randint(1, 3))
        if plan in {"open", "in_progress", "returned"}:
            assigned = self.today - dt.timedelta(days=self.rng.randint(0, max(0, days - 2)))
        else:  # finished or waiting for the Department: assigned a while ago
            assigned = self.today - dt.timedelta(days=self.rng.randint(3, 20))
        return assigned + dt.timedelta(days=days)

    def backdate(self, task, due: dt.date) -> None:
        """Make "assigned on" match the due date and the severity policy (display only)."""
        from lachan.remediation.models import DuePolicy, Task

        created = min(self.today, due - dt.timedelta(days=DuePolicy.days_for(task.severity)))
        at = timezone.make_aware(dt.datetime.combine(created, dt.time(8, 30)))
        Task.objects.filter(pk=task.pk).update(created_at=at)

    def build_findings_and_tasks(self) -> int:
        from lachan.remediation import services as rs

        dept = self.officer()
        schools = [c for c, u in self.units.items() if u.type not in {UnitType.SO, UnitType.PHONG}]
        schools = [c for c in schools if c not in {p[0] for p in MERGED_PREDECESSORS}]
        schools = [c for c in schools if not c.startswith("LH-CUM-")]
        # The units with demo logins get one task in every state, the others a random mix.
        featured = ["LH-THPT-02"] * 7 + ["LH-THPT-03"] * 3 + ["LH-DT-01"] * 3
        featured += [MERGED_SUCCESSOR[0]] * 2
        others = self.rng.sample([c for c in schools if c not in featured], 26)
        targets = featured + others
        month = (self.today.replace(day=1) - dt.timedelta(days=1)).strftime("%m/%Y")

        specs = []
        for i, code in enumerate(targets):
            # Botnet and vulnerability work comes from the real workflows (lachan.intel.demo,
            # lachan.intel.demo_vulns), not from here.
            kind = ["manual", "compliance", "malware", "manual", "manual", "malware"][i % 6]
            specs.append((code, kind))

        count = 0
        for n, (code, kind) in enumerate(specs):
            unit = self.units[code]
            plan = PLANS[n % len(PLANS)]
            if kind == "manual":
                title, severity, guidance = MANUAL[n % len(MANUAL)]
                due = self.due_for(plan, severity)
                task = rs.create_task(
                    actor=dept,
                    unit=unit,
                    title=title,
                    guidance=guidance,
                    severity=severity,
                    due_date=due,
                )
            else:
                finding, guidance, title = self.finding(kind, unit, n, month)
                due = self.due_for(plan, finding.severity)
                task, _created = rs.open_or_refresh_task(
                    actor=dept,
                    unit=unit,
                    problem_key=f"{finding.source}:{finding.dedupe_key}",
                    title=title,
                    guidance=guidance,
                    severity=finding.severity,
                    findings=[finding],
                    source=finding.source,
                    due_date=due,
                )
            self.backdate(task, due)
            self.run_plan(task, plan, n)
            count += 1
        count += self.merger_history(dept)
        return count

    def finding(self, kind: str, unit: Unit, n: int, month: str):
        from lachan.remediation import services as rs

        dept = self.officer()
        seen = timezone.now() - dt.timedelta(days=self.rng.randint(1, 25))
        if kind == "malware":
            family, severity, host, asset = MALWARE[n % len(MALWARE)]
            sample = hashlib.sha256(f"lachan-demo-{family}".encode()).hexdigest()
            finding, _created = rs.record_finding(
                actor=dept,
                source="malware",
                unit=unit,
                dedupe_key=f"{unit.code}|{host}|{sample[:16]}",
                title=f"Phát hiện mã độc {family} trên {host}",
                severity=severity,
                asset_ref=host,
                seen_at=seen,
                evidence={"family": family, "sha256": sample, "host": host, "note": DEMO_NOTE},
            )
            guidance = GUIDANCE["malware"].format(family=family, asset=asset)
            return finding, guidance, f"Xử lý mã độc {family} trên {host}"
        key, severity, title, guidance = COMPLIANCE[n % len(COMPLIANCE)]
        finding, _created = rs.record_finding(
            actor=dept,
            source="compliance",
            unit=unit,
            dedupe_key=f"{unit.code}|{key}",
            title=title,
            severity=severity,
            seen_at=seen,
            evidence={"requirement": key, "note": DEMO_NOTE},
        )
        return finding, guidance, title

    def build_botnet(self) -> dict[str, int]:
        from django.conf import settings

        from lachan.intel.demo import seed_botnet_demo

        return seed_botnet_demo(
            today=self.today,
            units=self.units,
            officer=self.officer(),
            run_plan=self.run_plan,
            rng=self.rng,
            sample_dir=Path(settings.LACHAN_HOME) / "demo",
        )

    def build_vulnerabilities(self) -> dict[str, int]:
        from lachan.intel.demo_vulns import seed_vuln_demo

        return seed_vuln_demo(
            today=self.today,
            units=self.units,
            officer=self.officer(),
            run_plan=self.run_plan,
            rng=self.rng,
            so_code=SO_CODE,
        )

    def build_awareness(self) -> dict[str, int | str]:
        from lachan.awareness.demo import seed_awareness_demo

        return seed_awareness_demo(
            today=self.today, units=self.units, officer=self.officer(), rng=self.rng
        )

    def build_scams(self) -> dict[str, int]:
        from lachan.scams.demo import seed_scams_demo

        return seed_scams_demo(today=self.today, actor=self.officer())

    def build_drills(self) -> dict[str, int]:
        from django.contrib.auth import get_user_model

        from lachan.drills.demo import seed_drills_demo

        # Approval by a second officer: the Department's administrator approves.
        approver = get_user_model().objects.get(username="demo-so-admin")
        return seed_drills_demo(today=self.today, actor=self.officer(), approver=approver)

    def merger_history(self, dept) -> int:
        """Finished work of the two old centres, then their retirement into the merged one."""
        from lachan.org.services import retire_unit
        from lachan.remediation import services as rs

        successor = self.units[MERGED_SUCCESSOR[0]]
        count = 0
        for i, (code, *_rest) in enumerate(MERGED_PREDECESSORS):
            unit = self.units[code]
            worker = self.it_users[code]
            due = dt.date(2025, 5, 20 + i)
            task = rs.create_task(
                actor=dept,
                unit=unit,
                title="Rà soát, gỡ bỏ phần mềm không rõ nguồn gốc trên máy tính của trung tâm",
                guidance="Gỡ bỏ phần mềm bẻ khoá, phần mềm không rõ nguồn gốc; gửi danh sách máy.",
                severity="medium",
                due_date=due,
            )
            self.backdate(task, due)
            task = rs.start_task(actor=worker, task=task)
            task = rs.submit_task(
                actor=worker,
                task=task,
                answer_text="Đã gỡ bỏ phần mềm không rõ nguồn gốc trên 18 máy.",
                files=[self.evidence_file(task, 90 + i)],
            )
            task = rs.verify_task(actor=dept, task=task)
            rs.close_task(actor=dept, task=task)
            retire_unit(
                actor=None,
                unit=unit,
                valid_to=MERGER_DATE - dt.timedelta(days=1),
                successor=successor,
            )
            count += 1
        return count


def seed_demo(
    *, progress: ProgressCallback | None = None, today: dt.date | None = None
) -> DemoInfo:
    """Create the demo province unless it exists. Returns the logins (and what was created).

    ``progress(label, step, total)`` is called after each step, for a progress bar.
    """
    from django.contrib.auth import get_user_model

    from lachan.remediation.models import Finding, Task
    from lachan.remediation.tasks import run_reminders

    builder = _Builder(today or timezone.localdate(), progress)
    if Unit.objects.filter(code=SO_CODE).exists():
        return DemoInfo(logins=_existing_logins(), created=False)
    total = 11
    with transaction.atomic():
        builder.build_units()
        builder.tick(_("Đơn vị"), total)
        builder.add_aliases()
        builder.tick(_("Tên gọi khác"), total)
        builder.build_people()
        builder.tick(_("Người dùng và phân quyền"), total)
        builder.build_findings_and_tasks()
        builder.tick(_("Phát hiện và việc cần xử lý"), total)
        builder.build_botnet()
        builder.tick(_("Danh sách IP botnet"), total)
        builder.build_vulnerabilities()
        builder.tick(_("Lỗ hổng phần mềm"), total)
        builder.build_awareness()
        builder.tick(_("Bài học và đợt học"), total)
        builder.build_scams()
        builder.tick(_("Danh sách chặn và báo cáo lừa đảo"), total)
        builder.build_drills()
        builder.tick(_("Diễn tập thư lừa đảo"), total)
        reminders = run_reminders(builder.today)
        builder.tick(_("Nhắc việc"), total)
    builder.tick(_("Gửi thông báo"), total)
    counts = {
        "units": Unit.objects.count(),
        "users": get_user_model().objects.count(),
        "findings": Finding.objects.count(),
        "tasks": Task.objects.count(),
        **{f"reminders_{k}": v for k, v in reminders.items()},
    }
    return DemoInfo(logins=builder.logins, created=True, counts=counts)


DEMO_USERNAMES = [
    "demo-so-admin",
    "demo-so-attt",
    "demo-vp-attt",
    "demo-thpt-cntt",
    "demo-thpt-hieutruong",
    "demo-thpt2-cntt",
    "demo-cum-cntt",
    "demo-thcs-cntt",
    "demo-gdnn-cntt",
    "demo-giaovien",
]


def _existing_logins() -> list[DemoLogin]:
    from lachan.org.models import RoleAssignment

    logins = []
    for username in DEMO_USERNAMES:
        ra = (
            RoleAssignment.objects.filter(user__username=username)
            .select_related("unit")
            .order_by("pk")
            .first()
        )
        if ra is not None:
            unit = ra.unit.short_name or ra.unit.name
            logins.append(DemoLogin(username, DEMO_PASSWORD, str(Role(ra.role).label), unit))
    return logins
