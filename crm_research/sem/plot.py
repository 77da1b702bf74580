"""Figures of a fitted SEM drawn with matplotlib only (no Graphviz): the path diagram and the measurement model.

Path diagram: structural variables (latent variables and observed variables
in regressions) are placed in columns by their causal order -- exogenous
variables first, each dependent variable one column after its furthest
predictor.  Indicators sit beside their latent variable (outside the first
and the last column, above or below in the middle ones).  Arrows carry
completely standardized estimates with stars for significance (* p < .05,
** p < .01, *** p < .001); non-significant paths are grey and dashed.  An
arrow that would run through another variable is drawn as an arc around it,
and every label is put where the Agg renderer shows it clear of the other
labels, the variables and the other arrows (:func:`crm_research.core.plotting.place_labels`).

``lang="fa"`` writes the figure in Persian: the model runs from right to
left, numbers use Persian digits, the title is Persian, and ``labels`` (e.g.
the study's Persian construct names) replace the variable codes.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["path_diagram", "measurement_diagram"]

_ITEM_STEP = 0.75  # smallest vertical distance of neighbouring indicators (data units)
_LABEL = "\0label"  # key of the size of a coefficient label in the sizes of the nodes
_SAMPLE = "-0.00***"  # the widest coefficient label


def _spacing(size) -> tuple[float, float]:
    """Distance of neighbouring indicators and gap between a latent variable and its indicators: room
    for the coefficient labels as large as they are drawn at the diagram's scale."""
    w, h = size.get(_LABEL, (0.6, 0.2))
    return max(_ITEM_STEP, 2.6 * h), max(1.5, 1.6 * w)
_LAT_W, _LAT_H, _OBS_W, _OBS_H = 1.7, 1.0, 1.0, 0.55  # smallest node sizes (data units)


def _stars(p):
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _levels(spec):
    structural = [v for v in spec.latent]
    reg = [r for r in spec.rows if r.op == "~"]
    for r in reg:
        for v in (r.lhs, r.rhs):
            if v not in structural:
                structural.append(v)
    preds = {v: [r.rhs for r in reg if r.lhs == v] for v in structural}
    level = {v: 0 for v in structural}
    for _ in range(len(structural)):  # longest path; a loop (non-recursive model) just stops growing
        changed = False
        for v in structural:
            if preds[v]:
                new = 1 + max(level[p] for p in preds[v])
                if new > level[v] and new < len(structural) + 1:
                    level[v] = new
                    changed = True
        if not changed:
            break
    return structural, level


def _indicators(spec) -> dict[str, list[str]]:
    return {lv: [r.rhs for r in spec.rows if r.op == "=~" and r.lhs == lv] for lv in spec.latent}


