"""Figures of a fitted PLS-SEM model (matplotlib only, no Graphviz): the path diagram and simple slopes."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_paths", "plot_slopes"]


def _layout(spec) -> dict[str, tuple[float, float]]:
    """Constructs in causal layers (antecedents at x = 0, final outcomes at x = 1), spread vertically."""
    order = spec.order()
    preds = {c: [f for f, t, _ in spec.paths if t == c] for c in order}
    layer: dict[str, int] = {}
    for c in order:
        layer[c] = 1 + max((layer[p] for p in preds[c]), default=-1)
    n_layers = max(layer.values()) + 1
    pos = {}
    for ly in range(n_layers):
        members = [c for c in order if layer[c] == ly]
        ys = np.linspace(0, 1, len(members) + 2)[1:-1]
        for c, y in zip(members, ys[::-1]):
            pos[c] = (ly / max(n_layers - 1, 1), float(y))
    return pos


def _bend(a, b, others, tol=0.09, default: float = 1.0) -> float:
    """The arc3 ``rad`` of arrow a -> b: 0 when the straight line is free, else an arc bowing away from the
    construct(s) the straight line would run through (for rad > 0 arc3 bows to the side of (-dy, dx));
    ``default`` (+1 or -1) picks the side when the constructs in the way lie exactly on the line."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ab = b - a
    side, blocked = 0.0, False
    for o in others:
        o = np.asarray(o, dtype=float)
        t = float(np.clip(np.dot(o - a, ab) / np.dot(ab, ab), 0, 1))
        if 0.05 < t < 0.95 and np.linalg.norm(a + t * ab - o) < tol:
            blocked = True
            side += float(np.dot(o - (a + b) / 2, [ab[1], -ab[0]]))
    if not blocked:
        return 0.0
    if side == 0.0:
        side = default
    return 0.4 if side > 0 else -0.4


