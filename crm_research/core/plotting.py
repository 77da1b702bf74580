"""Shared figure helpers: the house style and fonts that can write Persian.

Every figure of the toolkit (framework diagrams, result plots, the thesis
report) goes through the same few helpers so that English and Persian figures
look alike:

* :func:`persian_font` picks an installed font that has Persian glyphs;
* :func:`style` is a context manager with the house style (``lang="fa"`` puts
  the Persian font first);
* :func:`use_style` applies the same style for the rest of a session;
* :func:`label` and :func:`number` choose the English or Persian text of a
  label and write numbers with Persian digits in Persian figures;
* :func:`save_figure` writes a figure through a temporary file, so a failure
  never leaves half an image behind.

Persian text needs no preparation: matplotlib 3.11 and later shape the letters
and order right-to-left runs itself (through libraqm).  Running
``arabic_reshaper`` or ``python-bidi`` on a label *as well* reverses it a second
time and prints it backwards, so do not.

matplotlib is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

from crm_research.core.errors import CRMInputError
from crm_research.core.persian import to_persian_digits
from crm_research.core.validation import check_choice

__all__ = [
    "LANGUAGES",
    "PALETTE",
    "PERSIAN_FONTS",
    "check_lang",
    "persian_font",
    "font_family",
    "style",
    "use_style",
    "label",
    "number",
    "ltr",
    "rtl_axes",
    "persian_ticks",
    "save_figure",
    "bezier",
    "place_labels",
]

LANGUAGES = ("en", "fa")

# Preferred fonts for Persian, best first.  Vazirmatn and Noto Naskh Arabic are
# drawn for Persian; DejaVu Sans ships with matplotlib, so it is always there and
# has every Persian letter (including پ چ ژ گ and the Persian digits).
PERSIAN_FONTS = (
    "Vazirmatn",
    "Vazir",
    "Noto Naskh Arabic",
    "Noto Sans Arabic",
    "Sahel",
    "DejaVu Sans",
)

# Okabe & Ito (2008) colour-blind-safe palette, black dropped: readable in print and on screen.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
)

_RC = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.unicode_minus": False,  # DejaVu's minus sign is fine, but Persian fonts may lack U+2212
}


def check_lang(lang, name: str = "lang", func: str | None = None) -> str:
    """Check that ``lang`` is ``"en"`` or ``"fa"`` and return it."""
    return check_choice(lang, name, LANGUAGES, func=func)


@functools.cache
def persian_font() -> str:
    """Name of the best installed font that has Persian glyphs.

    Looks for the fonts of :data:`PERSIAN_FONTS` in order among the fonts that
    matplotlib knows and returns the first one found; DejaVu Sans, which ships
    with matplotlib, is the last resort, so this never fails.

    Returns
    -------
    str
        A font family name for ``fontfamily=`` or ``rcParams["font.family"]``.

    Examples
    --------
    >>> persian_font() in PERSIAN_FONTS
    True
    """
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in PERSIAN_FONTS:
        if name in installed:
            return name
    return "DejaVu Sans"


def font_family(lang: str = "en") -> list[str]:
    """Font family list for ``rcParams["font.family"]``.

    matplotlib falls back font by font for glyphs the first one lacks, so the
    list always ends with DejaVu Sans: Latin letters and digits inside a Persian
    label still print.
    """
    lang = check_lang(lang, func="font_family")
    if lang == "fa":
        first = persian_font()
        return [first] if first == "DejaVu Sans" else [first, "DejaVu Sans"]
    return ["DejaVu Sans"]


def _rc(lang: str) -> dict:
    from cycler import cycler

    rc = dict(_RC)
    rc["font.family"] = font_family(lang)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    return rc


@contextlib.contextmanager
def style(lang: str = "en"):
    """Context manager: the house style for figures made inside the ``with`` block.

    Parameters
    ----------
    lang : {"en", "fa"}
        ``"fa"`` puts the Persian font (:func:`persian_font`) first.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style("fa"):
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("مدیریت ارتباط با مشتری")
    >>> plt.close(fig)
    """
    import matplotlib

    rc = _rc(check_lang(lang, func="style"))
    # Restore only the keys set here, not a snapshot of every setting (as
    # matplotlib.rc_context does): a notebook backend that loads inside the
    # block switches interactive mode on, and restoring a snapshot taken
    # before that would switch it off again and stop later figures showing.
    saved = {key: matplotlib.rcParams[key] for key in rc}
    matplotlib.rcParams.update(rc)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


def use_style(lang: str = "en") -> None:
    """Apply the house style to every later figure of this session (a notebook, a script)."""
    import matplotlib

    matplotlib.rcParams.update(_rc(check_lang(lang, func="use_style")))


def label(en: str, fa: str, lang: str = "en") -> str:
    """The English or the Persian text of a label, by ``lang``."""
    return fa if check_lang(lang, func="label") == "fa" else en


def number(value, lang: str = "en", decimals: int | None = None) -> str:
    """A number as text for a figure: Persian digits when ``lang="fa"``.

    Examples
    --------
    >>> number(70, "fa") + "٪"
    '۷۰٪'
    >>> number(0.5, "en", 2)
    '0.50'
    """
    lang = check_lang(lang, func="number")
    text = f"{value:.{decimals}f}" if decimals is not None and not isinstance(value, str) else str(value)
    return to_persian_digits(text) if lang == "fa" else text


def ltr(text: str) -> str:
    """Mark ``text`` as a left-to-right island inside Persian text.

    In a right-to-left line, neutral characters at the edge of a Latin run
    (``*``, ``(``, ``-``) are attached to the Persian side, so a legend such as
    ``* p<.05`` shows as ``p<.05 *``.  Wrapping the run in the Unicode
    isolates LRI ... PDI keeps it in one piece and in its own order; matplotlib
    (libraqm), Word and browsers all honour them.

    Examples
    --------
    >>> ltr("* p<.05") == "\u2066* p<.05\u2069"
    True
    """
    return f"\u2066{text}\u2069"


def persian_ticks(ax, lang: str = "fa", axes: str = "xy"):
    """Persian digits on the numeric tick labels of ``axes`` ("x", "y" or "xy") when ``lang="fa"``.

    An English figure is left as it is, so a plot method can call it whatever its language. Returns ``ax``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> _ = ax.plot([0, 10], [0, 1])
    >>> _ = persian_ticks(ax)
    >>> ax.xaxis.get_major_formatter()(5, 0)
    '۵'
    """
    if check_lang(lang, func="persian_ticks") != "fa":
        return ax
    from matplotlib.ticker import FuncFormatter

    for name in axes:
        axis = ax.xaxis if name == "x" else ax.yaxis
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: number(f"{v:g}", "fa")))
    return ax


def rtl_axes(ax):
    """Lay out an Axes for a right-to-left (Persian) chart: the y axis on the right.

    A Persian reader starts at the right, so the value axis goes there.  Put
    the categories in right-to-left order yourself (e.g. the first bar at the
    largest x).  Returns ``ax``.
    """
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.spines["right"].set_visible(True)
    ax.spines["left"].set_visible(False)
    return ax


def save_figure(fig, path: str | os.PathLike, **kwargs) -> Path:
    """Save ``fig`` to ``path`` without ever leaving a half-written file.

    The image is written to a temporary file in the same folder and moved into
    place only when matplotlib has finished, so a failure keeps any older file
    intact.  ``kwargs`` go to :meth:`matplotlib.figure.Figure.savefig`; the
    format is taken from the file suffix.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise CRMInputError(
            f"The 'path' parameter of save_figure must be in an existing folder. Got {str(path)!r} instead."
        )
    fmt = kwargs.pop("format", None) or path.suffix.lstrip(".").lower() or None
    if fmt is None:
        raise CRMInputError(
            f"The 'path' parameter of save_figure must end with an image suffix (.png, .pdf, .svg). Got {str(path)!r}."
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, format=fmt, **kwargs)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def bezier(start, end, rad: float = 0.0, n: int = 41):
    """Points of the arrow matplotlib draws from ``start`` to ``end`` with ``connectionstyle="arc3,rad=rad"``.

    arc3 is a quadratic Bezier curve whose control point lies ``rad`` times the
    chord, turned by 90 degrees, off the chord's middle.  Returns an ``(n, 2)``
    array in the units of ``start`` and ``end``.

    Examples
    --------
    >>> bezier((0, 0), (2, 0), 0.5, n=3).round(2).tolist()
    [[0.0, 0.0], [1.0, -0.5], [2.0, 0.0]]
    """
    import numpy as np

    p0, p2 = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    d = p2 - p0
    control = (p0 + p2) / 2 + rad * np.array([d[1], -d[0]])
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t ** 2 * p2


def _overlap(a, b) -> float:
    """Area shared by two boxes ``(x0, y0, x1, y1)`` (0 when they do not meet)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _dense(points, step: float = 3.0):
    """``points`` (pixels) resampled every ``step`` pixels along the line, so that no label fits between two."""
    import numpy as np

    seg = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    if along[-1] <= 0:
        return points
    at = np.linspace(0.0, along[-1], max(len(points), int(along[-1] / step) + 2))
    return np.column_stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])])


def place_labels(ax, labels, *, obstacles=(), pad: float = 2.0) -> list:
    """Write each label on its own curve where it covers no other text, box or arrow.

    A label of a path diagram (a loading, a path coefficient, a covariance)
    belongs on its arrow; where two arrows cross or converge, labels at a fixed
    fraction of the arrow print on top of each other or hide another arrow.
    Each label is tried at points along its curve (its preferred fractions
    first), measured as the Agg renderer draws it, and put at the first point
    where it overlaps no text already in ``ax``, no patch in ``obstacles`` and
    no other label's curve.  When no point on the curve is free, points beside
    the curve are tried, and in the end the point with the least overlap is
    taken.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes, with its limits already set (positions are measured on screen).
    labels : list of dict
        One dict per label: ``curve`` (an ``(n, 2)`` array of data points along
        the arrow, e.g. from :func:`bezier`), ``text``, optional ``at`` (the
        preferred fractions of the curve, best first) and ``kwargs`` for
        :meth:`~matplotlib.axes.Axes.text`.
    obstacles : sequence of matplotlib artists
        Patches (nodes) the labels must not cover.
    pad : float, default 2.0
        Clearance around a label, in pixels.

    Returns
    -------
    list of matplotlib.text.Text
        The labels written, in the order given.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_xlim(0, 2); _ = ax.set_ylim(-1, 1)
    >>> a, b = place_labels(ax, [{"curve": bezier((0, 0), (2, 0)), "text": "0.50"},
    ...                          {"curve": bezier((0, 0), (2, 0)), "text": "0.70"}])
    >>> r = fig.canvas.get_renderer()
    >>> bool(a.get_window_extent(r).overlaps(b.get_window_extent(r)))
    False
    >>> plt.close(fig)
    """
    import numpy as np

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    to_px = ax.transData.transform
    to_data = ax.transData.inverted().transform

    def box(artist):
        e = artist.get_window_extent(renderer)
        return (e.x0 - pad, e.y0 - pad, e.x1 + pad, e.y1 + pad)

    taken = [box(t) for t in ax.texts if t.get_visible() and t.get_text().strip()]
    taken += [box(p) for p in obstacles]
    curves = [_dense(to_px(np.asarray(lab["curve"], dtype=float))) for lab in labels]
    frame = ax.get_window_extent(renderer)
    fractions = [0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9]
    written = []
    for i, (lab, curve) in enumerate(zip(labels, curves)):
        kwargs = {"ha": "center", "va": "center", **lab.get("kwargs", {})}
        kwargs.update(ha="center", va="center")
        text = ax.text(0, 0, lab["text"], **kwargs)
        e = text.get_window_extent(renderer)
        w, h = e.width / 2 + pad, e.height / 2 + pad
        others = [c for j, c in enumerate(curves) if j != i]
        steps = np.hypot(*np.diff(curve, axis=0).T)
        along = np.concatenate([[0.0], np.cumsum(steps)])
        along = along / along[-1] if along[-1] > 0 else np.linspace(0, 1, len(curve))
        order = list(lab.get("at", ())) + [f for f in fractions if f not in lab.get("at", ())]
        best, best_cost = None, np.inf
        for shift in (0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0):  # on the curve, then beside it (label heights)
            for rank, f in enumerate(order):
                x = np.interp(f, along, curve[:, 0])
                y = np.interp(f, along, curve[:, 1])
                if shift:  # perpendicular to the curve at f
                    k = min(int(np.searchsorted(along, f)), len(curve) - 1)
                    tx, ty = curve[min(k + 1, len(curve) - 1)] - curve[max(k - 1, 0)]
                    norm = np.hypot(tx, ty) or 1.0
                    x, y = x - shift * 2 * h * ty / norm, y + shift * 2 * h * tx / norm
                cand = (x - w, y - h, x + w, y + h)
                hard = sum(_overlap(cand, t) for t in taken)
                if cand[0] < frame.x0 or cand[2] > frame.x1 or cand[1] < frame.y0 or cand[3] > frame.y1:
                    hard += 4 * w * h
                # how many other arrows the label would hide a piece of
                hidden = sum(bool(np.any((c[:, 0] > cand[0]) & (c[:, 0] < cand[2])
                                         & (c[:, 1] > cand[1]) & (c[:, 1] < cand[3]))) for c in others)
                # a label beside its arrow reads less surely than one on it that hides a piece of one other arrow
                cost = hard * 1000 + hidden * 40 + rank + abs(shift) * 60
                if cost < best_cost:
                    best, best_cost = (x, y, cand), cost
                if hard == 0 and hidden == 0:
                    break
            if best_cost < 40 or (shift and best_cost < 1000):
                break
        x, y, cand = best
        text.set_position(to_data((x, y)))
        taken.append(cand)
        written.append(text)
    return written