def _layout(spec, size):
    """Centre of every variable; ``size`` maps a name to its node's (width, height)."""
    structural, level = _levels(spec)
    indicators = _indicators(spec)
    max_level = max(level.values()) if level else 0
    item_w = max([size[i][0] for items in indicators.values() for i in items], default=_OBS_W)
    step_y, gap = _spacing(size)
    step_x = max(1.35, item_w + 0.35, size.get(_LABEL, (0, 0))[0] * 1.2)  # indicators in a row above/below

    columns = [[v for v in structural if level[v] == L] for L in range(max_level + 1)]
    col_w = [max((size[v][0] for v in members), default=_LAT_W) for members in columns]
    xs = [0.0]
    for L in range(1, max_level + 1):
        xs.append(xs[-1] + max(4.5, (col_w[L - 1] + col_w[L]) / 2 + 2.8))

    pos, side = {}, {}
    for L, members in enumerate(columns):
        middle = 0 < L < max_level
        heights = []
        for i, v in enumerate(members):
            k = len([it for it in indicators.get(v, []) if it not in structural])
            h_node = size[v][1]
            if middle:
                side[v] = "up" if i < len(members) / 2 else "down"
                # room beside the node for an arrow that skips this column, with its label
                room = 0.8 + 3 * size.get(_LABEL, (0, 0.3))[1]
                heights.append(h_node + room + (gap - 0.1 + _max_h(indicators.get(v, []), size) if k else 0.0))
            else:
                side[v] = "left" if L == 0 else "right"
                heights.append(max(k * step_y, h_node + 0.6) + 0.6)
        y = sum(heights) / 2
        for v, h in zip(members, heights):
            room = 0.8 + 3 * size.get(_LABEL, (0, 0.3))[1]
            if middle and side[v] == "up":  # the row of indicators takes the top of the slot
                pos[v] = (xs[L], y - h + (size[v][1] + room) / 2)
            elif middle:
                pos[v] = (xs[L], y - (size[v][1] + room) / 2)
            else:
                pos[v] = (xs[L], y - h / 2)
            y -= h
    for lv, items in indicators.items():
        if lv not in pos:
            continue
        x, y = pos[lv]
        items = [it for it in items if it not in pos]  # an observed variable that is also structural keeps its place
        k = len(items)
        for i, item in enumerate(items):
            off = (i - (k - 1) / 2)
            if side[lv] in ("left", "right"):
                dx = size[lv][0] / 2 + gap + size[item][0] / 2
                pos[item] = (x - dx if side[lv] == "left" else x + dx, y - off * step_y)
            else:
                dy = size[lv][1] / 2 + gap - 0.1
                pos[item] = (x + off * step_x, y + dy if side[lv] == "up" else y - dy)
    return pos, level


def _max_h(items, size) -> float:
    """Height of the tallest item box."""
    return max((size[i][1] for i in items), default=_OBS_H)


def _wrap(text: str, width: int = 16) -> str:
    """A long construct name on two or three lines, so that its ellipse stays narrow."""
    width = max(width, max((len(w) for w in text.split()), default=1))
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False) or [""])


def _node_text(name, labels, r2, lang):
    from crm_research.core.plotting import ltr, number

    text = _wrap(str(labels.get(name, name)))
    if r2 is not None and np.isfinite(r2):
        line = "R² = " + number(f"{r2:.2f}", lang)
        text += "\n" + (ltr(line) if lang == "fa" else line)
    return text


def _value_label(value, p, lang, show_stars=True):
    from crm_research.core.plotting import ltr, number

    if not np.isfinite(value):
        return ""
    text = number(f"{value:.2f}", lang) + (_stars(p) if show_stars else "")
    return ltr(text) if lang == "fa" else text


def _hits(curve, boxes) -> int:
    """How many points of ``curve`` fall inside the boxes ``(x, y, w, h)`` (centre and size)."""
    count = 0
    for x, y, w, h in boxes:
        inside = (np.abs(curve[:, 0] - x) < w / 2 + 0.12) & (np.abs(curve[:, 1] - y) < h / 2 + 0.12)
        count += int(np.count_nonzero(inside))
    return count


def _crossings(curve, segments) -> int:
    """How many of the straight ``segments`` (pairs of points) the polyline ``curve`` crosses."""
    count = 0
    c0, c1 = curve[:-1], curve[1:]
    for p, q in segments:
        d = q - p

        def side(x, p=p, d=d):
            return d[0] * (x[:, 1] - p[1]) - d[1] * (x[:, 0] - p[0])

        e = c1 - c0
        s0 = e[:, 0] * (p[1] - c0[:, 1]) - e[:, 1] * (p[0] - c0[:, 0])
        s1 = e[:, 0] * (q[1] - c0[:, 1]) - e[:, 1] * (q[0] - c0[:, 0])
        count += int(np.any((side(c0) * side(c1) < 0) & (s0 * s1 < 0)))
    return count


