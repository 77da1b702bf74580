"""Persian figures of notebook 13 (fa/13_churn_and_campaigns): plot(lang="fa") of the churn and campaign results.

Each plot method draws Persian titles, axis labels and legends with Persian digits on the
axes when ``lang="fa"``, keeps its English texts for ``lang="en"`` and refuses other languages.
"""

import unicodedata

import matplotlib
import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.core.errors import CRMInputError

matplotlib.use("Agg")

PERSIAN_DIGITS = set("۰۱۲۳۴۵۶۷۸۹")


def _persian_letters(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" and unicodedata.category(c) == "Lo" for c in text)


def _texts(ax) -> list[str]:
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
    return texts


def _tick_texts(ax) -> list[str]:
    ax.figure.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]


def _assert_persian(ax, *, labels=("title", "xlabel")):
    title, xlabel, ylabel = ax.get_title(), ax.get_xlabel(), ax.get_ylabel()
    parts = {"title": title, "xlabel": xlabel, "ylabel": ylabel}
    for name in labels:
        assert _persian_letters(parts[name]), f"{name} not Persian: {parts[name]!r}"
    legend = ax.get_legend()
    if legend is not None:
        assert any(_persian_letters(t.get_text()) for t in legend.get_texts())
    ticks = _tick_texts(ax)
    assert any(set(t) & PERSIAN_DIGITS for t in ticks), ticks
    assert not any(c.isascii() and c.isdigit() for t in ticks for c in t), ticks


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def churn_result():
    rng = np.random.default_rng(13)
    n = 300
    data = pd.DataFrame({"recency": rng.exponential(100, n), "frequency": rng.poisson(3, n),
                         "complaints": rng.poisson(0.5, n)})
    logit = -1.0 + 0.012 * data["recency"] - 0.3 * data["frequency"] + 0.4 * data["complaints"]
    data["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return crm.churn_model(data, ["recency", "frequency", "complaints"], seed=2001, cv=3)


@pytest.fixture(scope="module")
def campaign_result():
    return crm.campaign_test(6, 120, 50.0, 900.0)


@pytest.fixture(scope="module")
def negative_result():
    reasons = ["fit"] * 30 + ["price"] * 20 + ["timing"] * 10 + ["channel"] * 5 + [None] * 15
    segments = (["value_seekers", "loyalists"] * 40)[: len(reasons)]
    return crm.negative_responses(pd.DataFrame({"refusal_reason": reasons, "segment": segments}),
                                  "refusal_reason", group_col="segment")


@pytest.fixture(scope="module")
def timing_result():
    rng = np.random.default_rng(4)
    week = np.repeat([1, 2, 3, 4], 60)
    rate = np.array([0.4, 0.25, 0.15, 0.1])[week - 1]
    data = pd.DataFrame({"week": week, "responded": (rng.random(len(week)) < rate).astype(int)})
    return crm.winback_timing(data, "week", "responded", first=1, compare=4)


@pytest.fixture(scope="module")
def uplift_result():
    rng = np.random.default_rng(7)
    n = 400
    x = rng.normal(size=n)
    treated = rng.integers(0, 2, n)
    p = 0.1 + 0.1 * treated * (x > 0)
    data = pd.DataFrame({"x": x, "treated": treated, "responded": (rng.random(n) < p).astype(int)})
    return crm.uplift_model(data, ["x"], "treated", "responded", cv=3, seed=2001)


# ----------------------------------------------------------------------------- churn model


@pytest.mark.parametrize("kind", ["roc", "calibration", "gains", "threshold"])
def test_churn_panels_in_persian(churn_result, kind):
    ax = churn_result.plot(kind=kind, lang="fa")
    _assert_persian(ax, labels=("title", "xlabel") + (("ylabel",) if kind != "threshold" else ()))


def test_churn_all_panels_in_persian(churn_result):
    fig = churn_result.plot(lang="fa")
    assert len(fig.axes) == 4
    for ax in fig.axes:
        _assert_persian(ax)
    assert fig.axes[0].get_title() == "منحنی ROC (خارج از بخش)"
    assert fig.axes[2].get_ylabel() == "سهم یافته‌شده از همهٔ ریزش‌کنندگان"
    auc = churn_result.metrics.set_index("model").loc["logistic", "auc"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"logistic (AUC {crm.core.persian.to_persian_digits(f'{auc:.3f}')})" in legend


def test_churn_plot_in_english_is_unchanged(churn_result):
    fig = churn_result.plot()
    roc, cal, gains, thr = fig.axes
    assert roc.get_title() == "ROC curve (out-of-fold)"
    assert (roc.get_xlabel(), roc.get_ylabel()) == ("false positive rate", "true positive rate")
    assert cal.get_title() == "Calibration (probability deciles)"
    assert gains.get_ylabel() == "share of all churned captured"
    assert thr.get_title() == f"Acting only above a threshold ({churn_result.best_model})"
    assert "no skill" in [t.get_text() for t in roc.get_legend().get_texts()]
    for ax in fig.axes:
        assert not any(_persian_letters(t) for t in _texts(ax))
        assert not any(set(t) & PERSIAN_DIGITS for t in _tick_texts(ax))
    ax = churn_result.plot(kind="gains", lang="en")
    assert ax.get_title() == "Cumulative gains"


# ----------------------------------------------------------------------------- campaigns


def test_campaign_test_plot(campaign_result):
    ax = campaign_result.plot(lang="fa")
    _assert_persian(ax)
    assert ax.get_xlabel() == "نرخ پاسخ"
    en = campaign_result.plot(lang="en")
    assert en.get_title() == f"Decision: {campaign_result.decision}"
    assert en.get_xlabel() == "response rate"
    assert sorted(t.get_text() for t in en.get_legend().get_texts()) == ["break-even rate", "test-cell response rate"]


def test_negative_responses_plot(negative_result):
    ax = negative_result.plot(lang="fa")
    _assert_persian(ax)
    # the reasons are the data's own labels, kept as they are; the chart reads right to left
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fit", "price", "timing", "channel"]
    assert ax.xaxis_inverted()
    en = negative_result.plot(lang="en")
    assert (en.get_title(), en.get_xlabel()) == ("Why offers were refused", "share of refusals")
    assert not en.xaxis_inverted()


def test_winback_timing_plot(timing_result):
    ax = timing_result.plot(lang="fa")
    _assert_persian(ax, labels=("title", "xlabel", "ylabel"))
    assert "هفته" in ax.get_xlabel()
    en = timing_result.plot(lang="en")
    assert (en.get_title(), en.get_xlabel(), en.get_ylabel()) == (
        "Win-back success falls with delay", "week of contact after defection", "share won back")


def test_uplift_plot(uplift_result):
    ax = uplift_result.plot(lang="fa")
    _assert_persian(ax, labels=("title", "xlabel", "ylabel"))
    en = uplift_result.plot(lang="en")
    assert (en.get_title(), en.get_ylabel()) == ("Qini curve", "incremental responders")
    assert f"uplift model (area {uplift_result.qini_area:.1f})" in [t.get_text() for t in en.get_legend().get_texts()]


# ----------------------------------------------------------------------------- bad language


@pytest.mark.parametrize("name", ["churn_result", "campaign_result", "negative_result", "timing_result",
                                  "uplift_result"])
def test_unknown_language_is_refused(request, name):
    result = request.getfixturevalue(name)
    with pytest.raises(CRMInputError, match="lang"):
        result.plot(lang="xx")


def test_unknown_language_is_refused_for_one_churn_panel(churn_result):
    with pytest.raises(CRMInputError, match="lang"):
        churn_result.plot(kind="roc", lang="xx")
