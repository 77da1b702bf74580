"""Write a :class:`~crm_research.report.sections.Chapter` as a Word document (python-docx).

APA tables: the table number in bold on its own line, the title in italics
below it, horizontal rules only (above and below the header row and below the
last row, no vertical lines) and a *Note.* under the table.

For Persian (``lang="fa"``) every paragraph gets ``<w:bidi/>`` (right-to-left
paragraph), every run ``<w:rtl/>`` and a complex-script font, every table
``<w:bidiVisual/>`` (columns laid out from the right), and the document's
default style declares the Persian font in ``w:rFonts/@w:cs`` plus the
language ``w:lang/@w:bidi="fa-IR"``; Word shapes Persian with the complex-script
font.  Numbers already carry Persian digits (see :mod:`.texts`).
"""

from __future__ import annotations

import io
from pathlib import Path

from crm_research.report.sections import Chapter, Figure, Heading, Paragraph, Table
from crm_research.report.texts import tr

__all__ = ["write_docx", "PERSIAN_DOCX_FONT", "PERSIAN_DOCX_FALLBACK"]

#: Complex-script font declared for Persian text; B Nazanin is the usual thesis font in Iran.
PERSIAN_DOCX_FONT = "B Nazanin"
#: Declared as the font of headings, and as an alternative name in the font table (Word falls back
#: to it, then to its own complex-script default, when B Nazanin is not installed).
PERSIAN_DOCX_FALLBACK = "Vazirmatn"


def _el(tag, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k), v)
    return el


def _set_rtl_paragraph(paragraph) -> None:
    pPr = paragraph._p.get_or_add_pPr()
    if pPr.find(_qn("w:bidi")) is None:
        pPr.insert(0, _el("w:bidi"))
    for run in paragraph.runs:
        _set_rtl_run(run)


def _qn(tag):
    from docx.oxml.ns import qn

    return qn(tag)


def _set_rtl_run(run, font: str = PERSIAN_DOCX_FONT) -> None:
    rPr = run._r.get_or_add_rPr()
    fonts = rPr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rPr.insert(0, fonts)
    fonts.set(_qn("w:cs"), font)
    fonts.set(_qn("w:hint"), "cs")
    if rPr.find(_qn("w:rtl")) is None:
        rPr.append(_el("w:rtl"))


def _declare_fonts(doc, lang: str) -> None:
    """Default fonts: Times New Roman for Latin text; for Persian a complex-script font and fa-IR."""
    from docx.shared import Pt

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12 if lang == "en" else 13)
    rPr = normal.element.get_or_add_rPr()
    fonts = rPr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rPr.insert(0, fonts)
    fonts.set(_qn("w:ascii"), "Times New Roman")
    fonts.set(_qn("w:hAnsi"), "Times New Roman")
    if lang == "fa":
        fonts.set(_qn("w:cs"), PERSIAN_DOCX_FONT)
        rPr.append(_el("w:szCs", **{"w:val": "26"}))
        rPr.append(_el("w:lang", **{"w:val": "en-US", "w:bidi": "fa-IR"}))
        for name in ("Heading 1", "Heading 2", "Title", "Caption"):
            if name in [s.name for s in styles]:
                hr = styles[name].element.get_or_add_rPr()
                hf = hr.find(_qn("w:rFonts"))
                if hf is None:
                    hf = _el("w:rFonts")
                    hr.insert(0, hf)
                hf.set(_qn("w:cs"), PERSIAN_DOCX_FALLBACK)
        _font_table_alternative(doc)


def _font_table_alternative(doc) -> None:
    """Add B Nazanin to the font table with Vazirmatn as its alternative name (w:altName)."""
    part = doc.part
    for rel in part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            root = rel.target_part.element if hasattr(rel.target_part, "element") else None
            if root is None:
                return
            font = _el("w:font", **{"w:name": PERSIAN_DOCX_FONT})
            font.append(_el("w:altName", **{"w:val": PERSIAN_DOCX_FALLBACK}))
            font.append(_el("w:charset", **{"w:val": "B2"}))  # Arabic character set
            font.append(_el("w:family", **{"w:val": "auto"}))
            root.append(font)
            return


