"""The network registry: IP prefixes a unit uses on the Internet, with ISP, line and validity.

A prefix is kept three ways. ``prefix`` is the canonical CIDR text people read and files
carry ("203.0.113.0/24", "2001:db8:1::/48"; a single address is a /32 or /128).
``version``, ``prefix_length`` and the first and last address of the range as fixed-width
hex (``range_start``, ``range_end``: 32 lowercase hex digits, zero-padded, IPv4 too) are
derived from it, for queries in the database. Fixed-width lowercase hex compares as text
exactly as the numbers compare, on SQLite (BINARY collation) and on PostgreSQL alike, so
"which networks contain this address" is ``version = v AND range_start <= h AND
range_end >= h`` on one index, with no database-specific type (PostgreSQL's ``cidr``/
``inet`` would not run on the embedded SQLite). Equal-length strings of 0-9 and a-f order
the same in the usual collations (BINARY on SQLite; "C", glibc and ICU on PostgreSQL).
Comparisons always include ``version``, so IPv4 and IPv6 never mix.

Validity: ``valid_from`` and ``valid_to`` are dates, both inclusive, empty meaning open.
A dynamic address reassigned mid-month is registered as two rows with adjacent windows.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from lachan.engine.ipindex import address_class

HEX_WIDTH = 32  # 128 bits; IPv4 values are zero-padded to the same width
# Shorter prefixes than these would claim a large part of the Internet for one unit.
MIN_PREFIX_LENGTH = {4: 8, 6: 16}


class LineType(models.TextChoices):
    FTTH = "ftth", _("Cáp quang (FTTH)")
    LEASED = "leased", _("Kênh thuê riêng")
    MOBILE = "mobile", _("4G/di động")
    OTHER = "other", _("Khác")


class PrefixError(ValueError):
    """A text that is not a usable prefix; the message (Vietnamese) says why and what to write."""


def special_range_label(kind: str) -> str:
    """How to call a class of non-public addresses (``engine.ipindex.ADDRESS_CLASSES``)."""
    labels = {
        "private": _gettext("địa chỉ riêng (mạng nội bộ hoặc NAT của nhà mạng)"),
        "loopback": _gettext("địa chỉ loopback"),
        "link_local": _gettext("địa chỉ link-local"),
        "multicast": _gettext("địa chỉ multicast"),
        "unspecified": _gettext("địa chỉ không xác định"),
        "reserved": _gettext("địa chỉ dự trữ hoặc dành cho tài liệu"),
    }
    return labels.get(kind, kind)


@dataclass(frozen=True)
class ParsedPrefix:
    """A prefix in canonical form, with what the database stores about it."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    special: str  # "" for a public prefix, else its class (see ``special_kind``)

    @property
    def text(self) -> str:
        return self.network.with_prefixlen

    @property
    def version(self) -> int:
        return self.network.version

    @property
    def length(self) -> int:
        return self.network.prefixlen

    @property
    def start_hex(self) -> str:
        return f"{int(self.network.network_address):0{HEX_WIDTH}x}"

    @property
    def end_hex(self) -> str:
        return f"{int(self.network.broadcast_address):0{HEX_WIDTH}x}"


