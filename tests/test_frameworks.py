"""The CRM frameworks as data, their bilingual diagrams, the glossary and the figure helpers."""

import ast
import dataclasses
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import crm_research as crm  # noqa: E402
from crm_research import frameworks as fw  # noqa: E402
from crm_research import plotting  # noqa: E402
from crm_research.frameworks import diagrams, models  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "crm_research" / "frameworks" / "content"
# the content as the Python literals held it before it moved to content/*.yaml
BEFORE = json.loads((ROOT / "tests" / "reference" / "frameworks" / "content.json").read_text(encoding="utf-8"))
PERSIAN_LETTER = re.compile("[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")
ASCII_DIGIT = re.compile("[0-9]")
ALL = list(fw.FRAMEWORKS.values())
IDS = [f.key for f in ALL]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig: Figure) -> list[str]:
    """Every text drawn on the figure, line breaks read as spaces (labels are wrapped)."""
    return [" ".join(t.get_text().split()) for ax in fig.axes for t in ax.texts]


# ----------------------------------------------------------------------------- content


@pytest.mark.parametrize("framework", ALL, ids=IDS)
def test_every_stage_has_both_languages(framework):
    assert framework.stages, f"{framework.key} has no stages"
    assert len({s.key for s in framework.stages}) == len(framework.stages), "stage keys repeat"
    for s in framework.stages:
        for field in ("name_en", "name_fa", "definition_en", "definition_fa", "caption_en", "caption_fa"):
            assert getattr(s, field).strip(), f"{framework.key}.{s.key}.{field} is empty"
        assert PERSIAN_LETTER.search(s.name_fa) and PERSIAN_LETTER.search(s.definition_fa), s.key
        assert PERSIAN_LETTER.search(s.caption_fa), s.key
        # English fields must not be Persian text pasted in the wrong column
        assert not PERSIAN_LETTER.search(s.name_en + s.definition_en + s.caption_en), s.key
        assert len(s.details_en) == len(s.details_fa), f"{s.key}: details differ in length between languages"
        assert all(PERSIAN_LETTER.search(d) for d in s.details_fa)


@pytest.mark.parametrize("framework", ALL, ids=IDS)
def test_framework_has_definition_and_citable_source(framework):
    assert PERSIAN_LETTER.search(framework.name_fa) and PERSIAN_LETTER.search(framework.definition_fa)
    assert len(framework.definition_en.split()) >= 40, "the definition should be a paragraph"
    assert framework.source.strip() and PERSIAN_LETTER.search(framework.source_fa)
    assert framework.subtitle_en.strip() and PERSIAN_LETTER.search(framework.subtitle_fa)
    assert framework.references and all(k in fw.REFERENCES for k in framework.references)
    for ref in framework.full_references:
        assert re.search(r"\((19|20)\d\d\)", ref), f"reference without a year: {ref}"


def test_the_required_frameworks_and_sources_are_there():
    assert [s.name_en for s in fw.IDIC.stages] == ["Identify", "Differentiate", "Interact", "Customize"]
    assert [s.key for s in fw.PAYNE.stages] == [
        "strategy_development", "value_creation", "multichannel_integration",
        "information_management", "performance_assessment",
    ]
    assert [s.key for s in fw.KALAKOTA.stages] == ["acquire", "enhance", "retain"]
    assert len(fw.WINER.stages) == 7 and fw.WINER.stages[-1].key == "metrics"
    assert len(fw.SIX_ES.stages) == 6
    assert [s.key for s in fw.ECRM_TYPES.stages] == ["operational", "analytical"]
    refs = fw.references()["reference"].str.cat(sep="\n")
    assert "California Management Review, 43(4), 89-105" in refs  # Winer (2001)
    assert "Journal of Marketing, 69(4), 167-176" in refs  # Payne & Frow (2005)
    assert "Vikalpa, 32(4), 45-62" in refs  # Desai, Sahu & Sinha (2007)
    # Persian theses cite Winer's model as "Russel (2001)": the object says so and the alias works
    assert "Russel" in fw.WINER.note_en and "راسل" in fw.WINER.note_fa
    assert fw.get_framework("Russel") is fw.WINER


