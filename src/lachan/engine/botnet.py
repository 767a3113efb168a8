"""Botnet IP lists (danh sách IP Botnet) as they arrive, and attribution of each row to a unit.

Reading (:func:`read_botnet_list`), through the project's one table reader
(:func:`lachan.engine.tabular.read_frame`: CSV in UTF-8, UTF-8 with BOM, Windows-1258 or
UTF-16; XLSX/XLS/ODS with title rows, merged header cells, several sheets, empty rows):

- Columns are recognised by the labels in :data:`BOTNET_COLUMNS`, Vietnamese or English,
  ignoring case, diacritics and punctuation. Only the IP column is required; every sheet
  that has one is read. Row numbers are those a spreadsheet program shows, title rows
  included.
- Addresses are normalised (:mod:`lachan.engine.ipindex`: surrounding and separator
  whitespace, brackets, IPv4-mapped IPv6 is IPv4, canonical IPv6 text); defanged forms
  ("1.2.3[.]4") are accepted too, and "a.b.c.d:port" gives the port when the row has none.
- Times are dd/mm/yyyy [HH:MM[:SS]], ISO 8601 with or without an offset, or Excel serial
  numbers (:func:`lachan.engine.tabular.parse_datetime`); a time without an offset is in the
  list's time zone (Asia/Ho_Chi_Minh unless told). Times are kept to the second. A row's
  time (``seen_at``) is its time column, else its last sighting, else its first; "first
  seen" and "last seen" are kept as well.
- A row whose address is missing, invalid or not public (private, loopback, reserved,
  multicast, link-local, unspecified), or whose time cannot be read, is rejected with its
  row number and a reason in Vietnamese; the other rows are kept. Rows identical in
  address, time, malware, port and subscriber are kept once and counted as duplicates.

Attribution (:func:`attribute`): the most specific registered prefix that contains the
address and whose validity window contains the row's time (the list's period for a row
without a time) gives the unit, method ``prefix``, score 1.0; otherwise the subscriber name
and address are matched against unit names (:class:`lachan.engine.names.NameMatcher`),
method ``name`` with its score; otherwise the row is unmatched.

The work is columnar (polars and numpy) so that a list of a million rows is read and
attributed in a few seconds; :attr:`BotnetList.rows` and the items of :class:`Attributions`
are plain frozen dataclasses built on demand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from .ipindex import (
    ADDRESS_CLASSES,
    ParsedAddresses,
    PrefixIndex,
    PrefixRecord,
    classify_addresses,
    parse_addresses,
)
from .tabular import (
    ROW_COLUMN,
    SHEET_COLUMN,
    ColumnSpec,
    DuplicateColumnError,
    FrameTable,
    HeaderNotFoundError,
    MissingColumnsError,
    TabularError,
    UnreadableFileError,
    normalize_header,
    parse_date,
    parse_datetime,
    read_frame,
)

if TYPE_CHECKING:
    from .names import NameMatcher, UnitName

__all__ = [
    "BOTNET_COLUMNS",
    "DEFAULT_TZ",
    "NETWORK_COLUMNS",
    "UNIT_COLUMNS",
    "Attribution",
    "Attributions",
    "BotnetFileError",
    "BotnetList",
    "BotnetRow",
    "Rejection",
    "attribute",
    "month_period",
    "parse_period",
    "read_botnet_list",
    "read_networks",
    "read_units",
]

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
Period = tuple[dt.datetime, dt.datetime]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# --- columns --------------------------------------------------------------------------------

BOTNET_COLUMNS = ColumnSpec.of(
    {
        "ip": (
            "Địa chỉ IP",
            "IP",
            "IP address",
            "Địa chỉ IP nhiễm",
            "Địa chỉ IP bị nhiễm",
            "Địa chỉ IP nghi nhiễm",
            "Địa chỉ IP nghi nhiễm mã độc",
            "Địa chỉ IP Botnet",
            "IP bị nhiễm",
            "IP nhiễm",
            "IP nhiễm mã độc",
            "IP nghi nhiễm",
            "IP nghi nhiễm mã độc",
            "IP Botnet",
            "IP công cộng",
            "IP public",
            "IP WAN",
            "Địa chỉ IP WAN",
            "IPv4",
            "IPv6",
            "Địa chỉ IPv4",
            "Địa chỉ IPv6",
            "IP nguồn",
            "Source IP",
            "Src IP",
            "Infected IP",
            "Bot IP",
        ),
        "seen_at": (
            "Thời gian ghi nhận",
            "Thời điểm ghi nhận",
            "Thời điểm phát hiện",
            "Thời gian phát hiện",
            "Thời gian",
            "Thời điểm",
            "Thời gian kết nối",
            "Thời điểm kết nối",
            "Ngày ghi nhận",
            "Ngày phát hiện",
            "Ngày giờ",
            "Ngày",
            "Timestamp",
            "Time",
            "Date",
            "Datetime",
            "Seen",
            "Seen at",
            "Detected at",
            "Detection time",
            "Event time",
        ),
        "first_seen": (
            "First seen",
            "First detected",
            "Lần đầu ghi nhận",
            "Ghi nhận lần đầu",
            "Thời gian ghi nhận lần đầu",
            "Phát hiện lần đầu",
            "Thời gian phát hiện lần đầu",
            "Thời gian bắt đầu",
            "Start time",
        ),
        "last_seen": (
            "Last seen",
            "Last detected",
            "Lần cuối ghi nhận",
            "Ghi nhận lần cuối",
            "Thời gian ghi nhận lần cuối",
            "Thời gian ghi nhận cuối",
            "Phát hiện lần cuối",
            "Thời gian phát hiện lần cuối",
            "Thời gian kết thúc",
            "End time",
        ),
        "malware": (
            "Tên mã độc",
            "Loại mã độc",
            "Họ mã độc",
            "Dòng mã độc",
            "Mã độc",
            "Botnet",
            "Tên Botnet",
            "Loại Botnet",
            "Họ Botnet",
            "Mạng Botnet",
            "Tên mạng Botnet",
            "Loại",
            "Malware",
            "Malware family",
            "Malware name",
            "Family",
            "Threat",
        ),
        "isp": (
            "Nhà mạng",
            "ISP",
            "Nhà cung cấp",
            "Nhà cung cấp dịch vụ",
            "Nhà cung cấp dịch vụ Internet",
            "Nhà cung cấp Internet",
            "Doanh nghiệp viễn thông",
            "Nhà mạng quản lý",
            "ISP name",
            "Provider",
            "AS name",
        ),
        "subscriber": (
            "Tên thuê bao",
            "Chủ thuê bao",
            "Thuê bao",
            "Đơn vị",
            "Tên đơn vị",
            "Đơn vị sử dụng",
            "Đơn vị quản lý",
            "Tên khách hàng",
            "Khách hàng",
            "Cơ quan",
            "Tên cơ quan",
            "Cơ quan, đơn vị",
            "Tên cơ quan, đơn vị",
            "Tổ chức",
            "Tên tổ chức",
            "Chủ sở hữu",
            "Subscriber",
            "Subscriber name",
            "Customer",
            "Customer name",
            "Owner",
            "Organization",
            "Organisation",
        ),
        "address": (
            "Địa chỉ",
            "Địa chỉ lắp đặt",
            "Địa chỉ lắp đặt thuê bao",
            "Địa chỉ thuê bao",
            "Địa chỉ khách hàng",
            "Địa chỉ đơn vị",
            "Địa chỉ cài đặt",
            "Địa điểm",
            "Address",
            "Installation address",
            "Location",
        ),
        "port": (
            "Cổng",
            "Port",
            "Cổng kết nối",
            "Cổng nguồn",
            "Cổng dịch vụ",
            "Source port",
            "Src port",
        ),
        "protocol": ("Giao thức", "Protocol", "Proto"),
        "c2": (
            "C&C",
            "C2",
            "CnC",
            "Máy chủ điều khiển",
            "Máy chủ C&C",
            "Máy chủ C2",
            "Địa chỉ C&C",
            "Địa chỉ máy chủ điều khiển",
            "IP C&C",
            "IP máy chủ điều khiển",
            "C&C server",
            "C2 server",
            "IP đích",
            "Destination IP",
        ),
        "count": (
            "Số lần",
            "Số lần ghi nhận",
            "Số lần phát hiện",
            "Số lần kết nối",
            "Số lượt",
            "Số sự kiện",
            "Số kết nối",
            "Count",
            "Hits",
            "Events",
        ),
        "source": ("Nguồn", "Nguồn tin", "Nguồn cảnh báo", "Nguồn phát hiện", "Source", "Feed"),
        "note": ("Ghi chú", "Mô tả", "Note", "Notes", "Description"),
    },
    required=("ip",),
    ignored=("STT", "TT", "Số TT", "Số thứ tự", "No", "No.", "Index"),
)

TIME_FIELDS = ("seen_at", "first_seen", "last_seen")

# Columns of the network registry file (see issue: network registry import/export).
NETWORK_COLUMNS = ColumnSpec.of(
    {
        "unit_code": ("Mã đơn vị", "Mã", "Mã ĐV", "Mã trường", "Unit code", "Unit"),
        "prefix": (
            "Dải địa chỉ",
            "Dải địa chỉ IP",
            "Dải IP",
            "Dải mạng",
            "Địa chỉ mạng",
            "Khối địa chỉ",
            "Địa chỉ IP",
            "IP",
            "Prefix",
            "Subnet",
            "CIDR",
            "Network",
        ),
        "isp": ("Nhà mạng", "ISP", "Nhà cung cấp", "Nhà cung cấp dịch vụ"),
        "subscriber": ("Tên thuê bao", "Chủ thuê bao", "Thuê bao", "Subscriber"),
        "line_type": (
            "Loại đường truyền",
            "Loại kết nối",
            "Đường truyền",
            "Loại thuê bao",
            "Loại",
            "Line type",
        ),
        "static": ("Tĩnh/động", "IP tĩnh", "Loại IP", "Static"),
        "valid_from": ("Hiệu lực từ", "Hiệu lực từ ngày", "Từ ngày", "Ngày bắt đầu", "Valid from"),
        "valid_to": ("Hiệu lực đến", "Hiệu lực đến ngày", "Đến ngày", "Ngày kết thúc", "Valid to"),
        "note": ("Ghi chú", "Note"),
    },
    required=("unit_code", "prefix"),
    ignored=("STT", "TT", "Số TT"),
)

# The unit file of ``lachan units import`` (lachan.org.importers), with the same labels.
UNIT_COLUMNS = ColumnSpec.of(
    {
        "code": (
            "Mã đơn vị",
            "Mã",
            "Mã ĐV",
            "Mã số đơn vị",
            "Mã trường",
            "Mã cơ quan",
            "Unit code",
        ),
        "name": (
            "Tên đơn vị",
            "Tên",
            "Đơn vị",
            "Tên trường",
            "Tên cơ quan",
            "Tên cơ quan, đơn vị",
            "Tên đơn vị/trường",
            "Unit name",
        ),
        "short_name": ("Tên viết tắt", "Tên ngắn", "Tên gọi tắt", "Viết tắt", "Short name"),
        "type": (
            "Loại đơn vị",
            "Loại",
            "Loại hình",
            "Loại trường",
            "Loại ĐV",
            "Cấp học",
            "Unit type",
        ),
        "address": ("Địa chỉ", "Địa chỉ trụ sở", "Address"),
        "ward": (
            "Xã/phường",
            "Phường/xã",
            "Xã, phường",
            "Phường, xã",
            "Xã",
            "Phường",
            "Ward",
            "Commune",
        ),
        "province": ("Tỉnh/thành phố", "Tỉnh", "Tỉnh/TP", "Tỉnh, thành phố", "Province"),
        "aliases": ("Tên gọi khác", "Tên khác", "Các tên gọi khác", "Bí danh", "Aliases"),
    },
    required=("code", "name"),
    ignored=("STT", "TT"),
)

# How people write unit types (as lachan.org.importers.UNIT_TYPE_LABELS); value → labels.
UNIT_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "so": ("Sở", "Sở GD&ĐT", "Sở GDĐT", "Sở Giáo dục", "Sở Giáo dục và Đào tạo"),
        "phong": ("Phòng", "Ban", "Phòng/ban", "Phòng ban", "Phòng/ban thuộc Sở", "Văn phòng"),
        "thpt": ("THPT", "Trường THPT", "Trung học phổ thông", "Trường Trung học phổ thông"),
        "pt_nhieu_cap": (
            "Trường phổ thông nhiều cấp",
            "Phổ thông nhiều cấp",
            "PT nhiều cấp",
            "Nhiều cấp",
            "Liên cấp",
            "Trường liên cấp",
            "TH&THCS",
            "TH và THCS",
            "THCS&THPT",
            "THCS và THPT",
        ),
        "thcs": ("THCS", "Trường THCS", "Trung học cơ sở", "Trường Trung học cơ sở"),
        "th": ("TH", "Trường TH", "Tiểu học", "Trường Tiểu học"),
        "mn": ("MN", "Trường MN", "Mầm non", "Trường Mầm non", "MG", "Mẫu giáo", "Nhà trẻ"),
        "gdnn_gdtx": (
            "GDNN-GDTX",
            "TT GDNN-GDTX",
            "Trung tâm GDNN-GDTX",
            "GDTX",
            "Trung tâm GDTX",
            "Trung tâm Giáo dục thường xuyên",
        ),
        "khac": ("Khác", "Đơn vị khác", "Other"),
    }
)

# Address classes in the words of a rejection reason.
CLASS_NAMES_VI: Mapping[str, str] = MappingProxyType(
    {
        "private": "địa chỉ mạng riêng (nội bộ)",
        "loopback": "địa chỉ loopback (máy cục bộ)",
        "reserved": "địa chỉ dành riêng (không dùng trên Internet)",
        "multicast": "địa chỉ multicast",
        "link_local": "địa chỉ link-local",
        "unspecified": "địa chỉ không xác định",
    }
)

# --- results --------------------------------------------------------------------------------


class BotnetFileError(ValueError):
    """A file that could not be read at all; ``str()`` is one line in Vietnamese."""

    def __init__(self, filename: str, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.filename = filename
        self.errors = tuple(errors)


@dataclass(frozen=True)
class BotnetRow:
    """One accepted row of a list."""

    row: int  # the spreadsheet row number, title rows included
    sheet: str
    ip: str  # canonical text
    seen_at: dt.datetime | None  # aware; the row's time, else its last or first sighting
    malware: str = ""
    isp: str = ""
    subscriber: str = ""
    address: str = ""
    port: str = ""
    c2: str = ""
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict)  # canonical column → text as read


@dataclass(frozen=True)
class Rejection:
    """A row that was not kept, and why (Vietnamese)."""

    row: int
    sheet: str
    reason: str


@dataclass(frozen=True)
class Attribution:
    """The unit a row belongs to, and how that was decided."""

    row: int
    ip: str
    seen_at: dt.datetime | None
    malware: str
    isp: str
    subscriber: str
    unit_code: str | None
    method: str | None  # "prefix" | "name" | None
    score: float | None
    prefix: str | None
    sheet: str = ""
    reason: str = ""  # for a name match, what matched

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of the ``lachan botnet match`` output."""
        return {
            "row": self.row,
            "ip": self.ip,
            "seen_at": self.seen_at.isoformat() if self.seen_at else None,
            "malware": self.malware,
            "isp": self.isp,
            "subscriber": self.subscriber,
            "unit_code": self.unit_code,
            "method": self.method,
            "score": self.score,
            "prefix": self.prefix,
        }


