"""crm.segment and crm.discriminant: recovery of known segments, LDA against R and statsmodels."""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_blobs
from sklearn.metrics import adjusted_rand_score

import crm_research as crm
from crm_research.analytics.segmentation import DEFAULT_FEATURE_WORDS
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")

REF = Path(__file__).parent / "reference" / "segmentation"
FEATURES = ["recency", "frequency", "monetary"]


@pytest.fixture(scope="module")
def blobs():
    # four well separated segments of unequal size; recency in days and monetary in money,
    # so the scales differ as in real RFM data
    X, y = make_blobs(n_samples=[240, 160, 120, 80], n_features=3, cluster_std=1.0, random_state=3,
                      center_box=(-8, 8))
    X = X * np.array([30.0, 1.0, 100.0]) + np.array([200.0, 10.0, 1000.0])
    return pd.DataFrame(X, columns=FEATURES), y


@pytest.fixture(scope="module")
def kmeans_result(blobs):
    df, _ = blobs
    return crm.segment(df, FEATURES, k=range(2, 8), seed=0, bootstrap=8)


def test_kmeans_recovers_the_true_segments(blobs, kmeans_result):
    _, y = blobs
    res = kmeans_result
    assert res.k == 4
    assert adjusted_rand_score(y, res.labels) > 0.95
    assert res.runner_up is not None and res.runner_up != 4
    assert "silhouette" in res.reason and "5%" in res.reason and f"runner-up k={res.runner_up}" in res.reason
    sel = res.selection.set_index("k")
    assert sel.loc[4, "silhouette"] == sel.loc[sel["admissible"], "silhouette"].max()
    assert sel["chosen"].sum() == 1 and sel.loc[4, "chosen"]


def test_stability_is_high_for_clear_segments(kmeans_result):
    st = kmeans_result.stability
    assert len(st) == 8 and list(st.columns) == ["replicate", "ari"]
    assert st["ari"].mean() > 0.9


def test_profile_matches_group_means_and_sizes(blobs, kmeans_result):
    df, _ = blobs
    res = kmeans_result
    prof = res.profile.set_index("segment")
    assert prof["size"].sum() == len(df)
    assert list(prof["size"]) == sorted(prof["size"], reverse=True)  # 1 = largest
    np.testing.assert_allclose(prof[FEATURES].to_numpy(), df.groupby(res.labels.to_numpy())[FEATURES].mean().to_numpy())
    np.testing.assert_allclose(prof["share"].sum(), 1.0)
    assert prof["name"].is_unique
    assert res.segment_names.index.equals(df.index)


def test_segment_names_follow_the_stated_rule():
    # segment A: recent, frequent, big spenders; B: lapsed, infrequent; C: average recency, low spend
    rng = np.random.default_rng(0)
    centres = {"A": (10, 12, 900), "B": (300, 2, 500), "C": (150, 6, 100)}
    parts = [pd.DataFrame(rng.normal(c, (5, 0.5, 20), (100, 3)), columns=FEATURES) for c in centres.values()]
    df = pd.concat(parts, ignore_index=True)
    res = crm.segment(df, FEATURES, k=3, seed=1, bootstrap=0)
    names = set(res.names.values())
    # each name holds the two features with the largest |z| >= 0.5, recency in days mapped to recent/lapsed
    z = (res.profile.set_index("name")[FEATURES] - df[FEATURES].mean()) / df[FEATURES].std(ddof=0)
    for name, row in z.iterrows():
        top = row.abs().sort_values(ascending=False).index[:2]
        words = {f: DEFAULT_FEATURE_WORDS[f][int(row[f] > 0)] for f in top if abs(row[f]) >= 0.5}
        assert name == ", ".join(words[f] for f in top if f in words)
    # A: recency z = -1.2, frequency +1.3, monetary +1.2 -> the two largest are frequency and monetary
    assert names == {"lapsed, infrequent", "frequent, high spenders", "low spenders"}
    assert res.reason == "k=3 was fixed by the user."


def test_custom_feature_words():
    df = pd.DataFrame({"x": np.r_[np.zeros(20), np.ones(20) * 10] + np.tile([0.0, 0.1], 20)})
    res = crm.segment(df, ["x"], k=2, seed=0, bootstrap=0, feature_words={"x": ("cold", "hot")})
    assert sorted(res.names.values()) == ["cold", "hot"]


