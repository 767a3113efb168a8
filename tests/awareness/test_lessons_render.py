"""Lesson Markdown rendering (sanitised, images rewritten) and lesson image safety."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lachan.awareness.lesson_images import check_image, svg_problems
from lachan.awareness.markdown import image_references, raw_html_lines, render_markdown

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16
SAFE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="360" height="640"><defs><linearGradient id="g"/></defs>'
    '<rect width="10" height="10" fill="url(#g)" style="fill: url(#g)"/>'
    '<use xlink:href="#g"/><text x="1" y="2" font-family="Noto Sans">Tin nhắn</text></svg>'
).encode()


def _urls(name: str) -> str | None:
    return f"/bai-hoc/bai/anh/{name}" if name == "tin-nhan.svg" else None


def test_markdown_basics_tables_and_blockquote():
    html = render_markdown(
        "## Dấu hiệu\n\n- **gấp**\n- _bí mật_\n\n| Ai | Làm gì |\n|---|:--|\n| Công an | Không gọi |\n\n"
        "> **Ghi nhớ:** gọi lại số đã biết.\n"
    )
    assert "<h2>Dấu hiệu</h2>" in html
    assert "<li><strong>gấp</strong></li>" in html and "<em>bí mật</em>" in html
    assert "<table>" in html and "<td>Công an</td>" in html and "style=" not in html
    assert "<blockquote>" in html


def test_script_event_handlers_and_javascript_links_are_removed():
    html = render_markdown(
        'Xin chào <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[bấm](javascript:alert(3)) [cổng](https://canhbao.khonggianmang.gov.vn)\n"
    )
    assert "<script" not in html and "<img" not in html  # raw HTML is shown as text
    assert "&lt;img src=x onerror" in html
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="https://canhbao.khonggianmang.gov.vn"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_image_src_is_rewritten_to_the_lesson_image_url():
    html = render_markdown('![Tin nhắn lạ](images/tin-nhan.svg "Ảnh")', image_url=_urls)
    assert 'src="/bai-hoc/bai/anh/tin-nhan.svg"' in html
    assert 'alt="Tin nhắn lạ"' in html and 'class="lesson-img"' in html


@pytest.mark.parametrize(
    "src",
    ["images/khong-co.svg", "https://evil.example/x.png", "../secret.svg", "images/Anh-Lon.SVG"],
)
def test_unknown_or_outside_images_become_a_visible_placeholder(src):
    html = render_markdown(f"![mô tả]({src})", image_url=_urls)
    assert "<img" not in html
    assert 'class="lesson-image-missing"' in html and "chưa có" in html and "mô tả" in html


def test_image_alt_text_cannot_inject_html():
    html = render_markdown('![a" onerror="alert(1)](images/tin-nhan.svg)', image_url=_urls)
    assert "onerror" not in html.replace("&quot;", "").split("alt=")[0]
    assert html.count("<img") == 1 and ' onerror="' not in html


def test_raw_html_and_image_lines_are_found():
    text = "# T\n\nđoạn <b>đậm</b>\n\n<div>khối</div>\n\nảnh\n![x](images/a.svg)\n"
    assert raw_html_lines(text) == [3, 5]
    assert image_references(text) == [("images/a.svg", 8)]


# --- images -----------------------------------------------------------------------------------


def test_safe_svg_and_rasters_are_accepted():
    assert svg_problems(SAFE_SVG) == []
    assert check_image("tin-nhan.svg", SAFE_SVG) == "image/svg+xml"
    assert check_image("anh.png", PNG) == "image/png"
    assert check_image("anh.jpg", JPEG) == "image/jpeg"
    assert check_image("anh.jpeg", JPEG) == "image/jpeg"
    assert check_image("anh.webp", WEBP) == "image/webp"


@pytest.mark.parametrize(
    ("svg", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "onload"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>', "onclick"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
            "<foreignobject>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://evil.example/a.png"/></svg>',
            "nội dung bên ngoài",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text>'
            b"</a></svg>",
            "nội dung bên ngoài",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);'
            b"</style></svg>",
            "<style>",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://e.example/x)"/>'
            b"</svg>",
            "style",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">'
            b"&x;</svg>",
            "DOCTYPE",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "cú pháp XML"),
        (b"<html><body>x</body></html>", "phần tử gốc"),
    ],
)
def test_dangerous_svgs_are_rejected_with_the_file_name(svg, reason):
    with pytest.raises(ValidationError) as caught:
        check_image("tin-nhan.svg", svg)
    text = " ".join(caught.value.messages)
    assert text.startswith("tin-nhan.svg: ") and reason in text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("anh.png", b"GIF89a" + b"\x00" * 10, "không phải ảnh PNG, JPEG hoặc WebP"),
        ("anh.png", JPEG, "không khớp với đuôi tệp"),
        ("anh.png", b"", "tệp rỗng"),
        ("anh.png", PNG + b"\x00" * (2 * 1024 * 1024), "lớn hơn 2 MB"),
        ("Ảnh có dấu.png", PNG, "tên tệp ảnh"),
        ("anh.gif", b"GIF89a", "tên tệp ảnh"),
        ("anh.svg", PNG, "SVG"),
    ],
)
def test_bad_images_are_rejected(name, data, reason):
    with pytest.raises(ValidationError) as caught:
        check_image(name, data)
    assert reason in " ".join(caught.value.messages)