def test_kalakota_strategies_per_phase():
    details = {s.key: " ".join(s.details_en) for s in fw.KALAKOTA.stages}
    assert "differentiation" in details["acquire"] and "innovation" in details["acquire"]
    assert "cross-selling" in details["enhance"] and "cost to serve" in details["enhance"]
    assert "listening" in details["retain"]


def test_six_es_link_to_the_survey_constructs():
    survey = crm.load_dataset("ecrm_survey")
    codes = {re.sub(r"\d+r?$", "", c) for c in survey.columns if re.fullmatch(r"[A-Z]{3}\d+r?", c)}
    linked = {c for s in fw.SIX_ES.stages for c in s.constructs}
    assert linked <= codes, f"constructs not in ecrm_survey: {linked - codes}"
    assert linked == codes, f"survey constructs no e is linked to: {codes - linked}"
    assert fw.ECRM_TYPES.stage("operational").constructs == ("OPR",)
    assert fw.ECRM_TYPES.stage("analytical").constructs == ("ANL",)


def test_to_frame_and_summary():
    frame = fw.WINER.to_frame()
    assert list(frame.columns) == [
        "order", "key", "name_en", "name_fa", "definition_en", "definition_fa", "toolkit", "constructs",
    ]
    assert frame["order"].tolist() == list(range(1, 8))
    text = fw.WINER.summary().as_text()
    assert "Winer (2001)" in text and "Russel" in text and "مسائل حریم شخصی" in text
    assert "<table" in fw.IDIC._repr_html_()
    overview = fw.list_frameworks()
    assert overview["key"].tolist() == IDS and (overview["n_stages"] > 1).all()


def test_get_framework_and_stage_look_up():
    assert fw.get_framework("IDIC") is fw.IDIC
    assert fw.get_framework("six e's") is fw.SIX_ES
    assert crm.get_framework("payne") is fw.PAYNE
    assert fw.IDIC.stage("Differentiate").key == "differentiate"
    with pytest.raises(crm.CRMInputError, match="'name' parameter of get_framework"):
        fw.get_framework("swot")
    with pytest.raises(crm.CRMInputError, match="'key' parameter of idic.stage"):
        fw.IDIC.stage("retain")


# ----------------------------------------------------------------------------- content files


def _plain(value):
    """Tuples read as lists, as in the JSON snapshot."""
    return json.loads(json.dumps(value, ensure_ascii=False))


@pytest.mark.parametrize("key", list(BEFORE["frameworks"]))
def test_framework_file_loads_to_the_former_object(key):
    assert list(fw.FRAMEWORKS) == list(BEFORE["frameworks"]), "frameworks missing or out of order"
    assert _plain(dataclasses.asdict(fw.FRAMEWORKS[key])) == BEFORE["frameworks"][key]


def test_references_glossary_comparison_and_aliases_load_to_the_former_objects():
    assert dict(fw.REFERENCES) == BEFORE["references"]
    assert list(fw.REFERENCES) == list(BEFORE["references"])
    assert crm.glossary().to_dict("records") == BEFORE["glossary"]
    assert fw.comparison_table("both").reset_index().to_dict("records") == BEFORE["comparison"]
    assert {name: fw.get_framework(name).key for name in BEFORE["aliases"]} == BEFORE["aliases"]


