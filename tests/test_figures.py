"""Path and measurement diagrams: no label hides another, Persian figures are Persian.

Every text of a diagram is measured as the Agg renderer draws it (``get_window_extent``); two
labels whose boxes overlap fail the test, as does a coefficient label covering a variable's box.
Checked on the bundled study's SEM and PLS models and on lavaan's Political Democracy, the
Holzinger-Swineford CFA, the ECSI (mobi) and corporate-reputation PLS models, in English and Persian.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle  # noqa: E402

import crm_research as crm  # noqa: E402
from crm_research.core.errors import CRMInputError  # noqa: E402
from crm_research.core.plotting import style  # noqa: E402
from crm_research.sem.plot import measurement_diagram, path_diagram  # noqa: E402

PLS_REF = Path(__file__).parent / "reference" / "pls"

STUDY_LABELS = {
    "en": {"OPR": "Operational e-CRM", "ANL": "Analytical e-CRM", "EMP": "Customer empowerment",
           "SAT": "Customer satisfaction", "LOY": "Customer loyalty", "DEL": "Perceived on-time delivery"},
    "fa": {"OPR": "CRM الکترونیکی عملیاتی", "ANL": "CRM الکترونیکی تحلیلی", "EMP": "توانمندسازی مشتری",
           "SAT": "رضایت مشتری", "LOY": "وفاداری مشتری", "DEL": "تحویل به‌موقع ادراک‌شده"},
}
DEMO = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"""
DEMO_LABELS = {"en": {"ind60": "Industrialization 1960", "dem60": "Democracy 1960", "dem65": "Democracy 1965"},
               "fa": {"ind60": "صنعتی‌شدن ۱۹۶۰", "dem60": "دموکراسی ۱۹۶۰", "dem65": "دموکراسی ۱۹۶۵"}}
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def survey():
    return crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))


@pytest.fixture(scope="module")
def study_sem(survey):
    # the study's model with its residual covariance, as the report fits it
    return crm.sem(survey, crm.ecrm_survey_model() + "\nLOY3 ~~ LOY4\n", missing="fiml")


@pytest.fixture(scope="module")
def democracy():
    return crm.sem(crm.load_dataset("political_democracy"), DEMO)


@pytest.fixture(scope="module")
def holzinger():
    return crm.cfa(crm.load_dataset("holzinger1939"), HS)


@pytest.fixture(scope="module")
def pls_models(survey):
    mobi, corp = crm.load_dataset("mobi"), crm.load_dataset("corp_rep")
    return {
        "study": crm.pls_sem(survey, crm.ecrm_survey_model(), progress=False),
        "ecsi": crm.pls_sem(mobi, (PLS_REF / "ecsi.lav").read_text(encoding="utf-8"), progress=False),
        "corp_rep": crm.pls_sem(corp, (PLS_REF / "corp_rep_extended.lav").read_text(encoding="utf-8"),
                                progress=False),
    }


