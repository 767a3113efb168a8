"""Lesson Markdown → safe HTML: markdown-it-py (CommonMark + tables, raw HTML off), then nh3.

Images are written ``![mô tả](images/ten-anh.svg)`` in a lesson; ``image_url(name)`` turns the
name into the URL of the lesson's stored image. A name the lesson has no image for (or any
other address: lessons carry no external images) becomes a visible placeholder, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import nh3
from django.utils.html import escape
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

IMAGE_PREFIX = "images/"
# A lesson image's file name: lower-case ASCII, digits, dot, dash and underscore.
IMAGE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,110}\.(svg|png|jpe?g|webp)$")

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "hr",
    "br",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
    "span": {"role", "aria-label"},
}
ALLOWED_CLASSES = {"img": {"lesson-img"}, "span": {"lesson-image-missing"}}

ImageResolver = Callable[[str], "str | None"]


def image_name(src: str) -> str | None:
    """``images/goi-dien.svg`` → ``goi-dien.svg``; anything else → None."""
    if not src.startswith(IMAGE_PREFIX):
        return None
    name = src[len(IMAGE_PREFIX) :]
    return name if IMAGE_NAME_RE.match(name) else None


def _render_image(self: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    name = image_name(src)
    resolver: ImageResolver | None = env.get("image_url")
    url = resolver(name) if (resolver is not None and name is not None) else None
    if url is None:
        label = _("Hình ảnh “%(name)s” chưa có") % {"name": name or src}
        return (
            f'<span class="lesson-image-missing" role="img" aria-label="{escape(label)}">'
            f"{escape(label)}{(': ' + escape(alt)) if alt else ''}</span>"
        )
    title = token.attrGet("title")
    title_attr = f' title="{escape(title)}"' if title else ""
    return (
        f'<img class="lesson-img" src="{escape(url)}" alt="{escape(alt)}"{title_attr} '
        'loading="lazy">'
    )


def _parser(*, html: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
    md.enable("table")
    return md


_MD = _parser()
_MD.add_render_rule("image", _render_image)


def render_markdown(text: str, *, image_url: ImageResolver | None = None) -> str:
    """Sanitised HTML of a lesson body; ``image_url(name)`` gives an image's URL or None."""
    raw = _MD.render(text or "", {"image_url": image_url})
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def raw_html_lines(text: str) -> list[int]:
    """1-based lines of a Markdown text that hold raw HTML (not allowed in lessons)."""
    lines: list[int] = []
    for token in _parser(html=True).parse(text or ""):
        if token.type == "html_block" and token.map:
            lines.append(token.map[0] + 1)
        elif token.type == "inline" and token.map:
            if any(child.type == "html_inline" for child in token.children or []):
                lines.append(token.map[0] + 1)
    return sorted(set(lines))


def image_references(text: str) -> list[tuple[str, int]]:
    """(src, 1-based line) of every image a Markdown text shows."""
    found: list[tuple[str, int]] = []

    for token in _parser().parse(text or ""):
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0] + 1
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "image":
                found.append((str(child.attrGet("src") or ""), line))
    return found