def _route(a, b, pos, size, centre, covariance, latent, loadings=()):
    """The arc3 ``rad`` of the arrow a -> b: straight when nothing is in the way, else the smallest arc
    around the variables in between; a covariance is always an arc, bulging away from the diagram's centre."""
    from crm_research.core.plotting import bezier

    boxes = [(x, y, *size[n]) for n, (x, y) in pos.items() if n not in (a, b)]
    # the arrows this one could cut across (those of its own ends excluded)
    segments = [(np.asarray(pos[u], dtype=float), np.asarray(pos[v], dtype=float)) for u, v in loadings
                if not {u, v} & {a, b}]
    p0, p2 = np.asarray(pos[a]), np.asarray(pos[b])
    dist = float(np.hypot(*(p2 - p0)))
    if covariance:
        # the arc must come out of its boxes far enough to be seen and labelled: a bulge (rad * dist / 2)
        # of half a box, measured across the chord, plus 0.45
        normal = np.array([p2[1] - p0[1], p0[0] - p2[0]]) / max(dist, 1e-9)
        reach = max(abs(normal[0]) * size[n][0] / 2 + abs(normal[1]) * size[n][1] / 2 for n in (a, b))
        base = 0.3 + 0.1 * min(3.0, dist / 3.0)
        if a not in latent and b not in latent:  # two items: their arc must clear the boxes
            base = max(base, 2 * (reach + 0.45) / max(dist, 1e-9))
        rads = [s * base * f for f in (1.0, 1.25, 1.5, 2.0) for s in (1, -1)]
    else:
        rads = [0.0] + [s * r for r in (0.12, 0.2, 0.3, 0.4, 0.55, 0.7) for s in (1, -1)]
    best, best_cost = rads[0], np.inf
    for rad in rads:
        curve = bezier(p0, p2, rad, n=80)[6:-6]
        mid = curve[len(curve) // 2]
        # outward is better: an arc bending into the diagram crosses the structural arrows
        inward = float(np.linalg.norm(mid - centre) < np.linalg.norm((p0 + p2) / 2 - centre)) if rad else 0.0
        cost = (100 * _hits(curve, boxes) + 4 * _crossings(curve, segments) + abs(rad) * 10
                + inward * (10 if covariance else 2))
        if cost < best_cost:
            best, best_cost = rad, cost
    return best


def _sizes(ax, texts: dict[str, tuple[str, float]], latent) -> dict[str, tuple[float, float]]:
    """Node sizes that hold their text as drawn now (``texts``: name -> (text, fontsize))."""
    renderer = ax.figure.canvas.get_renderer()
    ax.apply_aspect()
    inv = ax.transData.inverted()
    out = {}
    for name, (text, fontsize) in texts.items():
        t = ax.text(0, 0, text, fontsize=fontsize, ha="center", va="center", linespacing=1.15)
        e = t.get_window_extent(renderer)
        t.remove()
        (x0, y0), (x1, y1) = inv.transform([(e.x0, e.y0), (e.x1, e.y1)])
        w, h = abs(x1 - x0), abs(y1 - y0)
        if name == _LABEL:
            out[name] = (w, h)
        elif name in latent:  # a box w x h fits in the ellipse of (w, h) * sqrt(2)
            out[name] = (max(_LAT_W, 1.35 * w + 0.25), max(_LAT_H, 1.4 * h + 0.15))
        else:
            out[name] = (max(_OBS_W, w + 0.3), max(_OBS_H, h + 0.25))
    return out


def _edges(result, show_covariances, standardized, lang, keep=("=~", "~", "~~")):
    est = result.estimates
    col = "std_all" if standardized else "est"
    out = []
    for _, r in est.iterrows():
        op = r["op"]
        if op not in keep:
            continue
        if op == "~~" and (r["lhs"] == r["rhs"] or not show_covariances):
            continue
        a, b = (r["rhs"], r["lhs"]) if op == "~" else (r["lhs"], r["rhs"])
        sig = _stars(r["pvalue"])
        fixed = not (r["se"] > 0)
        out.append({"a": a, "b": b, "op": op, "faint": not fixed and sig == "",
                    "label": _value_label(float(r[col]), r["pvalue"], lang)})
    return out


def _geometry(ax, layout, size, edges, latent):
    """Positions, arrow routes and axes limits for the node sizes ``size``."""
    from crm_research.core.plotting import bezier

    pos = layout(size)
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    centre = np.array([xs.mean(), ys.mean()])
    loadings = [(e["a"], e["b"]) for e in edges if e["op"] != "~~"]  # loadings and paths, as if straight
    curves = []
    for e in edges:
        e["rad"] = _route(e["a"], e["b"], pos, size, centre, e["op"] == "~~", latent, loadings)
        curves.append(bezier(pos[e["a"]], pos[e["b"]], e["rad"], n=201))
    half = np.array([size[n] for n in pos]) / 2
    pts = np.vstack([np.column_stack([xs, ys]) - half, np.column_stack([xs, ys]) + half] + curves)
    # room beyond the outermost arcs for their labels
    lab_w, lab_h = size.get(_LABEL, (0.8, 0.3))
    ax.set_xlim(pts[:, 0].min() - 0.3 - 0.6 * lab_w, pts[:, 0].max() + 0.3 + 0.6 * lab_w)
    ax.set_ylim(pts[:, 1].min() - 0.3 - 1.2 * lab_h, pts[:, 1].max() + 0.3 + 1.2 * lab_h)
    ax.set_aspect("equal")
    return pos, curves


def _fit_layout(ax, layout, names, latent, texts, edges, resize, page=(15.0, 13.0)):
    """Node sizes that hold their text at the scale the finished diagram has.

    The scale depends on the layout's extent and the layout on the node sizes, so a few rounds settle
    both.  In an axes too small for the diagram at the normal font sizes the rounds do not settle (the
    text keeps outgrowing the nodes): the fonts are then made smaller, down to 60 %.  Returns the
    positions, the sizes, the arrows' curves and the font factor.
    """
    names = [*names, _LABEL]
    for fs in (1.0, 0.9, 0.8, 0.7, 0.6):
        scaled = {n: (text, size * fs) for n, (text, size) in {**texts, _LABEL: (_SAMPLE, 7)}.items()}
        size = {n: (_LAT_W, _LAT_H) if n in latent else (_OBS_W, _OBS_H) for n in names}
        for _ in range(10):
            pos, curves = _geometry(ax, layout, size, edges, latent)
            if resize:  # a figure made here: about 0.6 inch per unit, within a frame of ``page`` inches
                (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
                scale = min(0.6, page[0] / (x1 - x0), page[1] / (y1 - y0))
                ax.figure.set_size_inches(max(4.0, (x1 - x0) * scale + 0.4), max(3.0, (y1 - y0) * scale + 0.8))
            new = _sizes(ax, scaled, latent)
            if all(new[n][0] <= size[n][0] + 1e-3 and new[n][1] <= size[n][1] + 1e-3 for n in names):
                return pos, size, curves, fs
            # 8% to spare: each round's growth shrinks the scale and enlarges the text again, a little less
            size = {n: (max(1.08 * new[n][0], size[n][0]), max(1.08 * new[n][1], size[n][1])) for n in names}
    pos, curves = _geometry(ax, layout, size, edges, latent)  # the smallest fonts, laid out for their sizes
    return pos, size, curves, fs


def _inside(points, name, pos, size, latent):
    """Which of ``points`` lie inside the node ``name`` (its ellipse or its box)."""
    (x, y), (w, h) = pos[name], size[name]
    dx, dy = (points[:, 0] - x) / (w / 2), (points[:, 1] - y) / (h / 2)
    return dx ** 2 + dy ** 2 < 1 if name in latent else (np.abs(dx) < 1) & (np.abs(dy) < 1)


def _visible(curve, a, b, pos, size, latent, head=0.0, both=False):
    """The part of an arrow's curve between the outlines of its two nodes, less its arrowhead(s) of
    length ``head`` (where its label can go without hiding the head)."""
    keep = ~(_inside(curve, a, pos, size, latent) | _inside(curve, b, pos, size, latent))
    if keep.sum() < 2:
        return curve
    part = curve[keep]
    away = np.hypot(*(part - part[-1]).T) > head
    if both:
        away &= np.hypot(*(part - part[0]).T) > head
    return part[away] if away.sum() >= 2 else part


def _draw(ax, pos, size, curves, latent, node_texts, edges, fs=1.0):
    """Nodes, arrows and their labels on ``ax``, whose limits are set."""
    from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle
    from matplotlib.transforms import offset_copy

    from crm_research.core.plotting import place_labels

    ax.axis("off")
    nodes = []
    for name, (x, y) in pos.items():
        w, h = size[name]
        if name in latent:
            patch = Ellipse((x, y), w, h, facecolor="#dbe9f6", edgecolor="#1f4e79", lw=1.3, zorder=2)
        else:
            patch = Rectangle((x - w / 2, y - h / 2), w, h, facecolor="#f7f7f7", edgecolor="#444444", lw=1.0,
                              zorder=2)
        ax.add_patch(patch)
        nodes.append(patch)
        text, fontsize = node_texts[name]
        fontsize *= fs
        head, _, last = text.rpartition("\n")
        if head and "R²" in last:  # the name and its R² as two texts, one above the other, centred together
            line = fontsize * 1.15 * 1.2  # points per line
            n = head.count("\n") + 1
            for part, shift in ((head, line / 2), (last, -n * line / 2)):
                ax.text(x, y, part, ha="center", va="center", fontsize=fontsize, zorder=3, linespacing=1.15,
                        transform=offset_copy(ax.transData, fig=ax.figure, y=shift, units="points"))
        else:
            ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3, linespacing=1.15)

    ax.apply_aspect()
    px_per_unit = float(abs(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0]))
    points_per_unit = px_per_unit * 72 / ax.figure.dpi

    def shrink(name, toward):
        # the arrow ends on the node's outline (an ellipse's or a box's), in points
        w, h = size[name]
        dx, dy = np.asarray(toward, dtype=float) - np.asarray(pos[name], dtype=float)
        angle = np.arctan2(dy, dx)
        if name in latent:
            r = (w / 2 * h / 2) / np.hypot(h / 2 * np.cos(angle), w / 2 * np.sin(angle))
        else:
            r = min(w / 2 / max(abs(np.cos(angle)), 1e-9), h / 2 / max(abs(np.sin(angle)), 1e-9))
        return r * points_per_unit + 2

    labels = []
    for e, curve in zip(edges, curves):
        color = "#999999" if e["faint"] else "#222222"
        covariance = e["op"] == "~~"
        # the arrow leaves along the curve's tangent, so the outline is measured toward the next curve point
        arrow = FancyArrowPatch(pos[e["a"]], pos[e["b"]], arrowstyle="<|-|>" if covariance else "-|>",
                                mutation_scale=9 if covariance else 11, color=color,
                                linestyle=(":" if not e["faint"] else "--") if covariance else
                                ("--" if e["faint"] else "-"),
                                lw=0.9 if covariance else 1.1, connectionstyle=f"arc3,rad={e['rad']}",
                                shrinkA=shrink(e["a"], curve[3]), shrinkB=shrink(e["b"], curve[-4]), zorder=1)
        ax.add_patch(arrow)
        if not e["label"]:
            continue
        # a loading near its item, a path near its middle: where readers look for it
        at = (0.6, 0.7, 0.5) if e["op"] == "=~" else (0.5, 0.45, 0.55)
        head = (9 if covariance else 11) / points_per_unit  # the arrowhead's length (mutation_scale, points)
        labels.append({"curve": _visible(curve, e["a"], e["b"], pos, size, latent, head, covariance),
                       "text": e["label"], "at": at,
                       "kwargs": {"fontsize": 7 * fs, "color": color, "zorder": 4,
                                  "bbox": {"boxstyle": "round,pad=0.1", "facecolor": "white",
                                           "edgecolor": "none", "alpha": 0.9}}})
    place_labels(ax, labels, obstacles=nodes)
    return ax