def test_content_is_read_on_first_use_and_once():
    code = (
        "import sys\n"
        "import crm_research, crm_research.frameworks.idic\n"
        "from crm_research.frameworks import models\n"
        "assert models._content.cache_info().currsize == 0, 'content read at import'\n"
        "assert 'yaml' not in sys.modules, 'yaml imported at import'\n"
        "first = crm_research.frameworks.IDIC\n"
        "assert crm_research.get_framework('idic') is first and models.FRAMEWORKS['idic'] is first\n"
        "assert models._content.cache_info().misses == 1\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_the_content_mappings_are_read_only():
    with pytest.raises(TypeError):
        fw.REFERENCES["new"] = "Someone (2024)."  # type: ignore[index]
    with pytest.raises(TypeError):
        fw.FRAMEWORKS["idic"] = fw.PAYNE  # type: ignore[index]


def test_models_holds_no_content_text():
    # the texts live in content/*.yaml: no Persian string and no paragraph left in the code
    tree = ast.parse((ROOT / "crm_research" / "frameworks" / "models.py").read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    strings = [n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]
    assert not [s for s in strings if PERSIAN_LETTER.search(s)]
    assert not [s for s in strings if len(s) > 200]


def test_every_content_file_goes_into_the_wheel():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]
    globs = package_data.get("crm_research", [])
    files = sorted(p.relative_to(ROOT / "crm_research").as_posix() for p in CONTENT.iterdir())
    assert files and all(any(fnmatch.fnmatch(f, g) for g in globs) for f in files), (files, globs)


def _broken(tmp_path, name, old, new):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}: the test's edit is out of date"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


