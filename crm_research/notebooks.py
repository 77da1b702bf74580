"""Run the numbered notebook series headless and render it to HTML.

``crm-research notebooks`` (or :func:`build_notebooks`) executes every
``notebooks/NN_*.ipynb`` top to bottom in a fresh kernel and writes an HTML
copy of each, plus an ``index.html`` table of contents, under ``build/``.
The test suite executes the same notebooks in *fast mode* (``CRM_FAST=1``):
heavy resampling steps read :func:`fast_mode` and use fewer resamples.
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

__all__ = ["fast_mode", "find_notebooks", "execute_notebook", "build_notebooks", "NotebookRun"]

NOTEBOOK_NAME = re.compile(r"^(\d{2}[a-z]?)_[a-z0-9_]+\.ipynb$")  # 06b_: a notebook added between 06 and 07


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
    name: str
    title: str
    seconds: float
    html: Path


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@positional_options
def build_notebooks(
    out: str | os.PathLike = "build",
    *,
    src: str | os.PathLike | None = None,
    fast: bool = False,
    only: list[str] | None = None,
    progress: bool = True,
) -> list[NotebookRun]:
    """Execute the notebook series and write rendered HTML plus an index page.

    Parameters
    ----------
    out : path
        Output folder; ``out/notebooks/NN_topic.html`` and ``out/index.html`` are written.
    src : path, optional
        Folder of the notebooks (default: the repository's ``notebooks/``).
    fast : bool
        Run heavy resampling steps in fast mode.
    only : list of str, optional
        Run only notebooks whose file name starts with one of these prefixes (e.g. ``["00", "06"]``).
    progress : bool
        Print one line per notebook.

    Returns
    -------
    list of NotebookRun
    """
    from nbconvert import HTMLExporter

    paths = find_notebooks(src)
    if only:
        paths = [p for p in paths if any(p.name.startswith(o) for o in only)]
        if not paths:
            raise CRMInputError(f"The 'only' parameter of build_notebooks matched no notebook. Got {only!r}.")
    out = Path(out)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    runs = []
    for path in paths:
        start = time.perf_counter()
        nb = execute_notebook(path, fast=fast)
        body, _ = exporter.from_notebook_node(nb)
        target = out / "notebooks" / (path.stem + ".html")
        _write_atomic(target, body)
        run = NotebookRun(path.stem, notebook_title(nb), time.perf_counter() - start, target)
        runs.append(run)
        if progress:
            print(f"  {path.name:<45} {run.seconds:6.1f} s  -> {target}", flush=True)
    items = "\n".join(
        f"<li><a href='notebooks/{html.escape(r.html.name)}'>{html.escape(r.name[:2])} "
        f"&mdash; {html.escape(r.title)}</a></li>"
        for r in runs
    )
    index = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>crm_research notebooks</title></head><body>"
        "<h1>crm_research: the notebook series</h1>"
        f"<p>Executed on {time.strftime('%Y-%m-%d %H:%M')}{' in fast mode' if fast else ''}.</p>"
        f"<ol start='0'>{items}</ol></body></html>\n"
    )
    _write_atomic(out / "index.html", index)
    return runs
