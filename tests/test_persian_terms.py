"""One Persian term per concept: the Persian notebooks use the term of the glossary, the diagrams and the report.

Each key concept has one Persian term, read from where the toolkit defines it: the bilingual glossary
(``crm.glossary()``, ``frameworks/content/glossary.yaml``), the framework diagrams
(``frameworks/content/*.yaml``) or the wording of the thesis report (``report/texts.py``).  A few terms of
the campaign lessons exist only in the series; their source is the series itself.  The tests check that

* every term is still spelled so in its source (a change there must be carried to the notebooks);
* no source uses a forbidden variant of a term (so diagram, glossary and report agree);
* no Persian notebook (``notebooks/fa``) uses a forbidden variant, and a Persian paragraph that glosses a
  concept in English ("ریزش مشتری (churn)") uses the concept's term, not a synonym.

Drift found in notebooks of other editions' authors is listed in ``KNOWN_DRIFT`` (with the fix) until their
files are corrected; a stale entry fails, like ``PENDING`` in ``test_api_conventions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import crm_research as crm
from crm_research.notebooks import find_notebooks
from crm_research.report.texts import T

ROOT = Path(__file__).resolve().parent.parent
FA = find_notebooks(ROOT / "notebooks" / "fa")
CONTENT = ROOT / "crm_research" / "frameworks" / "content"
PERSIAN = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Term:
    concept: str  # the English key term
    fa: str  # the Persian term (as its source spells it, or the head word of the source's term)
    source: str  # "glossary:<English term>", "report:<key>", "diagram:<framework>.<stage>",
    #              "content:<file of frameworks/content>" or "series"
    variants: tuple[str, ...] = ()  # spellings and synonyms that must not appear
    gloss: str | None = None  # regex of the English word: a Persian paragraph glossing it must use `fa`


TERMS = [
    # ---- the glossary (frameworks/content/glossary.yaml)
    Term("churn", "ریزش", "glossary:Churn", ("رویگردانی", "رویگردان"), r"\bchurn\b"),
    Term("customer retention", "حفظ", "glossary:Customer retention",
         ("نگهداشت مشتری", "نگه‌داشت مشتری", "نگهداری مشتری"), r"\bretention\b"),
    Term("customer acquisition", "جذب", "glossary:Customer acquisition", ("کسب مشتری", "جلب مشتری"),
         r"\bacquisition\b"),
    Term("customer lifetime value", "ارزش طول عمر مشتری", "glossary:Customer lifetime value (CLV)",
         ("ارزش دوره عمر", "ارزش دورهٔ عمر", "ارزش چرخه عمر", "ارزش عمر مشتری", "ارزش دوران عمر"),
         r"lifetime value"),
    Term("cross-selling", "فروش متقاطع", "glossary:Cross-selling",
         ("فروش مکمل", "فروش جانبی", "فروش ضربدری", "فروش تقاطعی"), r"\bcross-?sell"),
    Term("up-selling", "فروش ارتقایی", "glossary:Up-selling", ("فروش بالادستی", "فروش تکمیلی"), r"\bup-?sell"),
    Term("segmentation", "بخش‌بندی", "glossary:Segmentation",
         ("بخش بندی", "بخشبندی", "قطعه‌بندی", "قطعه بندی"), r"\bsegmentation\b"),
    Term("targeting", "هدف‌گذاری", "glossary:Targeting", ("هدف‌گیری", "هدف گیری", "هدفگیری", "هدف گذاری"),
         r"\btargeting\b"),
    Term("loyalty", "وفاداری", "glossary:Loyalty", (), r"\bloyalty\b"),
    Term("customer satisfaction", "رضایت", "glossary:Customer satisfaction", ("خشنودی مشتری",),
         r"\bsatisfaction\b"),
    Term("privacy", "حریم شخصی", "glossary:Privacy", ("حریم خصوصی",), r"\bprivacy\b"),
    Term("customer empowerment", "توانمندسازی", "glossary:Customer empowerment",
         ("توانمند سازی", "قدرت‌دهی", "قدرت دهی"), r"\bempowerment\b"),
    Term("data mining", "داده‌کاوی", "glossary:Data mining", ("داده کاوی", "دیتا ماینینگ"), r"\bdata mining\b"),
    Term("self-service", "خودخدمتی", "glossary:Self-service", ("سلف سرویس", "سلف‌سرویس"), r"\bself-service\b"),
    Term("contact centre", "مرکز تماس", "glossary:Contact centre", ("کال سنتر", "کال‌سنتر"),
         r"\bcontact cent(re|er)\b"),
    Term("relationship marketing", "بازاریابی رابطه‌مند", "glossary:Relationship marketing",
         ("بازاریابی رابطه‌ای", "بازاریابی ارتباطی"), r"\brelationship marketing\b"),
    Term("customer database", "پایگاه دادهٔ مشتری", "glossary:Customer database",
         ("بانک اطلاعاتی مشتری", "پایگاه اطلاعات مشتری"), r"\bcustomer database\b"),
    Term("recency (RFM)", "تازگی", "glossary:RFM analysis", ("اخیر بودن", "تازه بودن")),
    Term("monetary (RFM)", "ارزش پولی", "glossary:RFM analysis", ("ارزش مالی", "مقدار پولی")),
    # ---- the framework diagrams (frameworks/content/*.yaml)
    Term("enhance (Kalakota)", "ارتقا", "diagram:kalakota.enhance", ("ارتقاء", "توسعهٔ مشتری", "توسعه مشتری"),
         r"\benhance\b"),
    Term("process (Payne)", "فرآیند", "diagram:payne.strategy_development", ("فرایند",), r"\bprocess(es)?\b"),
    Term("multichannel integration", "ادغام چندکاناله", "diagram:payne.multichannel_integration",
         ("یکپارچه‌سازی چندکاناله", "یکپارچه سازی چندکاناله", "یکپارچگی چندکاناله"),
         r"\bmultichannel integration\b"),
    Term("relationship programmes (Winer)", "برنامه‌های ایجاد ارتباط", "diagram:winer.relationship_programmes",
         ("برنامه‌های رابطه‌ای",), r"\brelationship programmes?\b"),
    Term("questionnaire", "پرسشنامه", "content:six_es.yaml", ("پرسش‌نامه", "پرسش نامه"), r"\bquestionnaire\b"),
    # ---- the thesis report (report/texts.py)

    Term("item", "گویه", "report:item", ("آیتم",)),
    Term("composite reliability", "پایایی ترکیبی", "report:cr", ("پایایی مرکب", "پایائی"),
         r"\bcomposite reliability\b"),
    Term("average variance extracted", "میانگین واریانس استخراج‌شده", "report:ave",
         ("میانگین واریانس استخراج شده", "متوسط واریانس استخراج", "میانگین واریانس استخراجی"),
         r"\baverage variance extracted\b"),
    Term("convergent validity", "روایی همگرا", "report:s3c", ("اعتبار همگرا",), r"\bconvergent validity\b"),
    Term("discriminant validity", "روایی واگرا", "report:s3d", ("اعتبار واگرا", "اعتبار تشخیصی", "روایی افتراقی"),
         r"\bdiscriminant validity\b"),
    Term("measurement model", "مدل اندازه‌گیری", "report:s3", ("مدل اندازه گیری", "مدل سنجش"),
         r"\bmeasurement model\b"),
    Term("structural model", "مدل ساختاری", "report:s4", (), r"\bstructural model\b"),
    Term("confirmatory factor analysis", "تحلیل عاملی تأییدی", "report:t_cfa_fit", ("تحلیل عاملی تاییدی",),
         r"\bconfirmatory factor analysis\b"),
    Term("supported (hypothesis)", "تأیید", "report:yes", ("تایید",)),
    Term("indirect effect", "غیرمستقیم", "report:eff_indirect", ("غیر مستقیم", "تأثیر غیرمستقیم"),
         r"\bindirect effects?\b"),
    Term("mediation", "میانجی", "report:mediation", ("میانجیگری", "واسطه‌گری"), r"\bmediation\b"),
    Term("bootstrap", "بوت‌استرپ", "report:t_indirect", ("بوت استرپ", "بوتاسترپ", "بوت‌استراپ", "خودگردان‌سازی"),
         r"\bbootstrap\b"),
    # (not "ازدست‌رفته": that is "lost", the word for a lapsed customer in notebook 11)
    Term("missing value", "گمشده", "report:missing_n", ("مفقود",), r"\bmissing\b"),
    Term("percentile interval", "صدکی", "report:bootstrap percentile", ("درصدکی",), r"\bpercentile\b"),
    Term("bias-corrected interval", "اصلاح سوگیری", "report:bootstrap BC", ("تصحیح سوگیری", "تصحیح اریبی"),
         r"\bbias-corrected\b"),
    # ---- terms of the campaign lessons, defined by the series (notebooks 05 and 13)
    Term("uplift", "اثر افزایشی", "series", ("اثر ارتقایی", "مدل افزایشی"), r"\buplift\b"),
    Term("test cell", "سلول آزمون", "series", ("سلول آزمایشی", "سلول تست"), r"\btest cell\b"),
    Term("win-back", "بازگرداندن", "series", ("بازپس‌گیری مشتری", "بازیابی مشتری"), r"\bwin-?back\b"),
    Term("break-even rate", "سربه‌سر", "series", ("سر به سر", "نقطه سر به سر"), r"\bbreak-?even\b"),
    Term("roll-out", "اجرای گسترده", "series", ("اجرای کامل کمپین", "رول‌اوت"), r"\broll-?out\b"),
]

# (notebook stem or source file, concept) -> the fix, for drift in files of other authors, reported to the lead
KNOWN_DRIFT: dict[tuple[str, str], str] = {
    ("report/texts.py", "questionnaire"): "پرسش‌نامه -> پرسشنامه in t_wording (the diagrams' and notebooks' spelling)",
}


def _source_text(source: str) -> str:
    kind, _, key = source.partition(":")
    if kind == "glossary":
        glossary = crm.glossary()
        return glossary.set_index("term_en").loc[key, "term_fa"]
    if kind == "report":
        return T[key][1]
    if kind == "content":
        return (CONTENT / key).read_text(encoding="utf-8")
    if kind == "diagram":
        framework, stage = key.split(".")
        return getattr(crm.frameworks, framework.upper()).stage(stage).name_fa
    raise AssertionError(f"unknown source {source!r}")


def _sources() -> dict[str, str]:
    """The texts that define Persian terms: glossary and framework content, diagram labels, report wording."""
    texts = {f"frameworks/content/{p.name}": p.read_text(encoding="utf-8") for p in sorted(CONTENT.glob("*.yaml"))}
    texts["frameworks/diagrams.py"] = (ROOT / "crm_research" / "frameworks" / "diagrams.py").read_text(encoding="utf-8")
    texts["report/texts.py"] = "\n".join(fa for _, fa in T.values())
    return texts


def _source_drift() -> set[tuple[str, str]]:
    return {(name, t.concept) for name, text in _sources().items() for t in TERMS for v in t.variants if v in text}


# a reference entry: a bullet with a year in parentheses, and its indented continuation lines
_REFERENCE_LINE = re.compile(r"^\s*[*-]\s[^\n\u0600-\u06ff]*\(\d{4}[a-z]?\)[^\n\u0600-\u06ff]*"
                             r"(?:\n[ \t]+[^\s*\-\u0600-\u06ff][^\n\u0600-\u06ff]*)*$", re.M)
_CODE_BLOCK = re.compile(r"```.*?```", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
_LTR = re.compile(r"<p dir=\"ltr\".*?</p>", re.S)  # the English subtitle under a Persian title
_TAG = re.compile(r"<[^>]+>")


def _prose(text: str) -> str:
    """A markdown cell's prose: no code, formulas, English subtitle or HTML tags."""
    # a reference list keeps the English titles of the works cited ("... discriminant validity testing")
    text = _REFERENCE_LINE.sub(" ", text)
    for pattern in (_CODE_BLOCK, _CODE_SPAN, _MATH, _LTR, _TAG):
        text = pattern.sub(" ", text)
    return text