@pytest.mark.parametrize("method", ["gmm", "ward"])
def test_other_methods_recover_k(blobs, method):
    df, y = blobs
    res = crm.segment(df, FEATURES, k=range(2, 7), method=method, seed=0, bootstrap=3)
    assert res.k == 4
    assert adjusted_rand_score(y, res.labels) > 0.95
    if method == "gmm":
        assert res.criterion == "bic"
        sel = res.selection.set_index("k")
        assert sel["bic"].idxmin() == 4
    else:
        assert "bic" not in res.selection


def test_small_segments_are_not_admissible():
    # a 2% outlier group: best silhouette may single it out, but k must give every segment >= 5%
    rng = np.random.default_rng(5)
    big = rng.normal(0, 1, (490, 2))
    tiny = rng.normal(30, 1, (10, 2))
    df = pd.DataFrame(np.vstack([big, tiny]), columns=["a", "b"])
    res = crm.segment(df, ["a", "b"], k=range(2, 5), seed=0, bootstrap=0)
    sel = res.selection.set_index("k")
    assert not sel["admissible"].any()
    assert any("No k gives every segment" in w for w in res.warnings)


def test_input_is_not_modified_and_summary_plot_work(blobs, kmeans_result):
    df, _ = blobs
    before = df.copy()
    res = crm.segment(df, FEATURES, k=[2, 3, 4], seed=0, bootstrap=2)
    pd.testing.assert_frame_equal(df, before)
    text = res.summary().as_text()
    assert "Selection of k" in text and "Chosen k" in text
    assert "<table" in res._repr_html_()
    assert list(res.to_frame().columns[:4]) == ["segment", "name", "size", "share"]
    fig = kmeans_result.plot()
    assert len(fig.axes) >= 3
    ax = kmeans_result.plot(kind="selection")
    assert ax.get_xlabel() == "number of segments k"
    with pytest.raises(CRMInputError, match="kind='all'"):
        kmeans_result.plot(ax=ax)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_seed_makes_results_reproducible(blobs):
    df, _ = blobs
    a = crm.segment(df, FEATURES, k=range(2, 5), seed=7, bootstrap=3)
    b = crm.segment(df, FEATURES, k=range(2, 5), seed=7, bootstrap=3)
    pd.testing.assert_frame_equal(a.selection, b.selection)
    pd.testing.assert_frame_equal(a.stability, b.stability)


def test_stability_does_not_depend_on_processes_and_old_name_warns(blobs):
    df, _ = blobs
    one = crm.segment(df, FEATURES, k=3, seed=5, bootstrap=24)
    two = crm.segment(df, FEATURES, k=3, seed=5, bootstrap=24, n_jobs=2)
    pd.testing.assert_frame_equal(one.stability, two.stability)
    pd.testing.assert_frame_equal(one.segment_stability, two.segment_stability)
    assert list(one.stability["replicate"]) == list(range(1, 25))
    with pytest.warns(FutureWarning, match="'n_boot' is now called 'bootstrap'"):
        old = crm.segment(df, FEATURES, k=3, seed=5, n_boot=24)
    pd.testing.assert_frame_equal(one.stability, old.stability)


# --------------------------------------------------------------------------- bad input


def test_too_few_customers_for_k():
    df = pd.DataFrame({"a": np.arange(15.0), "b": np.arange(15.0) ** 2})
    with pytest.raises(CRMInputError, match=r"Too few customers for the requested k: k=10 needs at least 20 .* has 15"):
        crm.segment(df, ["a", "b"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 1}, r"'k' parameter of segment must be an int in the range \[2, inf\)"),
        ({"k": "3"}, "'k' parameter of segment"),
        ({"method": "dbscan"}, "'method' parameter of segment must be one of"),
        ({"criterion": "bic"}, "'bic' only with method='gmm'"),
        ({"features": ["recency", "frequncy"]}, "Did you mean 'frequency'"),
        ({"min_share": 0.9}, "'min_share' parameter"),
    ],
)
def test_bad_arguments(blobs, kwargs, message):
    df, _ = blobs
    args = {"features": FEATURES, "k": range(2, 4), "bootstrap": 0, **kwargs}
    with pytest.raises(CRMInputError, match=message):
        crm.segment(df, **args)


def test_missing_and_text_values_are_reported(blobs):
    df, _ = blobs
    bad = df.copy()
    bad.loc[[3, 7], "monetary"] = np.nan
    with pytest.raises(CRMInputError, match=r"'monetary' .* 2 missing value\(s\) \(rows 3, 7\)"):
        crm.segment(bad, FEATURES, k=3, bootstrap=0)
    bad = df.astype({"frequency": object})
    bad.loc[5, "frequency"] = "many"
    with pytest.raises(CRMInputError, match="'frequency' .* must be numeric"):
        crm.segment(bad, FEATURES, k=3, bootstrap=0)


