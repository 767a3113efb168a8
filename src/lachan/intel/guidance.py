"""What to tell a unit about the malware families seen on its addresses.

Data, not code: ``FAMILIES`` maps a family (folded to lower case, as lists spell it) to the
devices it usually infects and the steps that matter for it. ``guidance_for`` composes the
text of a clean-up task.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IOT_DEVICES = "camera IP, đầu ghi hình (DVR/NVR), router/modem, thiết bị IoT chạy Linux"
IOT_STEPS = (
    "Đổi mật khẩu mặc định (admin/admin, root/12345…) của camera, đầu ghi, router.",
    "Cập nhật firmware mới nhất của hãng cho router, camera, đầu ghi; thay thiết bị hết hỗ trợ.",
    "Tắt Telnet/SSH/giao diện quản trị mở ra Internet và UPnP trên router; đóng các cổng chuyển tiếp không cần thiết.",
    "Khởi động lại thiết bị sau khi đổi mật khẩu và cập nhật (mã độc loại này thường chỉ nằm trong bộ nhớ).",
)
WINDOWS_DEVICES = "máy tính Windows (máy trạm, máy chủ, máy của phòng máy)"
WINDOWS_STEPS = (
    "Quét toàn bộ máy bằng phần mềm diệt mã độc đã cập nhật mẫu nhận diện; gỡ bỏ mã độc phát hiện được.",
    "Cập nhật bản vá Windows và các phần mềm (trình duyệt, Office, Java…).",
    "Đổi mật khẩu các tài khoản đã đăng nhập trên máy (thư điện tử, phần mềm quản lý trường học).",
    "Cài lại hệ điều hành nếu không chắc đã gỡ sạch mã độc.",
)
ANDROID_DEVICES = "điện thoại, máy tính bảng, TV box Android"
ANDROID_STEPS = (
    "Gỡ ứng dụng cài từ nguồn không chính thức; khôi phục cài đặt gốc TV box/thiết bị nghi nhiễm.",
    "Cập nhật hệ điều hành, chỉ cài ứng dụng từ kho chính thức.",
)


@dataclass(frozen=True)
class Family:
    label: str
    devices: str
    steps: Sequence[str]


FAMILIES: dict[str, Family] = {
    "mirai": Family("Mirai", IOT_DEVICES, IOT_STEPS),
    "gafgyt": Family("Gafgyt (Bashlite)", IOT_DEVICES, IOT_STEPS),
    "bashlite": Family("Bashlite", IOT_DEVICES, IOT_STEPS),
    "mozi": Family("Mozi", IOT_DEVICES, IOT_STEPS),
    "hajime": Family("Hajime", IOT_DEVICES, IOT_STEPS),
    "moobot": Family("Moobot", IOT_DEVICES, IOT_STEPS),
    "tsunami": Family("Tsunami (Kaiten)", IOT_DEVICES, IOT_STEPS),
    "emotet": Family("Emotet", WINDOWS_DEVICES, WINDOWS_STEPS),
    "trickbot": Family("TrickBot", WINDOWS_DEVICES, WINDOWS_STEPS),
    "qakbot": Family("Qakbot", WINDOWS_DEVICES, WINDOWS_STEPS),
    "conficker": Family("Conficker", WINDOWS_DEVICES, WINDOWS_STEPS),
    "sality": Family("Sality", WINDOWS_DEVICES, WINDOWS_STEPS),
    "ramnit": Family("Ramnit", WINDOWS_DEVICES, WINDOWS_STEPS),
    "zeus": Family("Zeus", WINDOWS_DEVICES, WINDOWS_STEPS),
    "necurs": Family("Necurs", WINDOWS_DEVICES, WINDOWS_STEPS),
    "andromeda": Family("Andromeda (Gamarue)", WINDOWS_DEVICES, WINDOWS_STEPS),
    "gamarue": Family("Gamarue", WINDOWS_DEVICES, WINDOWS_STEPS),
    "badbox": Family("BadBox", ANDROID_DEVICES, ANDROID_STEPS),
    "triada": Family("Triada", ANDROID_DEVICES, ANDROID_STEPS),
}
UNKNOWN = Family("", f"{WINDOWS_DEVICES}; {IOT_DEVICES}", (*WINDOWS_STEPS[:2], *IOT_STEPS[:2]))

COMMON_STEPS_BEFORE = (
    "Xác định thiết bị: tra nhật ký NAT/DHCP của router, tường lửa vào đúng thời điểm ghi nhận để "
    "biết địa chỉ nội bộ, địa chỉ MAC của thiết bị đã dùng địa chỉ IP công cộng nêu trên.",
    "Cách ly thiết bị đó khỏi mạng (rút cáp, tắt Wi-Fi) cho đến khi xử lý xong.",
)
COMMON_STEPS_AFTER = (
    "Đổi mật khẩu quản trị router/modem và mật khẩu Wi-Fi của đơn vị.",
    "Báo cáo kết quả trên Lá Chắn kèm bằng chứng (ảnh chụp kết quả quét, nhật ký, thiết bị đã xử lý).",
)


def family_of(malware: str) -> Family | None:
    words = re.split(r"[^a-z0-9]+", malware.casefold())
    for word in words:
        if word in FAMILIES:
            return FAMILIES[word]
    return None


@dataclass(frozen=True)
class Sighting:
    ip: str
    malware: str
    seen_at: dt.datetime | None


def guidance_for(sightings: Iterable[Sighting], period_label: str) -> str:
    """The guidance of a unit's clean-up task: its addresses, the families and the steps."""
    sightings = list(sightings)
    lines = [f"Danh sách IP nghi nhiễm mã độc {period_label} ghi nhận các địa chỉ của đơn vị:"]
    for s in sightings:
        when = s.seen_at.strftime("%d/%m/%Y %H:%M:%S") if s.seen_at else "không ghi thời gian"
        lines.append(f"- {s.ip}: {s.malware or 'không rõ mã độc'}, lúc {when}")
    families: dict[str, Family] = {}
    unknown = False
    for s in sightings:
        family = family_of(s.malware)
        if family is None:
            unknown = True
        else:
            families.setdefault(family.label, family)
    lines.append("")
    lines.append("Thiết bị thường bị nhiễm:")
    for family in families.values():
        lines.append(f"- {family.label}: {family.devices}")
    if unknown:
        lines.append(f"- Mã độc khác/không rõ: {UNKNOWN.devices}")
    steps: list[str] = list(COMMON_STEPS_BEFORE)
    for family in [*families.values(), *([UNKNOWN] if unknown else [])]:
        steps.extend(s for s in family.steps if s not in steps)
    steps.extend(COMMON_STEPS_AFTER)
    lines.append("")
    lines.append("Các bước xử lý:")
    lines.extend(f"{i}. {step}" for i, step in enumerate(steps, 1))
    return "\n".join(lines)
