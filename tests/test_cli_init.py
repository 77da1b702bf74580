"""crm-research init: a new SPSS file goes through init -> edit -> report in English and Persian."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crm_research as crm
from crm_research.cli import main
from crm_research.core.errors import CRMInputError
from crm_research.data.datasets import dataset_path
from crm_research.report.studyfile import init_study, study_file_reference


@pytest.fixture(scope="module")
def sav(tmp_path_factory):
    """A new survey file: three constructs under new names, a reverse-worded item, 15 declared 99s."""
    import pyreadstat

    src = crm.load_dataset("ecrm_survey")
    data = pd.DataFrame({
        **{f"trust_{k}": src[f"OPR{k}"] for k in range(1, 5)},
        **{f"sat_{k}": src[f"SAT{k}"] for k in (1, 2, 4)},
        **{f"loyal_{k}": src[f"LOY{k}"] for k in range(1, 4)}, "loyal_4r": src["LOY4r"],
        "respondent_id": np.arange(1, len(src) + 1), "gender": src["gender"], "tenure": src["tenure_years"],
    }).astype(float)
    rng = np.random.default_rng(5)
    rows = rng.choice(len(data), 15, replace=False)
    for k, r in enumerate(rows):
        data.iloc[r, k % 4] = 99.0  # answers coded 99 (declared missing in SPSS)
    folder = tmp_path_factory.mktemp("init")
    path = folder / "newsurvey.sav"
    pyreadstat.write_sav(data, str(path), column_labels={"trust_1": "I trust the company's website."},
                         variable_value_labels={"gender": {1.0: "female", 2.0: "male"}},
                         missing_ranges={c: [99.0] for c in data.columns if c[:5] in ("trust", "sat_1", "loyal")})
    return path


def test_init_drafts_a_study(sav):
    path = init_study(sav)
    text = path.read_text(encoding="utf-8")
    assert "trust =~ trust_1 + trust_2 + trust_3 + trust_4" in text
    assert "loyal =~ loyal_1 + loyal_2 + loyal_3 + loyal_4" in text  # reverse candidate renamed in the model
    assert "loyal_4r: loyal_4" in text
    assert "codes: [99]" in text and "scale: [1, 5]" in text
    assert "demographics: [gender, tenure]" in text  # the id column is not a demographic
    assert "I trust the company's website." in text
    with pytest.raises(CRMInputError, match="does not overwrite"):
        init_study(sav)
    # without structural model and hypotheses the study file is refused, naming the key
    with pytest.raises(CRMInputError, match="hypotheses"):
        crm.load_study(path)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_init_edit_report(sav, tmp_path, lang):
    study = tmp_path / "study.yaml"
    assert main(["init", str(sav), "--out", str(study)]) == 0
    text = study.read_text(encoding="utf-8").replace(
        "  # structural model: write your paths", "  sat ~ a*trust\n  loyal ~ b*sat + c*trust\n  ind := a*b\n"
        "  total := c + a*b\n  # structural model: write your paths")
    text = text.replace("file: \"newsurvey.sav\"", f"file: \"{sav}\"")
    text += ("hypotheses:\n  H1: sat ~ trust\n  H2: loyal ~ sat\n  H3: loyal ~ trust\n  H4: ind\n"
             "construct_labels:\n  trust: {en: Trust, fa: اعتماد}\n")
    study.write_text(text, encoding="utf-8")
    rep = crm.report(study, out=tmp_path / "out", lang=lang, bootstrap=30, progress=False)
    assert rep.docx.is_file()
    # the numbers equal the API on the same data
    x = rep.chapter.results["analysis_data"]
    ref = crm.hypotheses(crm.sem(x, rep.study.model, bootstrap=30, seed=1, progress=False), rep.study.hypotheses)
    np.testing.assert_allclose(rep.hypotheses["est"], ref["est"], atol=1e-10)
    assert rep.chapter.results["data"].items.shape[1] == 11
    text = rep.html.read_text(encoding="utf-8")
    assert ("15 a missing value declared in the SPSS file (99)" if lang == "en" else "۱۵ پاسخ مقدار گمشده") in text
    # the 15 declared 99s are missing answers, not answers of 99 (the scale check would refuse them)
    assert np.nanmax(rep.chapter.results["data"].items.to_numpy()) <= 5
    med = rep.tables["indirect"]
    assert med["chain"].tolist() == ["trust → sat → loyal"] and med["total"].tolist() == ["total"]
    demo = rep.tables["demographics"]
    tenure = demo[demo["variable"] == "tenure"]
    assert len(tenure) == 1 and tenure["category"].iloc[0] == "continuous"


def test_study_file_reference_is_current():
    from pathlib import Path

    doc = Path(__file__).parents[1] / "docs" / "study_file.md"
    assert doc.read_text(encoding="utf-8") == study_file_reference()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/study_file.md" in readme
    for key in ("hypothesis_statements", "construct_labels", "estimator", "missing"):
        assert f"`{key}`" in readme


def test_init_refuses_bad_files(tmp_path):
    with pytest.raises(CRMInputError, match="does not exist"):
        init_study(tmp_path / "none.sav")
    bad = tmp_path / "x.csv"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_csv(bad, index=False)
    with pytest.raises(CRMInputError, match="no item columns"):
        init_study(bad)
    assert dataset_path("ecrm_survey.sav").is_file()