def plot_paths(result, ax=None, show_r2: bool = True, lang: str = "en", *, labels: dict[str, str] | None = None):
    """Draw constructs in causal layers, arrows labelled with the standardized paths.

    Bold arrows are significant at ``1 - ci`` (after a bootstrap); dashed ones are not.  Endogenous
    constructs show their R².  An arrow whose straight line would run through another construct (e.g.
    ``EMP -> LOY`` behind ``DEL`` when ``DEL`` sits between them) is drawn as an arc, so it cannot be read
    as starting at the construct it passes.  Each coefficient sits on its own arrow where the Agg
    renderer shows it clear of the other labels, the constructs and the other arrows
    (:func:`crm_research.core.plotting.place_labels`); arrows end on the constructs' outlines.
    ``lang="fa"`` writes the labels in Persian (Persian digits) and lays the model out from right to
    left; the text is shaped by matplotlib itself.  ``labels`` maps a construct to the text shown for
    it (e.g. the study's Persian construct names); long names are wrapped.
    """
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    from crm_research.core.errors import CRMInputError
    from crm_research.core.plotting import bezier, check_lang, label, ltr, number, place_labels, style

    lang = check_lang(lang, func="plot_paths")
    if labels is not None and (not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values())):
        raise CRMInputError("The 'labels' parameter of plot_paths must be a dict of construct name -> label text. "
                            f"Got {type(labels).__name__} instead.")
    labels = labels or {}
    spec = result.spec
    pos = _layout(spec)
    if lang == "fa":  # a Persian reader starts at the right: antecedents on the right
        pos = {c: (1 - x, y) for c, (x, y) in pos.items()}
    n_layers = len({x for x, _ in pos.values()})
    n_rows = max(sum(1 for x, _ in pos.values() if x == col) for col in {x for x, _ in pos.values()})
    with style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(2.6 * n_layers + 1, max(5.0, 1.1 * n_rows + 1)))
        ax.set_xlim(-0.18, 1.18)
        ax.set_ylim(-0.05, 1.05)
        ax.grid(False)
        r2 = dict(zip(result.r2["construct"], result.r2["r2"]))
        alpha = 1 - result.ci
        nodes = {}
        for c, (x, y) in pos.items():
            name = labels.get(c) or c
            text = "\n".join(textwrap.wrap(name, width=max(16, max(len(w) for w in name.split())),
                                            break_on_hyphens=False)) if name.strip() else c
            if show_r2 and c in r2:
                line = "R²=" + number(f"{r2[c]:.3f}", lang)  # R² is written so in Persian theses too
                text += "\n" + (ltr(line) if lang == "fa" else line)
            if spec.modes.get(c) == "B":
                text += "\n(" + label("formative", "سازنده", lang) + ")"
            if c in spec.higher_order:
                text += "\n(" + label("higher-order", "مرتبه دوم", lang) + ")"
            nodes[c] = ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=3,
                               bbox={"boxstyle": "ellipse,pad=0.4", "fc": "#dbe9f6", "ec": "#2c5d8a"})
        renderer = ax.figure.canvas.get_renderer()
        to_px = ax.transData.transform
        for fontsize in (10, 9, 8, 7, 6):  # smaller names where many layers share a small axes
            for t in nodes.values():
                t.set_fontsize(fontsize)
            ax.figure.canvas.draw()  # the node outlines (their bbox patches) exist once drawn
            outline = {c: t.get_bbox_patch().get_window_extent(renderer) for c, t in nodes.items()}
            boxes = [e.padded(4) for e in outline.values()]
            if not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
                break
        pt_per_px = 72 / ax.figure.dpi

        def shrink(c, toward):
            # the arrow starts and ends on the construct's ellipse, whatever the width of its text
            e = outline[c]
            dx, dy = np.asarray(toward, dtype=float) - to_px(pos[c])
            angle = np.arctan2(dy, dx)
            a, b = e.width / 2, e.height / 2
            return a * b / np.hypot(b * np.cos(angle), a * np.sin(angle)) * pt_per_px + 2

        rads, curves = [], []
        for i, (_, p) in enumerate(result.paths.iterrows()):
            others = [xy for c, xy in pos.items() if c not in (p["from"], p["to"])]
            # arcs over a row of constructs alternate sides, so they do not all stack on one
            rads.append(_bend(pos[p["from"]], pos[p["to"]], others, default=1.0 if i % 2 else -1.0))
        for _ in range(3):  # room for the arcs: a bulge (in pixels) does not shrink with the limits
            curves = [bezier(to_px(pos[p["from"]]), to_px(pos[p["to"]]), rad, n=201)
                      for rad, (_, p) in zip(rads, result.paths.iterrows())]
            frame = ax.get_window_extent(renderer)
            low = min(min(c[:, 1].min() for c in curves) - 18, frame.y0) - frame.y0
            high = max(max(c[:, 1].max() for c in curves) + 18, frame.y1) - frame.y1
            if low == 0 and high == 0:
                break
            (y0, y1), per_px = ax.get_ylim(), (ax.get_ylim()[1] - ax.get_ylim()[0]) / frame.height
            ax.set_ylim(y0 + low * per_px, y1 + high * per_px)
            ax.figure.canvas.draw()
            outline = {c: t.get_bbox_patch().get_window_extent(renderer) for c, t in nodes.items()}
        coefs = []
        for rad, (_, p) in zip(rads, result.paths.iterrows()):
            (x0, y0), (x1, y1) = pos[p["from"]], pos[p["to"]]
            sig = "pvalue" in result.paths.columns and p["pvalue"] < alpha
            linestyle = "-" if sig or "pvalue" not in result.paths.columns else "--"
            # matplotlib bends arc3 in display units: the curve is computed there
            curve_px = bezier(to_px((x0, y0)), to_px((x1, y1)), rad, n=201)
            ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14,
                                         shrinkA=shrink(p["from"], curve_px[3]),
                                         shrinkB=shrink(p["to"], curve_px[-4]), linestyle=linestyle,
                                         connectionstyle=f"arc3,rad={rad}", linewidth=2.2 if sig else 1.2,
                                         color="0.25", zorder=2))
            inside = np.zeros(len(curve_px), dtype=bool)
            for c in (p["from"], p["to"]):
                e = outline[c]
                inside |= (((curve_px[:, 0] - (e.x0 + e.x1) / 2) / (e.width / 2)) ** 2
                           + ((curve_px[:, 1] - (e.y0 + e.y1) / 2) / (e.height / 2)) ** 2) < 1
            visible = curve_px[~inside] if (~inside).sum() >= 2 else curve_px
            star = "*" if sig else ""
            value = number(f"{p['est']:.3f}", lang) + star
            value = ltr(value) if lang == "fa" else value  # the star stays after the number
            # (transData.inverted() is a frozen copy: taken now, after the limits have moved)
            coefs.append({"curve": ax.transData.inverted().transform(visible), "text": value, "at": (0.5, 0.4, 0.6),
                          "kwargs": {"fontsize": 9, "zorder": 4,
                                     "bbox": {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "0.6",
                                              "lw": 0.5}}})
        place_labels(ax, coefs, obstacles=[t.get_bbox_patch() for t in nodes.values()], pad=3.0)
        ax.set_axis_off()
        if lang == "fa":
            title = "مدل ساختاری PLS-SEM (ضرایب مسیر استانداردشده"
            title += f"، * معنادار در سطح {number(f'{alpha:.2g}', lang)})" if result.n_boot else ")"
        else:
            title = "PLS-SEM structural model (standardized paths" + (f", * p < {alpha:.2g})" if result.n_boot
                                                                       else ")")
        ax.set_title(title)
    return ax


def plot_slopes(result, ax=None, interaction: str | None = None, lang: str = "en"):
    """Simple-slope plot: the outcome against X (standardized) at the moderator's -1, 0 and +1 SD."""
    import matplotlib.pyplot as plt

    from crm_research.core.plotting import check_lang, label, number, style

    lang = check_lang(lang, func="plot_slopes")
    table = result.slopes(interaction)
    key = table["interaction"].iloc[0]
    x_name, m_name = result.spec.interactions[key]
    y_name = table["outcome"].iloc[0]
    table = table[table["outcome"] == y_name]
    xs = np.array([-1.0, 1.0])
    with style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        for (_, r), ls in zip(table.iterrows(), ["--", "-", ":"]):
            sd = r["moderator_sd"]
            name = f"{m_name} " + (number(f"{sd:+g}", lang) + " " + label("SD", "انحراف معیار", lang) if sd
                                   else label("at mean", "در میانگین", lang))
            ax.plot(xs, r["intercept"] + r["slope"] * xs, ls, lw=2,
                    label=f"{name}: " + label("slope", "شیب", lang) + " " + number(f"{r['slope']:.3f}", lang))
        ax.set_xlabel(f"{x_name} " + label("(standardized)", "(استانداردشده)", lang))
        ax.set_ylabel(f"{y_name} " + label("(standardized)", "(استانداردشده)", lang))
        ax.set_title(label(f"Simple slopes: {x_name} -> {y_name} moderated by {m_name}",
                           f"شیب‌های ساده: اثر {x_name} بر {y_name} با تعدیل‌گری {m_name}", lang))
        ax.legend(fontsize=8)
    return ax