def _drift(path: Path) -> dict[tuple[str, str], list[str]]:
    """(notebook stem, concept) -> what is wrong, over the Persian markdown cells of one notebook."""
    found: dict[tuple[str, str], list[str]] = {}
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not PERSIAN.search(cell.source):
            continue
        prose = _prose(cell.source)
        for term in TERMS:
            for variant in term.variants:
                if variant in prose:
                    found.setdefault((path.stem, term.concept), []).append(
                        f"cell {number}: {variant!r} instead of {term.fa!r}")
            if term.gloss and PERSIAN.search(prose) and re.search(term.gloss, prose, re.I) and term.fa not in prose:
                found.setdefault((path.stem, term.concept), []).append(
                    f"cell {number}: glosses {term.concept!r} in English without the term {term.fa!r}")
        if re.search("[\u064a\u0643]", prose):  # Arabic yeh and kaf: Persian writes ی and ک
            found.setdefault((path.stem, "Persian letters"), []).append(f"cell {number}: Arabic ي or ك")
    return found


def test_the_terms_are_spelled_as_their_sources_spell_them():
    for term in TERMS:
        if term.source != "series":
            assert term.fa in _source_text(term.source), (term.concept, term.source, _source_text(term.source))
        assert term.fa not in term.variants and not any(v in term.fa for v in term.variants), term


