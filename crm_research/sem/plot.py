"""A path diagram of a fitted SEM drawn with matplotlib only (no Graphviz needed).

Layout: structural variables (latent variables and observed variables in
regressions) are placed in columns by their causal order -- exogenous
variables on the left, each dependent variable one column right of its
furthest predictor.  Indicators sit beside their latent variable (left of
the first column, right of the last, below in the middle).  Arrows carry
completely standardized estimates with stars for significance (* p < .05,
** p < .01, *** p < .001); non-significant paths are grey and dashed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["path_diagram"]


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


def _layout(spec):
    structural, level = _levels(spec)
    indicators = {lv: [r.rhs for r in spec.rows if r.op == "=~" and r.lhs == lv] for lv in spec.latent}
    max_level = max(level.values()) if level else 0
    pos = {}
    col_x = 4.5
    for L in range(max_level + 1):
        members = [v for v in structural if level[v] == L]
        heights = [max(len(indicators.get(v, [])) * 0.75, 1.6) + 0.6 for v in members]
        total = sum(heights)
        y = total / 2
        for v, h in zip(members, heights):
            pos[v] = (L * col_x, y - h / 2)
            y -= h
    for lv, items in indicators.items():
        if lv not in pos:
            continue
        x, y = pos[lv]
        L = level.get(lv, 0)
        k = len(items)
        for i, item in enumerate(items):
            if item in pos:
                continue  # an observed variable that is also structural keeps its place
            off = (i - (k - 1) / 2) * 0.75
            if L == 0:
                pos[item] = (x - 2.4, y - off)
            elif L == max_level:
                pos[item] = (x + 2.4, y - off)
            else:
                # columns are centred on y = 0: indicators go above an upper latent, below a lower one
                pos[item] = (x + off * 1.6, y + 1.9 if y > 0 else y - 1.9)
    return pos, set(spec.latent), level


_LABEL_HEIGHT = 0.24  # data units; the layout puts neighbouring indicators 0.75 apart


def _label_width(label: str) -> float:
    return 0.085 * len(label) + 0.08


def _free_spot(p0, control, p2, label, preferred, placed):
    """A point on the Bezier curve p0-control-p2 where ``label`` overlaps nothing already placed.

    Labels of crossing paths, of a covariance arc passing an indicator column, or of
    two loadings of neighbouring items would otherwise print on top of each other.
    Tries the preferred position first, then positions further along the arrow;
    if none is free, takes the one with the least overlap.
    """
    w, h = _label_width(label), _LABEL_HEIGHT
    candidates = list(preferred) + [t for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8)
                                    if t not in preferred]
    best, best_overlap = None, np.inf
    for t in candidates:
        x, y = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t ** 2 * p2
        overlap = 0.0
        for px, py, pw, ph in placed:
            ox = (w + pw) / 2 - abs(x - px)
            oy = (h + ph) / 2 - abs(y - py)
            if ox > 0 and oy > 0:
                overlap += ox * oy
        if overlap == 0.0:
            return float(x), float(y)
        if overlap < best_overlap:
            best, best_overlap = (float(x), float(y)), overlap
    return best


def path_diagram(result, *, ax=None, standardized: bool = True, show_covariances: bool = True,
                 figsize=None) -> Axes:
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

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    spec = result.spec
    est = result.estimates
    pos, latent, level = _layout(spec)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if ax is None:
        width = max(6.0, (max(xs) - min(xs)) * 1.3 + 3)
        height = max(4.0, (max(ys) - min(ys)) * 0.9 + 2)
        _, ax = plt.subplots(figsize=figsize or (min(width, 16), min(height, 12)))
    col = "std_all" if standardized else "est"
    w_lat, h_lat, w_obs, h_obs = 1.7, 1.0, 1.0, 0.55

    for name, (x, y) in pos.items():
        if name in latent:
            ax.add_patch(Ellipse((x, y), w_lat, h_lat, facecolor="#dbe9f6", edgecolor="#1f4e79", lw=1.3))
        else:
            ax.add_patch(FancyBboxPatch((x - w_obs / 2, y - h_obs / 2), w_obs, h_obs, boxstyle="square,pad=0",
                                        facecolor="#f7f7f7", edgecolor="#444444", lw=1.0))
        ax.text(x, y, name, ha="center", va="center", fontsize=9 if name in latent else 8)

    centre = np.array([np.mean(xs), np.mean(ys)])
    extent = [(x, y) for x, y in zip(xs, ys)]

    def shrink(name):
        return 30 if name in latent else 16

    # boxes already taken: every variable, then each label as it is placed
    placed = [(x, y, w_lat if n in latent else w_obs, h_lat if n in latent else h_obs) for n, (x, y) in pos.items()]

    for _, r in est.iterrows():
        if r["op"] not in ("=~", "~", "~~"):
            continue
        if r["op"] == "=~":
            a, b = r["lhs"], r["rhs"]
        elif r["op"] == "~":
            a, b = r["rhs"], r["lhs"]
        else:
            a, b = r["lhs"], r["rhs"]
            if a == b or not show_covariances:
                continue
        if a not in pos or b not in pos:
            continue
        sig = _stars(r["pvalue"])
        fixed = not (r["se"] > 0)
        faint = not fixed and sig == ""
        color = "#999999" if faint else "#222222"
        style = "--" if faint else "-"
        (x1, y1), (x2, y2) = pos[a], pos[b]
        dx, dy = x2 - x1, y2 - y1
        dist = float(np.hypot(dx, dy))
        # covariances, and regressions that skip past other variables, are drawn as arcs bulging away
        # from the centre of the diagram so that they do not run through the boxes in between
        skips = r["op"] == "~" and abs(level.get(r["lhs"], 0) - level.get(r["rhs"], 0)) > 1
        curved = r["op"] == "~~" or skips
        rad = 0.0
        if curved:
            rad = (0.3 + 0.1 * min(3.0, dist / 3.0)) if r["op"] == "~~" else 0.25
            mid_plus = np.array([(x1 + x2) / 2 + 0.5 * rad * dy, (y1 + y2) / 2 - 0.5 * rad * dx])
            mid_minus = np.array([(x1 + x2) / 2 - 0.5 * rad * dy, (y1 + y2) / 2 + 0.5 * rad * dx])
            if np.linalg.norm(mid_minus - centre) > np.linalg.norm(mid_plus - centre):
                rad = -rad
        if r["op"] == "~~":
            arrow = FancyArrowPatch(pos[a], pos[b], arrowstyle="<|-|>", mutation_scale=9, color=color,
                                    linestyle=":" if not faint else "--", lw=0.9,
                                    connectionstyle=f"arc3,rad={rad}", shrinkA=shrink(a), shrinkB=shrink(b))
        else:
            arrow = FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=11, color=color,
                                    linestyle=style, lw=1.1, connectionstyle=f"arc3,rad={rad}",
                                    shrinkA=shrink(a), shrinkB=shrink(b))
        ax.add_patch(arrow)
        value = r[col]
        label = f"{value:.2f}{sig}" if np.isfinite(value) else ""
        # matplotlib's arc3 is a quadratic Bezier with its control point at mid + rad * (dy, -dx)
        control = np.array([(x1 + x2) / 2 + rad * dy, (y1 + y2) / 2 - rad * dx])
        preferred = (0.5,) if curved else ((0.6,) if r["op"] == "=~" else (0.55,))
        mx, my = _free_spot(np.array(pos[a]), control, np.array(pos[b]), label, preferred, placed)
        placed.append((mx, my, _label_width(label), _LABEL_HEIGHT))
        extent.append((mx, my))
        ax.text(mx, my, label, fontsize=7, ha="center", va="center", color=color,
                bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.85))

    # R-squared under endogenous latent variables
    for v, r2 in result.r2.items():
        if v in latent and v in pos:
            x, y = pos[v]
            ax.text(x, y - h_lat / 2 - 0.15, f"R² = {r2:.2f}", ha="center", va="top", fontsize=7, color="#1f4e79")
    ex = [e[0] for e in extent]
    ey = [e[1] for e in extent]
    ax.set_xlim(min(ex) - 1.5, max(ex) + 1.5)
    ax.set_ylim(min(ey) - 1.3, max(ey) + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    kind = "standardized (std_all)" if standardized else "unstandardized"
    ax.set_title(f"Path diagram, {kind} estimates; * p<.05 ** p<.01 *** p<.001", fontsize=9)
    return ax