def _collisions(ax) -> list[str]:
    """Pairs of texts whose rendered boxes overlap, and labels that cover a variable's box."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    found = []
    for (t1, b1), (t2, b2) in itertools.combinations(zip(texts, boxes), 2):
        w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if w > 0.5 and h > 0.5:
            found.append(f"{t1.get_text()!r} overlaps {t2.get_text()!r}")
    nodes = [p for p in ax.patches if isinstance(p, (Ellipse, Rectangle)) and not isinstance(p, FancyArrowPatch)]
    node_boxes = [p.get_window_extent(renderer) for p in nodes]
    for t, b in zip(texts, boxes):
        cx, cy = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
        for nb in node_boxes:
            if nb.contains(cx, cy):
                continue  # the node's own name
            w = min(b.x1, nb.x1) - max(b.x0, nb.x0)
            h = min(b.y1, nb.y1) - max(b.y0, nb.y0)
            if w > 0.5 and h > 0.5:
                found.append(f"{t.get_text()!r} covers a variable's box")
    # a PLS construct is a text with an ellipse bbox: a coefficient must not cover it either
    outlines = [t.get_bbox_patch().get_window_extent(renderer) for t in texts
                if t.get_bbox_patch() is not None and "ellipse" in type(t.get_bbox_patch().get_boxstyle()).__name__.lower()]
    for t, b in zip(texts, boxes):
        cx, cy = (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2
        for ob in outlines:
            if ob.contains(cx, cy):
                continue
            w = min(b.x1, ob.x1) - max(b.x0, ob.x0)
            h = min(b.y1, ob.y1) - max(b.y0, ob.y0)
            if w > 0.5 and h > 0.5:
                found.append(f"{t.get_text()!r} covers a construct")
    return found


def _two_headed(arrow) -> bool:
    return type(arrow.get_arrowstyle()).__name__ == "CurveFilledAB"  # "<|-|>": a covariance


def _latin_digits(ax) -> list[str]:
    """Texts with a Latin digit, apart from R², item codes and the p-value legend."""
    out = []
    for t in ax.texts:
        text = t.get_text().replace("R²", "")
        words = [w for w in text.split() if not (w[:1].isascii() and w[:1].isalpha())]  # item codes like OPR1
        if any(ch.isascii() and ch.isdigit() for w in words for ch in w):
            out.append(t.get_text())
    return out


def test_collision_check_catches_an_overlap():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "0.75***")
    ax.text(0.51, 0.5, "0.62**")
    assert _collisions(ax)
    plt.close(fig)


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("model", ["study", "democracy", "holzinger"])
def test_sem_path_diagram_labels_never_collide(model, lang, request):
    fit = request.getfixturevalue({"study": "study_sem"}.get(model, model))
    labels = {"study": STUDY_LABELS, "democracy": DEMO_LABELS}.get(model, {}).get(lang)
    with style(lang):  # the report's size (8 x 6 inches) and the default one
        fig, ax = plt.subplots(figsize=(8, 6))
        path_diagram(fit, ax=ax, lang=lang, labels=labels)
    assert _collisions(ax) == []
    plt.close(fig)
    ax = path_diagram(fit, lang=lang, labels=labels)
    assert _collisions(ax) == []
    if lang == "fa":
        assert _latin_digits(ax) == []
        assert "std_all" not in ax.get_title() and "۰٫۰۵" in ax.get_title()
        if labels:
            shown = " ".join(t.get_text() for t in ax.texts)
            for code, name in labels.items():
                assert name.split()[0] in shown
                assert not any(t.get_text().split("\n")[0] == code for t in ax.texts)
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("model", ["study", "ecsi", "corp_rep"])
def test_pls_path_diagram_labels_never_collide(pls_models, model, lang):
    fit = pls_models[model]
    labels = STUDY_LABELS[lang] if model == "study" else None
    with style(lang):  # the report's size and the default one
        fig, ax = plt.subplots(figsize=(10, 6))
        fit.plot(ax=ax, lang=lang)
    assert _collisions(ax) == []
    plt.close(fig)
    from crm_research.pls.plot import plot_paths

    ax = plot_paths(fit, lang=lang, labels=labels)
    assert _collisions(ax) == []
    if lang == "fa":
        assert _latin_digits(ax) == []
        if labels:
            shown = " ".join(t.get_text() for t in ax.texts)
            assert all(name.split()[0] in shown for name in labels.values())
    plt.close(ax.figure)


def test_pls_arrows_end_on_the_construct_outline(pls_models):
    # a wide Persian construct name: the arrow is shortened to its ellipse instead of running under it
    fit = pls_models["study"]
    from crm_research.pls.plot import plot_paths

    ax = plot_paths(fit, lang="fa", labels=STUDY_LABELS["fa"])
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len({round(a.shrinkA) for a in arrows}) > 1
    plt.close(ax.figure)


def test_path_diagram_shows_every_estimate(democracy):
    ax = path_diagram(democracy)
    texts = [t.get_text() for t in ax.texts]
    est = democracy.estimates
    shown = est[(est["op"].isin(["=~", "~"])) | ((est["op"] == "~~") & (est["lhs"] != est["rhs"]))]
    for v in shown["std_all"]:
        assert any(t.startswith(f"{v:.2f}") for t in texts), v
    assert sum(t.startswith("R² = ") or "\nR² = " in t for t in texts) == 2
    assert "std_all" in ax.get_title()
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("model", ["study", "democracy", "holzinger"])
def test_measurement_diagram(model, lang, request):
    fit = request.getfixturevalue({"study": "study_sem"}.get(model, model))
    labels = {"study": STUDY_LABELS, "democracy": DEMO_LABELS}.get(model, {}).get(lang)
    fig = measurement_diagram(fit, lang=lang, labels=labels)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert _collisions(ax) == []
    est = fit.estimates
    loadings = est[est["op"] == "=~"]
    rescov = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & ~est["lhs"].isin(fit.spec.latent)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(loadings) + len(rescov)  # no structural paths, no factor correlations
    values = [t.get_text() for t in ax.texts]
    if lang == "en":
        for v in loadings["std_all"]:
            assert any(t.startswith(f"{v:.2f}") for t in values), v
    else:
        from crm_research.core.persian import to_persian_digits

        for v in loadings["std_all"]:
            assert any(to_persian_digits(f"{v:.2f}") in t for t in values), v
        assert _latin_digits(ax) == []
        assert "مدل اندازه‌گیری" in ax.get_title()
    plt.close(fig)


def test_measurement_diagram_draws_the_residual_covariance(study_sem):
    fig = measurement_diagram(study_sem)
    ax = fig.axes[0]
    est = study_sem.estimates
    row = est[(est["op"] == "~~") & (est["lhs"] == "LOY3") & (est["rhs"] == "LOY4")].iloc[0]
    covs = [p for p in ax.patches if isinstance(p, FancyArrowPatch) and _two_headed(p)]
    assert len(covs) == 1
    assert any(t.get_text().startswith(f"{row['std_all']:.2f}") for t in ax.texts)
    plt.close(fig)
    fig = measurement_diagram(study_sem, show_covariances=False)
    assert not [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch) and _two_headed(p)]
    plt.close(fig)


def test_diagram_bad_input(democracy):
    with pytest.raises(CRMInputError, match="labels"):
        path_diagram(democracy, labels=["ind60"])
    with pytest.raises(CRMInputError, match="lang"):
        measurement_diagram(democracy, lang="de")
    pd_ = crm.load_dataset("political_democracy")
    with pytest.raises(CRMInputError, match="=~"):
        measurement_diagram(crm.sem(pd_, "y1 ~ x1 + x2"))
    plt.close("all")


def test_measurement_diagram_is_exported():
    assert crm.measurement_diagram is measurement_diagram
    assert crm.path_diagram is path_diagram
