"""How a drill e-mail is written out for one recipient, and shown again on the teaching page.

Placeholders are replaced by a fixed list of names (never ``str.format``, which would let a
template reach attributes); values are HTML-escaped in the HTML part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PLACEHOLDERS = ("ho_ten", "don_vi", "duong_link", "ngay")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_SENDER_DOMAIN = "dien-tap.lachan.test"


def sender_domain() -> str:
    return (getattr(settings, "LACHAN_DRILL_SENDER_DOMAIN", "") or DEFAULT_SENDER_DOMAIN).strip()


def sender_address(template) -> str:
    """``Display name <local@drill-domain>``: always the domain the platform controls."""
    from email.utils import formataddr

    return formataddr((template.sender_name, f"{template.sender_local_part}@{sender_domain()}"))


def sender_display(template) -> str:
    """``Display name <local@drill-domain>`` as people read it (not MIME-encoded)."""
    return f"{template.sender_name} <{template.sender_local_part}@{sender_domain()}>"


def unknown_placeholders(text: str) -> list[str]:
    """Placeholder names in ``text`` that the renderer does not know, in order of appearance."""
    seen: list[str] = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known placeholders of a plain text."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def fill_html(html: str, values: dict[str, str]) -> str:
    """Replace the known placeholders of an HTML text, escaping each value."""
    return PLACEHOLDER_RE.sub(
        lambda m: escape(values[m.group(1)]) if m.group(1) in values else m.group(0), html or ""
    )


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str
    from_email: str


def html_from_text(text: str, values: dict[str, str], link_label: str) -> str:
    """An HTML body from the plain text: paragraphs, with {duong_link} as a button-like link."""
    marker = "\x00LINK\x00"
    body = linebreaks(escape(fill(text, {**values, "duong_link": marker})))
    anchor = (
        f'<a href="{escape(values["duong_link"])}" style="display:inline-block;padding:8px 14px;'
        'background:#1f5fbf;color:#ffffff;text-decoration:none;border-radius:4px">'
        f"{escape(link_label or values['duong_link'])}</a>"
    )
    return body.replace(marker, anchor)


def render_mail(template, values: dict[str, str], *, pixel_url: str = "") -> RenderedMail:
    """The e-mail of ``template`` for one recipient (``values``: the four placeholders)."""
    if template.body_html.strip():
        html = fill_html(template.body_html, values)
    else:
        html = html_from_text(template.body_text, values, template.link_label)
    if pixel_url:
        html += f'<img src="{escape(pixel_url)}" width="1" height="1" alt="" style="border:0">'
    document = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.5">{html}</body>'
        "</html>"
    )
    return RenderedMail(
        subject=" ".join(fill(template.subject, values).split()),
        text=fill(template.body_text, values),
        html=document,
        from_email=sender_address(template),
    )


def sample_values(*, link: str, date_text: str) -> dict[str, str]:
    """Neutral values for previews and the public teaching page (no one's name or unit)."""
    return {
        "ho_ten": _("Nguyễn Văn A"),
        "don_vi": _("Trường THPT Mẫu"),
        "duong_link": link,
        "ngay": date_text,
    }


def marked_body(template, values: dict[str, str], flags: list[dict]) -> SafeString:
    """The plain body as HTML with each red flag's quote (and the link) marked and numbered.

    ``flags``: the template's red flags, each with its display number ``n``.
    """
    link = values.get("duong_link", "")
    link_marker = "\x00LINK\x00"
    text = escape(fill(template.body_text, {**values, "duong_link": link_marker}))
    for flag in flags:
        quote = (flag.get("quote") or "").strip()
        if not quote:
            continue
        needle = escape(fill(quote, values))
        if needle and needle in text:
            text = text.replace(
                needle,
                f'<mark class="dt-flag" id="dau-hieu-{flag["n"]}-o-thu">{needle}'
                f'<sup class="dt-flag-n">{flag["n"]}</sup></mark>',
                1,
            )
    link_numbers = "".join(
        f'<sup class="dt-flag-n">{f["n"]}</sup>' for f in flags if f.get("part") == "link"
    )
    link_html = (
        f'<mark class="dt-flag dt-link"><span class="dt-fake-link">{escape(link)}</span>'
        f"{link_numbers}</mark>"
        if link_numbers
        else f'<span class="dt-fake-link">{escape(link)}</span>'
    )
    return mark_safe(linebreaks(text).replace(link_marker, link_html))  # noqa: S308 - escaped above
