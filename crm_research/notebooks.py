"""Run the numbered notebook series headless and render it to HTML.

``crm-research notebooks`` (or :func:`build_notebooks`) executes every
``notebooks/NN_*.ipynb`` top to bottom in a fresh kernel and writes an HTML
copy of each, plus an ``index.html`` table of contents, under ``build/``.
The Persian edition (``notebooks/fa/NN_*.ipynb``) is rendered the same way
under ``build/fa/``, with a right-to-left Persian index page
(``--lang fa``, or ``--lang all`` for both editions, each index linking to the
other).  The test suite executes the same notebooks in *fast mode*
(``CRM_FAST=1``): heavy resampling steps read :func:`fast_mode` and use fewer
resamples.
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.fastmode import fast_mode
from crm_research.core.persian import to_persian_digits
from crm_research.core.validation import check_choice

__all__ = ["fast_mode", "find_notebooks", "execute_notebook", "build_notebooks", "NotebookRun"]

NOTEBOOK_NAME = re.compile(r"^(\d{2}[a-z]?)_[a-z0-9_]+\.ipynb$")  # 06b_: a notebook added between 06 and 07
#: the editions of the series: English in ``notebooks/``, Persian in ``notebooks/fa/``
EDITIONS = ("en", "fa")


def _repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def find_notebooks(folder: str | os.PathLike | None = None) -> list[Path]:
    """The numbered notebooks of the series, in order."""
    folder = Path(folder) if folder is not None else _repo_root() / "notebooks"
    if not folder.is_dir():
        raise CRMInputError(f"The notebook folder {str(folder)!r} does not exist.")
    return sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def notebook_title(nb) -> str:
    """The text of the first markdown heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def execute_notebook(path: str | os.PathLike, timeout: int = 900, fast: bool = True, kernel_name: str = "python3"):
    """Execute one notebook in a fresh kernel (working directory: its folder); return the executed notebook.

    Raises ``nbclient.exceptions.CellExecutionError`` with the failing cell's traceback.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("CRM_FAST")
    os.environ["CRM_FAST"] = "1" if fast else "0"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel_name,
            resources={"metadata": {"path": str(path.parent)}},
            # the kernel's start-up notice about unencrypted local TCP is noise for a headless run
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("CRM_FAST", None)
        else:
            os.environ["CRM_FAST"] = env_before
    return nb


@dataclass
class NotebookRun:
    """One executed and rendered notebook: its file stem, title, run time, HTML page and edition."""

    name: str
    title: str
    seconds: float
    html: Path
    lang: str = "en"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


#: the words of the index pages, per edition
_INDEX_TEXT = {
    "en": {"title": "crm_research notebooks", "heading": "crm_research: the notebook series",
           "executed": "Executed on {when}{fast}.", "fast": " in fast mode",
           "other_label": "Persian edition: ", "other": "ویرایش فارسی", "other_href": "fa/index.html"},
    "fa": {"title": "نوت‌بوک‌های crm_research", "heading": "crm_research: مجموعهٔ نوت‌بوک‌ها (ویرایش فارسی)",
           "executed": "اجراشده در {when}{fast}.", "fast": "، در حالت سریع",
           "other_label": "ویرایش انگلیسی: ", "other": "English edition", "other_href": "../index.html"},
}


_NUMBERED = re.compile(r"^[0-9۰-۹]{2}[a-z]?\s*[·.:\-–—]\s*")  # "06b · " before a title: the index numbers it


def _index_page(runs: list[NotebookRun], lang: str, *, fast: bool, linked: bool) -> str:
    """The table of contents of one edition; the Persian page is right-to-left with Persian digits."""
    text = _INDEX_TEXT[lang]
    digits = to_persian_digits if lang == "fa" else str
    items = "\n".join(
        f"<li><a href='notebooks/{html.escape(r.html.name)}'>{html.escape(digits(r.name.split('_')[0]))} &middot; "
        f"{html.escape(_NUMBERED.sub('', r.title))}</a></li>"
        for r in runs
    )
    if lang == "fa":  # a Persian reader dates by the Solar Hijri calendar: ۱۴۰۵/۰۹/۱۴، ۱۸:۵۰
        import pandas as pd

        from crm_research.core.calendar import to_jalali

        now = pd.Timestamp.now()
        when = f"{to_jalali(pd.Series([now]), persian_digits=True).iloc[0]}، {to_persian_digits(now.strftime('%H:%M'))}"
    else:
        when = time.strftime("%Y-%m-%d %H:%M")
    executed = text["executed"].format(when=when, fast=text["fast"] if fast else "")
    other = ""
    if linked:  # both editions were written: each index links to the other
        other_lang = "en" if lang == "fa" else "fa"
        other = (f"<p>{html.escape(text['other_label'])}<a href='{text['other_href']}' hreflang='{other_lang}' "
                 f"lang='{other_lang}' dir='{'rtl' if other_lang == 'fa' else 'ltr'}'>{html.escape(text['other'])}</a></p>")
    direction = "rtl" if lang == "fa" else "ltr"
    font = "<style>body{font-family:Vazirmatn,'B Nazanin',Tahoma,sans-serif;text-align:right}</style>" if lang == "fa" else ""
    return (
        f"<!DOCTYPE html><html lang='{lang}' dir='{direction}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(text['title'])}</title>{font}</head><body dir='{direction}'>"
        f"<h1>{html.escape(text['heading'])}</h1>"
        f"<p>{html.escape(executed)}</p>{other}"
        # one list item per notebook; their numbers (00, 06b ...) are written in the text, not by the list
        f"<ul style='list-style: none; padding: 0'>{items}</ul></body></html>\n"
    )


@positional_options
def build_notebooks(
    out: str | os.PathLike = "build",
    *,
    src: str | os.PathLike | None = None,
    fast: bool = False,
    only: list[str] | None = None,
    progress: bool = True,
    lang: str = "en",
) -> list[NotebookRun]:
    """Execute the notebook series and write rendered HTML plus an index page.

    Parameters
    ----------
    out : path
        Output folder.  The English edition goes to ``out/notebooks/NN_topic.html`` and
        ``out/index.html``; the Persian edition to ``out/fa/notebooks/NN_topic.html`` and
        ``out/fa/index.html`` (a right-to-left page, ``lang="fa"``).
    src : path, optional
        Folder of the English notebooks (default: the repository's ``notebooks/``); the Persian
        edition is read from its ``fa/`` subfolder.
    fast : bool
        Run heavy resampling steps in fast mode.
    only : list of str, optional
        Run only notebooks whose file name starts with one of these prefixes (e.g. ``["00", "06"]``).
    progress : bool
        Print one line per notebook.
    lang : {"en", "fa", "all"}
        The edition to build: English, Persian, or both (each index page then links to the other).

    Returns
    -------
    list of NotebookRun
        One per rendered notebook, English first when both editions are built.

    Examples
    --------
    >>> build_notebooks("build", lang="klingon")
    Traceback (most recent call last):
    ...
    crm_research.core.errors.CRMInputError: The 'lang' parameter of build_notebooks must be one of 'en', 'fa', 'all'. Got 'klingon' instead.
    """
    lang = check_choice(lang, "lang", (*EDITIONS, "all"), func="build_notebooks")
    editions = EDITIONS if lang == "all" else (lang,)
    folder = Path(src) if src is not None else _repo_root() / "notebooks"
    sources = {}
    for edition in editions:
        paths = find_notebooks(folder if edition == "en" else folder / "fa")
        if only:
            paths = [p for p in paths if any(p.name.startswith(o) for o in only)]
        sources[edition] = paths
    if only and not any(sources.values()):
        raise CRMInputError(f"The 'only' parameter of build_notebooks matched no notebook. Got {only!r}.")
    out = Path(out)
    runs = []
    for edition in editions:  # every notebook is checked to exist before the first (slow) execution
        target = out if edition == "en" else out / "fa"
        runs += _render(sources[edition], target, edition, fast=fast, progress=progress)
    for edition in editions:
        target = out if edition == "en" else out / "fa"
        page = _index_page([r for r in runs if r.lang == edition], edition, fast=fast, linked=len(editions) > 1)
        _write_atomic(target / "index.html", page)
    return runs


def _render(paths: list[Path], target: Path, lang: str, *, fast: bool, progress: bool) -> list[NotebookRun]:
    """Execute ``paths`` and write each as ``target/notebooks/<stem>.html`` (``<html lang=...>``)."""
    from nbconvert import HTMLExporter

    (target / "notebooks").mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(language_code=lang)
    runs = []
    for path in paths:
        start = time.perf_counter()
        nb = execute_notebook(path, fast=fast)
        body, _ = exporter.from_notebook_node(nb)
        html_path = target / "notebooks" / (path.stem + ".html")
        _write_atomic(html_path, body)
        run = NotebookRun(path.stem, notebook_title(nb), time.perf_counter() - start, html_path, lang)
        runs.append(run)
        if progress:
            label = f"{'fa/' if lang == 'fa' else ''}{path.name}"
            print(f"  {label:<45} {run.seconds:6.1f} s  -> {html_path}", flush=True)
    return runs