def test_ward_refuses_very_large_data():
    df = pd.DataFrame({"a": np.arange(10_001.0), "b": np.arange(10_001.0) % 7})
    with pytest.raises(CRMInputError, match="Ward's method .* limited to 10,000"):
        crm.segment(df, ["a", "b"], k=3, method="ward")


# --------------------------------------------------------------------------- discriminant analysis


@pytest.fixture(scope="module")
def iris():
    data = load_iris(as_frame=True)
    df = data.data.copy()
    df.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    df["species"] = data.target_names[data.target]
    return df


def _same_up_to_sign(a, b, tol):
    a, b = np.asarray(a), np.asarray(b)
    for j in range(a.shape[1]):
        s = np.sign(a[:, j] @ b[:, j])
        np.testing.assert_allclose(a[:, j] * s, b[:, j], atol=tol)


def test_discriminant_matches_r_mass_lda_on_iris(iris):
    feats = list(iris.columns[:4])
    res = crm.discriminant(iris, feats, "species", cv="loo")
    stats = pd.read_csv(REF / "iris_lda_stats.csv").set_index("statistic")["value"]
    # MASS::lda / manova(test = "Wilks") in tests/reference/segmentation_lda.R
    np.testing.assert_allclose(res.functions["eigenvalue"], stats[["eigenvalue1", "eigenvalue2"]], rtol=1e-8)
    np.testing.assert_allclose(res.wilks_lambda, stats["wilks_lambda"], rtol=1e-8)  # R: 0.02343863
    # leave-one-out hit ratio: MASS::lda(CV = TRUE) classifies 98% correctly
    assert res.hit_ratio == pytest.approx(stats["hit_ratio_loo"], abs=1e-12)
    scaling = pd.read_csv(REF / "iris_lda_scaling.csv")[["LD1", "LD2"]]
    _same_up_to_sign(res.raw_coef, scaling, 1e-8)
    std = pd.read_csv(REF / "iris_lda_standardized.csv")[["LD1", "LD2"]]
    _same_up_to_sign(res.standardized_coef, std, 1e-8)


def test_wilks_lambda_equals_statsmodels_manova(iris):
    from statsmodels.multivariate.manova import MANOVA

    feats = list(iris.columns[:4])
    res = crm.discriminant(iris, feats, "species", cv=5, seed=0)
    mv = MANOVA.from_formula(" + ".join(feats) + " ~ C(species)", data=iris).mv_test()
    sm = mv.results["C(species)"]["stat"].loc["Wilks' lambda", "Value"]
    assert res.wilks_lambda == pytest.approx(float(sm), rel=1e-10)
    # the first row of the functions table tests all functions together: same lambda
    assert res.functions["wilks_lambda"].iloc[0] == pytest.approx(float(sm), rel=1e-10)
    # Wilks = prod 1/(1 + eigenvalue); canonical correlation^2 = eig/(1+eig)
    eig = res.functions["eigenvalue"].to_numpy()
    assert np.prod(1 / (1 + eig)) == pytest.approx(res.wilks_lambda)
    np.testing.assert_allclose(res.functions["canonical_corr"] ** 2, eig / (1 + eig))


def _hand_lda_loo(X, g):
    """Leave-one-out LDA by the textbook formula: pooled covariance, priors = group shares of all data.

    Priors stay fixed across the left-out cases, as in MASS::lda(CV = TRUE).
    """
    n = len(X)
    levels = np.unique(g)
    correct = 0
    for i in range(n):
        keep = np.arange(n) != i
        Xt, gt = X[keep], g[keep]
        means = np.array([Xt[gt == c].mean(axis=0) for c in levels])
        resid = Xt - means[np.searchsorted(levels, gt)]
        S = resid.T @ resid / (len(Xt) - len(levels))
        Si = np.linalg.inv(S)
        priors = np.array([(g == c).mean() for c in levels])
        score = [X[i] @ Si @ m - 0.5 * m @ Si @ m + np.log(p) for m, p in zip(means, priors)]
        correct += levels[int(np.argmax(score))] == g[i]
    return correct / n


