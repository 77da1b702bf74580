"""Diagrams of the CRM frameworks: one drawing per layout, in English or mirrored Persian.

:func:`draw` turns a :class:`~crm_research.frameworks.models.Framework` into a
figure; ``Framework.diagram`` calls it.  Each layout (``"cycle"``, ``"payne"``,
``"phases"``, ``"steps"``, ``"hub"``, ``"pair"``, ``"moderation"``) has its own
drawing function built from the primitives of :class:`_Canvas`, whose axes are
in inches.  The Persian figure is the English one mirrored about its centre,
with Persian digits and :func:`crm_research.core.plotting.persian_font`.

This module reads a framework only through its attributes (``key``,
``layout``, ``stages``, the ``*_en``/``*_fa`` texts), so it does not import
:mod:`crm_research.frameworks.models`, which imports it.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from crm_research.core.errors import CRMInputError
from crm_research.core.persian import to_persian_digits
from crm_research.core.plotting import PALETTE, check_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["draw", "LAYOUTS"]

_INK = "#222222"
_MUTED = "#555555"


def _tint(color: str, amount: float = 0.82):
    """``color`` mixed with white (amount 1 = white): a light box fill."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _shade(color: str, amount: float = 0.55):
    """``color`` mixed with black: a darker text colour that stays readable on the light box fill."""
    from matplotlib.colors import to_rgb

    return tuple(v * (1 - amount) for v in to_rgb(color))