def _check_labels(labels, func):
    from crm_research.core.errors import CRMInputError

    if labels is None:
        return {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise CRMInputError(f"The 'labels' parameter of {func} must be a dict of variable name -> label text. "
                            f"Got {type(labels).__name__} instead.")
    return {str(k): v for k, v in labels.items() if v}


def path_diagram(result, *, ax=None, standardized: bool = True, show_covariances: bool = True,
                 figsize=None, lang: str = "en", labels: dict[str, str] | None = None) -> Axes:
    """Draw the path diagram of a fitted model.

    Parameters
    ----------
    result : SEMResult
    ax : matplotlib Axes, optional
    standardized : bool, default True
        Label arrows with ``std_all`` (True) or the unstandardized ``est``.
    show_covariances : bool, default True
        Draw (residual) covariances as curved double-headed arrows.
    figsize : tuple, optional
        Size of a new figure when ``ax`` is None.
    lang : {"en", "fa"}, default "en"
        Language of the title and the numbers; ``"fa"`` draws the model from right to left with
        Persian digits.
    labels : dict, optional
        Text shown for a variable instead of its name, e.g. ``{"SAT": "رضایت مشتری"}``.  Long labels
        are wrapped and the ellipses grow to hold them.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import crm_research as crm
    >>> fit = crm.sem(crm.load_dataset("political_democracy"),
    ...               "ind60 =~ x1 + x2 + x3\\ndem60 =~ y1 + y2 + y3 + y4\\ndem60 ~ ind60")
    >>> ax = path_diagram(fit, lang="fa", labels={"ind60": "صنعتی‌شدن ۱۹۶۰", "dem60": "دموکراسی ۱۹۶۰"})
    >>> any("R² = ۰٫" in t.get_text() for t in ax.texts)
    True
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    from crm_research.core.plotting import check_lang, ltr, style

    lang = check_lang(lang, func="path_diagram")
    labels = _check_labels(labels, "path_diagram")
    spec = result.spec
    latent = set(spec.latent)
    structural, _ = _levels(spec)
    names = list(dict.fromkeys(structural + [i for items in _indicators(spec).values() for i in items]))
    r2 = {v: float(x) for v, x in result.r2.items()}
    texts = {n: (_node_text(n, labels, r2.get(n) if n in latent else None, lang), 9 if n in latent else 8)
             for n in names}

    def layout(size):
        pos, _ = _layout(spec, size)
        if lang == "fa":  # a Persian reader starts at the right: antecedents on the right
            pos = {n: (-x, y) for n, (x, y) in pos.items()}
        return pos

    with style(lang):
        resize = ax is None
        if ax is None:
            _, ax = plt.subplots(figsize=figsize or (10, 6))
        ax.grid(False)
        edges = _edges(result, show_covariances, standardized, lang)
        pos, size, curves, fs = _fit_layout(ax, layout, names, latent, texts, edges, resize and figsize is None)
        _draw(ax, pos, size, curves, latent, texts, edges, fs)
        if lang == "fa":
            kind = "استانداردشده" if standardized else "استانداردنشده"
            ax.set_title(f"نمودار مسیر، برآوردهای {kind}؛ " + ltr("* p < ۰٫۰۵، ** p < ۰٫۰۱، *** p < ۰٫۰۰۱"),
                         fontsize=9)
        else:
            kind = "standardized (std_all)" if standardized else "unstandardized"
            ax.set_title(f"Path diagram, {kind} estimates; * p<.05 ** p<.01 *** p<.001", fontsize=9)
    return ax


def measurement_diagram(result, *, lang: str = "en", labels: dict[str, str] | None = None,
                        show_covariances: bool = True, figsize=None) -> Figure:
    """The measurement model of a fitted CFA/SEM: each construct with its items and standardized loadings.

    Constructs (ellipses) stand in one column, their items (boxes) in a column beside them, each
    loading arrow labelled with its completely standardized loading (``std_all``) and its
    significance stars; residual covariances between items (``x1 ~~ x2`` in the model) are drawn as
    dotted double-headed arcs beside the items, labelled with their residual correlation.  The
    correlations between the constructs are left to the Fornell-Larcker table, where they can be
    compared with the square roots of the AVEs.  Non-significant values are grey and dashed.

    Parameters
    ----------
    result : SEMResult
        A fitted model (``crm.cfa`` or ``crm.sem``); only its measurement part is drawn.
    lang : {"en", "fa"}, default "en"
        ``"fa"``: Persian title and digits, items on the right of their constructs.
    labels : dict, optional
        Text shown for a construct (or an item) instead of its name, e.g. the study's construct labels.
    show_covariances : bool, default True
        Draw the residual covariances between items.
    figsize : tuple, optional
        Figure size in inches (default: from the number of items).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import crm_research as crm
    >>> model = "ind60 =~ x1 + x2 + x3\\ndem60 =~ y1 + y2 + y3 + y4\\ny2 ~~ y4"
    >>> fig = measurement_diagram(crm.cfa(crm.load_dataset("political_democracy"), model))
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("0.9"))  # x1 is the marker
    ['0.92', '0.97***']
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    from crm_research.core.errors import CRMInputError
    from crm_research.core.plotting import check_lang, ltr, style

    lang = check_lang(lang, func="measurement_diagram")
    labels = _check_labels(labels, "measurement_diagram")
    spec = result.spec
    indicators = {lv: items for lv, items in _indicators(spec).items() if items}
    if not indicators:
        raise CRMInputError("The 'result' parameter of measurement_diagram must be a model with latent variables "
                            "measured by items (=~ lines). Got a model without any.")
    latent = set(indicators)
    items = list(dict.fromkeys(i for its in indicators.values() for i in its))
    names = list(indicators) + [i for i in items if i not in latent]
    texts = {n: (_node_text(n, labels, None, lang), 9 if n in latent else 8) for n in names}
    sign = -1.0 if lang == "fa" else 1.0  # Persian: items on the right, read first

    def layout(size):
        pos, y = {}, 0.0
        gap = max(size[n][0] for n in latent) / 2 + max(2.2, _spacing(size)[1] + 0.5) \
            + max(size[i][0] for i in items if i not in latent) / 2 \
            if any(i not in latent for i in items) else 3.0
        for lv, its in indicators.items():
            own = [i for i in its if i not in latent and i not in pos]
            k = max(len(own), 1)
            block = max(k * _spacing(size)[0] * 0.85, size[lv][1] + 0.4)  # no crossing arrows here
            for j, item in enumerate(own):
                pos[item] = (-sign * gap, y - (j + 0.5) * block / k)
            pos[lv] = (0.0, y - block / 2)
            y -= block + 0.5  # a gap between constructs
        return pos

    n_rows = len(items) + len(indicators)
    with style(lang):
        fig, ax = plt.subplots(figsize=figsize or (6.3, min(max(3.0, 0.36 * n_rows + 1.2), 11.0)))
        ax.grid(False)
        edges = [e for e in _edges(result, show_covariances, True, lang, keep=("=~", "~~"))
                 if e["op"] == "=~" or (e["a"] not in latent and e["b"] not in latent)]
        pos, size, curves, fs = _fit_layout(ax, layout, names, latent, texts, edges, figsize is None,
                                            page=(6.0, 8.6))
        _draw(ax, pos, size, curves, latent, texts, edges, fs)
        if lang == "fa":
            ax.set_title("مدل اندازه‌گیری، بارهای عاملی استانداردشده؛ "
                         + ltr("* p < ۰٫۰۵، ** p < ۰٫۰۱، *** p < ۰٫۰۰۱"), fontsize=9)
        else:
            ax.set_title("Measurement model, standardized loadings; * p < .05, ** p < .01, *** p < .001",
                         fontsize=9)
    return fig