def test_hit_ratio_chance_criteria_and_press_q_by_hand():
    rng = np.random.default_rng(11)
    # three overlapping groups of unequal size, so the hit ratio is well below 1
    sizes, centres = [50, 30, 20], [(0, 0), (1.2, 0.5), (0.3, 1.5)]
    X = np.vstack([rng.normal(c, 1.0, (s, 2)) for s, c in zip(sizes, centres)])
    g = np.repeat(["a", "b", "c"], sizes)
    df = pd.DataFrame(X, columns=["x1", "x2"]).assign(seg=g)
    res = crm.discriminant(df, ["x1", "x2"], "seg", cv="loo")
    hand = _hand_lda_loo(X, g)
    assert 0.4 < hand < 0.9
    assert res.hit_ratio == pytest.approx(hand, abs=1e-12)
    row = res.chance.iloc[0]
    assert row["proportional_chance"] == pytest.approx(0.5**2 + 0.3**2 + 0.2**2)  # 0.38
    assert row["maximum_chance"] == pytest.approx(0.5)
    assert row["hair_threshold"] == pytest.approx(1.25 * 0.38)
    n_correct = round(hand * 100)
    assert row["press_q"] == pytest.approx((100 - n_correct * 3) ** 2 / (100 * 2))
    assert res.classification.to_numpy().sum() == 100
    assert np.trace(res.classification.to_numpy()) == n_correct


def test_segmentation_result_discriminant_validates_segments(kmeans_result):
    d = kmeans_result.discriminant(cv=5)
    assert d.hit_ratio > 0.95
    assert d.chance["exceeds_threshold"].iloc[0]
    assert list(d.standardized_coef.index) == FEATURES
    assert d.functions.shape[0] == 3  # min(p, k - 1)
    assert "Discriminant functions" in d.summary().as_text()
    import matplotlib.pyplot as plt

    d.plot()
    plt.close("all")


def test_discriminant_bad_input(iris):
    feats = list(iris.columns[:4])
    with pytest.raises(CRMInputError, match="'cv' parameter of discriminant"):
        crm.discriminant(iris, feats, "species", cv="10")
    bad = iris.copy()
    bad.loc[[0, 4], "species"] = None
    with pytest.raises(CRMInputError, match=r"2 missing value\(s\) \(rows 0, 4\)"):
        crm.discriminant(bad, feats, "species")
    with pytest.raises(CRMInputError, match="same index"):
        crm.discriminant(iris, feats, pd.Series(iris["species"].to_numpy()[::-1], index=iris.index[::-1]))


def test_discriminant_reports_collinear_features():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(60, 2)), columns=["a", "b"])
    df["c"] = df["a"] + df["b"]
    df["g"] = np.repeat([1, 2, 3], 20)
    with pytest.raises(CRMInputError, match="perfectly collinear"):
        crm.discriminant(df, ["a", "b", "c"], "g")


def test_max_jaccard_by_hand():
    from crm_research.analytics.segmentation import _max_jaccard

    labels = np.array([1, 1, 1, 2, 2, 2])
    other = np.array([5, 5, 7, 7, 7, 7])
    # segment 1 = {0,1,2}: best match {0,1} -> 2/3 ; segment 2 = {3,4,5}: best match {2,3,4,5} -> 3/4
    np.testing.assert_allclose(_max_jaccard(labels, other, 2), [2 / 3, 3 / 4])


def test_segment_stability_table(kmeans_result):
    st = kmeans_result.segment_stability
    assert list(st.columns) == ["segment", "name", "mean_jaccard", "dissolved"]
    assert len(st) == 4 and (st["mean_jaccard"] > 0.9).all() and (st["dissolved"] == 0).all()
    assert "bootstrap Jaccard" in kmeans_result.summary().as_text()


def test_review_segments_do_not_depend_on_row_order():
    # review: k-means++ starts, the silhouette sample and the bootstrap drew rows by position, so
    # shuffling the same customers changed some labels and the stability table with the same seed
    X, _ = make_blobs(n_samples=600, centers=[[0, 0], [2.2, 0], [1.1, 2.0]], cluster_std=0.9, random_state=5)
    data = pd.DataFrame(X, columns=["x1", "x2"])
    a = crm.segment(data, ["x1", "x2"], k=range(2, 5), seed=2, bootstrap=3)
    shuffled = data.sample(frac=1, random_state=9)
    b = crm.segment(shuffled, ["x1", "x2"], k=range(2, 5), seed=2, bootstrap=3)
    pd.testing.assert_series_equal(b.labels.loc[data.index], a.labels)
    pd.testing.assert_frame_equal(a.selection, b.selection)
    pd.testing.assert_frame_equal(a.stability, b.stability)
    assert list(b.labels.index) == list(shuffled.index)  # labels come back in the caller's order
