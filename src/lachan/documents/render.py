"""The one renderer for official documents: DOCX (python-docx) and PDF (WeasyPrint).

Both read the same :class:`~lachan.documents.model.OfficialDocument` and follow the layout of
Decree 30/2020/NĐ-CP: A4, margins top/bottom 20 mm, left 30 mm, right 15 mm, Times New Roman,
the body names and the national motto side by side, "Số:" and the place/date below them,
"V/v" under the number, the body at 14 pt, "Nơi nhận:" and the signature at the foot.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from .model import NATIONAL_MOTTO, NATIONAL_NAME, Heading, OfficialDocument, Paragraph, Steps, Table

FONT = "Times New Roman"
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 165
LEFT_COLUMN_MM = 65  # body names, number, V/v
RIGHT_COLUMN_MM = TEXT_WIDTH_MM - LEFT_COLUMN_MM  # national motto, place and date
FOOT_LEFT_MM = 80  # "Nơi nhận:"; the signature block takes the rest
BODY_PT = 14
FIRST_LINE_INDENT_MM = 12.7
TEMPLATE = "documents/official.html"


# --------------------------------------------------------------------------- DOCX


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as DOCX bytes."""
    document = Document()
    _setup_page(document, doc)

    header = _borderless_table(document, 2, (LEFT_COLUMN_MM, RIGHT_COLUMN_MM))
    parent, unit = doc.issuer.lines
    left, right = header.rows[0].cells
    if parent:
        _line(left.paragraphs[0], parent, 13)
        _line(left.add_paragraph(), unit, 13, bold=True)
    else:
        _line(left.paragraphs[0], unit, 13, bold=True)
    _rule(left.add_paragraph(), LEFT_COLUMN_MM, 25)
    _line(right.paragraphs[0], NATIONAL_NAME, 12.5, bold=True)
    _line(right.add_paragraph(), NATIONAL_MOTTO, 13.5, bold=True)
    _rule(right.add_paragraph(), RIGHT_COLUMN_MM, 60)

    left, right = header.rows[1].cells
    _line(left.paragraphs[0], doc.number_line, 13, space_before=6)
    _line(left.add_paragraph(), doc.subject_line, 12.5, space_before=3)
    _line(right.paragraphs[0], doc.place_and_date, 14, italic=True, space_before=6)

    _addressees(document, doc)
    for block in doc.body:
        if isinstance(block, Paragraph):
            _body_paragraph(document.add_paragraph(), block.text)
        elif isinstance(block, Heading):
            heading = document.add_paragraph()
            _body_paragraph(heading, block.text, bold=True)
            heading.paragraph_format.keep_with_next = True  # never alone at a page's foot
        elif isinstance(block, Steps):
            for number, text in block.numbered:
                _body_paragraph(document.add_paragraph(), f"{number}. {text}")
        elif isinstance(block, Table):
            _data_table(document, block)
        else:  # pragma: no cover - the union is closed
            raise TypeError(f"unknown block {block!r}")

    _foot(document, doc)

    props = document.core_properties
    props.title = doc.subject_line
    props.subject = doc.number_line
    props.author = doc.issuer.unit
    props.keywords = doc.legal_basis
    props.comments = f"Thể thức theo {doc.legal_basis}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup_page(document, doc: OfficialDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)

    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(BODY_PT)
        _east_asian_font(style.element.get_or_add_rPr())
    normal = document.styles["Normal"].paragraph_format
    normal.space_before = Pt(0)
    normal.space_after = Pt(0)
    normal.line_spacing = 1.0

    # Decree 30: page numbers from the second page on, centred at the top, 13–14 pt.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)


