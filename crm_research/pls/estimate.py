"""PLS-SEM estimation with the SmartPLS workflow, on the seminr engine.

The PLS algorithm itself (Lohmoeller's iterative scheme, the inner weighting
schemes, PLSc, PLSpredict) is the Python ``seminr`` package (GPL-3.0), a port
of R seminr that reproduces SmartPLS on the ECSI model.  This module gives it
the toolkit's interface: the lavaan-style model syntax shared with
:func:`crm_research.sem`, validation with :class:`CRMInputError`, the
missing-data policy, a seeded parallel bootstrap, and one :class:`PLSResult`
holding every table a thesis reports.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.resampling import bc_interval, bca_interval, percentile_interval
from crm_research.core.results import Result
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_ci,
    check_columns,
    check_dataframe,
    check_int,
    check_numeric_columns,
    check_seed,
)
from crm_research.pls.bootstrap import BootDraws, run_bootstrap, run_jackknife
from crm_research.pls.fit import PLSFitTest, pls_fit_test
from crm_research.pls.predict import PLSPredictResult, pls_predict
from crm_research.pls.specify import PLSSpec, parse_pls_model

__all__ = ["pls_sem", "PLSResult"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
BOOT_COLUMNS = ["se", "t", "pvalue", "ci_low", "ci_high"]


def _seminr_model(spec: PLSSpec, consistent: bool, interaction: str = "two_stage"):
    from seminr import composite, constructs, paths, reflective, regression_weights, relationships
    from seminr.specify.constructs import correlation_weights, higher_composite
    from seminr.specify.interactions import interaction_method_from_name, interaction_term

    mm = []
    for name, items in spec.constructs.items():
        if spec.modes[name] == "B":
            mm.append(composite(name, items, weights=regression_weights))
        elif consistent and len(items) > 1:
            mm.append(reflective(name, items))
        else:
            mm.append(composite(name, items))
    for name, locs in spec.higher_order.items():
        mm.append(higher_composite(name, locs, method="two_stage",
                                   weights=regression_weights if spec.modes[name] == "B" else correlation_weights))
    for x, m in spec.interactions.values():
        mm.append(interaction_term(x, m, method=interaction_method_from_name(interaction)))
    sm = relationships(*[paths(f, t) for f, t, _ in spec.paths])
    return constructs(*mm), sm


def _check_blocks_not_collinear(clean: pd.DataFrame, spec: PLSSpec, func: str) -> None:
    """Refuse a construct whose items are exact copies or exact linear combinations of each other.

    Their correlation matrix is singular: mode B weights and the indicator VIFs SmartPLS reports do not exist
    (SmartPLS stops with a singular-matrix error).  Checked before estimation so that the message names them.
    """
    for construct, its in spec.constructs.items():
        if len(its) < 2:
            continue
        r = clean[its].corr().to_numpy()
        if not np.isfinite(r).all() or np.linalg.eigvalsh(r).min() > 1e-10:
            continue
        pairs = [f"{its[i]!r} and {its[j]!r}" for i in range(len(its)) for j in range(i + 1, len(its))
                 if abs(r[i, j]) > 1 - 1e-10]
        what = ("items " + "; ".join(pairs) + " are perfectly correlated (|r| = 1)") if pairs else \
            f"items {its} are linearly dependent (one is an exact weighted sum of the others)"
        raise CRMInputError(f"{func}: in construct {construct!r} the {what}, so their correlation matrix is "
                            "singular and the indicator weights and VIFs do not exist. Expected distinct items: "
                            "drop the copy (or the composite column) from the model.")


def _repeated_indicators(spec: PLSSpec) -> PLSSpec:
    """The repeated-indicators form of a higher-order model, as a first-order model.

    Each higher-order construct (HOC) is measured by all items of its lower-order constructs (LOCs), repeated
    under new names ``"item@HOC"``; a reflective HOC (``=~``) points to its LOCs, a formative one (``<~``) is
    pointed to by them (Becker, Klein & Wetzels, 2012; Sarstedt et al., 2019).
    """
    constructs = dict(spec.constructs)
    modes = dict(spec.modes)
    paths = list(spec.paths)
    for hoc, locs in spec.higher_order.items():
        constructs[hoc] = [f"{it}@{hoc}" for loc in locs for it in spec.constructs[loc]]
        for loc in locs:
            paths.append((hoc, loc, None) if spec.modes[hoc] == "A" else (loc, hoc, None))
    return PLSSpec(constructs, modes, paths, spec.definitions, spec.notes, spec.text, dict(spec.interactions), {})


def _embedded_stage2(spec: PLSSpec) -> PLSSpec:
    """Stage 2 of the embedded two-stage approach: each HOC measured by its LOCs' stage-1 scores.

    The LOCs leave the model as constructs and come back as the HOC's indicators (named after them), with the
    HOC's mode: correlation weights for a reflective (``=~``) HOC, regression weights for a formative (``<~``)
    one; every other construct keeps its items and every path stays (Sarstedt, Hair, Cheah, Becker & Ringle,
    2019; Ringle, Sarstedt & Straub, 2012).
    """
    locs = set(spec.lower_order)
    constructs = {c: list(i) for c, i in spec.constructs.items() if c not in locs}
    for hoc, hoc_locs in spec.higher_order.items():
        constructs[hoc] = list(hoc_locs)
    modes = {c: spec.modes[c] for c in constructs}
    return PLSSpec(constructs, modes, list(spec.paths), spec.definitions, spec.notes, spec.text, {}, {})


def _chains(spec: PLSSpec) -> list[list[str]]:
    """Every directed chain of two or more paths (X -> M ... -> Y): the specific indirect effects."""
    succ: dict[str, list[str]] = {}
    for f, t, _ in spec.paths:
        succ.setdefault(f, []).append(t)
    out: list[list[str]] = []

    def walk(chain):
        for nxt in succ.get(chain[-1], []):
            longer = chain + [nxt]
            if len(longer) >= 3:
                out.append(longer)
            walk(longer)

    for start in spec.order():
        walk([start])
    return out


def _boot_stats(est: np.ndarray, draws: np.ndarray, ci: float, jack: np.ndarray | None = None
                ) -> dict[str, np.ndarray]:
    """Bootstrap SE, t, two-sided p, percentile and bias-corrected intervals of each statistic (last axis first).

    The bias-corrected limits are SmartPLS's "bias-corrected" option, with the one edge rule of
    :mod:`crm_research.core.resampling` (NaN when every resample is on one side of the estimate).
    """
    from scipy.stats import norm

    se = draws.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, est / se, np.nan)
    p = 2 * norm.sf(np.abs(t))
    lo, hi = percentile_interval(draws, ci)
    bc_lo, bc_hi = bc_interval(draws, est, ci)
    out = {"boot_mean": draws.mean(axis=0), "se": se, "t": t, "pvalue": p, "ci_low": lo, "ci_high": hi,
           "bc_low": bc_lo, "bc_high": bc_hi}
    if jack is not None:  # BCa: the acceleration from the leave-one-out values (Efron & Tibshirani, 1993)
        out["bca_low"], out["bca_high"] = bca_interval(draws, est, ci, jackknife_values=jack)
    return out


HTMT_INTERVAL_COLUMNS = ["construct_1", "construct_2", "htmt", "ci_low", "ci_high"]


@dataclass(repr=False, eq=False)
class PLSResult(Result):
    """A fitted PLS-SEM model: every table of the SmartPLS report as a tidy DataFrame.

    Attributes
    ----------
    paths : DataFrame
        ``from, to, label, est`` (the standardized path coefficient), ``f2``,
        ``vif`` (inner VIF of the predictor), and after a bootstrap
        ``boot_mean, se, t, pvalue, ci_low, ci_high, bc_low, bc_high``.
    outer : DataFrame
        ``construct, item, mode, loading, weight, indicator_reliability``
        (loading squared), ``vif`` (outer VIF); with a bootstrap
        ``loading_se, loading_t, loading_pvalue, loading_ci_low,
        loading_ci_high`` and the same five for ``weight_``.
    r2 : DataFrame
        ``construct, r2, r2_adj`` for every endogenous construct.
    reliability : DataFrame
        ``construct, mode, n_items, alpha, rho_a, rho_c, ave``; NaN for
        formative (mode B) constructs, to which internal consistency does not
        apply.
    fornell_larcker : DataFrame
        Square table: sqrt(AVE) on the diagonal, construct correlations below.
    htmt : DataFrame
        Square table of heterotrait-monotrait ratios (Henseler et al., 2015;
        arithmetic means, as SmartPLS); ``htmt_intervals`` holds bootstrap
        percentile intervals per pair after a bootstrap.
    cross_loadings : DataFrame
        Items x constructs correlations.
    inner_vif : DataFrame
        ``predictor, outcome, vif``.
    effects : DataFrame
        ``from, to, direct, indirect, total`` (+ ``total_se, total_pvalue,
        total_ci_low, total_ci_high, indirect_se, indirect_pvalue,
        indirect_ci_low, indirect_ci_high`` after a bootstrap).
    indirect : DataFrame
        Specific indirect effects, one per chain: ``effect`` (``"X->M->Y"``),
        ``from, via, to, est`` (+ bootstrap columns).
    estimates : DataFrame
        lavaan-style table ``lhs, op, rhs, label, est, se, z, pvalue,
        ci_lower, ci_upper, std_all`` (+ ``boot_se, perc_lower, perc_upper,
        bc_lower, bc_upper``), so :func:`crm_research.hypotheses` reads a PLS
        fit as it reads an SEM fit.  Rows: loadings (``=~``), weights of mode B
        constructs (``<~``), paths (``~``), defined parameters and specific
        indirect effects (``:=``).  ``z`` is the bootstrap t value.
    scores : DataFrame
        Standardized construct scores.
    missing : DataFrame
        ``item, n_missing, share``.
    n, iterations, converged, scheme, policy, ci, seed, consistent, constructs
        Sample size used, iterations, convergence, inner weighting scheme,
        missing-data policy (in words), interval level, bootstrap seed, PLSc.
    n_boot : int
        Bootstrap resamples used (0 without a bootstrap).
    boot_draws : BootDraws or None
        The per-resample estimates of the bootstrap.
    htmt_intervals : DataFrame
        ``construct_1, construct_2, htmt, ci_low, ci_high`` (percentile
        intervals; empty without a bootstrap).
    spec, engine_model, chains, defined_draws
        The parsed model, the seminr fit, the indirect chains and the
        bootstrap draws of every defined parameter.
    stage1 : PLSResult or None
        With ``hoc="embedded_two_stage"``: the first-stage (repeated
        indicators) fit whose LOC scores are the HOC's indicators; the LOCs'
        reliability rows of ``reliability`` come from it.
    warnings : list of str
    """

    title: ClassVar[str] = "PLS-SEM (partial least squares path model)"
    spec: PLSSpec
    engine_model: Any
    n: int
    policy: str
    missing: pd.DataFrame
    scheme: str
    ci: float
    seed: int | None
    consistent: bool
    iterations: int
    converged: bool
    constructs: list[str]
    paths: pd.DataFrame
    inner_vif: pd.DataFrame
    r2: pd.DataFrame
    outer: pd.DataFrame
    reliability: pd.DataFrame
    fornell_larcker: pd.DataFrame
    htmt: pd.DataFrame
    cross_loadings: pd.DataFrame
    scores: pd.DataFrame
    effects: pd.DataFrame
    indirect: pd.DataFrame
    chains: list[list[str]]
    estimates: pd.DataFrame
    n_boot: int = 0
    boot_draws: BootDraws | None = None
    htmt_intervals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HTMT_INTERVAL_COLUMNS))
    defined_draws: dict[str, np.ndarray] = field(default_factory=dict)
    ci_type: str = "percentile"
    defined_jack: dict[str, np.ndarray] = field(default_factory=dict)
    interaction: str = "two_stage"
    hoc: str = "two_stage"
    stage1: Any = None

    def __post_init__(self):
        _rule_of_thumb_warnings(self)

    @property
    def boot_ci(self) -> float:
        """Level of the bootstrap intervals (the ``ci`` of the fit)."""
        return self.ci

    def to_frame(self) -> pd.DataFrame:
        """The structural paths table."""
        return self.paths.copy()

    def _summary_tables(self):
        idx = self.paths.assign(path=self.paths["from"] + " -> " + self.paths["to"]).set_index("path")
        cols = [c for c in ["est", "se", "t", "pvalue", "ci_low", "ci_high", "f2", "vif"] if c in idx.columns]
        head = pd.DataFrame({
            "value": [self.n, self.scheme, self.policy, self.iterations, "yes" if self.converged else "NO",
                      self.n_boot]},
            index=["observations", "weighting scheme", "missing data", "iterations", "converged", "bootstrap"])
        tables = [
            ("Model", head.astype(str)),
            ("Structural paths (standardized; SE, t, p and percentile CI from the bootstrap)", idx[cols]),
            ("R-squared", self.r2.set_index("construct")),
            ("Reliability and convergent validity", self.reliability.set_index("construct")),
            ("Outer model", self.outer.set_index(["construct", "item"])[
                ["mode", "loading", "weight", "vif"]]),
            ("HTMT (heterotrait-monotrait ratio)", self.htmt),
            ("Model fit as SmartPLS reports it (SRMR < 0.08 and NFI > 0.90 are CB-SEM conventions; see "
             "model_fit())", self.model_fit()),
        ]
        if len(self.indirect):
            ind = self.indirect.set_index("effect")
            ind = ind[[c for c in ["est", "se", "t", "pvalue", "ci_low", "ci_high"] if c in ind.columns]]
            caption = "Specific indirect effects"
            if len(ind) > 15:  # long chains multiply in big models; the full table is one attribute away
                ind = ind.reindex(ind["est"].abs().sort_values(ascending=False).index[:15])
                caption += f" (the 15 largest of {len(self.indirect)}; all in .indirect)"
            tables.append((caption, ind))
        defs = self.estimates[(self.estimates["op"] == ":=") & (self.estimates["rhs"] != "specific indirect")]
        if len(defs):
            tables.append(("Defined parameters", defs.set_index("lhs")[["rhs", "est", "se", "z", "pvalue",
                                                                         "ci_lower", "ci_upper"]]))
        return tables

    def _summary_notes(self):
        notes = [f"Missing data: {self.policy}."]
        if self.n_boot:
            notes.append(f"Bootstrap: {self.n_boot} resamples (seed {self.seed}); p values two-sided from "
                         "t = estimate / bootstrap SE against the normal distribution; intervals are percentile "
                         f"{self.ci:.0%} intervals" + (" (BCa intervals in the bca_* columns)." if self.ci_type == "bca"
                                                      else "."))
        if self.spec.interactions:
            notes.append(f"Interaction terms {list(self.spec.interactions)} estimated with the {self.interaction} "
                         "approach; the main effects are simple effects at the moderator's mean (see slopes()).")
        if self.hoc == "embedded_two_stage" and self.spec.text:
            notes.append("Higher-order construct(s) estimated with the embedded two-stage approach: stage 1 "
                         "(repeated indicators) gives the lower-order construct scores, stage 2 uses them as the "
                         "higher-order construct's indicators; the bootstrap resamples stage 2 with these scores "
                         "held fixed, as SmartPLS does when the stage-1 scores are added to the data.")
        if self.spec.higher_order:
            notes.append(f"Higher-order construct(s) {list(self.spec.higher_order)} estimated with the {self.hoc} "
                         "approach.")
        return notes + list(self.warnings)

    @positional_options
    def predict(self, *, folds: int = 10, repeats: int = 1, seed: int | None = None) -> PLSPredictResult:
        """PLSpredict: out-of-sample predictive relevance (see :func:`crm_research.pls.predict.pls_predict`)."""
        return pls_predict(self, folds=folds, repeats=repeats, seed=seed)

    def slopes(self, interaction: str | None = None, *, at: tuple[float, ...] = (-1.0, 0.0, 1.0)) -> pd.DataFrame:
        """Simple slopes of a moderation: the effect of X on Y at the moderator M's -1, 0 and +1 SD.

        With standardized construct scores the model ``Y = b_X X + b_M M + b_XM X*M`` gives the slope
        ``b_X + b_XM * m`` at moderator level ``m`` (in SD units) and the intercept ``b_M * m``
        (Aiken & West, 1991; Hair et al., 2022, ch. 7).  After a bootstrap each slope has a percentile
        interval from the same resamples.

        Parameters
        ----------
        interaction : str, optional
            ``"X*M"`` or ``"X:M"``; default: the model's only interaction.
        at : tuple of float, default (-1, 0, 1)
            Moderator levels in standard deviations.

        Returns
        -------
        pandas.DataFrame
            ``interaction, outcome, moderator_sd, intercept, slope`` (+ ``ci_low, ci_high`` after a bootstrap).

        Examples
        --------
        >>> import crm_research as crm
        >>> fit = crm.pls_sem(crm.load_dataset("mobi"), '''
        ...     Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
        ...     Value =~ PERV1 + PERV2
        ...     Satisfaction =~ CUSA1 + CUSA2 + CUSA3
        ...     Satisfaction ~ Image + Value + Image:Value''')
        >>> s = fit.slopes()
        >>> bool(abs(s["slope"].iloc[1] - fit.paths.set_index("from").loc["Image", "est"]) < 1e-12)
        True
        """
        names = list(self.spec.interactions)
        if not names:
            raise CRMInputError("slopes() needs a model with an interaction term such as 'Y ~ X + M + X:M'.")
        if interaction is None:
            if len(names) > 1:
                raise CRMInputError(f"The model has {len(names)} interactions {names}; name one, e.g. "
                                    f"slopes({names[0]!r}).")
            interaction = names[0]
        key = str(interaction).replace(":", "*")
        if key not in self.spec.interactions:
            raise CRMInputError(f"The 'interaction' parameter of slopes must be one of {names}. Got "
                                f"{interaction!r} instead.")
        x, m = self.spec.interactions[key]
        est = self.paths.set_index(["from", "to"])["est"]
        idx = {c: i for i, c in enumerate(self.boot_draws.names or self.constructs)} if self.n_boot else {}
        rows = []
        for y in self.paths.loc[self.paths["from"] == key, "to"]:
            for level in at:
                row = {"interaction": key, "outcome": y, "moderator_sd": float(level),
                       "intercept": float(est[(m, y)] * level), "slope": float(est[(x, y)] + est[(key, y)] * level)}
                if self.n_boot:
                    d = self.boot_draws.paths
                    lo, hi = percentile_interval(d[:, idx[x], idx[y]] + d[:, idx[key], idx[y]] * level, self.ci)
                    row.update({"ci_low": float(lo), "ci_high": float(hi)})
                rows.append(row)
        return pd.DataFrame(rows)

    def formative(self, *, level: float = 0.05) -> pd.DataFrame:
        """Formative indicators: weights with bootstrap significance, loadings, VIF and Hair et al.'s decision.

        See :func:`crm_research.pls.assess.formative_assessment`.
        """
        from crm_research.pls.assess import formative_assessment

        return formative_assessment(self, level=level)

    def redundancy(self, data: pd.DataFrame, construct: str, global_item: str) -> pd.DataFrame:
        """Redundancy analysis of a formative construct with a global item (path >= 0.708).

        See :func:`crm_research.pls.assess.redundancy_analysis`.
        """
        from crm_research.pls.assess import redundancy_analysis

        model = redundancy_analysis(self, data, construct, global_item)
        sub = pls_sem(data, model, scheme=self.scheme, progress=False,
                      missing="listwise" if "listwise" in self.policy else "mean")
        path = float(sub.paths["est"].iloc[0])
        return pd.DataFrame([{"construct": construct, "global_item": global_item, "path": path, "r2": path**2,
                              "convergent": path >= 0.708}])

    def blindfolding(self, omission_distance: int = 7) -> pd.DataFrame:
        """Blindfolding Q² (cross-validated redundancy) of every endogenous construct.

        See :func:`crm_research.pls.assess.blindfolding`; PLSpredict (:meth:`predict`) is the out-of-sample
        assessment Hair et al. (2022) now recommend first.
        """
        from crm_research.pls.assess import blindfolding

        return blindfolding(self, omission_distance)

    def gof(self) -> dict:
        """Tenenhaus et al.'s GoF with its caveat (not a fit index; Henseler & Sarstedt, 2013)."""
        from crm_research.pls.assess import gof

        return gof(self)

    def model_fit(self, *, approach: str = "smartpls") -> pd.DataFrame:
        """SRMR, d_ULS, d_G, Chi² and NFI of the saturated and estimated model, as SmartPLS reports them.

        See :func:`crm_research.pls.fit.model_fit`.
        """
        from crm_research.pls.fit import model_fit

        return model_fit(self, approach=approach)

    def fit_test(self, *, bootstrap: int = 5000, seed: int | None = None, level: float = 0.05,
                 approach: str = "smartpls", n_jobs: int | None = None, progress: bool = True) -> PLSFitTest:
        """Bollen-Stine bootstrap test of exact fit (SRMR, d_ULS, d_G with HI95/HI99), as SmartPLS's bootstrap.

        See :func:`crm_research.pls.fit.pls_fit_test`.
        """
        return pls_fit_test(self, bootstrap=bootstrap, seed=seed, level=level, approach=approach, n_jobs=n_jobs,
                        progress=progress)

    @property
    def srmr(self) -> float:
        """SRMR of the estimated model (SmartPLS's "Model fit", estimated-model column); see :meth:`model_fit`."""
        return float(self.model_fit().loc["SRMR", "estimated"])

    @property
    def nfi(self) -> float:
        """NFI of the estimated model (SmartPLS's "Model fit", estimated-model column); see :meth:`model_fit`."""
        return float(self.model_fit().loc["NFI", "estimated"])

    def conventions(self, *, omission_distance: int | None = 7) -> pd.DataFrame:
        """R² (Chin, 1998; Hair et al., 2011), f² (Cohen, 1988) and blindfolding Q² against their rules of thumb."""
        from crm_research.pls.assess import conventions

        return conventions(self, omission_distance=omission_distance)

    @positional_options
    def plot(self, ax=None, *, show_r2: bool = True, kind: str = "paths", interaction: str | None = None,
             lang: str = "en"):
        """Path diagram (``kind="paths"``) or simple-slope plot of a moderation (``kind="slopes"``).

        The path diagram shows standardized coefficients (significant ones bold); ``lang="fa"`` writes
        its title and labels in Persian.  The slope plot draws the outcome against X at the moderator's
        -1, 0 and +1 SD (:meth:`slopes`).
        """
        kind = check_choice(kind, "kind", ["paths", "slopes"], "PLSResult.plot")
        if kind == "slopes":
            from crm_research.pls.plot import plot_slopes

            return plot_slopes(self, ax=ax, interaction=interaction, lang=lang)
        from crm_research.pls.plot import plot_paths

        return plot_paths(self, ax=ax, show_r2=show_r2, lang=lang)


