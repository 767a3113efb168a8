"""What a lesson image may be: a safe SVG, or a PNG/JPEG/WebP recognised by its content.

An SVG is served as ``image/svg+xml`` from our own origin, so it must not be able to run
anything or fetch anything: no scripts, no event handlers (``on*=``), no ``foreignObject``,
no references outside the file itself, no DTD. Raster images are recognised by their first
bytes, never by the name or the browser's claim. At most 2 MB each.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lachan.engine.filetypes import sniff_image

from .markdown import IMAGE_NAME_RE

MAX_IMAGE_BYTES = 2 * 1024 * 1024
SVG_NS = "{http://www.w3.org/2000/svg}"
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
_EXTENSION_KIND = {"svg": "svg", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
_HREF_ATTRIBUTES = {"href", "src"}
_EXTERNAL_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|expression\(", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def sniff_raster(data: bytes) -> str | None:
    """ "png", "jpeg", "webp" from the first bytes, else None."""
    mime = sniff_image(data[:16])
    return mime.split("/", 1)[1] if mime else None


def svg_problems(data: bytes) -> list[str]:
    """Why an SVG is refused (empty when it is safe to serve)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_("SVG phải là văn bản UTF-8.")]
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return [_("SVG không được chứa DOCTYPE hoặc ENTITY.")]
    if "<?xml-stylesheet" in lowered:
        return [_("SVG không được tham chiếu tới tệp định dạng bên ngoài (xml-stylesheet).")]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        return [_("SVG không đúng cú pháp XML (dòng %(line)s).") % {"line": line}]
    if root.tag != f"{SVG_NS}svg" and _local(root.tag) != "svg":
        return [_("Tệp không phải SVG (phần tử gốc phải là <svg>).")]
    problems: list[str] = []
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag in _FORBIDDEN_ELEMENTS:
            problems.append(_("SVG không được chứa phần tử <%(tag)s>.") % {"tag": tag})
        if tag == "style" and element.text and _EXTERNAL_URL_IN_CSS.search(element.text):
            problems.append(_("SVG không được tham chiếu tới địa chỉ bên ngoài trong <style>."))
        for attribute, value in element.attrib.items():
            name = _local(attribute)
            if name.startswith("on"):
                problems.append(
                    _("SVG không được có thuộc tính xử lý sự kiện (%(name)s).") % {"name": name}
                )
            elif name in _HREF_ATTRIBUTES and not value.strip().startswith("#"):
                problems.append(
                    _("SVG không được tham chiếu tới nội dung bên ngoài (%(name)s=“%(value)s”).")
                    % {"name": name, "value": value.strip()[:60]}
                )
            elif name == "style" and _EXTERNAL_URL_IN_CSS.search(value):
                problems.append(_("SVG không được tham chiếu tới địa chỉ bên ngoài trong style."))
            elif "javascript:" in value.lower():
                problems.append(_("SVG không được chứa “javascript:”."))
    return list(dict.fromkeys(problems))


def check_image(name: str, data: bytes) -> str:
    """The content type of a lesson image, or a ValidationError naming the file and the fault."""
    if not IMAGE_NAME_RE.match(name):
        raise ValidationError(
            _(
                "%(name)s: tên tệp ảnh chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, "
                "gạch dưới, và có đuôi .svg, .png, .jpg, .jpeg hoặc .webp."
            )
            % {"name": name}
        )
    if not data:
        raise ValidationError(_("%(name)s: tệp rỗng.") % {"name": name})
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(_("%(name)s: ảnh lớn hơn 2 MB.") % {"name": name})
    expected = _EXTENSION_KIND[name.rsplit(".", 1)[-1]]
    if expected == "svg":
        problems = svg_problems(data)
        if problems:
            raise ValidationError([f"{name}: {p}" for p in problems])
        return CONTENT_TYPES["svg"]
    kind = sniff_raster(data)
    if kind is None:
        raise ValidationError(
            _("%(name)s: nội dung không phải ảnh PNG, JPEG hoặc WebP.") % {"name": name}
        )
    if kind != expected:
        raise ValidationError(
            _("%(name)s: nội dung là ảnh %(kind)s, không khớp với đuôi tệp.")
            % {"name": name, "kind": kind.upper()}
        )
    return CONTENT_TYPES[kind]
