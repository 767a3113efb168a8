"""The columns of a software inventory file, as plain data (no Django): the importer
(``assets.inventory_import``) and the stateless ``lachan vuln match`` read the same headers.

``unit_code,host,os,vendor,product,version,cpe,system``; each with the Vietnamese label
officials write and the other names people give it.
"""

from __future__ import annotations

COLUMN_NAMES = ("unit_code", "host", "os", "vendor", "product", "version", "cpe", "system")
REQUIRED = ("unit_code", "host", "product")

# name → (Vietnamese label, other names)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "unit_code": ("Mã đơn vị", ("Mã ĐV", "Mã trường", "Mã cơ quan", "Unit code", "Unit")),
    "host": (
        "Tên máy",
        (
            "Máy",
            "Tên máy tính",
            "Máy chủ/máy trạm",
            "Hostname",
            "Host name",
            "Computer name",
            "Host",
        ),
    ),
    "os": ("Hệ điều hành", ("HĐH", "OS", "Operating system", "Hệ điều hành máy")),
    "vendor": (
        "Nhà phát triển",
        ("Nhà sản xuất", "Hãng", "Hãng sản xuất", "Publisher", "Vendor", "Nhà cung cấp"),
    ),
    "product": (
        "Phần mềm",
        (
            "Tên phần mềm",
            "Sản phẩm",
            "Ứng dụng",
            "Tên ứng dụng",
            "Gói",
            "Software",
            "Product",
            "Package",
            "DisplayName",
        ),
    ),
    "version": ("Phiên bản", ("Version", "DisplayVersion", "Bản")),
    "cpe": ("CPE", ("CPE 2.3", "Mã CPE")),
    "system": ("Hệ thống", ("Hệ thống thông tin", "Thuộc hệ thống", "Tên hệ thống", "System")),
}
IGNORED = ("STT", "TT", "Số TT", "Số thứ tự")


def synonyms(name: str) -> tuple[str, ...]:
    return COLUMNS[name][1]


def column_spec():
    """The ``engine.tabular`` spec of an inventory file."""
    from lachan.engine.tabular import Column, ColumnSpec

    return ColumnSpec(
        tuple(
            Column(name, (label, *others), name in REQUIRED)
            for name, (label, others) in COLUMNS.items()
        ),
        ignored=IGNORED,
    )