@positional_options
def pls_sem(data, model, *, bootstrap: int = 0, seed: int | None = None, scheme: str = "path",
            missing: str = "mean", ci: float = 0.95, consistent: bool = False, max_iter: int = 300,
            n_jobs: int | None = None, progress: bool = True, interaction: str = "two_stage",
            hoc: str = "two_stage", ci_type: str = "percentile") -> PLSResult:
    """Estimate a PLS-SEM model (the SmartPLS workflow) from lavaan-style syntax.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; the items are columns (numbers; text with
        Persian digits is read as numbers).  Not modified.
    model : str
        The model in the syntax the SEM layer reads: ``C =~ x1 + x2``
        (construct with correlation weights, mode A, the "reflective" setting
        of SmartPLS), ``C <~ x1 + x2`` (regression weights, mode B,
        formative), ``Y ~ a*X + Z`` (paths, optional labels) and
        ``name := a*b`` (defined parameters).  ``~~`` lines are ignored with a
        warning.
    bootstrap : int, default 0
        Number of bootstrap resamples (Hair et al. recommend 5,000 for final
        results, SmartPLS 4's default is 5,000); 0 for none.
    seed : int, optional
        Seed of the resampling (the result is reproducible and independent of
        the number of processes).
    scheme : {"path", "factorial"}, default "path"
        Inner weighting scheme; "path" is SmartPLS's default.
    missing : {"mean", "listwise"}, default "mean"
        Missing answers: replaced by the item mean (SmartPLS's default and
        seminr's ``mean_replacement``), or whole respondents dropped.  The
        policy and the count per item are reported in ``missing``.  With
        mean replacement each bootstrap resample is mean-replaced afresh from
        its own answers (as seminr does), so the imputation's uncertainty is
        part of the bootstrap.
    ci : float, default 0.95
        Level of the bootstrap intervals.
    consistent : bool, default False
        Apply consistent PLS (PLSc, Dijkstra & Henseler 2015) to the
        ``=~`` constructs with two or more items.
    max_iter : int, default 300
        Iteration limit; the stopping rule is a change in the weights below
        1e-7 (as SmartPLS).  Not converging within the limit adds a warning.
    n_jobs : int, optional
        Processes for the bootstrap (default: up to 2).
    progress : bool, default True
        Show a progress bar during the bootstrap.
    interaction : {"two_stage", "product_indicator", "orthogonal"}, default "two_stage"
        How an interaction term ``X:M`` is measured (Henseler & Chin, 2010):
        "two_stage" (SmartPLS 4's default) multiplies the construct scores of
        a first-stage model without the interaction; "product_indicator"
        measures it by all products of the standardized items of ``X`` and
        ``M``; "orthogonal" by those products residualized on the items
        (Little, Bovaird & Widaman, 2006).  The interaction construct is
        named ``"X*M"`` in the tables (``"X:M"`` in ``estimates``).
    hoc : {"two_stage", "disjoint_two_stage", "embedded_two_stage", "repeated_indicators"}, default "two_stage"
        How a higher-order construct ``HOC =~ LOC1 + LOC2`` is estimated:
        "two_stage" (alias "disjoint_two_stage": the disjoint two-stage
        approach, as R seminr: a first model with the HOC replaced by its
        LOCs, linked directly to the HOC's antecedents and outcomes, gives the
        LOC scores that become the HOC's indicators in the second stage; the
        bootstrap re-runs both stages), "embedded_two_stage" (the first stage
        is the repeated-indicators model, whose LOC scores become the HOC's
        indicators in the second stage; the bootstrap resamples the second
        stage with those scores fixed, as a SmartPLS user who adds them to
        the data does) or "repeated_indicators" (the HOC is measured by all
        its LOCs' items repeated as ``"item@HOC"``; a reflective HOC points
        to its LOCs, a formative one is pointed to by them).  The two-stage
        fits report the HOC's measurement model with its LOCs as indicators
        (``outer``, ``reliability``, ``htmt``; for a formative HOC
        :meth:`PLSResult.formative`).  Sarstedt, Hair, Cheah, Becker &
        Ringle (2019); Becker, Klein & Wetzels (2012).
    ci_type : {"percentile", "bca"}, default "percentile"
        "bca" adds bias-corrected and accelerated intervals (Efron &
        Tibshirani, 1993; SmartPLS's "BCa") beside the percentile ones:
        columns ``bca_low, bca_high`` in ``paths``, ``outer``, ``effects``,
        ``indirect`` and ``bca_lower, bca_upper`` in ``estimates``.  The
        acceleration needs the jackknife (``n`` further estimations).
        Percentile intervals stay in ``ci_low, ci_high`` either way.

    Returns
    -------
    PLSResult
        See :class:`PLSResult` for the tables.

    Raises
    ------
    CRMInputError
        Syntax errors, a construct with no items, an item in two constructs, a
        path naming an undefined construct, a formative construct with one
        item, a construct in no path, a feedback loop, a missing or non-numeric
        or constant (zero-variance) item.

    Notes
    -----
    Standardized items :math:`x` form construct scores :math:`\\hat\\eta_j =
    \\sum_k w_{kj} x_k`.  The algorithm alternates (Lohmoeller, 1989) between
    inner proxies :math:`\\tilde\\eta_j = \\sum_i e_{ji}\\hat\\eta_i` (path
    scheme: :math:`e_{ji}` is the regression coefficient of :math:`\\hat\\eta_j`
    on its predictors when :math:`i` predicts :math:`j`, the correlation when
    :math:`i` is predicted by :math:`j`) and outer weights: mode A
    :math:`w_{kj} = \\mathrm{cor}(x_k, \\tilde\\eta_j)`, mode B the regression
    of :math:`\\tilde\\eta_j` on its items.  Paths are OLS on the final scores.
    Assessment: :math:`\\rho_C = (\\sum\\lambda)^2 / ((\\sum\\lambda)^2 +
    \\sum(1-\\lambda^2))`, AVE :math:`= \\overline{\\lambda^2}`, :math:`\\rho_A`
    of Dijkstra & Henseler (2015), :math:`f^2 = (R^2_{incl} - R^2_{excl}) /
    (1 - R^2_{incl})`, adjusted :math:`R^2 = 1 - (1-R^2)(n-1)/(n-k-1)`.
    Guidelines (Hair et al., 2022): loadings >= 0.708, AVE >= 0.5, rho_C
    and rho_A between 0.7 and 0.95, HTMT < 0.85 (0.90 for similar
    constructs), VIF < 3 (5 at most); f2 of 0.02/0.15/0.35 small/medium/large.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A Primer on
    Partial Least Squares Structural Equation Modeling (PLS-SEM)* (3rd ed.). Sage.

    Hair, J. F., Hult, G. T. M., Ringle, C. M., Sarstedt, M., Danks, N. P., & Ray, S.
    (2021). *Partial Least Squares Structural Equation Modeling (PLS-SEM) Using R*.
    Springer.

    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
    modeling. *MIS Quarterly*, 39(2), 297-316.

    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. *Journal of
    the Academy of Marketing Science*, 43(1), 115-135.

    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path
    modeling. *Computational Statistics & Data Analysis*, 48(1), 159-205.

    Examples
    --------
    >>> import crm_research as crm
    >>> mobi = crm.load_dataset("mobi")
    >>> fit = crm.pls_sem(mobi, '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ...     Expectation =~ CUEX1 + CUEX2 + CUEX3
    ...     Expectation ~ Image''')
    >>> round(float(fit.paths["est"].iloc[0]), 4)
    0.513

    With a bootstrap (5,000 resamples for final results; a few hundred here):

    >>> fit = crm.pls_sem(mobi, '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
    ...     Expectation =~ CUEX1 + CUEX2 + CUEX3
    ...     Expectation ~ Image''', bootstrap=200, seed=1, n_jobs=1, progress=False)
    >>> fit.n_boot, bool(fit.paths["ci_low"].iloc[0] < 0.513 < fit.paths["ci_high"].iloc[0])
    (200, True)
    """
    func = "pls_sem"
    data = check_dataframe(data, "data", func, min_rows=3)
    spec = parse_pls_model(model)
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    seed = check_seed(seed, func)
    scheme = check_choice(scheme, "scheme", ["path", "factorial"], func)
    missing = check_choice(missing, "missing", ["mean", "listwise"], func)
    ci = check_ci(ci, func)
    consistent = check_bool(consistent, "consistent", func)
    max_iter = check_int(max_iter, "max_iter", func, min_value=1)
    progress = check_bool(progress, "progress", func)
    if n_jobs is not None:
        n_jobs = check_int(n_jobs, "n_jobs", func, min_value=1)
    interaction = check_choice(interaction, "interaction", ["two_stage", "product_indicator", "orthogonal"], func)
    hoc = check_choice(hoc, "hoc", ["two_stage", "disjoint_two_stage", "embedded_two_stage", "repeated_indicators"],
                       func)
    if hoc == "disjoint_two_stage":  # the explicit name of the default
        hoc = "two_stage"
    ci_type = check_choice(ci_type, "ci_type", ["percentile", "bca"], func)
    if spec.interactions and consistent:
        raise CRMInputError("consistent=True with an interaction term is not supported; estimate the moderation "
                            "with consistent=False (SmartPLS 4's default PLS algorithm).")
    if spec.higher_order and consistent:
        raise CRMInputError("consistent=True with a higher-order construct is not supported; use consistent=False.")
    if spec.higher_order and spec.interactions and hoc in ("repeated_indicators", "embedded_two_stage"):
        raise CRMInputError(f"hoc={hoc!r} with an interaction term is not supported; use hoc='two_stage'.")
    if 0 < bootstrap < 20:
        raise CRMInputError(f"The 'bootstrap' parameter of pls_sem must be 0 or at least 20 resamples (5000 for "
                            f"final results). Got {bootstrap} instead.")

    items = spec.items
    # an item of the model missing from the data is an error in 'model' (pls_sem has no 'columns')
    absent = [c for c in spec.constructs if not any(i in data.columns for i in spec.constructs[c])]
    if absent and len(absent) == len(spec.constructs):
        pass  # nothing of the model is in the data: check_columns says so
    elif absent and all(len(spec.constructs[c]) > 1 for c in absent):
        raise CRMInputError(
            f"None of the indicators of {', '.join(map(repr, absent))} is a column of 'data'; if "
            f"{'it is a higher-order construct, its' if len(absent) == 1 else 'they are higher-order constructs, their'}"
            f" lower-order constructs {[i for c in absent for i in spec.constructs[c]]} must be defined in the model "
            "with their own items.")
    check_columns(data, items, name="model", func=func)
    clean = check_numeric_columns(data, items, name="data", func=func, allow_constant=False)
    counts = clean.isna().sum()
    miss = pd.DataFrame({"item": items, "n_missing": counts.to_numpy().astype(int),
                         "share": (counts / len(clean)).to_numpy()})
    n_total = len(clean)
    if missing == "listwise":
        clean = clean.dropna()
        policy = f"listwise deletion ({n_total - len(clean)} of {n_total} respondents dropped)"
        if len(clean) < 3:
            raise CRMInputError(f"Listwise deletion leaves {len(clean)} respondents; use missing='mean' or "
                                "fewer items.")
        const = [c for c in items if clean[c].nunique() < 2]
        if const:
            raise CRMInputError(f"After listwise deletion item(s) {const} are constant; they carry no information.")
    else:
        n_cells = int(counts.sum())
        policy = ("mean replacement (SmartPLS default): " + (f"{n_cells} missing answer(s) replaced by the item "
                  "mean" if n_cells else "no missing answers"))

    _check_blocks_not_collinear(clean, spec, func)

    from seminr import estimate_pls, mean_replacement, na_omit, path_factorial, path_weighting

    engine_spec = spec
    stage1, spec_hoc_locs = None, []
    values = clean[items].to_numpy(dtype=float)
    if spec.higher_order and hoc == "repeated_indicators":
        engine_spec = _repeated_indicators(spec)
        repeated = [i for h in spec.higher_order for i in engine_spec.constructs[h]]
        values = np.column_stack([values] + [clean[i.split("@")[0]].to_numpy(dtype=float) for i in repeated])
        items = items + repeated
    elif spec.higher_order and hoc == "embedded_two_stage":
        # stage 1: repeated indicators; stage 2: the LOC scores of stage 1 are the HOC's indicators
        stage1 = pls_sem(data, model, scheme=scheme, missing=missing, max_iter=max_iter, progress=False,
                         hoc="repeated_indicators")
        engine_spec = _embedded_stage2(spec)
        spec_hoc_locs = list(spec.lower_order)
        locs = spec.lower_order
        kept = [i for i in items if i in engine_spec.items]
        values = np.column_stack([clean[kept].to_numpy(dtype=float),
                                  stage1.scores.loc[clean.index, locs].to_numpy(dtype=float)])
        items = kept + locs
    mm, sm = _seminr_model(engine_spec, consistent, interaction)
    dataset = (tuple(items), values)
    try:
        fit = estimate_pls(dataset, mm, sm, inner_weights=path_weighting if scheme == "path" else path_factorial,
                           missing=mean_replacement if missing == "mean" else na_omit, max_it=max_iter)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise CRMInputError(f"PLS estimation failed: {exc}. Check for items that are exact copies or linear "
                            "combinations of each other (singular correlation matrix).") from exc

    # the tables are gathered here, then declared as one PLSResult
    res = SimpleNamespace(spec=spec, engine_model=fit, n=len(clean), policy=policy, missing=miss, scheme=scheme,
                          ci=ci, seed=seed, consistent=consistent, iterations=int(fit.iterations),
                          ci_type=ci_type, interaction=interaction, hoc=hoc,
                          converged=bool(fit.weight_diff < 1e-7), warnings=[])
    if not res.converged:
        msg = (f"The PLS algorithm did not converge within max_iter={max_iter} iterations (last change in weights "
               f"{fit.weight_diff:.2g}); the estimates are not trustworthy. Check the model, or raise max_iter.")
        res.warnings.append(msg)
        warnings.warn(msg, CRMConvergenceWarning, stacklevel=2)
    for m_ in fit.warnings:
        if m_.startswith(("All ", "Data rows")):
            continue  # seminr's row report; our 'missing' table says the same
        res.warnings.append(m_)
    res.warnings += spec.notes
    if hoc == "repeated_indicators":
        for h, locs in spec.higher_order.items():
            if spec.modes[h] == "B" and any(t == h for _, t, _ in spec.paths):
                res.warnings.append(
                    f"Formative higher-order construct {h!r} with antecedents, estimated with repeated indicators: "
                    f"its lower-order constructs {locs} explain it almost fully (R² near 1), so the paths into "
                    f"{h!r} are biased towards zero; read their total effects or use hoc='two_stage' (Becker, "
                    "Klein & Wetzels, 2012; Sarstedt et al., 2019).")
    spec = res.spec = engine_spec  # the tables describe the model as estimated
    _fill_tables(res, spec, fit)
    res.scores.index = clean.index  # respondents keep their row labels (listwise deletion drops some)
    res.n_boot = 0
    if bootstrap:
        draws = run_bootstrap(fit, bootstrap, seed, n_jobs=n_jobs, progress=progress)
        if draws.paths.shape[0] < max(20, bootstrap // 2):
            raise CRMInputError(f"Only {draws.paths.shape[0]} of {bootstrap} bootstrap resamples could be "
                                "estimated (constant items in resamples); the data are too small or too "
                                "sparse for a bootstrap.")
        if draws.n_failed:
            res.warnings.append(f"{draws.n_failed} of {bootstrap} bootstrap resamples failed (e.g. an item was "
                                "constant in the resample) and were skipped.")
        if draws.n_unconverged:
            res.warnings.append(f"In {draws.n_unconverged} of {bootstrap} bootstrap resamples the PLS algorithm did "
                                f"not converge within max_iter={max_iter} iterations; their estimates are kept, as "
                                "SmartPLS and seminr do, but treat the intervals with care.")
        res.n_boot = int(draws.paths.shape[0])
        res.boot_draws = draws
        jack = run_jackknife(fit, n_jobs=n_jobs) if ci_type == "bca" else None
        _add_bootstrap(res, spec, fit, draws, ci, jack)
        if jack is not None:
            res.defined_jack = _defined_values(spec, res.constructs, jack.paths)
    res.estimates = _estimates(res, spec)
    if hoc == "embedded_two_stage" and spec_hoc_locs:
        # the LOCs' own measurement models are assessed in stage 1 (Sarstedt et al., 2019)
        res.stage1 = stage1
        loc_rel = stage1.reliability[stage1.reliability["construct"].isin(spec_hoc_locs)]
        res.reliability = pd.concat([loc_rel, res.reliability], ignore_index=True)
    return PLSResult(**vars(res))


def _fill_tables(res: SimpleNamespace, spec: PLSSpec, fit) -> None:
    from seminr.bootstrap import total_effects
    from seminr.evaluate.constructs_in_model import constructs_in_model
    from seminr.evaluate.effects import model_fsquares
    from seminr.evaluate.reliability import reliability_table
    from seminr.evaluate.validity import cross_loadings, fl_criteria_table, htmt, item_vifs, pls_antecedent_vifs

    names = list(fit.constructs)
    res.constructs = names
    mc = constructs_in_model(fit)
    pc = pd.DataFrame(fit.path_coef.values, index=names, columns=names)
    fsq = pd.DataFrame(model_fsquares(fit).values, index=names, columns=names)
    ivif = pls_antecedent_vifs(fit, mc)
    rows = []
    for f, t, lab in spec.paths:
        v = ivif.get(t, {}).get(f, np.nan)
        n_pred = sum(1 for _, t2, _ in spec.paths if t2 == t)
        rows.append({"from": f, "to": t, "label": lab or "", "est": float(pc.loc[f, t]),
                     "f2": float(fsq.loc[f, t]), "vif": 1.0 if n_pred == 1 else float(v)})
    res.paths = pd.DataFrame(rows)
    _fill_f2(res.paths, pd.DataFrame(fit.construct_scores.values, columns=names))
    res.inner_vif = res.paths[["from", "to", "vif"]].rename(columns={"from": "predictor", "to": "outcome"})

    r2 = fit.r_squared
    res.r2 = pd.DataFrame({"construct": list(r2.cols), "r2": r2.values[0], "r2_adj": r2.values[1]})

    lo = pd.DataFrame(fit.outer_loadings.values, index=fit.outer_loadings.rows, columns=list(fit.outer_loadings.cols))
    we = pd.DataFrame(fit.outer_weights.values, index=fit.outer_weights.rows, columns=list(fit.outer_weights.cols))
    ovif = item_vifs(fit, mc)
    rows = []
    # higher-order constructs are measured by their lower-order constructs' scores; interaction constructs
    # have no measurement model to assess (their product terms are generated), so they have no rows here
    measured = {**spec.constructs, **spec.higher_order}
    for c, its in measured.items():
        for it in its:
            rows.append({"construct": c, "item": it, "mode": spec.modes.get(c, "A"), "loading": float(lo.loc[it, c]),
                         "weight": float(we.loc[it, c]), "indicator_reliability": float(lo.loc[it, c]) ** 2,
                         "vif": float(ovif.get(c, {}).get(it, 1.0))})
    res.outer = pd.DataFrame(rows)

    rel = reliability_table(fit)
    relf = pd.DataFrame(rel.values, index=rel.rows, columns=["alpha", "rho_a", "rho_c", "ave"])
    rows = []
    for c in list(spec.constructs) + list(spec.higher_order):
        r = relf.loc[c]
        formative = spec.modes[c] == "B"
        rows.append({"construct": c, "mode": spec.modes[c], "n_items": len(measured[c]),
                     **{k: (np.nan if formative else float(r[k])) for k in ["alpha", "rho_a", "rho_c", "ave"]}})
    res.reliability = pd.DataFrame(rows)

    fl = fl_criteria_table(fit, mc)
    res.fornell_larcker = pd.DataFrame(fl.values, index=list(fl.rows), columns=list(fl.cols))
    h = htmt(fit)
    hv = pd.DataFrame(h.values, index=list(h.rows), columns=list(h.cols))
    full = hv.combine_first(hv.T)
    for c in full.index:
        full.loc[c, c] = 1.0
    res.htmt = full.loc[names, names]
    cl = cross_loadings(fit, mc)
    res.cross_loadings = pd.DataFrame(cl.values, index=list(cl.rows), columns=list(cl.cols))
    res.scores = pd.DataFrame(fit.construct_scores.values, columns=names)

    tot = pd.DataFrame(total_effects(fit.path_coef).values, index=names, columns=names)
    rows = []
    for f, t in itertools.permutations(names, 2):
        if tot.loc[f, t] != 0 or pc.loc[f, t] != 0:
            rows.append({"from": f, "to": t, "direct": float(pc.loc[f, t]),
                         "indirect": float(tot.loc[f, t] - pc.loc[f, t]), "total": float(tot.loc[f, t])})
    res.effects = pd.DataFrame(rows, columns=["from", "to", "direct", "indirect", "total"])
    chains = _chains(spec)
    res.chains = chains
    res.indirect = pd.DataFrame(
        [{"effect": "->".join(ch), "from": ch[0], "via": "->".join(ch[1:-1]), "to": ch[-1],
          "est": float(np.prod([pc.loc[a, b] for a, b in zip(ch[:-1], ch[1:])]))} for ch in chains],
        columns=["effect", "from", "via", "to", "est"])


def _f2_of(scores: pd.DataFrame, outcome: str, predictors: list[str], dropped: str) -> float:
    """Cohen's f² of ``dropped`` from two OLS R² on the construct scores: (R²incl - R²excl) / (1 - R²incl)."""
    def r2(cols):
        x = scores[cols].to_numpy()
        y = scores[outcome].to_numpy()
        x = np.column_stack([np.ones(len(x)), x])
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        return 1 - resid.var() / y.var()

    incl = r2(predictors)
    return (incl - r2([p for p in predictors if p != dropped])) / (1 - incl)


def _fill_f2(paths: pd.DataFrame, scores: pd.DataFrame) -> None:
    """f² where seminr leaves it empty: the main effects of a moderation (seminr prints NA there).

    SmartPLS reports f² for every predictor, dropping one predictor at a time and keeping the rest (the
    interaction term included); the same definition is computed here from the construct scores.
    """
    for i in np.flatnonzero(paths["f2"].isna().to_numpy()):
        to, frm = paths.at[i, "to"], paths.at[i, "from"]
        preds = paths.loc[paths["to"] == to, "from"].tolist()
        paths.at[i, "f2"] = _f2_of(scores, to, preds, frm)


def _chain_draws(chains, names, paths_draws):
    idx = {c: i for i, c in enumerate(names)}
    out = np.ones((paths_draws.shape[0], len(chains)))
    for j, ch in enumerate(chains):
        for a, b in zip(ch[:-1], ch[1:]):
            out[:, j] *= paths_draws[:, idx[a], idx[b]]
    return out


def _total_draws(paths_draws):
    k = paths_draws.shape[1]
    tot = np.zeros_like(paths_draws)
    power = np.broadcast_to(np.eye(k), paths_draws.shape).copy()
    for _ in range(k):
        power = power @ paths_draws
        tot += power
    return tot


def _put(df: pd.DataFrame, stats: dict, prefix: str = "", keys=("boot_mean", "se", "t", "pvalue", "ci_low",
                                                                  "ci_high", "bc_low", "bc_high")) -> pd.DataFrame:
    df = df.copy()
    for k in keys:
        df[prefix + k] = stats[k]
    return df


def _add_bootstrap(res: SimpleNamespace, spec: PLSSpec, fit, draws, ci: float, jack=None) -> None:
    names = draws.names or res.constructs  # higher-order models: constructs and lower-order constructs
    idx = {c: i for i, c in enumerate(names)}
    items = draws.items or list(fit.outer_loadings.rows)
    iidx = {it: i for i, it in enumerate(items)}
    bca = ("bca_low", "bca_high") if jack is not None else ()

    def pick(arr_name, sel):  # the same statistic in the jackknife, when BCa is asked for
        return None if jack is None else sel(getattr(jack, arr_name))

    ii = [idx[f] for f in res.paths["from"]], [idx[t] for t in res.paths["to"]]
    res.paths = _put(res.paths, _boot_stats(res.paths["est"].to_numpy(), draws.paths[:, ii[0], ii[1]], ci,
                                            pick("paths", lambda a: a[:, ii[0], ii[1]])),
                     keys=("boot_mean", "se", "t", "pvalue", "ci_low", "ci_high", "bc_low", "bc_high") + bca)

    oi = [iidx[i] for i in res.outer["item"]], [idx[c] for c in res.outer["construct"]]
    for kind, name in (("loading", "loadings"), ("weight", "weights")):
        st = _boot_stats(res.outer[kind].to_numpy(), getattr(draws, name)[:, oi[0], oi[1]], ci,
                         pick(name, lambda a: a[:, oi[0], oi[1]]))
        res.outer = _put(res.outer, st, prefix=f"{kind}_", keys=("se", "t", "pvalue", "ci_low", "ci_high") + bca)

    if len(res.indirect):
        st = _boot_stats(res.indirect["est"].to_numpy(), _chain_draws(res.chains, names, draws.paths), ci,
                         pick("paths", lambda a: _chain_draws(res.chains, names, a)))
        res.indirect = _put(res.indirect, st,
                            keys=("boot_mean", "se", "t", "pvalue", "ci_low", "ci_high", "bc_low", "bc_high") + bca)
    tot = _total_draws(draws.paths)
    jtot = None if jack is None else _total_draws(jack.paths)
    if len(res.effects):
        fi = [idx[f] for f in res.effects["from"]], [idx[t] for t in res.effects["to"]]
        tdraw = tot[:, fi[0], fi[1]]
        ddraw = draws.paths[:, fi[0], fi[1]]
        jt = None if jack is None else jtot[:, fi[0], fi[1]]
        jd = None if jack is None else jack.paths[:, fi[0], fi[1]]
        for kind, est, dr, jk in (("total", res.effects["total"].to_numpy(), tdraw, jt),
                                  ("indirect", res.effects["indirect"].to_numpy(), tdraw - ddraw,
                                   None if jack is None else jt - jd)):
            st = _boot_stats(est, dr, ci, jk)
            res.effects = _put(res.effects, st, prefix=f"{kind}_", keys=("se", "pvalue", "ci_low", "ci_high") + bca)
            if kind == "indirect":  # pairs with no indirect route: nothing to test
                no_route = np.abs(dr).max(axis=0) == 0
                for k in ("se", "pvalue", "ci_low", "ci_high") + bca:
                    res.effects.loc[no_route, f"indirect_{k}"] = np.nan
    # HTMT intervals (Franke & Sarstedt 2019: the upper limit should stay below 1 / 0.85)
    rows = []
    hd = draws.htmt
    for a, b in itertools.combinations(res.constructs, 2):
        i, j = idx[a], idx[b]
        vals = hd[:, i, j] if np.isfinite(hd[:, i, j]).any() else hd[:, j, i]
        if np.isfinite(vals).sum() < 2:
            continue
        lo, hi = percentile_interval(vals, ci)
        rows.append({"construct_1": a, "construct_2": b, "htmt": float(res.htmt.loc[a, b]),
                     "ci_low": float(lo), "ci_high": float(hi)})
    res.htmt_intervals = pd.DataFrame(rows, columns=HTMT_INTERVAL_COLUMNS)
    res.defined_draws = _defined_values(spec, names, draws.paths)


def _defined_values(spec: PLSSpec, names, paths_draws):
    """Each ':=' parameter evaluated on every resample."""
    from crm_research.core.syntax import evaluate_definition

    idx = {c: i for i, c in enumerate(names)}
    out = {}
    for d in spec.definitions:
        vals = np.empty(paths_draws.shape[0])
        for b in range(paths_draws.shape[0]):
            labels = {lab: paths_draws[b, idx[f], idx[t]] for f, t, lab in spec.paths if lab}
            vals[b] = evaluate_definition(d, labels)
        out[d.name] = vals
    return out


def _estimates(res: SimpleNamespace, spec: PLSSpec) -> pd.DataFrame:
    from crm_research.core.syntax import evaluate_definition

    boot = res.n_boot > 0
    rows = []

    def row(lhs, op, rhs, label, est, src=None, prefix=""):
        r = {"lhs": lhs, "op": op, "rhs": rhs, "label": label, "est": est, "std_all": est}
        if boot and src is not None:
            r.update({"se": src[prefix + "se"], "z": src[prefix + "t"], "pvalue": src[prefix + "pvalue"],
                      "ci_lower": src[prefix + "ci_low"], "ci_upper": src[prefix + "ci_high"],
                      "bc_lower": src.get(prefix + "bc_low", np.nan), "bc_upper": src.get(prefix + "bc_high", np.nan)})
            if res.ci_type == "bca":
                r.update({"bca_lower": src.get(prefix + "bca_low", np.nan),
                          "bca_upper": src.get(prefix + "bca_high", np.nan)})
        rows.append(r)

    for _, o in res.outer.iterrows():
        if o["mode"] == "B":
            row(o["construct"], "<~", o["item"], "", o["weight"], o, "weight_")
        else:
            row(o["construct"], "=~", o["item"], "", o["loading"], o, "loading_")
    for _, p in res.paths.iterrows():  # an interaction "X*M" is written "X:M", as lavaan writes it
        rhs = p["from"].replace("*", ":") if p["from"] in spec.interactions else p["from"]
        row(p["to"], "~", rhs, p["label"], p["est"], p)
    labels = {p["label"]: p["est"] for _, p in res.paths.iterrows() if p["label"]}
    for d in spec.definitions:
        est = float(evaluate_definition(d, labels))
        src = None
        if boot:
            jk = res.defined_jack[d.name][:, None] if res.ci_type == "bca" else None
            st = _boot_stats(np.array([est]), res.defined_draws[d.name][:, None], res.ci, jk)
            src = {k: float(v[0]) for k, v in st.items()}
        row(d.name, ":=", d.expression, d.name, est, src)
    for _, r in res.indirect.iterrows():
        row(r["effect"], ":=", "specific indirect", "", r["est"], r)
    est = pd.DataFrame(rows)
    for c in ESTIMATE_COLUMNS:
        if c not in est.columns:
            est[c] = np.nan
    extra = (["bc_lower", "bc_upper"] + (["bca_lower", "bca_upper"] if res.ci_type == "bca" else [])) if boot else []
    est = est[ESTIMATE_COLUMNS + extra]
    if boot:
        est["boot_se"] = est["se"]
        est["perc_lower"], est["perc_upper"] = est["ci_lower"], est["ci_upper"]
    for c in ["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]:
        est[c] = est[c].astype(float)
    return est.reset_index(drop=True)


def _rule_of_thumb_warnings(res: PLSResult) -> None:
    """Flag what Hair et al. (2022) would ask a student to look at; the numbers stay as estimated."""
    bad_vif = res.outer[(res.outer["mode"] == "B") & (res.outer["vif"] >= 5)]
    for _, r in bad_vif.iterrows():
        res.warnings.append(f"Formative item {r['item']!r} of {r['construct']!r} has VIF {r['vif']:.2f} >= 5: "
                            "critical collinearity among formative items (Hair et al., 2022).")
    hv = res.inner_vif[res.inner_vif["vif"] >= 5]
    for _, r in hv.iterrows():
        res.warnings.append(f"Predictors of {r['outcome']!r}: VIF of {r['predictor']!r} is {r['vif']:.2f} >= 5 "
                            "(collinearity in the structural model).")
    for _, r in res.reliability.iterrows():
        if r["mode"] == "A" and r["n_items"] > 1 and not math.isnan(r["ave"]) and r["ave"] < 0.5:
            res.warnings.append(f"AVE of {r['construct']!r} is {r['ave']:.3f} < 0.5 (convergent validity not "
                                "established).")
