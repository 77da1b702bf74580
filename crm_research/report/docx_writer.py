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
import re
from pathlib import Path

from crm_research.core.plotting import ltr
from crm_research.report.sections import Chapter, Figure, Heading, Paragraph, Table
from crm_research.report.texts import tr

__all__ = ["write_docx", "PERSIAN_DOCX_FONT", "PERSIAN_DOCX_FALLBACK", "plan_columns", "text_width_pt",
           "unbreakable_tokens"]

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


#: cell margins (left + right) of a Word table cell: 0.08 inch each side, in points
CELL_MARGIN_PT = 11.52
#: text width of an A4 page with the thesis margins (3 cm binding side + 2.5 cm), in points
_CM = 72 / 2.54
A4_WIDTH_PT, A4_HEIGHT_PT = 21.0 * _CM, 29.7 * _CM
MARGINS_CM = {"binding": 3.0, "outer": 2.5, "top": 2.5, "bottom": 2.5}


def _measure_font(lang: str, bold: bool = False):
    """Font metrics standing in for the document's fonts when columns are sized.

    Times New Roman is measured with Liberation Serif (metric-compatible) when the system has it, else with
    matplotlib's bundled DejaVu Serif (wider, so the columns err on the safe side).  Persian is measured with
    DejaVu Sans's Arabic glyphs, unshaped (isolated forms are wider than joined ones: again on the safe side).
    """
    return _font_file_cached(lang, bold)


def _font_files(lang: str, bold: bool) -> list[str]:
    import matplotlib

    mpl = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if lang == "fa":
        return [str(mpl / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))]
    system = "/usr/share/fonts/truetype/liberation2/LiberationSerif-" + ("Bold" if bold else "Regular") + ".ttf"
    return [system, str(mpl / ("DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"))]


_FONTS: dict = {}


def _font_file_cached(lang: str, bold: bool):
    from PIL import ImageFont

    key = (lang, bold)
    if key not in _FONTS:
        for path in _font_files(lang, bold):
            if Path(path).is_file():
                _FONTS[key] = ImageFont.truetype(path, 100)  # measured at 100 px, scaled to points below
                break
    return _FONTS[key]


def text_width_pt(text: str, size_pt: float, lang: str, bold: bool = False) -> float:
    """Rendered width of ``text`` in points at ``size_pt`` (see :func:`_measure_font`)."""
    if not text:
        return 0.0
    return _measure_font(lang, bold).getlength(text) * size_pt / 100


def unbreakable_tokens(text: str) -> list[str]:
    """The pieces of a cell that must stay on one line: words, numbers, signs with their number.

    A line may break only at an ordinary space; a no-break space (U+00A0) keeps '<' with '.001'.
    """
    return [t for t in str(text).split(" ") if t]


def plan_columns(display, text_width: float, size_pt: float, lang: str) -> tuple[list[float], bool]:
    """Column widths (points) that hold every cell's longest word/number on one line.

    Each column first gets its widest unbreakable token (header in bold); then, while room is left,
    columns grow towards their widest whole cell so that short cells never wrap.  Returns the widths
    and whether they fit ``text_width`` (False: the caller turns the page or shrinks the font).
    """
    mins, prefs = [], []
    for j, col in enumerate(display.columns):
        cells = ["" if v is None else str(v) for v in display.iloc[:, j]]
        head = str(col)
        tok = max([text_width_pt(t, size_pt, lang) for c in cells for t in unbreakable_tokens(c)]
                  + [text_width_pt(t, size_pt, lang, bold=True) for t in unbreakable_tokens(head)] + [0.0])
        whole = max([text_width_pt(c, size_pt, lang) for c in cells] + [tok])
        mins.append(tok + CELL_MARGIN_PT + 2)
        prefs.append(whole + CELL_MARGIN_PT + 2)
    if sum(mins) > text_width:
        return mins, False
    widths = list(mins)
    spare = text_width - sum(widths)
    want = [p - m for p, m in zip(prefs, mins)]
    if sum(want) <= spare:
        widths = [p for p in prefs]
        extra = (text_width - sum(widths)) / len(widths)
        return [w + extra for w in widths], True
    # not every cell fits on one line: share the spare room in proportion to what each column lacks
    return [m + spare * w / sum(want) for m, w in zip(mins, want)], True


