"""Importance-performance map analysis (IPMA) of a PLS-SEM result (Ringle & Sarstedt, 2016).

"Which driver of loyalty should management improve first?"  The map sets, for one target construct, each
predecessor's *importance* (its unstandardized total effect on the target) against its *performance* (its
mean score rescaled to 0-100).  Drivers of high importance and low performance come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result

__all__ = ["ipma", "IPMAResult"]


@dataclass(repr=False, eq=False)
class IPMAResult(Result):
    """An importance-performance map for one target construct.

    Attributes
    ----------
    target : str
    scale : dict
        Item -> (min, max) of the answer scale used for the 0-100 rescaling.
    constructs : DataFrame
        ``construct, importance`` (unstandardized total effect on the target), ``performance`` (0-100),
        one row per construct with a total effect on the target.
    indicators : DataFrame
        ``construct, item, rescaled_weight, importance`` (the item's unstandardized total effect on the
        target: its rescaled weight times its construct's importance), ``performance`` (the item's
        rescaled mean, 0-100).
    target_performance : float
    warnings : list of str
    """

    title: ClassVar[str] = "Importance-performance map analysis (IPMA)"
    target: str
    scale: dict
    constructs: pd.DataFrame
    indicators: pd.DataFrame
    target_performance: float

    def __post_init__(self):
        neg = self.indicators[self.indicators["rescaled_weight"] < 0]
        for _, r in neg.iterrows():
            self.warnings.append(
                f"Item {r['item']!r} of {r['construct']!r} has a negative rescaled weight; IPMA requires "
                "positive outer weights (Ringle & Sarstedt, 2016): check its coding (reverse-worded item?).")

    def to_frame(self) -> pd.DataFrame:
        return self.constructs.copy()

    def _summary_tables(self):
        return [(f"Constructs (target {self.target}; its performance {self.target_performance:.1f})",
                 self.constructs.set_index("construct")),
                ("Indicators", self.indicators.set_index(["construct", "item"]))]

    def _summary_notes(self):
        return ["Importance: unstandardized total effect on the target of a one-point rise on the 0-100 scale; "
                "performance: mean rescaled score (0-100). Improve first what is important and performs "
                "poorly (the lower-right part of the map)."] + list(self.warnings)

    def plot(self, ax=None, *, level: str = "constructs", lang: str = "en"):
        """The map: importance (x) against performance (y), dashed lines at the means."""
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, style
        from crm_research.core.validation import check_choice

        lang = check_lang(lang, func="IPMAResult.plot")
        level = check_choice(level, "level", ["constructs", "indicators"], "IPMAResult.plot")
        table = self.constructs if level == "constructs" else self.indicators
        name = "construct" if level == "constructs" else "item"
        with style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(6.5, 4.5))
            ax.scatter(table["importance"], table["performance"], s=60, color="#2c5d8a", zorder=3)
            for _, r in table.iterrows():
                ax.annotate(r[name], (r["importance"], r["performance"]), textcoords="offset points",
                            xytext=(5, 5), fontsize=9)
            ax.axvline(table["importance"].mean(), color="0.5", ls="--", lw=0.8)
            ax.axhline(table["performance"].mean(), color="0.5", ls="--", lw=0.8)
            ax.set_xlabel(label("Importance (unstandardized total effect)", "اهمیت (اثر کل استانداردنشده)", lang))
            ax.set_ylabel(label("Performance (0-100)", "عملکرد (۰ تا ۱۰۰)", lang))
            ax.set_title(label(f"Importance-performance map: target {self.target}",
                               f"نقشه اهمیت-عملکرد: سازه هدف {self.target}", lang))
        return ax


def _scale_of(scale, items, func) -> dict:
    if scale is None:
        raise CRMInputError(
            f"The 'scale' parameter of {func} must give the answer scale's range, e.g. scale=(1, 5) or "
            "{'item': (1, 7), ...}: IPMA rescales every item to 0-100 from its theoretical minimum and maximum, "
            "which the data alone cannot tell (a 5-point item nobody answered 1 on still starts at 1)."
        )
    if isinstance(scale, dict):
        missing = [i for i in items if i not in scale]
        if missing:
            raise CRMInputError(f"The 'scale' parameter of {func} has no range for item(s) {missing}.")
        out = {i: tuple(scale[i]) for i in items}
    else:
        try:
            lo, hi = scale
        except (TypeError, ValueError):
            raise CRMInputError(f"The 'scale' parameter of {func} must be a (min, max) pair or a dict of pairs. "
                                f"Got {scale!r} instead.") from None
        out = {i: (lo, hi) for i in items}
    for i, (lo, hi) in out.items():
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise CRMInputError(f"The 'scale' range of item {i!r} must be (min, max) with max > min. "
                                f"Got {(lo, hi)!r} instead.")
    return out


def ipma(result, construct: str, *, scale=(1, 5), data: pd.DataFrame | None = None) -> IPMAResult:
    """Importance-performance map analysis of a PLS-SEM result for a target construct.

    Parameters
    ----------
    result : PLSResult
        A fit from :func:`crm_research.pls_sem` (first-order constructs, all items on one direction).
    construct : str
        The target construct (e.g. loyalty).
    scale : tuple or dict, default (1, 5)
        The answer scale's theoretical (min, max), for all items or per item; ``None`` is an error.
    data : DataFrame, optional
        The data the model was fitted on (default: the data kept in the fit).

    Returns
    -------
    IPMAResult

    Raises
    ------
    CRMInputError
        Unknown target, a target without predecessors, no scale range, answers outside the scale, a model
        with interaction or higher-order constructs.

    Notes
    -----
    Ringle & Sarstedt (2016), as SmartPLS computes it: every item is rescaled to
    :math:`x^{*} = 100 (x - \\min) / (\\max - \\min)`; a construct's unstandardized weights are its
    standardized outer weights divided by the item's standard deviation, normalized to sum to one, so that
    its rescaled score :math:`\\eta^{*} = \\sum_k \\tilde w_k x^{*}_k` lies on 0-100 too.  Performance is
    the mean of :math:`\\eta^{*}`; importance is the total effect on the target in the path model re-estimated
    by OLS on the rescaled scores (unstandardized paths).  An item's importance is its rescaled weight times
    its construct's importance.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
    importance-performance map analysis. *Industrial Management & Data Systems*, 116(9), 1865-1886.

    Examples
    --------
    >>> import crm_research as crm
    >>> fit = crm.pls_sem(crm.load_dataset("corp_rep"), '''
    ...     COMP =~ comp_1 + comp_2 + comp_3
    ...     LIKE =~ like_1 + like_2 + like_3
    ...     CUSL =~ cusl_1 + cusl_2 + cusl_3
    ...     CUSL ~ COMP + LIKE''')
    >>> m = crm.ipma(fit, "CUSL", scale=(1, 7))
    >>> m.constructs["construct"].tolist()
    ['COMP', 'LIKE']
    """
    from crm_research.pls.estimate import PLSResult

    func = "ipma"
    if not isinstance(result, PLSResult):
        raise CRMInputError(f"The 'result' parameter of {func} must be a PLSResult from crm.pls_sem. "
                            f"Got {type(result).__name__} instead.")
    spec = result.spec
    if spec.interactions or spec.higher_order:
        raise CRMInputError(f"{func} needs a model of first-order constructs without interaction terms "
                            "(the rescaled scores of generated terms have no answer scale).")
    if construct not in spec.constructs:
        raise CRMInputError(f"The 'construct' parameter of {func} must be one of {list(spec.constructs)}. "
                            f"Got {construct!r} instead.")
    engine = result.engine_model
    items = list(spec.items)
    if data is None:
        x = pd.DataFrame(np.asarray(engine.data.values)[:, [list(engine.data.columns).index(i) for i in items]],
                         columns=items)
    else:
        x = data[items].astype(float).reset_index(drop=True)
        if x.isna().any().any():
            x = x.fillna(x.mean())  # the fit's mean replacement
    rng = _scale_of(scale, items, func)
    lo = np.array([rng[i][0] for i in items], dtype=float)
    hi = np.array([rng[i][1] for i in items], dtype=float)
    outside = [i for k, i in enumerate(items) if (x[i] < lo[k] - 1e-9).any() or (x[i] > hi[k] + 1e-9).any()]
    if outside:
        raise CRMInputError(f"Item(s) {outside} have answers outside the 'scale' range of {func}; give each "
                            "item's true answer range (e.g. scale=(1, 7)).")
    xr = (x - lo) / (hi - lo) * 100
    sd = x.std(ddof=1)
    outer = result.outer.set_index(["construct", "item"])
    weights = {}
    scores = {}
    rows = []
    for c, its in spec.constructs.items():
        w = np.array([outer.loc[(c, i), "weight"] for i in its]) / sd[its].to_numpy()
        w = w / w.sum()
        weights[c] = w
        scores[c] = xr[its].to_numpy() @ w
        for i, wi in zip(its, w):
            rows.append({"construct": c, "item": i, "rescaled_weight": float(wi), "performance": float(xr[i].mean())})
    names = list(spec.constructs)
    k = len(names)
    b = np.zeros((k, k))  # unstandardized paths on the rescaled scores: b[i, j] for i -> j
    for j, c in enumerate(names):
        preds = [f for f, t, _ in spec.paths if t == c]
        if not preds:
            continue
        design = np.column_stack([np.ones(len(xr))] + [scores[p] for p in preds])
        coef, *_ = np.linalg.lstsq(design, scores[c], rcond=None)
        for p, v in zip(preds, coef[1:]):
            b[names.index(p), j] = v
    total = np.zeros_like(b)
    power = np.eye(k)
    for _ in range(k):
        power = power @ b
        total += power
    t = names.index(construct)
    drivers = [c for c in spec.order() if c != construct and total[names.index(c), t] != 0]
    if not drivers:
        raise CRMInputError(f"Construct {construct!r} has no predecessors in the model; an IPMA needs a target "
                            "construct with at least one driver.")
    cons = pd.DataFrame({"construct": drivers,
                         "importance": [float(total[names.index(c), t]) for c in drivers],
                         "performance": [float(scores[c].mean()) for c in drivers]})
    ind = pd.DataFrame(rows)
    ind = ind[ind["construct"].isin(drivers)].reset_index(drop=True)
    imp = dict(zip(cons["construct"], cons["importance"]))
    ind.insert(3, "importance", ind["rescaled_weight"] * ind["construct"].map(imp))
    return IPMAResult(target=construct, scale=rng, constructs=cons, indicators=ind,
                      target_performance=float(scores[construct].mean()))