def address_hex(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return f"{int(address):0{HEX_WIDTH}x}"


def _unmapped(network):
    """``::ffff:203.0.113.0/120`` (IPv4-mapped IPv6) is the IPv4 prefix 203.0.113.0/24."""
    if network.version == 6 and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
    return network


def special_kind(network) -> str:
    """The class of non-public addresses at either end of ``network`` ("" when public), as
    ``engine.ipindex`` classifies the addresses of botnet lists: documentation ranges are
    reserved, the ISPs' shared space behind carrier-grade NAT (100.64.0.0/10) is private."""
    for address in (network.network_address, network.broadcast_address):
        kind = address_class(str(address))
        if kind != "public":
            return kind
    return ""


_SPACE_AT_SEPARATOR = re.compile(r"\s*([.:/])\s*")


def parse_prefix(value: str) -> ParsedPrefix:
    """A prefix ("203.0.113.0/24", "2001:db8::/48") or a single address ("203.0.113.5" is
    203.0.113.5/32) in canonical form. Spaces next to "." ":" "/" are ignored; an IPv4-mapped
    IPv6 prefix becomes IPv4. Raises ``PrefixError`` for anything else, naming the value; a
    prefix with host bits set gets the prefix it probably meant as a suggestion."""
    shown = " ".join(str(value).split())
    raw = _SPACE_AT_SEPARATOR.sub(r"\1", shown)
    if not raw:
        raise PrefixError(_gettext("Thiếu dải địa chỉ IP."))
    # A space left inside a number is a typo; an IPv6 zone ("fe80::1%eth0") is an interface.
    if " " in raw or "%" in raw:
        raise PrefixError(_invalid_message(shown))
    try:
        network = ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise PrefixError(_invalid_message(shown)) from exc
        address = raw.split("/", 1)[0]
        single = f"{address}/{loose.max_prefixlen}"
        raise PrefixError(
            _gettext(
                "Dải “%(value)s” có phần địa chỉ máy khác 0: địa chỉ mạng của một dải "
                "/%(length)d phải là %(network)s. Có phải ý bạn là %(suggest)s? "
                "Nếu chỉ là một địa chỉ, hãy ghi %(single)s."
            )
            % {
                "value": shown,
                "length": loose.prefixlen,
                "network": loose.network_address,
                "suggest": loose.with_prefixlen,
                "single": single,
            }
        ) from exc
    network = _unmapped(network)
    if network.prefixlen < MIN_PREFIX_LENGTH[network.version]:
        raise PrefixError(
            _gettext(
                "Dải “%(value)s” quá rộng cho một đơn vị: dải IPv%(version)d phải dài từ "
                "/%(min)d trở lên."
            )
            % {
                "value": shown,
                "version": network.version,
                "min": MIN_PREFIX_LENGTH[network.version],
            }
        )
    return ParsedPrefix(network=network, special=special_kind(network))


def _invalid_message(shown: str) -> str:
    return _gettext(
        "“%(value)s” không phải địa chỉ IP hay dải IP hợp lệ; hãy ghi như 203.0.113.0/24, "
        "2001:db8:1::/48 hoặc một địa chỉ như 203.0.113.5."
    ) % {"value": shown}


def special_prefix_warning(parsed: ParsedPrefix) -> str:
    """Why a non-public prefix is suspicious in this registry (empty for a public one)."""
    if not parsed.special:
        return ""
    return _gettext(
        "%(prefix)s là %(kind)s. Danh sách IP botnet chỉ chứa địa chỉ công cộng, nên dải "
        "này sẽ không bao giờ khớp; đơn vị dùng NAT cần đăng ký địa chỉ công cộng mà nhà "
        "mạng cấp."
    ) % {"prefix": parsed.text, "kind": special_range_label(parsed.special)}


class Network(models.Model):
    """An IP prefix (IPv4 or IPv6) that a unit uses, with its line and validity window."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="networks"
    )
    prefix = models.CharField(
        _("dải địa chỉ IP"),
        max_length=49,
        help_text=_("Dạng CIDR, ví dụ 203.0.113.0/24; một địa chỉ là /32 (IPv6: /128)."),
    )
    version = models.PositiveSmallIntegerField(
        _("phiên bản IP"), choices=[(4, "IPv4"), (6, "IPv6")], editable=False
    )
    prefix_length = models.PositiveSmallIntegerField(_("độ dài tiền tố"), editable=False)
    range_start = models.CharField(_("địa chỉ đầu (hex)"), max_length=HEX_WIDTH, editable=False)
    range_end = models.CharField(_("địa chỉ cuối (hex)"), max_length=HEX_WIDTH, editable=False)
    isp = models.CharField(_("nhà mạng"), max_length=120, blank=True)
    subscriber = models.CharField(_("tên thuê bao"), max_length=255, blank=True)
    line_type = models.CharField(
        _("loại đường truyền"), max_length=10, choices=LineType.choices, default=LineType.OTHER
    )
    is_static = models.BooleanField(
        _("IP tĩnh"),
        default=True,
        help_text=_("Bỏ chọn nếu nhà mạng cấp IP động (có thể đổi theo thời gian)."),
    )
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mạng của đơn vị")
        verbose_name_plural = _("mạng của đơn vị")
        ordering = ["version", "range_start", "prefix_length", "valid_from", "id"]
        indexes = [
            models.Index(fields=["version", "range_start", "range_end"], name="assets_net_range"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="assets_network_validity_ordered",
                violation_error_message=_("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=(models.Q(version=4) & models.Q(prefix_length__lte=32))
                | (models.Q(version=6) & models.Q(prefix_length__lte=128)),
                name="assets_network_prefix_length",
                violation_error_message=_("Độ dài tiền tố không hợp với phiên bản IP."),
            ),
            models.CheckConstraint(
                condition=models.Q(range_start__lte=models.F("range_end")),
                name="assets_network_range_ordered",
                violation_error_message=_("Địa chỉ đầu của dải phải nhỏ hơn địa chỉ cuối."),
            ),
            # Re-importing the same (unit, prefix, valid_from) updates the row: one row each.
            models.UniqueConstraint(
                fields=["unit", "prefix", "valid_from"],
                condition=models.Q(valid_from__isnull=False),
                name="assets_network_unique_dated",
                violation_error_message=_(
                    "Đơn vị đã có dải này với cùng ngày bắt đầu; hãy sửa bản ghi đó."
                ),
            ),
            models.UniqueConstraint(
                fields=["unit", "prefix"],
                condition=models.Q(valid_from__isnull=True),
                name="assets_network_unique_open",
                violation_error_message=_(
                    "Đơn vị đã có dải này không ghi ngày bắt đầu; hãy sửa bản ghi đó."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.prefix

    # -- prefix ----------------------------------------------------------------------------

    def set_prefix(self, value: str) -> ParsedPrefix:
        """Store ``value`` in canonical form with its derived columns; raises PrefixError."""
        parsed = parse_prefix(value)
        self.prefix = parsed.text
        self.version = parsed.version
        self.prefix_length = parsed.length
        self.range_start = parsed.start_hex
        self.range_end = parsed.end_hex
        return parsed

    @property
    def parsed(self) -> ParsedPrefix:
        return parse_prefix(self.prefix)

    @property
    def special(self) -> str:
        """The kind of non-public range this prefix overlaps ("" when public)."""
        return special_kind(ipaddress.ip_network(self.prefix))

    @property
    def special_label(self) -> str:
        kind = self.special
        return special_range_label(kind) if kind else ""

    def clean(self) -> None:
        errors = {}
        try:
            self.set_prefix(self.prefix)
        except PrefixError as exc:
            errors["prefix"] = str(exc)
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _gettext("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        if self.version is None:
            # The prefix did not parse, so its derived columns are empty; its own error says
            # enough, without a second one about those columns.
            exclude = {*(exclude or ()), "version", "prefix_length", "range_start", "range_end"}
        super().validate_constraints(exclude=exclude)

    # -- validity ----------------------------------------------------------------------------

    def is_active_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