# Tables with at most this many rows are kept whole on one page (APA: do not split a short table).
_KEEP_WHOLE_ROWS = 15


def _glued_path(value):
    """A path ('SAT ← OPR') or chain ('OPR → SAT → LOY') in a cell is one unbreakable token."""
    if isinstance(value, str) and (" → " in value or " ← " in value):
        return value.replace(" → ", "\u00a0→\u00a0").replace(" ← ", "\u00a0←\u00a0")
    return value


def _add_table(doc, block: Table, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    rtl = lang == "fa"
    display = block.display.map(_glued_path)
    size = _table_font_size(display, lang)
    # sized before anything is written: a table too wide for the page starts a landscape section, which
    # must come before its label, title and the table itself (else the table stays on the portrait page)
    widths, size = _fitted_widths(doc, display, size, lang, block)
    widths = [Pt(w) for w in widths]
    label = doc.add_paragraph()
    run = label.add_run(f"{tr('table', lang)} {_digits(block.number, lang)}")
    _bold(run)
    title = doc.add_paragraph()
    _italic(title.add_run(block.title))
    for p in (label, title):
        p.paragraph_format.space_after = Pt(2)
        p.paragraph_format.keep_with_next = True
        if rtl:
            _set_rtl_paragraph(p)
    table = doc.add_table(rows=len(display) + 1, cols=len(display.columns))
    table.autofit = False
    grid = table._tbl.tblGrid
    for j, width in enumerate(widths):
        table.columns[j].width = width
        grid.findall(_qn("w:gridCol"))[j].set(_qn("w:w"), str(int(width.pt * 20)))
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
    last = len(table.rows) - 1
    for r, row in enumerate(table.rows):
        # a row is never cut across two pages (w:cantSplit comes before w:tblHeader in the schema)
        row._tr.get_or_add_trPr().insert(0, _el("w:cantSplit"))
        # A short table stays on one page with its note; a long one breaks with at least three rows on
        # either side (no header with one orphan row at the foot of a page).
        keep = r < last or bool(block.note) if last <= _KEEP_WHOLE_ROWS else r < 3 or r >= last - 3
        for j, cell in enumerate(row.cells):
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.keep_with_next = keep
                if j > 0 or r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    _size(run, size)
                    if r == 0:
                        _bold(run)
                if rtl:
                    _set_rtl_paragraph(p)
    if block.note:
        note = doc.add_paragraph()
        _italic(note.add_run(tr("note", lang)))
        note.add_run(" " + block.note)
        for run in note.runs:
            _size(run, 10)
        if rtl:
            _set_rtl_paragraph(note)
    elif not getattr(block, "_landscape", False):
        doc.add_paragraph()
    if getattr(block, "_landscape", False):  # the note stays with its table on the landscape page
        _new_section(doc, landscape=False, lang=lang)


def _table_font_size(display, lang: str) -> float:
    return 10.0 if len(display.columns) > 6 else 11.0


def _text_width(doc) -> float:
    sec = doc.sections[-1]
    return (sec.page_width - sec.left_margin - sec.right_margin) / 12700  # EMU -> points


def _fitted_widths(doc, display, size, lang, block) -> tuple[list[float], float]:
    """Portrait when the table fits, at its size or up to one point smaller; else a landscape section;
    else a smaller font (down to 8 pt).

    A table that misses the portrait width by a few points (Persian headers, measured on the wide side)
    is better set one point smaller than alone on a turned page. Returns the column widths and the font
    size they were planned for.
    """
    for portrait_size in (size, size - 0.5, size - 1):
        widths, ok = plan_columns(display, _text_width(doc), portrait_size, lang)
        if ok:
            return widths, portrait_size
    # a landscape page for this table alone (APA 7 allows it for wide tables)
    _new_section(doc, landscape=True, lang=lang)
    block._landscape = True
    while True:
        widths, ok = plan_columns(display, _text_width(doc), size, lang)
        if ok or size <= 8:
            return widths, size
        size -= 0.5


def _new_section(doc, *, landscape: bool, lang: str) -> None:
    from docx.enum.section import WD_SECTION

    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(sec, lang, landscape=landscape)


def _page_setup(section, lang: str, *, landscape: bool = False) -> None:
    """A4 with thesis margins: 3 cm on the binding side (left in English, right in Persian), 2.5 cm elsewhere."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    w, h = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (h, w) if landscape else (w, h)
    binding, outer = Cm(MARGINS_CM["binding"]), Cm(MARGINS_CM["outer"])
    section.left_margin, section.right_margin = (outer, binding) if lang == "fa" else (binding, outer)
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    if lang == "fa" and section._sectPr.find(_qn("w:bidi")) is None:
        section._sectPr.append(_el("w:bidi"))


def _size(run, size: float) -> None:
    """Font size for Latin (w:sz) and complex-script (w:szCs) text: Persian is drawn at w:szCs."""
    from docx.shared import Pt

    run.font.size = Pt(size)
    rPr = run._r.get_or_add_rPr()
    for old in rPr.findall(_qn("w:szCs")):
        rPr.remove(old)
    rPr.append(_el("w:szCs", **{"w:val": str(int(round(size * 2)))}))


def _bold(run) -> None:
    """Bold for Latin (w:b) and for Persian, which Word draws with the complex-script bold (w:bCs)."""
    run.bold = True
    rPr = run._r.get_or_add_rPr()
    if rPr.find(_qn("w:bCs")) is None:
        rPr.append(_el("w:bCs"))


def _italic(run) -> None:
    run.italic = True
    rPr = run._r.get_or_add_rPr()
    if rPr.find(_qn("w:iCs")) is None:
        rPr.append(_el("w:iCs"))


def _apa_headings(doc) -> None:
    """APA 7 headings: black, bold, the body font (Word's default headings are blue Calibri Light)."""
    from docx.shared import Pt, RGBColor

    sizes = {"Title": 16, "Heading 1": 14, "Heading 2": 13, "Heading 3": 12}
    names = [st.name for st in doc.styles]
    for name, size in sizes.items():
        if name not in names:
            continue
        font = doc.styles[name].font
        font.color.rgb = RGBColor(0, 0, 0)
        font.name = "Times New Roman"
        font.size = Pt(size)
        font.bold = True
        rPr = doc.styles[name].element.get_or_add_rPr()
        fonts = rPr.find(_qn("w:rFonts"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts is not None and fonts.get(_qn(attr)) is not None:
                del fonts.attrib[_qn(attr)]
        if rPr.find(_qn("w:bCs")) is None:
            rPr.append(_el("w:bCs"))
        for old in rPr.findall(_qn("w:szCs")):
            rPr.remove(old)
        rPr.append(_el("w:szCs", **{"w:val": str(size * 2)}))


# a bracketed run with no Persian letter in it: "(AVE)", "(1981)", "(۱۹۸۱)", "(p < .05)"
_PERSIAN_LETTER = re.compile(r"[\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_LATIN_BRACKETS = re.compile(r"\(([^()\u0620-\u064a\u0671-\u06d3\u06fa-\u06ff]*)\)")


def _brackets_hold_their_content(root) -> None:
    """Make each bracketed Latin or digit run in Persian text a left-to-right island (:func:`ltr`).

    Without the marks LibreOffice breaks a right-to-left line between '(' and the run that follows
    it: "فورنل و لارکر (" on one line and "۱۹۸۱)" on the next, or a table header cut inside
    "(AVE)". As an island the bracketed run moves to the next line whole; the marks are invisible.
    A bracket that opens on a Latin word and goes on in Persian ("(MLR؛ به سبب ...)") stays breakable
    whatever marks it gets, so the chapter's Persian sentences open such brackets with a Persian word.
    """
    for t in root.iter(_qn("w:t")):
        # only in Persian text: an English reference keeps its plain characters
        if t.text and "(" in t.text and _PERSIAN_LETTER.search(t.text):
            t.text = _LATIN_BRACKETS.sub(lambda m: ltr(m.group(0)), t.text)


def _no_character_spacing(doc) -> None:
    """Drop the letter spacing of Word's Title style: it pulls joined Persian letters apart ("ghosted")."""
    for style in doc.styles:
        el = getattr(style, "element", None)
        rPr = el.find(_qn("w:rPr")) if el is not None else None
        if rPr is not None:
            for sp in rPr.findall(_qn("w:spacing")):
                rPr.remove(sp)


_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
              "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
              "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _schema_order(root) -> None:
    """Put the children of every w:rPr in the order of the OOXML schema (Word refuses other orders)."""
    rank = {_qn(f"w:{name}"): k for k, name in enumerate(_RPR_ORDER)}
    for rPr in root.iter(_qn("w:rPr")):
        children = list(rPr)
        ordered = sorted(children, key=lambda el: rank.get(el.tag, len(rank)))
        if ordered != children:
            for el in children:
                rPr.remove(el)
            for el in ordered:
                rPr.append(el)


_URL = re.compile(r"(https?://\S+)")


def _url_run(paragraph, url: str):
    """A run holding ``url`` with Word's non-breaking hyphens (``w:noBreakHyphen``) for its hyphens.

    A line may break after a hyphen, and a DOI such as 10.1037/1082-989X.1.1.16 cut there reads as
    two strings (LibreOffice and Word both do it).  ``w:noBreakHyphen`` is drawn with the font's own
    hyphen, so it needs no U+2011 glyph in the font.
    """
    run = paragraph.add_run()
    for k, piece in enumerate(url.split("-")):
        if k:
            run._r.append(_el("w:noBreakHyphen"))
        if piece:
            t = _el("w:t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run._r.append(t)
    return run


def _picture_width(png: bytes) -> float:
    """Width in inches for a figure: its own size at the report's 150 dpi (never enlarged, so its
    fonts keep their size), at most the 6-inch text width, and no taller than 8.2 inches (A4 with
    thesis margins and the caption)."""
    import struct

    w, h = struct.unpack(">II", png[16:24])  # the PNG header: width and height in pixels
    return min(6.0, w / 150, 8.2 * w / h)


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
    _no_character_spacing(doc)
    _apa_headings(doc)
    _page_setup(doc.sections[0], lang)
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
            if block.kind == "reference":
                # APA 7: hanging indent, the journal and volume (or book title) in italics (*...*)
                p = doc.add_paragraph()
                for k, part in enumerate(block.text.split("*")):
                    for piece in _URL.split(part):
                        if not piece:
                            continue
                        run = p.add_run(piece) if not _URL.fullmatch(piece) else _url_run(p, piece)
                        if k % 2:
                            _italic(run)
                p.paragraph_format.left_indent = Inches(0.5)
                p.paragraph_format.first_line_indent = Inches(-0.5)
                # references stay left-to-right (they are in English) even in a Persian chapter
                continue
            p = doc.add_paragraph(block.text)
            if not rtl:
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif isinstance(block, Table):
            _add_table(doc, block, lang)
            continue
        elif isinstance(block, Figure):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(block.png), width=Inches(_picture_width(block.png)))
            cap = doc.add_paragraph()
            _bold(cap.add_run(f"{tr('figure', lang)} {_digits(block.number, lang)}. "))
            _italic(cap.add_run(block.caption))
            if rtl:
                _set_rtl_paragraph(cap)
            continue
        else:  # pragma: no cover - the builder only makes the four kinds
            raise TypeError(type(block))
        if rtl:
            _set_rtl_paragraph(p)
    if rtl:
        _brackets_hold_their_content(doc.element)
    _schema_order(doc.element)
    _schema_order(doc.styles.element)
    path = Path(path)
    doc.save(str(path))
    return path
