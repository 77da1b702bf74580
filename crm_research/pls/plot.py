"""Path diagram of a fitted PLS-SEM model (matplotlib only, no Graphviz)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_paths"]


def plot_paths(result, ax=None, show_r2: bool = True):
    """Draw constructs in causal layers, arrows labelled with the standardized paths.

    Bold arrows are significant at ``1 - ci`` (after a bootstrap); dashed ones are not.
    Endogenous constructs show their R².
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    spec = result.spec
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
            pos[c] = (ly / max(n_layers - 1, 1), y)
    if ax is None:
        _, ax = plt.subplots(figsize=(2.6 * n_layers + 1, 5))
    r2 = dict(zip(result.r2["construct"], result.r2["r2"]))
    alpha = 1 - result.ci
    for _, p in result.paths.iterrows():
        (x0, y0), (x1, y1) = pos[p["from"]], pos[p["to"]]
        sig = "pvalue" in result.paths.columns and p["pvalue"] < alpha
        style = "-" if sig or "pvalue" not in result.paths.columns else "--"
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14,
                                     shrinkA=28, shrinkB=28, linestyle=style,
                                     linewidth=2.2 if sig else 1.2, color="0.25"))
        star = "*" if sig else ""
        ax.text(0.55 * x0 + 0.45 * x1, 0.55 * y0 + 0.45 * y1, f"{p['est']:.3f}{star}", fontsize=9,
                ha="center", va="center", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    for c, (x, y) in pos.items():
        mode = "formative" if spec.modes[c] == "B" else ""
        label = c + (f"\nR²={r2[c]:.3f}" if show_r2 and c in r2 else "") + (f"\n({mode})" if mode else "")
        ax.text(x, y, label, ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "ellipse,pad=0.4", "fc": "#dbe9f6", "ec": "#2c5d8a"})
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(-0.05, 1.05)
    ax.set_axis_off()
    suffix = f", * p < {alpha:.2g})" if result.n_boot else ")"
    ax.set_title("PLS-SEM structural model (standardized paths" + suffix)
    return ax