def _east_asian_font(rpr) -> None:
    # Word picks the font per script; set every slot so Vietnamese never falls back.
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _run(paragraph: DocxParagraph, text: str, size: float, *, bold=False, italic=False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    _east_asian_font(run._r.get_or_add_rPr())
    return run


def _line(
    paragraph: DocxParagraph,
    text: str,
    size: float,
    *,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    space_before: float = 0,
) -> DocxParagraph:
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _rule(paragraph: DocxParagraph, column_mm: float, length_mm: float) -> None:
    """A short centred line: a top border on an empty paragraph narrowed by its indents."""
    indent = Mm((column_mm - length_mm) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = indent
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(4)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{key}"), value)
    borders.append(top)
    ppr.append(borders)
    _run(paragraph, "", 2)


def _borderless_table(document, rows: int, widths_mm: tuple[float, ...]):
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table, [Mm(w) for w in widths_mm])
    _cell_margins(table, 0)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    return table


def _fixed_layout(table, widths) -> None:
    # Word lays out fixed tables from the grid, not from the cells: give both the same widths.
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = width
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _cell_margins(table, left_right_mm: float) -> None:
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side, mm in (("left", left_right_mm), ("right", left_right_mm), ("top", 0), ("bottom", 0)):
        node = OxmlElement(f"w:{side}")
        node.set(qn("w:w"), str(int(mm * 56.7)))  # twentieths of a point
        node.set(qn("w:type"), "dxa")
        margins.append(node)
    tbl_pr.append(margins)


def _addressees(document, doc: OfficialDocument) -> None:
    lines = doc.addressee_lines
    if len(doc.addressees) == 1:
        _line(document.add_paragraph(), lines[0], BODY_PT, space_before=12)
        document.paragraphs[-1].paragraph_format.space_after = Pt(6)
        return
    _line(
        document.add_paragraph(),
        "Kính gửi:",
        BODY_PT,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        space_before=12,
    ).paragraph_format.left_indent = Mm(25)
    for text in lines:
        p = _line(document.add_paragraph(), text, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.left_indent = Mm(50)
    document.paragraphs[-1].paragraph_format.space_after = Pt(6)


def _body_paragraph(paragraph: DocxParagraph, text: str, *, bold=False) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
    fmt.space_before = Pt(6)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.15
    _run(paragraph, text, BODY_PT, bold=bold)


def _data_table(document, block: Table) -> None:
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(TEXT_WIDTH_MM * f) for f in block.fractions]
    _fixed_layout(table, widths)
    _cell_margins(table, 1.5)
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on each page
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, text, width in zip(header.cells, block.header, widths, strict=True):
        _cell_text(cell, text, width, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    aligns = [
        WD_ALIGN_PARAGRAPH.CENTER if i in block.centered else WD_ALIGN_PARAGRAPH.LEFT
        for i in range(len(block.header))
    ]
    for row, values in zip(table.rows[1:], block.rows, strict=True):
        # A row stays on one page, as in the PDF (``tr { break-inside: avoid }``).
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, text, width, align in zip(row.cells, values, widths, aligns, strict=True):
            _cell_text(cell, text, width, align=align)
    # A small gap after the table, before the next paragraph.
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _cell_text(cell: _Cell, text: str, width, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT):
    cell.width = width
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_before = Pt(2)
    p.paragraph_format.space_after = Pt(2)
    _run(p, text, 13, bold=bold)


def _foot(document, doc: OfficialDocument) -> None:
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_before = Pt(6)
    table = _borderless_table(document, 1, (FOOT_LEFT_MM, TEXT_WIDTH_MM - FOOT_LEFT_MM))
    left, right = table.rows[0].cells

    _line(
        left.paragraphs[0], "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT
    )
    for text in doc.recipient_lines:
        _line(left.add_paragraph(), text, 11, align=WD_ALIGN_PARAGRAPH.LEFT)

    sig = doc.signature
    first = right.paragraphs[0]
    if sig.authority:
        _line(first, sig.authority, 14, bold=True)
        _line(right.add_paragraph(), sig.position, 14, bold=True)
    else:
        _line(first, sig.position, 14, bold=True)
    # Room for the signature and the seal.
    _line(right.add_paragraph(), sig.name, 14, bold=True, space_before=72)


# --------------------------------------------------------------------------- PDF


def render_html(doc: OfficialDocument) -> str:
    """The HTML the PDF is printed from (one Django template, CSS inlined)."""
    from django.template.loader import render_to_string

    return render_to_string(TEMPLATE, {"doc": doc})


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as PDF bytes, printed by WeasyPrint from :data:`TEMPLATE`."""
    from weasyprint import HTML

    return HTML(string=render_html(doc)).write_pdf()
