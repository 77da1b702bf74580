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


def _bend(a, b, others, tol=0.09) -> float:
    """The arc3 ``rad`` of arrow a -> b: 0 when the straight line is free, else an arc bowing away from the
    construct(s) the straight line would run through (for rad > 0 arc3 bows to the side of (-dy, dx))."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ab = b - a
    side = 0.0
    for o in others:
        o = np.asarray(o, dtype=float)
        t = float(np.clip(np.dot(o - a, ab) / np.dot(ab, ab), 0, 1))
        if 0.05 < t < 0.95 and np.linalg.norm(a + t * ab - o) < tol:
            side += float(np.dot(o - (a + b) / 2, [ab[1], -ab[0]])) or 1.0
    if side == 0.0:
        return 0.0
    return 0.4 if side > 0 else -0.4


def plot_paths(result, ax=None, show_r2: bool = True, lang: str = "en"):
    """Draw constructs in causal layers, arrows labelled with the standardized paths.

    Bold arrows are significant at ``1 - ci`` (after a bootstrap); dashed ones are not.  Endogenous
    constructs show their R².  An arrow whose straight line would run through another construct (e.g.
    ``EMP -> LOY`` behind ``DEL`` when ``DEL`` sits between them) is drawn as an arc, so it cannot be read
    as starting at the construct it passes; coefficient labels sit on their own arrow, above the
    construct boxes.  ``lang="fa"`` writes the labels in Persian (Persian digits) and lays the model out
    from right to left; the text is shaped by matplotlib itself.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    from crm_research.core.plotting import check_lang, label, number, style

    lang = check_lang(lang, func="plot_paths")
    spec = result.spec
    pos = _layout(spec)
    if lang == "fa":  # a Persian reader starts at the right: antecedents on the right
        pos = {c: (1 - x, y) for c, (x, y) in pos.items()}
    n_layers = len({x for x, _ in pos.values()})
    with style(lang):
        if ax is None:
            _, ax = plt.subplots(figsize=(2.6 * n_layers + 1, 5))
        ax.set_xlim(-0.18, 1.18)
        ax.set_ylim(-0.05, 1.05)
        r2 = dict(zip(result.r2["construct"], result.r2["r2"]))
        alpha = 1 - result.ci
        to_px, to_data = ax.transData.transform, ax.transData.inverted().transform
        placed: list[tuple[float, float]] = []
        for _, p in result.paths.iterrows():
            (x0, y0), (x1, y1) = pos[p["from"]], pos[p["to"]]
            others = [xy for c, xy in pos.items() if c not in (p["from"], p["to"])]
            rad = _bend((x0, y0), (x1, y1), others)
            sig = "pvalue" in result.paths.columns and p["pvalue"] < alpha
            linestyle = "-" if sig or "pvalue" not in result.paths.columns else "--"
            ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14,
                                         shrinkA=30, shrinkB=30, linestyle=linestyle,
                                         connectionstyle=f"arc3,rad={rad}", linewidth=2.2 if sig else 1.2,
                                         color="0.25", zorder=2))
            # the label of an arc at its midpoint: the midpoint of the quadratic Bezier curve whose
            # control point matplotlib's arc3 puts at rad * (dy, -dx) off the chord's middle, in display units
            (px0, py0), (px1, py1) = to_px([(x0, y0), (x1, y1)])
            dx, dy = px1 - px0, py1 - py0
            if rad:
                mx, my = to_data(((px0 + px1) / 2 + rad * dy / 2, (py0 + py1) / 2 - rad * dx / 2))
            else:  # straight: the first spot along the arrow clear of the labels already placed
                for t in (0.38, 0.62, 0.25, 0.72, 0.5):
                    mx, my = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                    if all(abs(mx - lx) > 0.07 or abs(my - ly) > 0.04 for lx, ly in placed):
                        break
            placed.append((mx, my))
            star = "*" if sig else ""
            ax.text(mx, my, number(f"{p['est']:.3f}", lang) + star, fontsize=9, ha="center", va="center",
                    zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "0.6", "lw": 0.5})
        for c, (x, y) in pos.items():
            text = c
            if show_r2 and c in r2:
                text += "\nR²=" + number(f"{r2[c]:.3f}", lang)  # R² is written so in Persian theses too
            if spec.modes.get(c) == "B":
                text += "\n(" + label("formative", "سازنده", lang) + ")"
            if c in spec.higher_order:
                text += "\n(" + label("higher-order", "مرتبه دوم", lang) + ")"
            # under the arrows, so that no arrowhead disappears behind a wide (e.g. Persian) label
            ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=1,
                    bbox={"boxstyle": "ellipse,pad=0.4", "fc": "#dbe9f6", "ec": "#2c5d8a"})
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