def _apa_borders(table) -> None:
    """Horizontal rules only: top of table, under the header row, bottom of table."""
    tblPr = table._tbl.tblPr
    borders = _el("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge in ("top", "bottom"):
            borders.append(_el(f"w:{edge}", **{"w:val": "single", "w:sz": "8", "w:space": "0", "w:color": "000000"}))
        else:
            borders.append(_el(f"w:{edge}", **{"w:val": "nil"}))
    tblPr.append(borders)
    for cell in table.rows[0].cells:
        tcPr = cell._tc.get_or_add_tcPr()
        tcb = _el("w:tcBorders")
        tcb.append(_el("w:bottom", **{"w:val": "single", "w:sz": "6", "w:space": "0", "w:color": "000000"}))
        tcPr.append(tcb)


def _column_widths(display, total: int, lang: str = "en") -> list[int]:
    """Column widths (EMU) proportional to each column's longest text, filling ``total``."""
    # Persian digits, the Persian decimal separator and the minus sign set wider than Latin digits
    pad = 4 if lang == "fa" else 2
    needs = []
    for j, col in enumerate(display.columns):
        cells = ["" if v is None else str(v) for v in display.iloc[:, j]]
        longest_cell = max((len(t) for t in cells), default=0)
        longest_header_word = max((len(w) for w in str(col).split()), default=0)
        # +3: room for the cell margins, so a header word such as "upper" is never split
        needs.append(max(longest_cell + pad, longest_header_word + 3, 5))
    scale = total / sum(needs)
    return [int(n * scale) for n in needs]


def _add_table(doc, block: Table, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    rtl = lang == "fa"
    label = doc.add_paragraph()
    run = label.add_run(f"{tr('table', lang)} {_digits(block.number, lang)}")
    run.bold = True
    title = doc.add_paragraph()
    title.add_run(block.title).italic = True
    for p in (label, title):
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.keep_with_next = True
        if rtl:
            _set_rtl_paragraph(p)
    display = block.display
    table = doc.add_table(rows=len(display) + 1, cols=len(display.columns))
    # Equal columns (python-docx's default) break "Hypothesis" and "supported" mid-word;
    # size each column by its longest cell (or longest header word) within the text width.
    section = doc.sections[-1]
    widths = _column_widths(display, section.page_width - section.left_margin - section.right_margin, lang)
    table.autofit = False
    for j, width in enumerate(widths):
        table.columns[j].width = width
        for cell in table.columns[j].cells:
            cell.width = width
    if rtl:
        table._tbl.tblPr.append(_el("w:bidiVisual"))
    _apa_borders(table)
    # repeat the header row when a table runs onto the next page
    table.rows[0]._tr.get_or_add_trPr().append(_el("w:tblHeader"))
    for j, col in enumerate(display.columns):
        cell = table.rows[0].cells[j]
        cell.text = str(col)
    for i, row in enumerate(display.itertuples(index=False), start=1):
        cells = table.rows[i].cells
        for j, value in enumerate(row):
            cells[j].text = "" if value is None else str(value)
    for r, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                if j > 0 or r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    run.font.size = Pt(10 if len(display.columns) > 6 else 11)
                if rtl:
                    _set_rtl_paragraph(p)
    if block.note:
        note = doc.add_paragraph()
        note.add_run(tr("note", lang)).italic = True
        note.add_run(" " + block.note)
        for run in note.runs:
            run.font.size = Pt(10)
        if rtl:
            _set_rtl_paragraph(note)
    else:
        doc.add_paragraph()


def _digits(value, lang):
    from crm_research.report.texts import digits

    return digits(str(value), lang)


def write_docx(chapter: Chapter, path: str | Path) -> Path:
    """Write ``chapter`` to ``path`` (a .docx file) and return the path."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches

    lang = chapter.lang
    rtl = lang == "fa"
    doc = Document()
    _declare_fonts(doc, lang)
    if rtl:
        sect = doc.sections[0]._sectPr
        sect.append(_el("w:bidi"))
    heading = doc.add_heading(chapter.title, level=0)
    if rtl:
        _set_rtl_paragraph(heading)
    sub = doc.add_heading(tr("chapter", lang), level=1)
    if rtl:
        _set_rtl_paragraph(sub)
    for block in chapter.blocks:
        if isinstance(block, Heading):
            p = doc.add_heading(block.text, level=min(block.level + 1, 3))
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph(block.text)
            if block.kind == "reference":
                p.paragraph_format.left_indent = Inches(0.5)
                p.paragraph_format.first_line_indent = Inches(-0.5)
                # references stay left-to-right (they are in English) even in a Persian chapter
                continue
            if not rtl:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif isinstance(block, Table):
            _add_table(doc, block, lang)
            continue
        elif isinstance(block, Figure):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(block.png), width=Inches(6.0))
            cap = doc.add_paragraph()
            cap.add_run(f"{tr('figure', lang)} {_digits(block.number, lang)}. ").bold = True
            cap.add_run(block.caption).italic = True
            if rtl:
                _set_rtl_paragraph(cap)
            continue
        else:  # pragma: no cover - the builder only makes the four kinds
            raise TypeError(type(block))
        if rtl:
            _set_rtl_paragraph(p)
    path = Path(path)
    doc.save(str(path))
    return path