BROKEN = [
    # (file, text replaced, replacement, what the error must say)
    ("idic.yaml", "    fa: >-\n      هر مشتری", "    far: >-\n      هر مشتری",
     r"idic\.yaml.*key 'stages\[identify\]\.definition\.fa': is required and missing"),
    ("idic.yaml", "    fa: شناسایی", "    fa: Identify",
     r"idic\.yaml.*key 'stages\[identify\]\.name\.fa': expected Persian text"),
    ("kalakota.yaml", "    - differentiation\n", "",
     r"kalakota\.yaml.*key 'stages\[acquire\]\.details': the en list has 1 items and the fa list 2"),
    ("payne.yaml", "references: [payne_frow_2005,", "references: [payne_frow_2004,",
     r"payne\.yaml.*key 'references\[0\]': 'payne_frow_2004' is not a key of references\.yaml"),
    ("winer.yaml", "layout: steps", "layout: spiral", r"winer\.yaml.*key 'layout': 'spiral' cannot be drawn"),
    ("desai.yaml", "key: desai", "key: dasai", r"desai\.yaml.*key 'key': is 'dasai' but the file is desai\.yaml"),
    ("six_es.yaml", "layout: hub\n", "layout: hub\nlayout: cycle\n", r"six_es\.yaml.*key 'layout': line \d+: given twice"),
    ("ecrm_types.yaml", "key: ecrm_types\n", "key: ecrm_types\ncolour: blue\n",
     r"ecrm_types\.yaml.*key 'colour': is not a known key"),
    ("idic.yaml", "name:\n  en: IDIC model\n  fa: مدل IDIC\n", "name: &n\n  en: IDIC model\n  fa: مدل IDIC\nsubtitle2: *n\n",
     r"idic\.yaml.*anchors and aliases"),
    ("idic.yaml", "layout: cycle", "layout: [cycle", r"idic\.yaml.*line \d+, column \d+: not valid YAML"),
    ("glossary.yaml", "source: payne_frow_2005", "source: payne_2005",
     r"glossary\.yaml.*key '\[Customer relationship management \(CRM\)\]\.source': 'payne_2005' is not a key"),
    ("comparison.yaml", "  crm:\n    en: the individual customer and segment\n", "  crm:\n    en: ''\n",
     r"comparison\.yaml.*key '\[0\]\.crm\.en': expected a non-empty text"),
    ("references.yaml", "winer_2001: >-", "Winer 2001: >-", r"references\.yaml.*key 'Winer 2001': a reference key"),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_a_broken_content_file_names_the_file_and_key(tmp_path, name, old, new, message):
    folder = _broken(tmp_path, name, old, new)
    with pytest.raises(crm.CRMInputError, match=message):
        models._load_content(folder)


def test_an_oversized_or_non_utf8_content_file_is_refused(tmp_path, monkeypatch):
    folder = _broken(tmp_path, "glossary.yaml", "# Bilingual", "# Bilingual")
    monkeypatch.setattr(models, "_MAX_BYTES", 10_000)
    with pytest.raises(crm.CRMInputError, match=r"glossary\.yaml.*bytes; a content file may have at most 10,000"):
        models._load_content(folder)
    monkeypatch.undo()
    (folder / "comparison.yaml").write_bytes("aspect: کانون".encode("cp1256"))
    with pytest.raises(crm.CRMInputError, match=r"comparison\.yaml.*not UTF-8"):
        models._load_content(folder)
    assert isinstance(models._load_content(CONTENT).frameworks["idic"], fw.Framework)


def test_draw_is_the_diagram_engine():
    fig = diagrams.draw(fw.KALAKOTA, lang="fa")
    assert fig.get_size_inches().tolist() == [10.0, 4.9]
    with pytest.raises(crm.CRMInputError, match="'lang' parameter of draw"):
        diagrams.draw(fw.IDIC, lang="de")
    with pytest.raises(crm.CRMInputError, match="layout 'star', which cannot be drawn; expected one of cycle"):
        diagrams.draw(dataclasses.replace(fw.IDIC, layout="star"))


# ----------------------------------------------------------------------------- toolkit links


def test_toolkit_links_that_exist_resolve():
    # The toolkit grows while the frameworks name planned functions; every name
    # that is already public must resolve to a callable.
    table = fw.toolkit_map()
    assert table["function"].str.fullmatch(r"crm\.[A-Za-z_]\w*").all()
    for name in table.loc[table["available"], "function"].unique():
        short = name.removeprefix("crm.")
        assert short in crm._EXPORTS
        assert callable(getattr(crm, short)), name
    # toolkit_map's own availability flag agrees with _EXPORTS
    expected = table["function"].str.removeprefix("crm.").isin(set(crm._EXPORTS) | {"CRMInputError"})
    assert table["available"].tolist() == expected.tolist()
    assert table["available"].any(), "no linked function exists at all: the links are out of date"


@pytest.mark.parametrize("framework", ALL, ids=IDS)
def test_every_stage_names_a_toolkit_function(framework):
    for s in framework.stages:
        assert s.toolkit, f"{framework.key}.{s.key} names no toolkit function"
        assert len(set(s.toolkit)) == len(s.toolkit), f"{framework.key}.{s.key} names a function twice"


# ----------------------------------------------------------------------------- diagrams


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("framework", ALL, ids=IDS)
def test_diagram_draws_every_stage_name(framework, lang):
    fig = framework.diagram(lang=lang)
    assert isinstance(fig, Figure)
    texts = " | ".join(_texts(fig))
    for s in framework.stages:
        assert s.name(lang) in texts, f"{s.name(lang)!r} missing from the {lang} diagram"
    if lang == "fa":
        # Persian strings are handed to matplotlib in logical order, unreshaped:
        # the text objects hold the same code points as the data.
        assert not any(s.name_en in texts for s in framework.stages if s.name_en != s.name_fa)
        assert not ASCII_DIGIT.search(texts), f"Latin digits in the Persian diagram: {texts}"
        assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", texts), "presentation forms: text was reshaped"


def test_persian_diagram_uses_persian_digits_and_font():
    fig = fw.WINER.diagram("fa")
    texts = _texts(fig)
    assert [str(d) for d in "۱۲۳۴۵۶۷"] == [t for t in texts if re.fullmatch("[۰-۹]", t)]
    fonts = {t.get_fontfamily()[0] for t in fig.axes[0].texts}
    assert fonts == {plotting.persian_font()}


def _x_of(fig, label: str) -> float:
    for t in fig.axes[0].texts:
        if (t.get_gid() or "").endswith("-text") and " ".join(t.get_text().split()) == label:
            return t.get_position()[0]
    raise AssertionError(f"{label!r} not drawn")


@pytest.mark.parametrize("framework", [fw.KALAKOTA, fw.PAYNE, fw.ECRM_TYPES, fw.DESAI], ids=lambda f: f.key)
def test_persian_diagram_reads_right_to_left(framework):
    en, fa = framework.diagram("en"), framework.diagram("fa")
    first, second = framework.stages[0], framework.stages[1 if framework.key != "desai" else 2]
    assert _x_of(en, first.name_en) < _x_of(en, second.name_en)
    assert _x_of(fa, first.name_fa) > _x_of(fa, second.name_fa)
    # mirrored exactly: the same layout, flipped about the centre
    width = en.axes[0].get_xlim()[1]
    assert _x_of(fa, first.name_fa) == pytest.approx(width - _x_of(en, first.name_en))


@pytest.mark.parametrize("lang", ["en", "fa"])
@pytest.mark.parametrize("framework", ALL, ids=IDS)
def test_labels_fit_inside_their_boxes_and_the_figure(framework, lang):
    fig = framework.diagram(lang=lang)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = {p.get_gid(): p.get_window_extent(renderer) for p in ax.patches if p.get_gid()}
    assert boxes, "no boxes drawn"
    page = fig.bbox
    tol = 1.0  # pixels
    for t in ax.texts:
        bb = t.get_window_extent(renderer)
        assert bb.x0 >= page.x0 - tol and bb.x1 <= page.x1 + tol, f"{t.get_text()!r} runs off the figure"
        assert bb.y0 >= page.y0 - tol and bb.y1 <= page.y1 + tol, f"{t.get_text()!r} runs off the figure"
        gid = t.get_gid()
        if gid and gid.endswith("-text"):
            box = boxes[gid.removesuffix("-text")]
            assert box.x0 - tol <= bb.x0 and bb.x1 <= box.x1 + tol, f"{t.get_text()!r} is wider than its box"
            assert box.y0 - tol <= bb.y0 and bb.y1 <= box.y1 + tol, f"{t.get_text()!r} is taller than its box"


def test_boxes_do_not_overlap():
    for framework in ALL:
        for lang in ("en", "fa"):
            fig = framework.diagram(lang=lang)
            fig.canvas.draw()
            r = fig.canvas.get_renderer()
            ax = fig.axes[0]
            boxes = [p.get_window_extent(r) for p in ax.patches if (p.get_gid() or "").startswith("box-")]
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    a, b = boxes[i], boxes[j]
                    inside = a.x0 <= b.x0 and b.x1 <= a.x1 and a.y0 <= b.y0 and b.y1 <= a.y1
                    overlap = a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
                    assert inside or not overlap, f"{framework.key}/{lang}: boxes {i} and {j} overlap"
            plt.close(fig)


def test_diagram_rejects_unknown_language():
    with pytest.raises(crm.CRMInputError, match=r"'lang' parameter of diagram must be one of 'en', 'fa'.*'de'"):
        fw.IDIC.diagram(lang="de")
    with pytest.raises(crm.CRMInputError):
        fw.IDIC.diagram(lang=None)


def test_diagram_into_given_axes():
    fig, ax = plt.subplots(figsize=(8, 7))
    out = fw.IDIC.diagram("en", ax=ax)
    assert out is fig and not ax.axison
    assert "Identify" in " ".join(_texts(fig))


def test_diagram_leaves_global_style_alone():
    before = dict(matplotlib.rcParams)
    fw.SIX_ES.diagram("fa")
    assert matplotlib.rcParams["font.family"] == before["font.family"]
    assert matplotlib.rcParams["font.size"] == before["font.size"]


# ----------------------------------------------------------------------------- tables


def test_glossary_has_no_empty_cells():
    g = crm.glossary()
    assert list(g.columns) == ["term_en", "term_fa", "definition_en", "definition_fa", "source"]
    assert len(g) >= 30
    assert not g.isna().any().any()
    assert (g.map(lambda v: str(v).strip() != "")).all().all()
    assert g["term_en"].is_unique and g["term_fa"].is_unique
    assert g["term_fa"].map(lambda v: bool(PERSIAN_LETTER.search(v))).all()
    assert g["definition_fa"].map(lambda v: bool(PERSIAN_LETTER.search(v))).all()
    assert not g["term_en"].map(lambda v: bool(PERSIAN_LETTER.search(v))).any()
    assert g["source"].isin(fw.REFERENCES.values()).all()
    # a fresh table each call: editing one copy cannot change the next
    g.loc[0, "term_en"] = "changed"
    assert crm.glossary().loc[0, "term_en"] != "changed"


def test_glossary_sorting_and_lang_check():
    by_fa = fw.glossary(lang="fa")
    assert by_fa["term_fa"].tolist() == sorted(by_fa["term_fa"])
    with pytest.raises(crm.CRMInputError, match="'lang' parameter of glossary"):
        fw.glossary(lang="english")


def test_comparison_table():
    en = crm.comparison_table()
    fa = fw.comparison_table("fa")
    assert list(en.columns) == ["mass_marketing", "crm", "ecrm"] == list(fa.columns)
    assert en.shape == fa.shape and len(en) >= 6
    assert (en.map(lambda v: str(v).strip() != "")).all().all()
    assert fa.map(lambda v: bool(PERSIAN_LETTER.search(v)) or v.isupper()).all().all()
    both = fw.comparison_table("both")
    assert both.shape == (len(en), 7)
    assert both["crm_fa"].tolist() == fa["crm"].tolist()
    with pytest.raises(crm.CRMInputError, match="'lang' parameter of comparison_table"):
        fw.comparison_table("de")


def test_references_table():
    refs = fw.references()
    assert list(refs.columns) == ["key", "reference"] and refs["key"].is_unique
    assert refs["key"].tolist() == sorted(refs["key"])


# ----------------------------------------------------------------------------- plotting helpers


def test_persian_font_has_persian_glyphs():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    name = plotting.persian_font()
    assert name in plotting.PERSIAN_FONTS
    path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    for ch in "پچژگکیآ۰۹":
        assert ord(ch) in charmap, f"{name} lacks {ch!r}"
    assert plotting.font_family("fa")[-1] == "DejaVu Sans"


def test_style_is_scoped_and_use_style_applies():
    before = list(matplotlib.rcParams["font.family"])
    with plotting.style("fa"):
        assert matplotlib.rcParams["font.family"][0] == plotting.persian_font()
        assert not matplotlib.rcParams["axes.spines.top"]
    assert list(matplotlib.rcParams["font.family"]) == before
    with matplotlib.rc_context():
        plotting.use_style("en")
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    with pytest.raises(crm.CRMInputError, match="'lang' parameter of style"):
        with plotting.style("persian"):
            pass


def test_label_and_number():
    assert plotting.label("Loyalty", "وفاداری", "fa") == "وفاداری"
    assert plotting.label("Loyalty", "وفاداری") == "Loyalty"
    assert plotting.number(0.7, "fa", 1) == "۰٫۷"
    assert plotting.number(200, "fa") == "۲۰۰"
    assert plotting.number(200, "en") == "200"


def test_save_figure_is_atomic(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    out = plotting.save_figure(fig, tmp_path / "a.png")
    assert out.read_bytes().startswith(b"\x89PNG")
    old = out.read_bytes()

    def broken_savefig(fname, **kwargs):  # writes part of an image, then fails
        with open(fname, "wb") as fh:
            fh.write(b"\x89PNG half")
        raise OSError("disk full")

    fig.savefig = broken_savefig
    with pytest.raises(OSError, match="disk full"):
        plotting.save_figure(fig, out)
    assert out.read_bytes() == old, "a failed save must leave the old file intact"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"], "temporary file left behind"
    with pytest.raises(crm.CRMInputError, match="existing folder"):
        plotting.save_figure(fig, tmp_path / "missing" / "a.png")
    with pytest.raises(crm.CRMInputError, match="image suffix"):
        plotting.save_figure(fig, tmp_path / "noext")


def test_submodules_reachable_from_the_package():
    assert crm.frameworks.IDIC is fw.IDIC
    assert crm.plotting.persian_font is plotting.persian_font
    assert isinstance(crm.list_frameworks(), pd.DataFrame)


def test_rtl_axes_puts_the_value_axis_on_the_right():
    fig, ax = plt.subplots()
    assert plotting.rtl_axes(ax) is ax
    assert ax.yaxis.get_ticks_position() == "right" and ax.yaxis.get_label_position() == "right"
    assert ax.spines["right"].get_visible() and not ax.spines["left"].get_visible()
