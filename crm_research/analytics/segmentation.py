"""Customer segmentation: choose the number of segments honestly, profile them, validate them.

This is the analysis step of Winer's (2001) CRM framework: *cluster analysis*
finds groups of customers, *discriminant analysis* checks that the groups are
really separated by the variables that define them.

* :func:`segment` fits k-means, a Gaussian mixture or Ward's hierarchical
  clustering for every candidate number of segments, reports the usual
  selection indices, chooses k by a rule that is stated in the result, names
  the segments from their profiles and measures stability by the bootstrap.
* :meth:`SegmentationResult.discriminant` (or :func:`discriminant`) validates
  the segments with linear discriminant analysis: cross-validated hit ratio
  against the proportional chance criterion, Wilks' lambda and standardized
  discriminant coefficients.

scikit-learn, scipy and matplotlib are imported inside the functions, so
importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.fastmode import fast_mode
from crm_research.core.resampling import bootstrap_map
from crm_research.core.results import Result
from crm_research.core.validation import (
    check_bool,
    check_choice,
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    check_numeric_columns,
    check_seed,
    examples_of,
    param_error,
)

__all__ = ["segment", "discriminant", "SegmentationResult", "DiscriminantResult"]

METHODS = ("kmeans", "gmm", "ward")
CRITERIA = ("silhouette", "calinski_harabasz", "davies_bouldin", "bic")
# Larger is better for these criteria; smaller is better for the others.
_LARGER_IS_BETTER = {"silhouette": True, "calinski_harabasz": True, "davies_bouldin": False, "bic": False}
# Silhouette needs all pairwise distances (O(n^2)); above this size it is computed
# on a seeded random subsample of this many customers (Rousseeuw's index is a mean,
# so a large subsample estimates it closely).
SILHOUETTE_SAMPLE = 4_000
# Ward's method stores all pairwise distances: n(n-1)/2 doubles (400 MB at 10,000).
WARD_MAX_ROWS = 10_000
# Words used in segment names: feature -> (word when low, word when high).
DEFAULT_FEATURE_WORDS = {
    "recency": ("recent", "lapsed"),
    "recency_days": ("recent", "lapsed"),
    "frequency": ("infrequent", "frequent"),
    "monetary": ("low spenders", "high spenders"),
    "monetary_value": ("low spenders", "high spenders"),
    "tenure": ("new", "long-standing"),
    "tenure_days": ("new", "long-standing"),
}
NAME_THRESHOLD = 0.5  # |z| of a segment mean (in overall SDs) needed before a feature enters its name


def _check_k(k, n: int, func: str) -> list[int]:
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        ks = [int(k)]
    elif isinstance(k, Iterable) and not isinstance(k, (str, bytes)):
        ks = list(k)
    else:
        raise param_error("k", "an int >= 2 or a range/list of ints >= 2, such as range(2, 11)", k, func)
    if not ks:
        raise param_error("k", "a non-empty range/list of ints >= 2", k, func)
    ks = sorted({check_int(v, "k", func, min_value=2) for v in ks})
    # Every segment needs at least two customers for silhouette and LDA to be defined.
    need = 2 * max(ks)
    if n < need:
        raise CRMInputError(
            f"Too few customers for the requested k: k={max(ks)} needs at least {need} customers "
            f"(two per segment), but the data has {n}. Use a smaller k or more data."
        )
    return ks


def _fit_labels(method: str, X: np.ndarray, k: int, seed, n_init: int):
    """Fit one clustering; return (labels, fitted model or centroids, bic)."""
    if method == "kmeans":
        from sklearn.cluster import KMeans

        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
        return model.labels_, model, np.nan
    if method == "gmm":
        from sklearn.mixture import GaussianMixture

        model = GaussianMixture(n_components=k, covariance_type="full", n_init=max(1, n_init // 3),
                                random_state=seed, reg_covar=1e-6).fit(X)
        return model.predict(X), model, float(model.bic(X))
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X)
    centroids = np.vstack([X[labels == j].mean(axis=0) for j in range(k)])
    return labels, centroids, np.nan


def _predict(method: str, model, X: np.ndarray) -> np.ndarray:
    if method == "ward":
        # Ward has no predict(): assign each customer to the nearest centroid of the refitted segments.
        d = ((X[:, None, :] - model[None, :, :]) ** 2).sum(axis=2)
        return d.argmin(axis=1)
    return model.predict(X)


def _relabel_by_size(labels: np.ndarray, k: int) -> np.ndarray:
    """Number segments 1..k from largest to smallest, so results do not depend on arbitrary labels."""
    counts = np.bincount(labels, minlength=k)
    order = np.argsort(-counts, kind="stable")
    mapping = np.empty(k, dtype=int)
    mapping[order] = np.arange(1, k + 1)
    return mapping[labels]


def _max_jaccard(labels: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """For each segment 1..k of ``labels``: the best Jaccard similarity with any group of ``other``.

    Jaccard(A, B) = |A and B| / |A or B| (Hennig 2007 uses it to judge each cluster).
    """
    other = pd.factorize(other)[0]
    table = np.zeros((k, other.max() + 1))
    np.add.at(table, (labels - 1, other), 1)
    union = table.sum(axis=1)[:, None] + table.sum(axis=0)[None, :] - table
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, table / union, 0.0)
    return jac.max(axis=1)


def _segment_names(z: pd.DataFrame, words: Mapping[str, tuple[str, str]]) -> dict[int, str]:
    names = {}
    for seg, row in z.iterrows():
        ranked = row.abs().sort_values(ascending=False, kind="stable")
        parts = []
        for feat in ranked.index[:2]:
            if abs(row[feat]) < NAME_THRESHOLD:
                break
            low, high = words.get(feat, (f"low {feat}", f"high {feat}"))
            parts.append(high if row[feat] > 0 else low)
        names[seg] = ", ".join(parts) if parts else "average"
    # Two segments can earn the same words; number the repeats so names stay unique.
    seen: dict[str, int] = {}
    for seg in names:
        base = names[seg]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            names[seg] = f"{base} ({seen[base]})"
    return names


@renamed_arguments(n_boot="bootstrap")
@positional_options
def segment(
    data: pd.DataFrame,
    features,
    *,
    k=range(2, 11),
    method: str = "kmeans",
    scale: bool = True,
    seed: int | None = None,
    criterion: str | None = None,
    min_share: float = 0.05,
    bootstrap: int | None = None,
    n_init: int = 10,
    feature_words: Mapping[str, tuple[str, str]] | None = None,
    n_jobs: int | None = 1,
    progress: bool = False,
) -> SegmentationResult:
    """Segment customers by clustering and choose the number of segments by a stated rule.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (e.g. the output of ``crm.rfm``). Not modified.
    features : list of str
        Numeric columns to cluster on. Missing values are not allowed.
    k : int or iterable of int, default range(2, 11)
        Candidate numbers of segments. The data need at least ``2 * max(k)`` rows.
    method : {"kmeans", "gmm", "ward"}
        k-means (Lloyd, ``n_init`` starts), Gaussian mixture with full covariance
        matrices, or Ward's agglomerative clustering (at most 10,000 customers).
    scale : bool, default True
        Standardize every feature (z-scores) before clustering, so that a feature
        measured in rials does not outweigh one measured in visits.
    seed : int, optional
        Random seed (k-means starts, mixtures, silhouette subsample, bootstrap).
    criterion : {"silhouette", "calinski_harabasz", "davies_bouldin", "bic"}, optional
        Index used to choose k. Default: ``"bic"`` for ``method="gmm"``, otherwise ``"silhouette"``.
    min_share : float, default 0.05
        A k is *admissible* only if every segment holds at least this share of
        customers; a segment of 1% is rarely actionable in marketing.
    bootstrap : int, optional
        Bootstrap replicates for stability. Default 50 (10 in fast mode); 0 skips it.
        (Called ``n_boot`` before 0.2; the old name still works, with a warning.)
    n_init : int, default 10
        Random starts for k-means (a third as many for mixtures).
    feature_words : dict, optional
        ``{feature: (word_if_low, word_if_high)}`` used to name segments; RFM
        columns have defaults (``recency`` -> "recent"/"lapsed", ``frequency`` ->
        "infrequent"/"frequent", ``monetary`` -> "low spenders"/"high spenders").
    n_jobs : int or None, default 1
        Threads the numerical libraries (OpenMP, BLAS) may use while fitting the candidate k,
        and processes for the bootstrap replicates (each single-threaded; the replicates do not
        depend on it). One is the default because k-means and mixtures spin-wait when cores are
        shared: on a busy 2-core machine one thread was 5-40 times faster. ``None`` keeps the
        libraries' default and uses up to two processes.
    progress : bool, default False
        Show a progress bar during the bootstrap.

    Returns
    -------
    SegmentationResult
        ``selection`` (one row per k: ``k``, ``silhouette``, ``calinski_harabasz``,
        ``davies_bouldin``, ``bic`` (GMM only), ``smallest_share``, ``admissible``),
        ``k`` (chosen), ``runner_up``, ``reason`` (the rule, in words),
        ``labels`` (segment 1..k per customer, 1 = largest), ``names``,
        ``profile`` (``segment``, ``name``, ``size``, ``share`` and the mean of every
        feature), ``stability`` (one row per bootstrap replicate: ``replicate``, ``ari``),
        ``segment_stability`` (``segment``, ``name``, ``mean_jaccard``, ``dissolved`` = share of
        replicates with Jaccard below 0.5),
        and the methods ``plot()`` and ``discriminant()``.

    Notes
    -----
    **Selection indices** (scikit-learn): mean silhouette width
    :math:`s = \\operatorname{mean}_i (b_i - a_i)/\\max(a_i, b_i)` (Rousseeuw 1987; larger is
    better; computed on one seeded random subsample of 4,000 customers for larger data, shared by every k; its
    standard error is then about 0.005);
    Calinski-Harabasz :math:`\\frac{\\operatorname{tr}B/(k-1)}{\\operatorname{tr}W/(n-k)}` (larger
    is better); Davies-Bouldin, the mean over segments of the worst ratio of
    within-segment spread to between-centroid distance (smaller is better); for
    mixtures BIC :math:`= -2\\log L + p \\log n` (smaller is better).

    **Rule for k**: among admissible k (every segment at least ``min_share`` of
    customers) take the best value of ``criterion``; the runner-up is the second best
    admissible k. If no k is admissible, the best k overall is taken and a warning says so.

    **Segment names**: each segment mean is expressed in overall standard deviations
    from the overall mean, :math:`z = (\\bar x_{seg} - \\bar x)/s_x`. The (up to) two
    features with the largest :math:`|z|` enter the name if :math:`|z| \\ge 0.5`, as the
    "high" or "low" word for that feature; a segment with no such feature is "average".

    **Stability** (Hennig 2007): draw ``bootstrap`` samples of customers, refit
    the chosen model with the chosen k on each, assign *all* customers with the refitted
    model (nearest centroid for Ward) and compute the adjusted Rand index (Hubert &
    Arabie 1985) with the original labels. Mean ARI above about 0.8 indicates a stable
    solution; below about 0.6, segments that the data do not really support. For each
    segment, the best Jaccard similarity :math:`|A \\cap B| / |A \\cup B|` with any refitted
    segment is averaged over replicates (Hennig's cluster-wise stability, here measured on
    all customers): below 0.5 the segment "dissolved" in that replicate; a mean above
    about 0.75 marks a stable segment.  The resampling is :mod:`crm_research.core.resampling`'s
    (each replicate's refit gets its own seed from ``numpy.random.SeedSequence``); a replicate
    whose refit fails is counted in a warning.

    References
    ----------
    Winer, R. S. (2001). A framework for customer relationship management.
    *California Management Review*, 43(4), 89-105.

    Rousseeuw, P. J. (1987). Silhouettes. *Journal of Computational and Applied
    Mathematics*, 20, 53-65.

    Calinski, T., & Harabasz, J. (1974). A dendrite method for cluster analysis.
    *Communications in Statistics*, 3(1), 1-27.

    Davies, D. L., & Bouldin, D. W. (1979). A cluster separation measure. *IEEE
    Transactions on Pattern Analysis and Machine Intelligence*, 1(2), 224-227.

    Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational
    Statistics & Data Analysis*, 52(1), 258-271.

    Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of
    Classification*, 2, 193-218.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame(np.vstack([rng.normal(m, 1, (100, 2)) for m in (0, 6, 12)]), columns=["a", "b"])
    >>> res = segment(df, ["a", "b"], k=range(2, 6), seed=1, bootstrap=5)
    >>> res.k
    3
    """
    func = "segment"
    data = check_dataframe(data, func=func)
    features = check_columns(data, features, name="features", func=func)
    X_df = check_numeric_columns(data, features, func=func, allow_missing=False, allow_constant=False)
    n = len(X_df)
    ks = _check_k(k, n, func)
    method = check_choice(method, "method", METHODS, func)
    scale = check_bool(scale, "scale", func)
    seed = check_seed(seed, func)
    if criterion is None:
        criterion = "bic" if method == "gmm" else "silhouette"
    criterion = check_choice(criterion, "criterion", CRITERIA, func)
    if criterion == "bic" and method != "gmm":
        raise CRMInputError("The 'criterion' parameter of segment can be 'bic' only with method='gmm'.")
    min_share = check_number(min_share, "min_share", func, 0.0, 0.5)
    if bootstrap is None:
        bootstrap = 10 if fast_mode() else 50
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    progress = check_bool(progress, "progress", func)
    n_init = check_int(n_init, "n_init", func, min_value=1)
    if n_jobs is not None:
        n_jobs = check_int(n_jobs, "n_jobs", func, min_value=1)
    if method == "ward" and n > WARD_MAX_ROWS:
        raise CRMInputError(
            f"The 'method' parameter of segment: Ward's method stores all pairwise distances and is limited "
            f"to {WARD_MAX_ROWS:,} customers; the data has {n:,}. Use method='kmeans' or 'gmm', or a sample."
        )
    words = dict(DEFAULT_FEATURE_WORDS)
    if feature_words is not None:
        if not isinstance(feature_words, Mapping):
            raise param_error("feature_words", "a dict {feature: (word_if_low, word_if_high)}", feature_words, func)
        for feat, pair in feature_words.items():
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(w, str) for w in pair)):
                raise param_error(f"feature_words[{feat!r}]", "a pair of strings (word_if_low, word_if_high)",
                                  pair, func)
            words[feat] = tuple(pair)

    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_jobs):
        return _segment(X_df, data.index, features, ks, method, scale, seed, criterion, min_share, bootstrap, n_init,
                        words, n_jobs, progress)


class _StabilityReplicate:
    """One bootstrap replicate of the stability check: refit on the resample, assign every customer.

    Returns the adjusted Rand index with the original labels, then the best Jaccard similarity of
    each segment 1..k.
    """

    def __init__(self, method, X, k, labels0, labels, n_init):
        self.method, self.X, self.k, self.labels0, self.labels, self.n_init = method, X, k, labels0, labels, n_init

    def __call__(self, idx: np.ndarray, seed: int) -> np.ndarray:
        from sklearn.metrics import adjusted_rand_score

        _, model, _ = _fit_labels(self.method, self.X[idx], self.k, seed, self.n_init)
        boot_labels = _predict(self.method, model, self.X)
        return np.r_[adjusted_rand_score(self.labels0, boot_labels), _max_jaccard(self.labels, boot_labels, self.k)]


def _segment(X_df, index, features, ks, method, scale, seed, criterion, min_share, bootstrap, n_init, words,
             n_jobs, progress):
    from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

    n = len(X_df)
    # k-means++ starts, the silhouette sample and the bootstrap draw rows by position, so the same
    # customers in another row order gave (slightly) different segments with the same seed.  Work in a
    # canonical order (rows sorted by their feature values; equal rows are interchangeable) and put
    # the results back in the caller's order at the end.
    perm = np.lexsort(X_df.to_numpy(dtype=float).T[::-1])
    inv = np.argsort(perm)
    given_df, X_df = X_df, X_df.iloc[perm]
    raw = X_df.to_numpy(dtype=float)
    mean, sd = raw.mean(axis=0), raw.std(axis=0)
    X = (raw - mean) / sd if scale else raw
    rng = np.random.default_rng(seed)
    sil_idx = rng.choice(n, SILHOUETTE_SAMPLE, replace=False) if n > SILHOUETTE_SAMPLE else None

    rows, fits = [], {}
    for kk in ks:
        labels, model, bic = _fit_labels(method, X, kk, seed, n_init)
        n_found = len(np.unique(labels))
        if n_found < 2:
            sil = ch = db = np.nan
        elif sil_idx is not None:
            sil = silhouette_score(X[sil_idx], labels[sil_idx]) if len(np.unique(labels[sil_idx])) > 1 else np.nan
            ch, db = calinski_harabasz_score(X, labels), davies_bouldin_score(X, labels)
        else:
            sil = silhouette_score(X, labels)
            ch, db = calinski_harabasz_score(X, labels), davies_bouldin_score(X, labels)
        smallest = np.bincount(labels, minlength=kk).min() / n
        rows.append({"k": kk, "silhouette": sil, "calinski_harabasz": ch, "davies_bouldin": db, "bic": bic,
                     "smallest_share": smallest, "admissible": bool(smallest >= min_share and n_found == kk)})
        fits[kk] = (labels, model)
    selection = pd.DataFrame(rows)
    if method != "gmm":
        selection = selection.drop(columns="bic")

    warnings = []
    larger = _LARGER_IS_BETTER[criterion]
    scores = selection.set_index("k")[criterion].dropna()
    pool = scores[selection.set_index("k")["admissible"].reindex(scores.index)]
    if pool.empty:
        pool = scores
        warnings.append(
            f"No k gives every segment at least {min_share:.0%} of customers; k was chosen by {criterion} alone."
        )
    if pool.empty:
        raise CRMInputError("segment could not compute the selection index for any k; check the features.")
    ranked = pool.sort_values(ascending=not larger, kind="stable")
    chosen = int(ranked.index[0])
    runner_up = int(ranked.index[1]) if len(ranked) > 1 else None
    better = "largest" if larger else "smallest"
    reason = (
        f"k={chosen} has the {better} {criterion.replace('_', '-')} ({ranked.iloc[0]:.3f}) among the k in "
        f"{ks[0]}..{ks[-1]} whose every segment holds at least {min_share:.0%} of customers"
    )
    if runner_up is not None:
        reason += f"; runner-up k={runner_up} ({ranked.iloc[1]:.3f})"
    reason += "."
    if len(ks) == 1:
        reason = f"k={chosen} was fixed by the user."
    selection["chosen"] = selection["k"] == chosen

    labels0, model0 = fits[chosen]
    labels = _relabel_by_size(labels0, chosen)

    # Profile: size and feature means in the original units.
    prof = X_df.groupby(labels).mean()
    prof.index.name = "segment"
    z = (prof - mean) / np.where(sd > 0, sd, 1.0)
    names = _segment_names(z, words)
    counts = pd.Series(labels).value_counts().sort_index()
    profile = pd.DataFrame({"segment": prof.index, "name": [names[s] for s in prof.index],
                            "size": counts.reindex(prof.index).to_numpy(), "share": counts.reindex(prof.index).to_numpy() / n})
    profile = pd.concat([profile.reset_index(drop=True), prof.reset_index(drop=True)], axis=1)

    # Bootstrap stability (Hennig 2007), ARI and per-segment Jaccard measured on all customers.  The
    # resamples continue the stream of the silhouette subsample (the same indices as before 0.2).
    stab = np.empty((0, chosen + 1))
    replicate = np.empty(0, dtype=int)
    if bootstrap:
        boot_inits = max(1, min(n_init, 3))  # fewer starts per replicate: the spread is what we measure
        run = bootstrap_map(_StabilityReplicate(method, X, chosen, labels0, labels, boot_inits), n,
                            bootstrap=bootstrap, seed=rng, child_seeds=True, n_jobs=n_jobs, progress=progress,
                            min_parallel=20, desc="segment stability")
        stab, replicate = run.replicates.reshape(run.n_ok, chosen + 1), np.flatnonzero(run.ok) + 1
        if run.n_failed:
            warnings.append(f"{run.n_failed} of {bootstrap} stability replicates could not be refitted "
                            f"({', '.join(sorted(run.failures))}); the stability uses the other {run.n_ok}.")
    stability = pd.DataFrame({"replicate": replicate, "ari": stab[:, 0]}, columns=["replicate", "ari"])
    jac = stab[:, 1:]
    segment_stability = pd.DataFrame({
        "segment": np.arange(1, chosen + 1), "name": [names[s] for s in range(1, chosen + 1)],
        "mean_jaccard": jac.mean(axis=0) if len(jac) else np.nan,
        "dissolved": (jac < 0.5).mean(axis=0) if len(jac) else np.nan,
    })
    if len(stability) and stability["ari"].mean() < 0.6:
        warnings.append(
            f"Mean bootstrap ARI is {stability['ari'].mean():.2f} (< 0.6): the segments are unstable; "
            "treat them as a convenient summary, not as real groups."
        )

    return SegmentationResult(
        data=given_df, features=features, method=method, scale=scale, criterion=criterion, min_share=min_share,
        selection=selection, k=chosen, runner_up=runner_up, reason=reason,
        labels=pd.Series(labels[inv], index=index, name="segment"), names=names, profile=profile,
        stability=stability, segment_stability=segment_stability, X=X[inv], seed=seed, warnings=warnings,
    )


@dataclass(repr=False, eq=False)
class SegmentationResult(Result):
    """What :func:`segment` returns: the selection table, the chosen k, labels, profile and stability.

    ``X`` holds the features as clustered (standardized when ``scale``), in the data's row order.
    """

    title: ClassVar[str] = "Customer segmentation"
    data: pd.DataFrame
    features: list[str]
    method: str
    scale: bool
    criterion: str
    min_share: float
    selection: pd.DataFrame
    k: int
    runner_up: int | None
    reason: str
    labels: pd.Series
    names: dict[int, str]
    profile: pd.DataFrame
    stability: pd.DataFrame
    segment_stability: pd.DataFrame
    X: np.ndarray
    seed: int | None

    @property
    def segment_names(self) -> pd.Series:
        """The descriptive name of every customer's segment (same index as the data)."""
        return self.labels.map(self.names).rename("segment_name")

    def to_frame(self) -> pd.DataFrame:
        """The profile table: one row per segment (``segment``, ``name``, ``size``, ``share``, feature means)."""
        return self.profile.copy()

    def _summary_tables(self):
        tables = [("Selection of k", self.selection.set_index("k")), ("Segment profile (feature means)",
                                                                      self.profile.set_index("segment"))]
        if len(self.stability):
            ari = self.stability["ari"]
            tables.append(("Bootstrap stability (adjusted Rand index)", pd.DataFrame(
                {"bootstrap": [len(ari)], "mean_ari": [ari.mean()], "sd_ari": [ari.std(ddof=1)],
                 "min_ari": [ari.min()]})))
            tables.append(("Stability of each segment (bootstrap Jaccard)", self.segment_stability.set_index("segment")))
        return tables

    def _summary_notes(self):
        scaled = "standardized (z-scores)" if self.scale else "in original units"
        return [f"Method: {self.method}, features {scaled}: {', '.join(self.features)}.",
                f"Chosen k: {self.reason}"] + list(self.warnings)

    @positional_options
    def discriminant(self, *, cv: int | str | None = None, priors: str = "proportional") -> DiscriminantResult:
        """Validate the segments with linear discriminant analysis (see :func:`discriminant`).

        ``cv`` defaults to 10 folds, or fewer when the smallest segment has fewer than 10 customers.
        """
        if cv is None:
            cv = int(min(10, self.profile["size"].min()))
        groups = self.labels.map(lambda s: f"{s}: {self.names[s]}").rename("segment")
        return discriminant(self.data, self.features, groups, cv=cv, seed=self.seed, priors=priors)

    @positional_options
    def plot(self, ax=None, *, kind: str = "all"):
        """Plot the result.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Only for a single panel (``kind`` other than ``"all"``).
        kind : {"all", "selection", "map", "profile"}
            ``"selection"``: the selection index (scaled 0-1) against k, chosen k marked;
            ``"map"``: customers on the first two principal components, coloured by segment;
            ``"profile"``: heatmap of segment means in overall SDs (z); ``"all"``: the three side by side.
        """
        import matplotlib.pyplot as plt

        kind = check_choice(kind, "kind", ("all", "selection", "map", "profile"), "SegmentationResult.plot")
        if kind == "all":
            if ax is not None:
                raise CRMInputError("plot(kind='all') draws three panels and takes no 'ax'; pass kind= for one panel.")
            fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
            for a, kd in zip(axes, ("selection", "map", "profile")):
                self.plot(ax=a, kind=kd)
            fig.tight_layout()
            return fig
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.2))
        if kind == "selection":
            sel = self.selection
            for col in ("silhouette", "calinski_harabasz", "davies_bouldin", "bic"):
                if col not in sel or sel[col].isna().all():
                    continue
                v = sel[col].astype(float)
                span = v.max() - v.min()
                scaled = (v - v.min()) / span if span > 0 else v * 0
                style = "-o" if col == self.criterion else "--."
                better = "higher" if _LARGER_IS_BETTER[col] else "lower"
                ax.plot(sel["k"], scaled, style, label=f"{col} ({better} is better)")
            ax.axvline(self.k, color="grey", lw=1)
            ax.set_xlabel("number of segments k")
            ax.set_ylabel("index, rescaled to 0-1")
            ax.set_title(f"Choosing k (chosen: {self.k})")
            ax.legend(fontsize=8)
        elif kind == "map":
            from sklearn.decomposition import PCA

            X = self.X
            idx = np.arange(len(X))
            if len(X) > 5000:  # a readable scatter; the PCA is still fitted on all customers
                idx = np.random.default_rng(0).choice(len(X), 5000, replace=False)
            pca = PCA(n_components=min(2, X.shape[1])).fit(X)
            pcs = pca.transform(X[idx])
            if pcs.shape[1] == 1:
                pcs = np.column_stack([pcs[:, 0], np.zeros(len(pcs))])
            lab = self.labels.to_numpy()[idx]
            for s in sorted(self.names):
                m = lab == s
                ax.scatter(pcs[m, 0], pcs[m, 1], s=6, alpha=0.5, label=f"{s}: {self.names[s]}")
            ev = pca.explained_variance_ratio_
            ax.set_xlabel(f"PC1 ({ev[0]:.0%} of variance)")
            ax.set_ylabel(f"PC2 ({ev[1]:.0%} of variance)" if len(ev) > 1 else "")
            ax.set_title("Segments on the first two principal components")
            ax.legend(fontsize=7, markerscale=2)
        else:
            prof = self.profile.set_index("segment")[self.features]
            z = (prof - self.data.mean()) / self.data.std(ddof=0)
            lim = max(1.0, float(np.nanmax(np.abs(z.to_numpy()))))
            im = ax.imshow(z.to_numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
            ax.set_xticks(range(len(self.features)), self.features, rotation=30, ha="right")
            ax.set_yticks(range(len(z)), [f"{s}: {self.names[s]}" for s in z.index], fontsize=8)
            for i in range(z.shape[0]):
                for j in range(z.shape[1]):
                    ax.text(j, i, f"{z.iat[i, j]:.1f}", ha="center", va="center", fontsize=8)
            ax.figure.colorbar(im, ax=ax, label="segment mean, in SDs from the overall mean")
            ax.set_title("Segment profiles")
            ax.grid(False)
        return ax


# ----------------------------------------------------------------------------- discriminant analysis


@positional_options
def discriminant(data: pd.DataFrame, features, groups, *, cv: int | str = 10, seed: int | None = None,
                 priors: str = "proportional") -> DiscriminantResult:
    """Linear discriminant analysis that validates a segmentation (Winer's discriminant step).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer. Not modified.
    features : list of str
        Numeric predictor columns (usually the clustering variables).
    groups : str or pandas.Series
        The segment of each customer: a column of ``data`` or a Series aligned with it.
    cv : int or "loo", default 10
        Folds of stratified cross-validation for the hit ratio, or ``"loo"`` for
        leave-one-out (Lachenbruch's U-method).
    seed : int, optional
        Seed of the fold assignment.
    priors : {"proportional", "equal"}
        Prior group probabilities of the classification rule.

    Returns
    -------
    DiscriminantResult
        ``hit_ratio`` (cross-validated share correctly classified), ``chance`` (table of
        ``proportional_chance``, ``maximum_chance``, ``hair_threshold`` = 1.25 x
        proportional chance, ``press_q``, ``press_pvalue``), ``functions`` (one row per
        discriminant function: ``function``, ``eigenvalue``, ``pct_variance``,
        ``canonical_corr``, ``wilks_lambda``, ``chisq``, ``df``, ``pvalue`` for the test of
        this and all later functions), ``wilks_lambda`` (the overall value),
        ``standardized_coef`` and ``structure`` (feature x function), ``univariate``
        (per feature: ``wilks_lambda``, ``F``, ``df1``, ``df2``, ``pvalue``),
        ``classification`` (cross-validated confusion matrix, rows = actual).

    Notes
    -----
    With W the pooled within-group and B the between-group SSCP matrices, the
    discriminant functions solve :math:`B v = \\lambda W v`. Wilks' lambda is
    :math:`\\Lambda = \\det W / \\det(W + B) = \\prod_j 1/(1+\\lambda_j)`; Bartlett's test uses
    :math:`\\chi^2 = -(N - 1 - (p + g)/2)\\ln \\Lambda_m` with :math:`(p-m+1)(g-m)` df for the
    functions m, m+1, .... The canonical correlation is :math:`\\sqrt{\\lambda/(1+\\lambda)}`.
    Raw coefficients are scaled so that each function has pooled within-group
    variance one; standardized coefficients multiply them by the pooled within-group
    SDs (as SPSS reports them); the structure matrix holds pooled within-group
    correlations of the features with the functions.

    The classification rule is scikit-learn's ``LinearDiscriminantAnalysis`` (Bayes rule with
    the pooled covariance; priors fixed at the full-data shares across folds, as in
    ``MASS::lda(CV = TRUE)``). The hit
    ratio is judged against the proportional chance criterion
    :math:`C_{pro} = \\sum_i p_i^2` (Morrison 1969); Hair et al. suggest the hit ratio
    should exceed :math:`1.25\\,C_{pro}`. Press's Q is :math:`(N - nK)^2 / (N(K-1))` with n
    correct classifications, referred to :math:`\\chi^2_1`.

    Because the segments were *made* from these features, a high hit ratio shows
    that the segments are well separated and reproducible, not that they are real
    groups in the population.

    References
    ----------
    Morrison, D. G. (1969). On the interpretation of discriminant analysis. *Journal
    of Marketing Research*, 6(2), 156-163.

    Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019). *Multivariate
    Data Analysis* (8th ed.), ch. 7. Cengage.

    Lachenbruch, P. A. (1967). An almost unbiased method of obtaining confidence
    intervals for the probability of misclassification in discriminant analysis.
    *Biometrics*, 23(4), 639-645.

    Winer, R. S. (2001). A framework for customer relationship management.
    *California Management Review*, 43(4), 89-105.
    """
    func = "discriminant"
    data = check_dataframe(data, func=func)
    features = check_columns(data, features, name="features", func=func)
    X_df = check_numeric_columns(data, features, func=func, allow_missing=False, allow_constant=False)
    if isinstance(groups, str):
        check_columns(data, [groups], name="groups", func=func)
        g = data[groups]
    elif isinstance(groups, pd.Series):
        if not groups.index.equals(data.index):
            raise CRMInputError("The 'groups' parameter of discriminant must be a Series with the same index as 'data'.")
        g = groups
    else:
        raise param_error("groups", "a column name or a pandas Series aligned with data", type(groups).__name__, func)
    if g.isna().any():
        bad = g.index[g.isna()]
        raise CRMInputError(f"'groups' has {len(bad)} missing value(s) (rows {examples_of(bad)}).")
    priors = check_choice(priors, "priors", ("proportional", "equal"), func)
    seed = check_seed(seed, func)
    codes, levels = pd.factorize(g, sort=True)
    K = len(levels)
    N, p = X_df.shape
    counts = np.bincount(codes, minlength=K)
    if K < 2:
        raise CRMInputError("discriminant needs at least two groups; 'groups' has one.")
    if counts.min() < 2:
        small = [levels[i] for i in np.flatnonzero(counts < 2)]
        raise CRMInputError(f"Every group needs at least two customers for discriminant; too small: {small!r}.")
    if isinstance(cv, str):
        if cv.lower() != "loo":
            raise param_error("cv", "an int >= 2 or 'loo'", cv, func)
        cv = "loo"
    else:
        cv = check_int(cv, "cv", func, min_value=2, max_value=int(counts.min()))

    from scipy import linalg, stats
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_predict

    X = X_df.to_numpy(dtype=float)
    grand = X.mean(axis=0)
    means = np.vstack([X[codes == i].mean(axis=0) for i in range(K)])
    centred = X - means[codes]
    W = centred.T @ centred
    D = means - grand
    B = (D * counts[:, None]).T @ D
    try:
        eigval, eigvec = linalg.eigh(B, W)
    except linalg.LinAlgError:
        raise CRMInputError(
            "The features are perfectly collinear within segments (singular within-group matrix); drop a redundant feature."
        ) from None
    order = np.argsort(eigval)[::-1]
    m = min(p, K - 1)
    eigval, eigvec = np.clip(eigval[order][:m], 0, None), eigvec[:, order][:, :m]
    # eigh normalises v'Wv = 1; rescale to unit pooled within-group variance v'(W/(N-K))v = 1.
    raw_coef = eigvec * math.sqrt(N - K)
    # Fix the arbitrary sign: make the largest standardized coefficient of each function positive.
    pooled_sd = np.sqrt(np.diag(W) / (N - K))
    std_coef = raw_coef * pooled_sd[:, None]
    signs = np.sign(std_coef[np.abs(std_coef).argmax(axis=0), range(m)])
    raw_coef, std_coef = raw_coef * signs, std_coef * signs
    Rw = W / np.sqrt(np.outer(np.diag(W), np.diag(W)))
    structure = Rw @ std_coef

    fn_rows = []
    for j in range(m):
        lam_j = float(np.prod(1.0 / (1.0 + eigval[j:])))
        chisq = -(N - 1 - (p + K) / 2) * math.log(lam_j)
        df = (p - j) * (K - 1 - j)
        fn_rows.append({"function": j + 1, "eigenvalue": eigval[j], "pct_variance": eigval[j] / eigval.sum() * 100,
                        "canonical_corr": math.sqrt(eigval[j] / (1 + eigval[j])), "wilks_lambda": lam_j,
                        "chisq": chisq, "df": df, "pvalue": float(stats.chi2.sf(chisq, df))})
    functions = pd.DataFrame(fn_rows)
    fn_names = [f"LD{j + 1}" for j in range(m)]

    uni = []
    for i, col in enumerate(features):
        lam = W[i, i] / (W[i, i] + B[i, i])
        F = (1 - lam) / lam * (N - K) / (K - 1) if lam > 0 else np.inf
        uni.append({"feature": col, "wilks_lambda": lam, "F": F, "df1": K - 1, "df2": N - K,
                    "pvalue": float(stats.f.sf(F, K - 1, N - K))})

    prior_vec = counts / N if priors == "proportional" else np.full(K, 1.0 / K)
    # The "lsqr" solver applies the Bayes rule with the pooled covariance exactly; the default "svd"
    # solver drops directions with small singular values and can flip near-ties (then it disagrees
    # with MASS::lda).
    lda = LinearDiscriminantAnalysis(priors=prior_vec, solver="lsqr")
    splitter = LeaveOneOut() if cv == "loo" else StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    pred = cross_val_predict(lda, X, codes, cv=splitter)
    correct = int((pred == codes).sum())
    hit = correct / N
    share = counts / N
    c_pro = float((share**2).sum())
    press_q = (N - correct * K) ** 2 / (N * (K - 1))
    chance = pd.DataFrame([{
        "hit_ratio": hit, "proportional_chance": c_pro, "maximum_chance": float(share.max()),
        "hair_threshold": 1.25 * c_pro, "exceeds_threshold": bool(hit > 1.25 * c_pro),
        "press_q": press_q, "press_pvalue": float(stats.chi2.sf(press_q, 1)),
    }])
    classification = pd.crosstab(pd.Series(levels[codes], name="actual"), pd.Series(levels[pred], name="predicted"))
    classification = classification.reindex(index=levels, columns=levels, fill_value=0)

    return DiscriminantResult(
        hit_ratio=hit, chance=chance, functions=functions, wilks_lambda=float(np.prod(1.0 / (1.0 + eigval))),
        standardized_coef=pd.DataFrame(std_coef, index=features, columns=fn_names),
        raw_coef=pd.DataFrame(raw_coef, index=features, columns=fn_names),
        structure=pd.DataFrame(structure, index=features, columns=fn_names),
        univariate=pd.DataFrame(uni), classification=classification,
        cv="leave-one-out" if cv == "loo" else f"{cv}-fold stratified",
        scores=pd.DataFrame((X - grand) @ raw_coef, index=data.index, columns=fn_names), groups=pd.Series(
            levels[codes], index=data.index, name="group"),
    )


@dataclass(repr=False, eq=False)
class DiscriminantResult(Result):
    """What :func:`discriminant` returns: hit ratio against chance, Wilks' lambda, coefficients."""

    title: ClassVar[str] = "Discriminant analysis of the segments"
    hit_ratio: float
    chance: pd.DataFrame
    functions: pd.DataFrame
    wilks_lambda: float
    standardized_coef: pd.DataFrame
    raw_coef: pd.DataFrame
    structure: pd.DataFrame
    univariate: pd.DataFrame
    classification: pd.DataFrame
    cv: str
    scores: pd.DataFrame
    groups: pd.Series

    def __post_init__(self):
        row = self.chance.iloc[0]
        if not row["exceeds_threshold"]:
            self.warnings.append(
                f"The hit ratio {self.hit_ratio:.1%} does not exceed 1.25 x the proportional chance criterion "
                f"({row['hair_threshold']:.1%}): the segments are not well separated by these features."
            )

    def to_frame(self) -> pd.DataFrame:
        """The discriminant functions table (eigenvalues, canonical correlations, Wilks' lambda tests)."""
        return self.functions.copy()

    def _summary_tables(self):
        return [
            (f"Classification accuracy ({self.cv} cross-validation)", self.chance),
            ("Discriminant functions", self.functions.set_index("function")),
            ("Standardized discriminant coefficients", self.standardized_coef),
            ("Structure matrix (pooled within-group correlations)", self.structure),
            ("Univariate tests of group differences", self.univariate.set_index("feature")),
            ("Cross-validated classification (rows: actual segment)", self.classification),
        ]

    def plot(self, ax=None):
        """Customers on the first two discriminant functions, coloured by segment."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.5))
        s = self.scores
        y = s.iloc[:, 1] if s.shape[1] > 1 else pd.Series(np.zeros(len(s)), index=s.index)
        for g in pd.unique(self.groups):
            mask = (self.groups == g).to_numpy()
            ax.scatter(s.iloc[:, 0][mask], y[mask], s=6, alpha=0.5, label=str(g))
        ax.set_xlabel("LD1")
        ax.set_ylabel("LD2" if s.shape[1] > 1 else "")
        ax.set_title(f"Discriminant scores (hit ratio {self.hit_ratio:.1%})")
        ax.legend(title="segment", fontsize=8, markerscale=2)
        return ax
