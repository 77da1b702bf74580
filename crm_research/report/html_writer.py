"""Write a :class:`~crm_research.report.sections.Chapter` as one self-contained HTML page.

Images are embedded as base64 ``data:`` URIs, the CSS is inline, and the
markup is well-formed XML (XHTML-style empty elements, every text escaped), so
the page opens anywhere, can be mailed as one file, and can be checked with
an XML parser.  A Persian page carries ``<html dir="rtl" lang="fa">`` and a
Persian font stack.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from crm_research.report.sections import Chapter, Figure, Heading, Paragraph, Table
from crm_research.report.texts import digits, tr

__all__ = ["render_html", "write_html"]

_CSS = """
body { font-family: %(font)s; max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.35em; margin-top: 1.6em; } h3 { font-size: 1.15em; }
table.apa { border-collapse: collapse; margin: 0.3em 0 0.2em 0; font-size: 0.92em; }
table.apa th, table.apa td { padding: 0.2em 0.7em; border: none; text-align: center; }
table.apa td:first-child, table.apa th:first-child { text-align: start; }
table.apa thead tr { border-top: 2px solid #000; border-bottom: 1px solid #000; }
table.apa tbody tr:last-child { border-bottom: 2px solid #000; }
p.table-label { font-weight: bold; margin: 1.4em 0 0 0; }
p.table-title { font-style: italic; margin: 0 0 0.3em 0; }
p.note { font-size: 0.9em; margin-top: 0.2em; }
p.byline { font-style: italic; }
p.reference { padding-inline-start: 2em; text-indent: -2em; direction: ltr; text-align: left; }
figure { margin: 1.2em 0; text-align: center; } figure img { max-width: 100%%; }
figcaption { font-size: 0.95em; }
"""

_FONTS = {
    "en": "'Times New Roman', Times, serif",
    "fa": "'B Nazanin', Vazirmatn, Tahoma, 'DejaVu Sans', sans-serif",
}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _table(block: Table, lang: str) -> str:
    parts = [f"<p class=\"table-label\">{_e(tr('table', lang))} {_e(digits(block.number, lang))}</p>",
             f"<p class=\"table-title\">{_e(block.title)}</p>",
             f"<table class=\"apa\" id=\"table-{block.number}\"><thead><tr>"]
    parts += [f"<th>{_e(c)}</th>" for c in block.display.columns]
    parts.append("</tr></thead><tbody>")
    for row in block.display.itertuples(index=False):
        parts.append("<tr>" + "".join(f"<td>{_e('' if v is None else v)}</td>" for v in row) + "</tr>")
    parts.append("</tbody></table>")
    if block.note:
        parts.append(f"<p class=\"note\"><em>{_e(tr('note', lang))}</em> {_e(block.note)}</p>")
    return "\n".join(parts)


def render_html(chapter: Chapter) -> str:
    """The chapter as an HTML page (a string)."""
    lang = chapter.lang
    direction = "rtl" if lang == "fa" else "ltr"
    body = [f"<h1>{_e(chapter.title)}</h1>", f"<h2>{_e(tr('chapter', lang))}</h2>"]
    for block in chapter.blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, 4)
            body.append(f"<h{level}>{_e(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            cls = {"body": "", "note": " class=\"note\"", "reference": " class=\"reference\"",
                   "byline": " class=\"byline\""}[block.kind]
            if block.kind == "reference":  # *...* marks the italic part of an APA reference
                parts = block.text.split("*")
                text = "".join(f"<em>{_e(t)}</em>" if k % 2 else _e(t) for k, t in enumerate(parts))
            else:
                text = _e(block.text)
            body.append(f"<p{cls}>{text}</p>")
        elif isinstance(block, Table):
            body.append(_table(block, lang))
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            label = f"{tr('figure', lang)} {digits(block.number, lang)}."
            body.append(f"<figure id=\"figure-{block.number}\"><img alt=\"{_e(block.caption)}\" "
                        f"src=\"data:image/png;base64,{data}\" /><figcaption><strong>{_e(label)}</strong> "
                        f"<em>{_e(block.caption)}</em></figcaption></figure>")
    css = _CSS % {"font": _FONTS[lang]}
    return (
        "<!DOCTYPE html>\n"
        f"<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"{lang}\" dir=\"{direction}\">\n"
        "<head>\n<meta charset=\"utf-8\" />\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
        f"<meta name=\"generator\" content=\"crm_research\" />\n<title>{_e(chapter.title)}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def write_html(chapter: Chapter, path: str | Path) -> Path:
    """Write the chapter's HTML page to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render_html(chapter), encoding="utf-8")
    return path