def _aware(epoch: float | None, zone: ZoneInfo) -> dt.datetime | None:
    if epoch is None or math.isnan(epoch):
        return None
    return dt.datetime.fromtimestamp(epoch, zone)


class BotnetList:
    """A list as read: accepted rows (as a frame, and as :class:`BotnetRow` on demand),
    rejections, the duplicate count, warnings for people and the headers found."""

    # Columns of ``frame``: row, sheet, ip (canonical), the TIME_FIELDS as epoch seconds
    # (null when absent) and the other columns of BOTNET_COLUMNS as text ("" when absent).
    frame: pl.DataFrame

    def __init__(
        self,
        *,
        filename: str,
        frame: pl.DataFrame,
        table: FrameTable,
        raw: pl.DataFrame,
        addresses: ParsedAddresses,
        rejected: Sequence[Rejection],
        duplicates: int,
        rows_read: int,
        warnings: Sequence[str],
        tz: str,
        period: Period | None,
    ) -> None:
        self.filename = filename
        self.frame = frame
        self.addresses = addresses  # parsed, one per row of ``frame``
        self.rejected = list(rejected)
        self.duplicates = duplicates
        self.rows_read = rows_read
        self.warnings = list(warnings)
        self.headers = table.headers
        self.format = table.format
        self.encoding = table.encoding
        self.tz = tz
        self.period = period
        self._labels = {name: table.label(name) for name in BOTNET_COLUMNS.names}
        self._raw_names = table.columns
        self._raw = raw  # the cells that normalisation changed, as written

    def __len__(self) -> int:
        return self.frame.height

    def __repr__(self) -> str:
        return (
            f"<BotnetList {self.filename!r}: {len(self)} rows, {len(self.rejected)} rejected, "
            f"{self.duplicates} duplicates>"
        )

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical columns found in the file."""
        names: dict[str, None] = {}
        for header in self.headers:
            names.update(dict.fromkeys(header.columns))
        return tuple(names)

    def label(self, name: str) -> str:
        """The file's label for a canonical column."""
        return self._labels.get(name, name)

    @functools.cached_property
    def rows(self) -> list[BotnetRow]:
        """The accepted rows as dataclasses (built on first use)."""
        zone = ZoneInfo(self.tz)
        raw_names = self._raw_names
        source = self.frame.select(
            self._raw[name] if name in self._raw.columns else pl.col(name) for name in raw_names
        )
        result = []
        for values, raw in zip(self.frame.iter_rows(named=True), source.iter_rows(), strict=True):
            result.append(
                BotnetRow(
                    row=values["row"],
                    sheet=values["sheet"],
                    ip=values["ip"],
                    seen_at=_aware(values["seen_at"], zone),
                    malware=values["malware"],
                    isp=values["isp"],
                    subscriber=values["subscriber"],
                    address=values["address"],
                    port=values["port"],
                    c2=values["c2"],
                    first_seen=_aware(values["first_seen"], zone),
                    last_seen=_aware(values["last_seen"], zone),
                    raw=MappingProxyType(dict(zip(raw_names, raw, strict=True))),
                )
            )
        return result

    def earliest(self) -> dt.datetime | None:
        """The earliest row time, if any row has one."""
        seen = self.frame["seen_at"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        if not seen.size or np.isnan(seen).all():
            return None
        return _aware(float(np.nanmin(seen)), ZoneInfo(self.tz))


# --- times ----------------------------------------------------------------------------------

_DMY = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: +(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$"
_ISO = (
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"
)
_HMS = r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
_FIXED_FORMS = (
    (rf"^\d\d/\d\d/\d{{4}} {_HMS}$", "%d/%m/%Y %H:%M:%S"),
    (r"^\d\d/\d\d/\d{4} ([01]\d|2[0-3]):[0-5]\d$", "%d/%m/%Y %H:%M"),
    (rf"^\d{{4}}-\d\d-\d\d {_HMS}$", "%Y-%m-%d %H:%M:%S"),
    (rf"^\d{{4}}-\d\d-\d\dT{_HMS}$", "%Y-%m-%dT%H:%M:%S"),
)
_NAIVE_EPOCH = dt.datetime(1970, 1, 1)
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _days_from_civil(
    y: npt.NDArray[np.int64], m: npt.NDArray[np.int64], d: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: npt.NDArray[np.int64] = era * 146097 + doe - 719468
    return days


def _utc_offsets(naive: npt.NDArray[np.int64], zone: ZoneInfo) -> npt.NDArray[np.int64]:
    """UTC offset in seconds of local wall times (seconds since 1970-01-01 local), as
    ``datetime.replace(tzinfo=zone)`` gives it; computed once per hour of the times' span
    (a table) or, for a span of many years, once per distinct hour."""
    hours = naive // 3600
    first, last = int(hours.min()), int(hours.max())
    if last - first < 200_000:
        table = np.fromiter(
            (_offset_at(h * 3600, zone) for h in range(first, last + 1)),
            np.int64,
            last - first + 1,
        )
        spanned: npt.NDArray[np.int64] = table[hours - first]
        return spanned
    distinct, inverse = np.unique(hours, return_inverse=True)
    offsets = np.fromiter(
        (_offset_at(int(h) * 3600, zone) for h in distinct.tolist()), np.int64, distinct.size
    )
    result: npt.NDArray[np.int64] = offsets[inverse]
    return result


def _offset_at(naive_seconds: int, zone: ZoneInfo) -> int:
    local = (_NAIVE_EPOCH + dt.timedelta(seconds=naive_seconds)).replace(tzinfo=zone)
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _vector_times(
    values: pl.Series, pattern: str, order: str
) -> tuple[BoolArray, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows fully matching a fixed form with valid fields: (ok, local seconds, offset or a
    sentinel when the text gives none)."""
    groups = values.str.extract_groups(pattern).struct.unnest()
    n = values.len()
    names = groups.columns

    def number(i: int, default: int = 0) -> npt.NDArray[np.int64]:
        column = groups[names[i]].cast(pl.Int64, strict=False).fill_null(default)
        return column.to_numpy().astype(np.int64, copy=False)

    matched = groups[names[0]].is_not_null().to_numpy()
    if order == "dmy":
        d, m, y = number(0), number(1), number(2)
    else:
        y, m, d = number(0), number(1), number(2)
    hour, minute, second = number(3), number(4), number(5)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    month_days = _DAYS_IN_MONTH[np.clip(m, 0, 12)] + ((m == 2) & leap)
    ok = (
        matched
        & (m >= 1)
        & (m <= 12)
        & (d >= 1)
        & (d <= month_days)
        & (y >= 1)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    seconds = _days_from_civil(y, m, d) * 86400 + hour * 3600 + minute * 60 + second
    offset = np.full(n, np.iinfo(np.int64).min, np.int64)
    if order == "ymd" and len(names) > 6:
        zones = groups[names[6]]
        given = zones.is_not_null().to_numpy()
        if given.any():
            text = zones.fill_null("+00:00").str.replace("Z", "+00:00", literal=True)
            sign = np.where(text.str.slice(0, 1).to_numpy() == "-", -1, 1)
            hh = text.str.slice(1, 2).cast(pl.Int64).to_numpy()
            mm = text.str.slice(4, 2).cast(pl.Int64).to_numpy()
            offset = np.where(given, sign * (hh * 3600 + mm * 60), offset)
            ok &= ~given | ((hh <= 23) & (mm <= 59))
    return ok, seconds, offset


def parse_times(values: pl.Series, tz: str = DEFAULT_TZ) -> tuple[FloatArray, BoolArray]:
    """Epoch seconds of time texts (NaN where empty) and where a non-empty text is not a
    time; forms as :func:`lachan.engine.tabular.parse_datetime`, naive times in ``tz``.

    The usual forms are parsed by columns; anything else goes through ``parse_datetime``
    once per distinct text.
    """
    zone = ZoneInfo(tz)
    n = values.len()
    epoch = np.full(n, np.nan)
    bad = np.zeros(n, np.bool_)
    if n == 0:
        return epoch, bad
    text = values.fill_null("")
    present = (text != "").to_numpy()
    if not present.any():
        return epoch, bad
    sentinel = np.iinfo(np.int64).min
    local = np.zeros(n, np.int64)
    offset = np.full(n, sentinel, np.int64)
    done = np.zeros(n, np.bool_)
    # The usual fixed forms through chrono, which is fast on texts that match; the form of
    # the first rows first, since a list writes its times one way.
    sample = text.gather(np.flatnonzero(present)[:200])
    forms = sorted(_FIXED_FORMS, key=lambda f: -int(sample.str.contains(f[0]).sum()))
    for pattern, form in forms:
        todo = np.flatnonzero(present & ~done)
        if not todo.size:
            break
        subset = text.gather(todo)
        matches = subset.str.contains(pattern).to_numpy()
        if not matches.any():
            continue
        rows = todo[matches]
        parsed = subset.filter(pl.Series(matches)).str.strptime(
            pl.Datetime("ms"), form, strict=False
        )
        ok = (parsed.dt.year() >= 1000).fill_null(False).to_numpy()
        local[rows[ok]] = parsed.dt.epoch("s").to_numpy()[ok]
        done[rows[ok]] = True
    # Other forms that need no library: extract the fields with a regex.
    for pattern, order in ((_DMY, "dmy"), (_ISO, "ymd")):
        todo = np.flatnonzero(present & ~done)
        if not todo.size:
            break
        ok, seconds, given = _vector_times(text.gather(todo), pattern, order)
        rows = todo[ok]
        local[rows], offset[rows] = seconds[ok], given[ok]
        done[rows] = True
    rest = np.flatnonzero(present & ~done)
    if rest.size:
        for i, moment in _parse_each(text.gather(rest).to_list(), rest):
            if moment is None:
                bad[i] = True
                continue
            naive = moment.replace(tzinfo=None)
            local[i] = int((naive - _NAIVE_EPOCH).total_seconds() // 1)
            utc = moment.utcoffset()
            if utc is not None:
                offset[i] = int(utc.total_seconds())
            done[i] = True
    naive_rows = done & (offset == sentinel)
    if naive_rows.any():
        offset[naive_rows] = _utc_offsets(local[naive_rows], zone)
    epoch[done] = (local[done] - offset[done]).astype(np.float64)
    return epoch, bad


def _parse_each(
    texts: list[str], rows: npt.NDArray[np.intp]
) -> Iterator[tuple[int, dt.datetime | None]]:
    cache: dict[str, dt.datetime | None] = {}
    for i, text in zip(rows.tolist(), texts, strict=True):
        if text not in cache:
            try:
                cache[text] = parse_datetime(text)
            except ValueError:
                cache[text] = None
        yield i, cache[text]


def month_period(year: int, month: int, tz: str = DEFAULT_TZ) -> Period:
    """The month as [first midnight, next month's first midnight) in ``tz``."""
    zone = ZoneInfo(tz)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def parse_period(text: str, tz: str = DEFAULT_TZ) -> Period:
    """A month written "YYYY-MM" or "MM/YYYY"; ValueError (Vietnamese) otherwise."""
    cleaned = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})", cleaned)
    vn = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", cleaned)
    if iso:
        year, month = int(iso.group(1)), int(iso.group(2))
    elif vn:
        year, month = int(vn.group(2)), int(vn.group(1))
    else:
        raise ValueError(f"Kỳ “{text}” không hợp lệ; hãy ghi theo dạng YYYY-MM (ví dụ 2025-07).")
    if not 1 <= month <= 12:
        raise ValueError(f"Kỳ “{text}” không hợp lệ: tháng {month} không tồn tại.")
    return month_period(year, month, tz)


# --- reading a list -------------------------------------------------------------------------

_FRAME_COLUMNS = (
    "row",
    "sheet",
    "ip",
    *TIME_FIELDS,
    *(n for n in BOTNET_COLUMNS.names if n not in ("ip", *TIME_FIELDS)),
)
_DEFANGED = r"(?i)\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)"  # "1.2.3[.]4", "1[dot]2…"
_IPV4_PORT = r"^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$"
_PLAIN_IPV4 = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"


def _file_error(exc: TabularError, filename: str, what: str, spec: ColumnSpec) -> BotnetFileError:
    """A tabular error in Vietnamese, for people."""
    if isinstance(exc, UnreadableFileError):
        messages = {
            "empty": f"Tệp {filename} trống, không có dữ liệu.",
            "encoding": (
                f"Không đọc được tệp {filename}: bảng mã không phải UTF-8, UTF-16 hay Windows-1258."
            ),
            "corrupt": f"Tệp {filename} bị hỏng hoặc không phải bảng tính ({exc.detail}).",
            "password": f"Tệp {filename} được đặt mật khẩu; hãy bỏ mật khẩu rồi thử lại.",
            "sheet_not_found": f"Tệp {filename} không có trang tính “{exc.detail}”.",
        }
        return BotnetFileError(filename, messages.get(exc.reason, str(exc)))
    if isinstance(exc, HeaderNotFoundError):
        found = "; ".join(
            (f"trang “{sheet}”: " if sheet else "") + ", ".join(f"“{label}”" for label in labels)
            for sheet, labels in exc.found
        )
        return BotnetFileError(
            filename, f"Tệp {filename} không có cột {what}. Các tiêu đề tìm thấy: {found}."
        )
    if isinstance(exc, MissingColumnsError):
        found = ", ".join(f"“{label}”" for label in exc.found)
        missing = ", ".join(_column_hint(spec, name) for name in exc.missing)
        where = f"trang “{exc.sheet}”, " if exc.sheet else ""
        return BotnetFileError(
            filename,
            f"Tệp {filename}, {where}dòng {exc.row}: thiếu cột {missing}. "
            f"Các tiêu đề tìm thấy: {found}.",
        )
    if isinstance(exc, DuplicateColumnError):
        cells = ", ".join(f"cột {c.letter} “{c.label}”" for c in exc.cells)
        where = f"trang “{exc.sheet}”, " if exc.sheet else ""
        return BotnetFileError(
            filename,
            f"Tệp {filename}, {where}dòng {exc.row}: {cells} cùng là "
            f"{_column_hint(spec, exc.column)}; hãy giữ một cột.",
        )
    return BotnetFileError(filename, f"Không đọc được tệp {filename}: {exc}")


def _column_hint(spec: ColumnSpec, name: str) -> str:
    for column in spec.columns:
        if column.name == name and column.synonyms:
            return f"“{column.synonyms[0]}”"
    return f"“{name}”"


def _read(
    data: bytes, filename: str, spec: ColumnSpec, what: str, *, fast: bool | None = None
) -> FrameTable:
    try:
        return read_frame(data, filename, spec, fast=fast)
    except TabularError as exc:
        raise _file_error(exc, filename, what, spec) from exc


def read_botnet_list(
    data: bytes,
    filename: str,
    *,
    period: Period | None = None,
    tz: str = DEFAULT_TZ,
    allow_documentation: bool = False,
    fast: bool | None = None,
) -> BotnetList:
    """Read a botnet list (see the module docstring). Raises :class:`BotnetFileError` when
    the file cannot be read as such a list (no IP column, unreadable, empty).

    ``period`` only adds a warning for rows outside it; ``allow_documentation`` treats the
    documentation ranges (192.0.2.0/24, 2001:db8::/32, …) as public, for tests and demos.
    """
    table = _read(
        data, filename, BOTNET_COLUMNS, "địa chỉ IP (ví dụ “Địa chỉ IP”, “IP”)", fast=fast
    )
    source = table.frame
    rows_read = source.height
    reasons: list[str | None] = [None] * rows_read  # why each row is rejected, if it is
    ip_text, port = _split_addresses(source)
    addresses = parse_addresses(ip_text.to_list())
    _address_reasons(source["ip"], addresses, table.label("ip"), allow_documentation, reasons)
    canonical = _canonical_addresses(ip_text, addresses)
    times = _times(source, table, tz, reasons)
    seen = times["seen_at"]
    for name in ("last_seen", "first_seen"):
        seen = np.where(np.isnan(seen), times[name], seen)

    # Only the text columns the file has; the others are added as constants at the end.
    texts_read = {
        name: (port if name == "port" else source[name])
        for name in BOTNET_COLUMNS.names
        if name not in ("ip", *TIME_FIELDS)
        and (name in source.columns or (name == "port" and port is not None))
    }
    frame = pl.DataFrame(
        {
            "row": source[ROW_COLUMN],
            "sheet": source[SHEET_COLUMN],
            "ip": canonical,
            "seen_at": pl.Series(seen, nan_to_null=True),
            "first_seen": pl.Series(times["first_seen"], nan_to_null=True),
            "last_seen": pl.Series(times["last_seen"], nan_to_null=True),
            **texts_read,
        }
    )
    rejected_rows = np.array([r is not None for r in reasons], np.bool_)
    rejected_at = np.flatnonzero(rejected_rows)
    rejected = [
        Rejection(int(number), str(sheet), str(reasons[i]))
        for i, number, sheet in zip(
            rejected_at.tolist(),
            source[ROW_COLUMN].gather(rejected_at).to_list(),
            source[SHEET_COLUMN].gather(rejected_at).to_list(),
            strict=True,
        )
    ]
    kept = np.flatnonzero(~rejected_rows)
    unique = _first_occurrences(frame, kept)
    duplicates = int(kept.size - unique.size)
    # As written: the cells normalisation may change (the others are in ``frame`` as read).
    raw = source.select(n for n in ("ip", "port", *TIME_FIELDS) if n in table.columns)
    # Let the file's own frame go before filtering: only the normalised one is kept.
    table = dataclasses.replace(table, frame=table.frame.clear())
    del source, ip_text, canonical
    if unique.size != rows_read:
        keep = np.zeros(rows_read, np.bool_)
        keep[unique] = True
        mask = pl.Series(keep)
        frame = frame.filter(mask)
        raw = raw.filter(mask)
        addresses = addresses.take(unique)
    # Columns the file does not have are constant "" (cheap to carry).
    frame = frame.with_columns(
        pl.lit("", dtype=pl.String).alias(name)
        for name in BOTNET_COLUMNS.names
        if name not in frame.columns
    ).select(_FRAME_COLUMNS)
    return BotnetList(
        filename=filename,
        frame=frame,
        table=table,
        raw=raw,
        addresses=addresses,
        rejected=rejected,
        duplicates=duplicates,
        rows_read=rows_read,
        warnings=_warnings(table, frame, period),
        tz=tz,
        period=period,
    )


def _split_addresses(source: pl.DataFrame) -> tuple[pl.Series, pl.Series | None]:
    """The address texts with defanged dots restored and an IPv4 ":port" taken off, and the
    port column (from those suffixes where the row has no port; None when there is none)."""
    ip_text = source["ip"]
    port: pl.Series | None = source["port"] if "port" in source.columns else None
    if ip_text.str.contains(_DEFANGED).any():
        ip_text = ip_text.str.replace_all(_DEFANGED, ".")
    if ip_text.str.contains(_IPV4_PORT).any():
        parts = ip_text.str.extract_groups(_IPV4_PORT).struct.unnest()
        address_part, port_part = parts[parts.columns[0]], parts[parts.columns[1]]
        has_port = address_part.is_not_null()
        written = port if port is not None else pl.repeat("", source.height, eager=True)
        port = pl.select(
            pl.when(has_port & (written == "")).then(port_part).otherwise(written)
        ).to_series()
        ip_text = pl.select(pl.when(has_port).then(address_part).otherwise(ip_text)).to_series()
    return ip_text, port


def _address_reasons(
    written: pl.Series,
    addresses: ParsedAddresses,
    label: str,
    allow_documentation: bool,
    reasons: list[str | None],
) -> None:
    """Why rows with a missing, invalid or non-public address are rejected."""
    classes = classify_addresses(addresses, allow_documentation=allow_documentation)
    not_public = np.flatnonzero(classes != ADDRESS_CLASSES.index("public"))
    texts = written.gather(not_public).to_list()
    for i, text, code in zip(not_public.tolist(), texts, classes[not_public].tolist(), strict=True):
        if not text:
            reasons[i] = f"Thiếu địa chỉ IP (cột “{label}” trống)."
        elif code == 0:
            reasons[i] = f"Địa chỉ IP không hợp lệ ở cột “{label}”: “{text}”."
        else:
            kind = CLASS_NAMES_VI.get(ADDRESS_CLASSES[code], "địa chỉ không công cộng")
            reasons[i] = (
                f"Địa chỉ “{text}” ở cột “{label}” là {kind}, không phải địa chỉ IP công cộng."
            )


def _times(
    source: pl.DataFrame, table: FrameTable, tz: str, reasons: list[str | None]
) -> dict[str, FloatArray]:
    """Epoch seconds of each time column (NaN where empty or absent); a row with a time that
    cannot be read gets its reason, unless it has one already."""
    times: dict[str, FloatArray] = {}
    for name in TIME_FIELDS:
        if name not in source.columns:
            times[name] = np.full(source.height, np.nan)
            continue
        times[name], bad = parse_times(source[name], tz)
        label = table.label(name)
        bad_rows = np.flatnonzero(bad)
        values = source[name].gather(bad_rows).to_list()
        for i, value in zip(bad_rows.tolist(), values, strict=True):
            if reasons[i] is None:
                reasons[i] = (
                    f"Thời gian không hợp lệ ở cột “{label}”: “{value}” (hãy ghi theo dạng "
                    "dd/mm/yyyy hh:mm hoặc ISO 8601)."
                )
    return times


def _first_occurrences(frame: pl.DataFrame, kept: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """The rows of ``kept`` not identical to an earlier one in address, time, malware, port
    and subscriber."""
    key = frame.select(
        n for n in ("ip", "seen_at", "malware", "port", "subscriber") if n in frame.columns
    )
    hashes = key.hash_rows().to_numpy()[kept]
    # Rows with distinct hashes are distinct: compare exactly only the rows whose hash repeats.
    first = np.ones(kept.size, np.bool_)
    repeated = np.flatnonzero(pl.Series(hashes).is_duplicated().to_numpy())
    if repeated.size:
        exact = key[kept[repeated]].select(pl.struct(pl.all()).is_first_distinct())
        first[repeated] = exact.to_series().to_numpy()
    unique: npt.NDArray[np.intp] = kept[first]
    return unique


def _canonical_addresses(texts: pl.Series, addresses: ParsedAddresses) -> pl.Series:
    """Canonical address texts: a plain valid dotted quad already is one (ipaddress refuses
    leading zeros), other IPv4 texts are written from their numbers, IPv6 ones formatted."""
    version = addresses.version
    plain = texts.str.contains(_PLAIN_IPV4).to_numpy() & (version == 4)
    result = pl.select(
        pl.when(pl.Series(plain)).then(texts).otherwise(pl.lit(None, dtype=pl.String))
    ).to_series()
    other4 = np.flatnonzero(~plain & (version == 4))
    if other4.size:
        value = addresses.lo[other4]
        octets = [pl.Series((value >> np.uint64(s)) & np.uint64(255)) for s in (24, 16, 8, 0)]
        dotted = pl.select(pl.concat_str(octets, separator=".")).to_series()
        result = result.scatter(other4, dotted)
    rows6 = np.flatnonzero(version == 6)
    if rows6.size:
        result = result.scatter(rows6, _ipv6_texts(addresses.hi[rows6], addresses.lo[rows6]))
    return result.fill_null("").alias("ip")


@functools.lru_cache(maxsize=1)
def _hextet_texts() -> pl.Series:
    return pl.Series([f"{h:x}" for h in range(1 << 16)], dtype=pl.String)


def _ipv6_texts(hi: npt.NDArray[np.uint64], lo: npt.NDArray[np.uint64]) -> pl.Series:
    """IPv6 addresses as :mod:`ipaddress` writes them (RFC 5952: lower case, no leading
    zeros, the first longest run of two or more zero groups as "::"), by columns."""
    shifts = [np.uint64(s) for s in (48, 32, 16, 0)]
    groups = np.stack(
        [(half >> s) & np.uint64(0xFFFF) for half in (hi, lo) for s in shifts], axis=1
    ).astype(np.int64)
    zero = groups == 0
    run = np.zeros_like(groups)
    for i in range(8):
        run[:, i] = zero[:, i] * ((run[:, i - 1] if i else 0) + 1)
    length = run.max(axis=1)
    end = run.argmax(axis=1)  # the first longest run
    start = end - length + 1
    position = np.arange(8)
    dropped = (length[:, None] >= 2) & (position >= start[:, None]) & (position <= end[:, None])
    table = _hextet_texts()
    tokens = [
        pl.Series(f"g{i}", table.gather(groups[:, i])).set(pl.Series(dropped[:, i]), "")
        for i in range(8)
    ]
    joined = pl.select(pl.concat_str(tokens, separator=":")).to_series()
    return joined.str.replace(r":{2,}", "::")


def _warnings(table: FrameTable, frame: pl.DataFrame, period: Period | None) -> list[str]:
    warnings = [
        f"Trang “{sheet}” không có cột địa chỉ IP nên không được đọc."
        for sheet in table.skipped_sheets
    ]
    sections = [r for r in table.skipped_rows if r.reason == "section"]
    if sections:
        warnings.append(
            f"{len(sections)} dòng tiêu đề nhóm (như “{sections[0].text}”) không phải dữ liệu, "
            "đã bỏ qua."
        )
    if period is not None and frame.height:
        start, end = period[0].timestamp(), period[1].timestamp()
        outside = frame.filter(
            pl.col("seen_at").is_not_null()
            & ((pl.col("seen_at") < start) | (pl.col("seen_at") >= end))
        ).height
        if outside:
            warnings.append(
                f"{outside} dòng có thời gian ngoài kỳ {period[0]:%m/%Y}; vẫn được đối chiếu "
                "theo thời gian của dòng."
            )
    return warnings


# --- attribution ----------------------------------------------------------------------------


class Attributions(Sequence[Attribution]):
    """The attribution of each row, as a frame and as a sequence of :class:`Attribution`.

    ``frame`` has the columns row, sheet, ip, seen_at (epoch seconds, null), malware, isp,
    subscriber, unit_code, method, score, prefix, reason.
    """

    def __init__(self, frame: pl.DataFrame, tz: str) -> None:
        self.frame = frame
        self.tz = tz

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> Attribution: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Attribution]: ...

    def __getitem__(self, index: int | slice) -> Attribution | Sequence[Attribution]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._make(self.frame.row(index, named=True), ZoneInfo(self.tz))

    def __iter__(self) -> Iterator[Attribution]:
        zone = ZoneInfo(self.tz)
        for values in self.frame.iter_rows(named=True):
            yield self._make(values, zone)

    @staticmethod
    def _make(values: dict[str, Any], zone: ZoneInfo) -> Attribution:
        return Attribution(
            row=values["row"],
            ip=values["ip"],
            seen_at=_aware(values["seen_at"], zone),
            malware=values["malware"],
            isp=values["isp"],
            subscriber=values["subscriber"],
            unit_code=values["unit_code"],
            method=values["method"],
            score=values["score"],
            prefix=values["prefix"],
            sheet=values["sheet"],
            reason=values["reason"] or "",
        )

    def counts(self) -> dict[str, int]:
        """matched_prefix, matched_name and unmatched."""
        method = self.frame["method"]
        return {
            "matched_prefix": int((method == "prefix").sum()),
            "matched_name": int((method == "name").sum()),
            "unmatched": int(method.is_null().sum()),
        }


def _rows_frame(rows: Sequence[BotnetRow]) -> tuple[pl.DataFrame, ParsedAddresses]:
    def epoch(value: dt.datetime | None) -> float | None:
        return value.timestamp() if value is not None else None

    frame = pl.DataFrame(
        {
            "row": [r.row for r in rows],
            "sheet": [r.sheet for r in rows],
            "ip": [r.ip for r in rows],
            "seen_at": [epoch(r.seen_at) for r in rows],
            "malware": [r.malware for r in rows],
            "isp": [r.isp for r in rows],
            "subscriber": [r.subscriber for r in rows],
            "address": [r.address for r in rows],
        },
        schema={
            "row": pl.Int64,
            "sheet": pl.String,
            "ip": pl.String,
            "seen_at": pl.Float64,
            "malware": pl.String,
            "isp": pl.String,
            "subscriber": pl.String,
            "address": pl.String,
        },
    )
    return frame, parse_addresses([r.ip for r in rows])


def attribute(
    rows: BotnetList | Sequence[BotnetRow],
    *,
    index: PrefixIndex,
    matcher: NameMatcher | None = None,
    period: Period | None = None,
    tz: str | None = None,
) -> Attributions:
    """Attribute each row to a unit: registered prefix first, then the subscriber's name.

    A row's time decides which validity window applies; a row without one is matched over
    ``period`` (any window when there is no period).
    """
    if isinstance(rows, BotnetList):
        frame, addresses = rows.frame, rows.addresses
        tz = tz or rows.tz
    else:
        frame, addresses = _rows_frame(rows)
    tz = tz or DEFAULT_TZ
    seen = frame["seen_at"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    timeless = np.isnan(seen)
    start = seen.copy()
    end = seen.copy()
    if period is not None:
        start[timeless] = period[0].timestamp()
        end[timeless] = period[1].timestamp()
    found = index.lookup_many(addresses, start, end) if len(index) else np.full(len(seen), -1)
    records = index.records
    none = len(records)
    slots = pl.Series(np.where(found < 0, none, found))
    unit_codes = pl.Series([r.unit_key for r in records] + [None], dtype=pl.String)
    prefixes = _prefix_texts(records, found)
    by_prefix = found >= 0
    result = frame.select(
        "row", "sheet", "ip", "seen_at", "malware", "isp", "subscriber", "address"
    ).with_columns(
        unit_codes.gather(slots).alias("unit_code"),
        prefixes.gather(slots).alias("prefix"),
        pl.when(pl.Series(by_prefix)).then(pl.lit("prefix")).alias("method"),
        pl.Series(np.where(by_prefix, 1.0, np.nan), nan_to_null=True).alias("score"),
        pl.lit(None, dtype=pl.String).alias("reason"),
    )
    if matcher is not None and not by_prefix.all():
        result = _match_names(result, matcher)
    return Attributions(
        result.select(
            "row",
            "sheet",
            "ip",
            "seen_at",
            "malware",
            "isp",
            "subscriber",
            "unit_code",
            "method",
            "score",
            "prefix",
            "reason",
        ),
        tz,
    )


_CANONICAL_V4_CIDR = (
    r"^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(/\d{1,2})?$"
)


def _prefix_texts(records: Sequence[PrefixRecord], found: npt.NDArray[np.int64]) -> pl.Series:
    """Canonical CIDR text of each record (and null after the last), computed only for the
    records some row matched; an IPv4 prefix written canonically is taken as written."""
    used = np.flatnonzero(np.bincount(found[found >= 0], minlength=len(records)))
    written = pl.Series([records[i].prefix.strip() for i in used.tolist()], dtype=pl.String)
    plain = written.str.contains(_CANONICAL_V4_CIDR).to_numpy()
    texts: list[str | None] = [None] * (len(records) + 1)
    for i, text, is_plain in zip(used.tolist(), written.to_list(), plain.tolist(), strict=True):
        if is_plain:
            texts[i] = text if "/" in text else f"{text}/32"
        else:
            texts[i] = records[i].network
    return pl.Series(texts, dtype=pl.String)


def _match_names(result: pl.DataFrame, matcher: NameMatcher) -> pl.DataFrame:
    """Name matching for the rows no prefix claimed, once per (subscriber, address)."""
    pending = result.filter(pl.col("method").is_null() & (pl.col("subscriber") != ""))
    pairs = pending.select("subscriber", "address").unique(maintain_order=True)
    keys: list[str | None] = []
    scores: list[float | None] = []
    reasons: list[str | None] = []
    for subscriber, address in pairs.iter_rows():
        match = matcher.match(subscriber, address)
        keys.append(match.key if match else None)
        scores.append(float(match.score) if match else None)
        reasons.append(match.reason if match else None)
    found = pairs.with_columns(
        pl.Series("name_key", keys, dtype=pl.String),
        pl.Series("name_score", scores, dtype=pl.Float64),
        pl.Series("name_reason", reasons, dtype=pl.String),
    ).filter(pl.col("name_key").is_not_null())
    if not found.height:
        return result
    joined = result.join(found, on=["subscriber", "address"], how="left", maintain_order="left")
    use = pl.col("method").is_null() & pl.col("name_key").is_not_null()
    return joined.with_columns(
        pl.when(use).then(pl.col("name_key")).otherwise(pl.col("unit_code")).alias("unit_code"),
        pl.when(use).then(pl.lit("name")).otherwise(pl.col("method")).alias("method"),
        pl.when(use).then(pl.col("name_score")).otherwise(pl.col("score")).alias("score"),
        pl.when(use).then(pl.col("name_reason")).otherwise(pl.col("reason")).alias("reason"),
    ).drop("name_key", "name_score", "name_reason")


# --- the network registry and the unit file -------------------------------------------------


def _local_midnight(day: dt.date, zone: ZoneInfo) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def read_networks(data: bytes, filename: str, *, tz: str = DEFAULT_TZ) -> list[PrefixRecord]:
    """Prefixes from a NETWORKS file (``unit_code,prefix,isp,subscriber,line_type,valid_from,
    valid_to,note``). ``valid_from`` starts at local midnight; ``valid_to`` is the last day,
    included. ``ref`` of each record is its row number. Raises :class:`BotnetFileError`
    listing every invalid row."""
    table = _read(data, filename, NETWORK_COLUMNS, "mã đơn vị và dải địa chỉ")
    zone = ZoneInfo(tz)
    frame = table.frame
    bounds = [name for name in ("valid_from", "valid_to") if name in frame.columns]
    columns = [ROW_COLUMN, SHEET_COLUMN, "unit_code", "prefix", *bounds]
    days: dict[str, dt.date | None] = {}

    def day_of(text: str) -> dt.date | None:
        if text not in days:
            try:
                days[text] = parse_date(text)
            except ValueError:
                days[text] = None
        return days[text]

    records: list[PrefixRecord] = []
    errors: list[str] = []

    def where(number: int, sheet: str) -> str:
        return f"dòng {number}" + (f" (trang “{sheet}”)" if sheet else "")

    for number, sheet, code, prefix, *window in frame.select(columns).iter_rows():
        if "  " in code:
            code = " ".join(code.split())
        if " " in prefix:
            prefix = prefix.replace(" ", "")
        if not code or not prefix:
            missing = "mã đơn vị" if not code else "dải địa chỉ"
            errors.append(f"{where(number, sheet)}: thiếu {missing}.")
            continue
        limits: dict[str, float | None] = {"valid_from": None, "valid_to": None}
        if any(window):
            problems = []
            for name, text in zip(bounds, window, strict=True):
                if not text:
                    continue
                day = day_of(text)
                if day is None:
                    problems.append(
                        f"ngày “{text}” ở cột “{table.label(name)}” không hợp lệ "
                        "(hãy ghi dd/mm/yyyy)"
                    )
                    continue
                # valid_to names the last day of validity: the window ends the next midnight.
                shift = dt.timedelta(days=1 if name == "valid_to" else 0)
                limits[name] = _local_midnight(day + shift, zone)
            if problems:
                errors.append(f"{where(number, sheet)}: {'; '.join(problems)}.")
                continue
        try:
            records.append(
                PrefixRecord(prefix, code, limits["valid_from"], limits["valid_to"], ref=number)
            )
        except ValueError as exc:
            errors.append(f"{where(number, sheet)}: {_prefix_error(prefix, str(exc))}.")
    if errors:
        shown = "; ".join(errors[:5]) + (
            f"; và {len(errors) - 5} lỗi khác" if len(errors) > 5 else ""
        )
        raise BotnetFileError(
            filename, f"Tệp {filename} có {len(errors)} dòng lỗi: {shown}.", errors
        )
    return records


def _prefix_error(prefix: str, detail: str) -> str:
    if "host bits set" in detail:
        network = re.search(r"the network is ([^)]+)\)", detail)
        hint = f" (mạng của nó là {network.group(1)})" if network else ""
        return f"dải “{prefix}” có phần địa chỉ máy khác 0{hint}"
    if "not after valid_from" in detail:
        return f"dải “{prefix}”: ngày hết hiệu lực trước ngày bắt đầu hiệu lực"
    return f"dải địa chỉ “{prefix}” không hợp lệ"


@functools.lru_cache(maxsize=1)
def _unit_type_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, labels in UNIT_TYPES.items():
        for label in (value, *labels):
            lookup[normalize_header(label)] = value
    return lookup


def _cell(values: Mapping[str, Any], names: Sequence[str], name: str) -> str:
    return " ".join(str(values[name]).split()) if name in names else ""


def read_units(data: bytes, filename: str) -> list[UnitName]:
    """Units from the file of ``lachan units import`` (code, name, short_name, type,
    address, ward, province, aliases separated by ``;``), for name matching."""
    from .names import UnitName

    table = _read(data, filename, UNIT_COLUMNS, "mã đơn vị và tên đơn vị")
    names = table.frame.columns
    types = _unit_type_lookup()
    units: list[UnitName] = []
    seen: set[str] = set()
    for values in table.frame.iter_rows(named=True):
        get = functools.partial(_cell, values, names)
        code = get("code")
        if not code or code.casefold() in seen:
            continue
        seen.add(code.casefold())
        aliases = [" ".join(a.split()) for a in re.split(r"[;\n]", get("aliases"))]
        units.append(
            UnitName(
                key=code,
                name=get("name"),
                short_name=get("short_name"),
                aliases=tuple(dict.fromkeys(a for a in aliases if a)),
                unit_type=types.get(normalize_header(get("type")), ""),
                ward=get("ward"),
                province=get("province"),
                address=get("address"),
            )
        )
    return units