def _on(color: str) -> str:
    """Text colour that reads on a ``color`` background (black on light colours, white on dark)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return _INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "white"


def _wrap(text: str, width_in: float, size: float) -> str:
    """Wrap ``text`` to lines that fit ``width_in`` inches at font ``size`` points."""
    # an average DejaVu Sans glyph is about 0.55 em wide; keep a margin
    chars = max(6, int(width_in * 72 / (size * 0.6)))
    lines = []
    for paragraph in text.split("\n"):  # keep the caller's line breaks
        lines += textwrap.wrap(paragraph, chars, break_long_words=False) or [paragraph]
    return "\n".join(lines)


class _Canvas:
    """Axes in inches (1 data unit = 1 inch) with the house drawing primitives.

    ``x`` is given for the English layout; in Persian the canvas mirrors it
    (``width - x``) so that every flow reads right to left.
    """

    def __init__(self, fw, lang: str, width: float, height: float, ax=None):
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import font_family, persian_font

        self.fw, self.lang, self.width, self.height = fw, lang, width, height
        self.fa = lang == "fa"
        self._boxes = 0
        self.family = font_family(lang)
        self.font = persian_font() if self.fa else "DejaVu Sans"
        if ax is None:
            self.fig = plt.figure(figsize=(width, height))
            self.ax = self.fig.add_axes((0, 0, 1, 1))
        else:
            self.ax, self.fig = ax, ax.figure
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.set_aspect("equal")
        self.ax.axis("off")

    # coordinates and text ---------------------------------------------------
    def x(self, x: float) -> float:
        return self.width - x if self.fa else x

    def t(self, en: str, fa: str) -> str:
        return fa if self.fa else en

    def digits(self, value) -> str:
        return to_persian_digits(str(value)) if self.fa else str(value)

    def text(self, x, y, s, size=10, weight="normal", color=_INK, ha="center", va="center", **kw):
        if ha in ("left", "right") and self.fa:
            ha = "right" if ha == "left" else "left"
        return self.ax.text(
            self.x(x), y, s, fontsize=size, fontweight=weight, color=color, ha=ha, va=va,
            family=self.family, multialignment="center" if ha == "center" else ha, **kw,
        )

    # shapes -------------------------------------------------------------------
    def box(self, cx, cy, w, h, color, title, caption="", details=(), title_size=11, caption_size=8.5, note="",
            fill=None, lw=1.6, style="round,pad=0,rounding_size=0.12"):
        """A rounded box with a bold title, an optional caption and bullet details, centred."""
        from matplotlib.patches import FancyBboxPatch

        patch = FancyBboxPatch(
            (self.x(cx) - w / 2, cy - h / 2), w, h, boxstyle=style,
            facecolor=fill if fill is not None else _tint(color), edgecolor=color, linewidth=lw, zorder=2,
        )
        self.ax.add_patch(patch)
        # the gid ties each label to its box, so tests can check that no text spills out
        self._boxes += 1
        gid = f"box-{self._boxes}"
        patch.set_gid(gid)
        inner = w - 0.25
        blocks = [(_wrap(title, inner, title_size), title_size, "bold", _INK)]
        if caption:
            blocks.append((_wrap(caption, inner, caption_size), caption_size, "normal", _MUTED))
        for item in details:
            blocks.append((_wrap("• " + item, inner, caption_size), caption_size, "normal", _INK))
        if note:
            blocks.append((_wrap(note, inner, caption_size), caption_size, "bold", _shade(color)))
        # stack the blocks vertically around the centre of the box
        heights = [(s.count("\n") + 1) * size * 1.3 / 72 for s, size, _, _ in blocks]
        gap = 0.06
        total = sum(heights) + gap * (len(blocks) - 1)
        top = cy + total / 2
        for (s, size, weight, color_), hgt in zip(blocks, heights, strict=True):
            self.ax.text(
                self.x(cx), top - hgt / 2, s, fontsize=size, fontweight=weight, color=color_,
                ha="center", va="center", multialignment="center", family=self.family, zorder=3,
                gid=f"{gid}-text",
            )
            top -= hgt + gap
        return patch

    def arrow(self, a, b, patch_a=None, patch_b=None, rad=0.0, color=_MUTED, both=False, lw=1.6, style=None):
        """An arrow from point ``a`` to ``b`` (English coordinates), clipped at the given patches."""
        from matplotlib.patches import FancyArrowPatch

        arrowstyle = style or ("<|-|>" if both else "-|>")
        # mirroring flips the turning direction of a curved arrow; keep the same visual curve
        rad = -rad if self.fa else rad
        arrow = FancyArrowPatch(
            (self.x(a[0]), a[1]), (self.x(b[0]), b[1]), patchA=patch_a, patchB=patch_b,
            arrowstyle=arrowstyle, mutation_scale=14, linewidth=lw, color=color,
            connectionstyle=f"arc3,rad={rad}", shrinkA=4, shrinkB=4, zorder=1,
        )
        self.ax.add_patch(arrow)
        return arrow

    def title(self):
        self.text(self.width / 2, self.height - 0.32, self.fw.name(self.lang), size=14, weight="bold")
        sub = self.t(self.fw.subtitle_en, self.fw.subtitle_fa)
        if sub:
            self.text(self.width / 2, self.height - 0.62, sub, size=9, color=_MUTED)

    def source(self):
        label = self.t("Source: ", "منبع: ") + (self.fw.source_fa if self.fa else self.fw.source)
        self.text(self.width / 2, 0.2, label, size=8, color=_MUTED, style="italic" if not self.fa else "normal")


def draw(framework, *, lang: str = "en", ax=None) -> Figure:
    """Draw a CRM framework as a publication-quality diagram.

    Parameters
    ----------
    framework : crm_research.frameworks.Framework
        The framework; its ``layout`` picks the drawing (cycle, payne, phases,
        steps, hub, pair or moderation).
    lang : {"en", "fa"}
        Language of every label.  The Persian diagram is mirrored so that the
        flow reads right to left and uses Persian digits.
    ax : matplotlib Axes, optional
        Draw into this Axes (its axis is switched off).  By default a new
        figure of a size that fits the layout is made.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from crm_research.frameworks import IDIC
    >>> fig = draw(IDIC, lang="fa")
    >>> fig.get_size_inches().tolist()  # the cycle layout is 8 x 7 inches
    [8.0, 7.0]
    >>> import matplotlib.pyplot as plt
    >>> plt.close(fig)
    """
    lang = check_lang(lang, func="draw")
    if framework.layout not in _DRAWERS:
        raise CRMInputError(f"Framework {framework.key!r} has layout {framework.layout!r}, which cannot be drawn; "
                            f"expected one of {', '.join(LAYOUTS)}.")
    from crm_research.core.plotting import style

    with style(lang):
        canvas = _DRAWERS[framework.layout](framework, lang, ax)
    return canvas.fig


def _draw_cycle(fw, lang: str, ax):
    W, H = 8.0, 7.0
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    cx, cy, r = W / 2, H / 2 - 0.25, 2.2
    n = len(fw.stages)
    patches = []
    w, h = 2.5, 1.15
    for i, s in enumerate(fw.stages):
        angle = math.pi / 2 - 2 * math.pi * i / n  # clockwise from the top (mirrored in Persian)
        x, y = cx + r * math.cos(angle) * 1.15, cy + r * math.sin(angle) * 0.9
        color = PALETTE[i % len(PALETTE)]
        label = f"{c.digits(i + 1)}. {s.name(lang)}"
        patches.append((x, y, c.box(x, y, w, h, color, label, c.t(s.caption_en, s.caption_fa))))
    for i in range(n):
        x0, y0, p0 = patches[i]
        x1, y1, p1 = patches[(i + 1) % n]
        c.arrow((x0, y0), (x1, y1), p0, p1, rad=-0.3, lw=2.0)
    c.text(cx, cy, c.t(fw.center_en, fw.center_fa), size=11, weight="bold", color=_MUTED)
    c.source()
    return c


def _draw_payne(fw, lang: str, ax):
    W, H = 10.5, 6.2
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    top, info, perf = fw.stages[:3], fw.stages[3], fw.stages[4]
    w, h, y = 2.9, 1.5, 3.85
    xs = [1.85, 5.25, 8.65]
    tops = []
    for i, (s, x) in enumerate(zip(top, xs, strict=True)):
        tops.append(c.box(x, y, w, h, PALETTE[i], s.name(lang), c.t(s.caption_en, s.caption_fa)))
    for i in range(2):
        c.arrow((xs[i], y), (xs[i + 1], y), tops[i], tops[i + 1], both=True, lw=2.0)
    span = xs[2] - xs[0] + w
    info_patch = c.box(W / 2, 2.1, span, 0.8, PALETTE[4], info.name(lang), c.t(info.caption_en, info.caption_fa),
                       title_size=10.5)
    c.box(W / 2, 1.0, span, 0.8, PALETTE[3], perf.name(lang), c.t(perf.caption_en, perf.caption_fa),
          title_size=10.5)
    for x, p in zip(xs, tops, strict=True):
        c.arrow((x, y), (x, 2.1), p, info_patch, both=True, lw=1.4)
    c.source()
    return c


def _draw_phases(fw, lang: str, ax):
    W, H = 10.0, 4.9
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    xs = [1.9, 5.0, 8.1]
    w = 2.6
    # row labels at the far edge, in the margin before the first column
    phase_patches = []
    for i, (s, x) in enumerate(zip(fw.stages, xs, strict=True)):
        color = PALETTE[i]
        phase_patches.append(c.box(x, 3.3, w, 1.05, color, s.name(lang), c.t(s.caption_en, s.caption_fa),
                                   title_size=12))
        details = s.details_fa if c.fa else s.details_en
        c.box(x, 1.45, w, 1.2, color, c.t("Strategies", "استراتژی‌ها"), details=details, title_size=9.5,
              caption_size=9, fill="white", lw=1.2, style="round,pad=0,rounding_size=0.08")
        c.arrow((x, 3.3), (x, 2.05), phase_patches[-1], None, lw=1.2, style="-")
    for i in range(2):
        c.arrow((xs[i], 3.3), (xs[i + 1], 3.3), phase_patches[i], phase_patches[i + 1], lw=2.2)
    c.source()
    return c


def _draw_steps(fw, lang: str, ax):
    n = len(fw.stages)
    step_h, gap = 0.78, 0.3
    W = 7.6
    H = 1.35 + n * step_h + (n - 1) * gap + 0.55
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    from matplotlib.patches import Circle

    w = 5.6
    cx = 0.95 + w / 2
    y = H - 1.3 - step_h / 2
    prev = None
    for i, s in enumerate(fw.stages):
        color = PALETTE[i % len(PALETTE)]
        patch = c.box(cx, y, w, step_h, color, s.name(lang), c.t(s.caption_en, s.caption_fa), title_size=10.5)
        circ = Circle((c.x(0.5), y), 0.26, facecolor=color, edgecolor="white", linewidth=1.5, zorder=3)
        c.ax.add_patch(circ)
        c.text(0.5, y, c.digits(i + 1), size=11, weight="bold", color=_on(color), zorder=4)
        if prev is not None:
            c.arrow((cx, y + step_h / 2 + gap), (cx, y + step_h / 2), None, None, lw=1.6)
        prev = patch
        y -= step_h + gap
    c.source()
    return c


def _draw_hub(fw, lang: str, ax):
    from matplotlib.patches import Circle

    W, H = 10.0, 7.6
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    cx, cy = W / 2, H / 2 - 0.3
    hub = Circle((cx, cy), 0.95, facecolor=_tint(PALETTE[0], 0.6), edgecolor=PALETTE[0], linewidth=2, zorder=2)
    c.ax.add_patch(hub)
    c.text(cx, cy, c.t(fw.center_en, fw.center_fa), size=12 if not c.fa else 9.5, weight="bold", zorder=3)
    n = len(fw.stages)
    w, h = 2.75, 1.2
    for i, s in enumerate(fw.stages):
        angle = math.pi / 2 - 2 * math.pi * i / n
        x, y = cx + 3.3 * math.cos(angle), cy + 2.35 * math.sin(angle)
        color = PALETTE[(i + 1) % len(PALETTE)]
        note = c.t("survey: ", "پرسشنامه: ") + c.t(", ", "، ").join(s.constructs) if s.constructs else ""
        p = c.box(x, y, w, h, color, f"{c.digits(i + 1)}. {s.name(lang)}", c.t(s.caption_en, s.caption_fa),
                  title_size=10.5, caption_size=8.3, note=note)
        c.arrow((cx, cy), (x, y), hub, p, lw=1.3, style="-")
    c.source()
    return c


def _draw_pair(fw, lang: str, ax):
    W, H = 10.0, 4.2
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    xs = [2.1, 7.9]
    w, h, y = 3.5, 2.3, 2.0
    patches = []
    for i, (s, x) in enumerate(zip(fw.stages, xs, strict=True)):
        details = s.details_fa if c.fa else s.details_en
        note = c.t("survey construct: ", "سازهٔ پرسشنامه: ") + ", ".join(s.constructs) if s.constructs else ""
        patches.append(c.box(x, y, w, h, PALETTE[i], s.name(lang), c.t(s.caption_en, s.caption_fa), details,
                             title_size=11.5, caption_size=9, note=note))
    # straight arrows across the gap, each labelled with what travels along it
    left_edge, right_edge = xs[0] + w / 2, xs[1] - w / 2
    c.arrow((left_edge, y + 0.45), (right_edge, y + 0.45), lw=2.0)
    c.arrow((right_edge, y - 0.45), (left_edge, y - 0.45), lw=2.0)
    c.text(W / 2, y + 0.72, c.t("customer data", "دادهٔ مشتری"), size=9, color=_MUTED)
    c.text(W / 2, y - 0.18, c.t("segments, scores", "بخش‌ها و امتیازها"), size=9, color=_MUTED)
    c.source()
    return c


def _draw_moderation(fw, lang: str, ax):
    from matplotlib.patches import FancyBboxPatch

    W, H = 10.0, 5.6
    c = _Canvas(fw, lang, W, H, ax)
    c.title()
    dc, it, p_in, p_ex = fw.stages
    y = 2.2
    left = c.box(1.85, y, 2.9, 1.5, PALETTE[0], dc.name(lang), c.t(dc.caption_en, dc.caption_fa))
    # competitive performance is one outcome seen from two sides: a frame holding both views
    fx, fw_, fh = 7.85, 3.5, 3.55
    frame = FancyBboxPatch((c.x(fx) - fw_ / 2, y - fh / 2), fw_, fh, boxstyle="round,pad=0,rounding_size=0.12",
                           facecolor="#F7F7F7", edgecolor="#999999", linewidth=1.2, linestyle="--", zorder=1)
    c.ax.add_patch(frame)
    c.text(fx, y + fh / 2 - 0.3, c.t("CRM competitive performance", "عملکرد رقابتی مدیریت ارتباط با مشتری"),
           size=10, weight="bold", color=_MUTED)
    c.box(fx, y + 0.55, 3.1, 1.05, PALETTE[2], p_in.name(lang), c.t(p_in.caption_en, p_in.caption_fa),
          title_size=10)
    c.box(fx, y - 0.9, 3.1, 1.05, PALETTE[3], p_ex.name(lang), c.t(p_ex.caption_en, p_ex.caption_fa),
          title_size=10)
    c.arrow((1.85, y), (fx, y), left, frame, lw=2.2)
    mod = c.box(4.7, 4.15, 2.4, 0.95, PALETTE[1], it.name(lang), c.t(it.caption_en, it.caption_fa), title_size=10)
    # a moderator points at the path it changes, not at a construct
    c.arrow((4.7, 4.15), (4.7, y + 0.04), mod, None, lw=1.5, color=PALETTE[1])
    c.text(4.85, 3.0, c.t("moderates", "تعدیل می‌کند"), size=8.5, color=PALETTE[1], ha="left")
    c.source()
    return c


_DRAWERS = {
    "cycle": _draw_cycle,
    "payne": _draw_payne,
    "phases": _draw_phases,
    "steps": _draw_steps,
    "hub": _draw_hub,
    "pair": _draw_pair,
    "moderation": _draw_moderation,
}

#: the layouts :func:`draw` knows; a content file naming another is refused when it is loaded
LAYOUTS: tuple[str, ...] = tuple(_DRAWERS)