def test_one_term_per_concept():
    concepts = [t.concept for t in TERMS]
    assert len(concepts) == len(set(concepts))
    # a forbidden variant of one concept is never the term of another
    terms = {t.fa for t in TERMS}
    assert not [v for t in TERMS for v in t.variants if v in terms]


def test_glossary_diagrams_and_report_agree():
    used = sorted(_source_drift() - set(KNOWN_DRIFT))
    assert not used, f"a source uses a forbidden variant: {used}"


def test_series_terms_are_the_ones_the_persian_lessons_use():
    # the campaign terms are defined by the series: notebook 13 uses each of them
    lesson = "\n".join(c.source for c in nbformat.read(ROOT / "notebooks" / "fa" / "13_churn_and_campaigns.ipynb",
                                                       as_version=4).cells)
    assert all(t.fa in lesson for t in TERMS if t.source == "series")


@pytest.mark.parametrize("path", FA, ids=[p.stem for p in FA])
def test_persian_notebook_uses_the_glossary_terms(path):
    drift = {k: v for k, v in _drift(path).items() if k not in KNOWN_DRIFT}
    assert not drift, "\n".join(f"{nb} / {concept}: {'; '.join(what)}" for (nb, concept), what in drift.items())


def test_known_drift_is_still_there():
    found = dict.fromkeys(_source_drift())
    for path in FA:
        found.update(_drift(path))
    stale = sorted(set(KNOWN_DRIFT) - set(found))
    assert not stale, f"fixed, remove from KNOWN_DRIFT: {stale}"


def test_the_check_finds_drift(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell('<div dir="rtl">\n\nنرخ رویگردانی و `churn_rate`\n\n</div>'),
        nbformat.v4.new_markdown_cell('<div dir="rtl">\n\nیک مدل افزایشی (uplift)\n\n</div>'),
        nbformat.v4.new_markdown_cell('<div dir="rtl">\n\nاثر افزایشی (uplift) و `uplift_model`\n\n</div>'),
        nbformat.v4.new_markdown_cell("An English cell about uplift and فرایند"),
    ]
    path = tmp_path / "99_drift.ipynb"
    nbformat.write(nb, path)
    drift = _drift(path)
    assert set(drift) == {("99_drift", "churn"), ("99_drift", "uplift"), ("99_drift", "process (Payne)")}
    assert any("without the term" in w for w in drift[("99_drift", "uplift")])
    assert any("'مدل افزایشی' instead of 'اثر افزایشی'" in w for w in drift[("99_drift", "uplift")])
