"""The content of the analysis chapter: every number comes from the toolkit's public API.

:func:`build_chapter` runs the analysis of a study (sample, item descriptives
and normality, measurement model, structural model, method notes) and returns
the chapter as a list of blocks (:class:`Heading`, :class:`Paragraph`,
:class:`Table`, :class:`Figure`) that the DOCX and HTML writers render the
same way.  No statistic is computed here: this module calls
``crm.item_descriptives``, ``crm.mardia``, ``crm.cfa``,
``crm.construct_reliability``, ``crm.fornell_larcker``, ``crm.htmt``,
``crm.sem`` and ``crm.hypotheses`` and only formats their results.

Structure of the chapter (``build_chapter``): introduction and constructs table;
4.1 sample (``_sample_section``); 4.2 items and constructs, normality
(``_items_section``); 4.3 measurement model (``_measurement_section`` or
``_measurement_section_pls``); 4.4 structural model, mediation and hypotheses
(``_structural_section`` / ``_structural_section_pls``); 4.5 summary; 4.6 method
notes and the references actually cited.  Each section is one function taking
the builder ``b`` (which numbers tables and figures and keeps the fits other
sections need in ``b.fits`` and ``b.hypotheses``), so a new section -- group
comparisons and the one-sample/Friedman tests after 4.2, MLR in 4.2-4.4, f²,
VIF and Q² in 4.4 -- is one more function called in ``build_chapter``.
"""

from __future__ import annotations

import io
import sys
import textwrap
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_research.core.plotting import ltr, persian_ticks
from crm_research.report.texts import (
    _is_number,
    _label,
    _variable_label,
    digits,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    tr,
)

__all__ = ["Heading", "Paragraph", "Table", "Figure", "Chapter", "build_chapter", "FIT_CRITERIA"]


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    kind: str = "body"  # "body", "note", "reference" or "byline" (author and institution)


@dataclass
class Table:
    """An APA table: ``display`` holds the formatted cells, ``data`` the numbers (written as CSV)."""

    key: str
    number: int
    title: str
    display: pd.DataFrame
    data: pd.DataFrame
    note: str = ""


@dataclass
class Figure:
    key: str
    number: int
    caption: str
    png: bytes


@dataclass
class Chapter:
    """The chapter's blocks plus the fitted results behind them."""

    title: str
    lang: str
    blocks: list = field(default_factory=list)
    results: dict = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


# index -> (good, acceptable, direction); "min": larger is better.  Hu & Bentler (1999) for
# CFI/TLI/RMSEA/SRMR with the looser "acceptable" band of Marsh, Hau & Wen (2004) and
# Browne & Cudeck (1993) for RMSEA <= .08; chi-square/df <= 3 is a convention without a source
# (Kline, 2016, advises against it), so the chapter states it without an attribution.
FIT_CRITERIA = {
    "pvalue": (0.05, None, "min"),
    "chisq_df": (3.0, 5.0, "max"),
    "cfi": (0.95, 0.90, "min"),
    "tli": (0.95, 0.90, "min"),
    "rmsea": (0.06, 0.08, "max"),
    "srmr": (0.08, 0.10, "max"),
}


class _Progress:
    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self.step = enabled, total, 0

    def __call__(self, text: str) -> None:
        self.step += 1
        if self.enabled:
            print(f"[{self.step}/{self.total}] {text}", file=sys.stderr, flush=True)


class _Builder:
    def __init__(self, lang: str, progress: bool = False, study=None):
        self.study = study
        self.hypotheses = None
        self.fits: dict = {}
        self.lang = lang
        self.progress = progress
        self.blocks: list = []
        self.n_tables = 0
        self.n_figures = 0

    def t(self, key):
        return tr(key, self.lang)

    def d(self, text):
        return digits(str(text), self.lang)

    def heading(self, key_or_text, level=1):
        self.blocks.append(Heading(self.t(key_or_text), level))

    def para(self, text, kind="body"):
        self.blocks.append(Paragraph(text, kind))

    def table(self, key, title_key, display, data, note=""):
        self.n_tables += 1
        display = display.copy()
        display.columns = [self.t(c) for c in display.columns]
        self.blocks.append(Table(key, self.n_tables, self.t(title_key), display.reset_index(drop=True),
                                 data.reset_index(drop=True), note))

    def figure(self, key, caption_key, fig):
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        # metadata without a date keeps the PNG bytes identical between runs
        fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        self.n_figures += 1
        self.blocks.append(Figure(key, self.n_figures, self.t(caption_key), buf.getvalue()))


def _robust_kind(fm) -> str:
    """'robust' when the fit has lavaan's robust indices (MLR, complete data), 'scaled' when only the
    scaled ones (MLR with FIML), '' for an ML fit."""
    if "cfi_robust" in fm.index and np.isfinite(fm["cfi_robust"]):
        return "robust"
    return "scaled" if "chisq_scaled" in fm.index else ""


def _fit_values(fm) -> dict:
    """Display key -> value of the fit table: the robust statistics of an MLR fit, else the ML ones."""
    kind = _robust_kind(fm)
    if not kind:
        return {"chisq": fm["chisq"], "df": fm["df"], "pvalue": fm["pvalue"],
                "chisq_df": fm["chisq"] / fm["df"] if fm["df"] > 0 else np.nan,
                "cfi": fm["cfi"], "tli": fm["tli"], "rmsea": fm["rmsea"], "srmr": fm["srmr"]}
    return {"chisq_ml": fm["chisq"], "chisq_scaled": fm["chisq_scaled"], "df": fm["df"],
            "pvalue_scaled": fm["pvalue_scaled"], "chisq_scaling_factor": fm["chisq_scaling_factor"],
            "chisq_df_scaled": fm["chisq_scaled"] / fm["df"] if fm["df"] > 0 else np.nan,
            f"cfi_{kind}": fm[f"cfi_{kind}"], f"tli_{kind}": fm[f"tli_{kind}"],
            f"rmsea_{kind}": fm[f"rmsea_{kind}"], "srmr": fm["srmr"]}


#: display key of a robust or scaled index -> the criterion it is read against
_BASE_INDEX = {"pvalue_scaled": "pvalue", "chisq_df_scaled": "chisq_df", "cfi_robust": "cfi", "tli_robust": "tli",
               "rmsea_robust": "rmsea", "cfi_scaled": "cfi", "tli_scaled": "tli", "rmsea_scaled": "rmsea"}


def _fit_table(b: _Builder, fit, key, title_key):
    fm = fit.fit_measures
    values = _fit_values(fm)
    rows, shown = [], []
    for name, value in values.items():
        crit = FIT_CRITERIA.get(_BASE_INDEX.get(name, name))
        if crit is None:
            threshold, verdict = "", ""
        else:
            good, ok, direction = crit
            if direction == "min":
                is_p = _BASE_INDEX.get(name, name) == "pvalue"
                threshold = ("> " if is_p else "≥ ") + fmt_num(good, b.lang, 2) + (
                    f" ({b.t('acceptable')} ≥ {fmt_num(ok, b.lang, 2)})" if ok is not None else "")
                verdict = "good" if value >= good else ("acceptable" if ok is not None and value >= ok else "poor")
                if is_p:
                    verdict = "good" if value > good else "poor"
            else:
                threshold = "≤ " + fmt_num(good, b.lang, 2) + f" ({b.t('acceptable')} ≤ {fmt_num(ok, b.lang, 2)})"
                verdict = "good" if value <= good else ("acceptable" if value <= ok else "poor")
        rows.append({"index": name, "value": value, "criterion": threshold, "verdict": verdict})
        cell = (fmt_int(value, b.lang) if name == "df" else fmt_p(value, b.lang) if name.startswith("pvalue")
                else fmt_num(value, b.lang))
        shown.append({"index": b.t(name), "value": cell, "threshold": threshold,
                      "verdict": b.t(verdict) if verdict else ""})
    note = {
        "en": "Good fit after Hu and Bentler (1999); RMSEA up to 0.08 is reasonable fit (Browne & Cudeck, 1993); "
              "CFI and TLI from 0.90, SRMR up to 0.10 and χ²/df up to 3 are conventional looser bands with no "
              "single source, and Kline (2016) advises against judging fit by χ²/df. The χ² test rejects almost "
              "every model in large samples, so the approximate indices carry the decision.",
        "fa": "برازش خوب بر اساس هو و بنتلر (۱۹۹۹) است؛ RMSEA تا ۰٫۰۸ برازش معقول است (براون و کوداک، ۱۹۹۳)؛ "
              "CFI و TLI از ۰٫۹۰، SRMR تا ۰٫۱۰ و خی‌دو بر درجه آزادی تا ۳ مرزهای رایج و آسان‌گیرتری‌اند که منبع "
              "واحدی ندارند و کلاین (۲۰۱۶) داوری برازش با نسبت خی‌دو به درجه آزادی را توصیه نمی‌کند. آزمون "
              "خی‌دو در نمونه‌های بزرگ تقریباً هر مدلی را رد می‌کند؛ بنابراین داوری بر پایه شاخص‌های تقریبی است.",
    }[b.lang]
    kind = _robust_kind(fm)
    if kind:
        note += {"en": " Estimator MLR: the scaled χ² is Yuan and Bentler's (2000), the ML χ² divided by the "
                       "scaling factor; " + ("the robust CFI, TLI and RMSEA follow Brosseau-Liard, Savalei, and Li "
                                             "(2012) and Brosseau-Liard and Savalei (2014)." if kind == "robust" else
                                             "with missing data the scaled CFI, TLI and RMSEA are shown."),
                 "fa": " برآوردگر MLR: خی‌دوی مقیاس‌شده یوان و بنتلر (۲۰۰۰) برابر خی‌دوی ML تقسیم بر ضریب مقیاس "
                       "است؛ " + ("CFI، TLI و RMSEA مقاوم بر پایه بروسو-لیار، ساوالی و لی (۲۰۱۲) و بروسو-لیار و "
                                 "ساوالی (۲۰۱۴) است." if kind == "robust" else
                                 "با داده‌های گمشده CFI، TLI و RMSEA مقیاس‌شده نشان داده شده است.")}[b.lang]
    b.table(key, title_key, pd.DataFrame(shown), pd.DataFrame(rows), note)
    return pd.DataFrame(rows)


def _introduction(b, study):
    """Byline (author, institution), the chapter's introduction and the table of constructs."""
    lang = b.lang
    byline = " · ".join(t for t in (study.author, study.institution) if t)
    if byline:
        b.para(byline, "byline")
    b.heading("intro")
    k = len(study.hypotheses)
    pls = study.estimator == "PLS-SEM"
    if lang == "fa":
        b.para(f"این فصل تحلیل داده‌های گردآوری‌شده برای آزمون {fmt_int(k, lang)} فرضیه پژوهش را گزارش می‌کند. "
               "نخست نمونه و آماده‌سازی داده‌ها (۴-۱) و توزیع گویه‌ها و سازه‌ها (۴-۲) توصیف می‌شود؛ سپس مدل "
               "اندازه‌گیری از نظر پایایی، روایی همگرا و روایی واگرا ارزیابی می‌شود (۴-۳) و در پایان مدل ساختاری "
               f"برآورد و فرضیه‌ها آزموده می‌شوند (۴-۴). روش برآورد {'PLS-SEM' if pls else 'CB-SEM'} است. سازه‌های "
               "مدل در جدول زیر آمده‌اند.")
    else:
        b.para(f"This chapter reports the analysis of the data collected to test the {k} hypotheses of the study. "
               "It describes the sample and the preparation of the data (4.1) and the distributions of the items "
               "and constructs (4.2), then assesses the measurement model for reliability and convergent and "
               "discriminant validity (4.3), and finally estimates the structural model and tests the hypotheses "
               f"(4.4). The model is estimated by {'PLS-SEM' if pls else 'CB-SEM'}. The constructs are listed in "
               "the table below.")
    rows = [{"construct": c, "label": study.text("construct_labels", c, lang, default=""), "n_items": len(its),
             "items": ", ".join(its)} for c, its in study.constructs.items()]
    data = pd.DataFrame(rows)
    b.table("constructs", "t_constructs", pd.DataFrame({
        "construct": data["construct"], "label": data["label"], "n_items": [fmt_int(v, lang) for v in data["n_items"]],
        "items": [("، " if lang == "fa" else ", ").join(its) for its in study.constructs.values()],
    }), data)


def _summary(b, study):
    """Section 4.6: what the chapter found, in a few sentences."""
    lang = b.lang
    hyp = b.hypotheses
    if hyp is None:
        return
    b.heading("s6")
    yes = hyp.loc[hyp["supported"], "hypothesis"].tolist()
    no = hyp.loc[~hyp["supported"], "hypothesis"].tolist()
    rel = b.fits.get("reliability")
    bad_ave = [] if rel is None else rel.loc[rel["ave"] < 0.5].index.tolist() if "ave" in rel else []
    sep = "، " if lang == "fa" else ", "
    if lang == "fa":
        text = (f"از {fmt_int(len(hyp), lang)} فرضیه پژوهش، {fmt_int(len(yes), lang)} فرضیه تأیید شد"
                + (f" ({sep.join(b.d(h) for h in yes)})" if yes else "")
                + (f" و {fmt_int(len(no), lang)} فرضیه ({sep.join(b.d(h) for h in no)}) تأیید نشد." if no else ".")
                + (f" میانگین واریانس استخراج‌شده سازه‌های {sep.join(bad_ave)} کمتر از ۰٫۵۰ بود؛ این محدودیت "
                   "روایی همگرا باید در تفسیر نتایج در نظر گرفته شود." if bad_ave else "")
                + " تفسیر این یافته‌ها و مقایسه آن‌ها با پژوهش‌های پیشین در فصل پنجم می‌آید.")
    else:
        text = (f"Of the {len(hyp)} hypotheses, {len(yes)} were supported" + (f" ({sep.join(yes)})" if yes else "")
                + (f" and {len(no)} were not ({sep.join(no)})." if no else ".")
                + (f" The AVE of {sep.join(bad_ave)} was below 0.50; this limit on convergent validity qualifies "
                   "the results that involve these constructs." if bad_ave else "")
                + " Chapter 5 interprets these findings and compares them with earlier studies.")
    b.para(text)


def _declared_missing(study) -> tuple[int, list[float]]:
    """Answers an SPSS file declares missing (user-missing values such as 99) in the study's columns.

    The reader turns them into empty cells, so without this count the chapter would report
    "0 answers with missing codes" for a file full of declared 99s.
    """
    if study.data_file.suffix.lower() != ".sav":
        return 0, []
    import pyreadstat

    renamed = {new: old for old, new in study.reverse.items()}
    cols = list(dict.fromkeys([renamed.get(i, i) for i in study.items] + study.demographics))
    _, meta = pyreadstat.read_sav(str(study.data_file), metadataonly=True)
    cols = [c for c in cols if c in meta.column_names]
    raw, meta = pyreadstat.read_sav(str(study.data_file), user_missing=True, usecols=cols)
    count, codes = 0, set()
    for col, ranges in (meta.missing_ranges or {}).items():
        if col not in raw.columns:
            continue
        values = pd.to_numeric(raw[col], errors="coerce")
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if lo is None or hi is None:
                continue
            hit = values.between(float(lo), float(hi))
            count += int(hit.sum())
            codes.update(float(v) for v in values[hit].unique())
    return count, sorted(codes)


def _sample_section(b, study, data, x, prog):
    prog("sample and missing data")
    lang = b.lang
    b.heading("s1")
    n_total = data.n_total
    n = len(x)
    n_codes = int(data.codes_replaced.sum())
    n_declared, declared = _declared_missing(study)
    items_missing = data.items.isna().sum()
    codes = ("، " if lang == "fa" else ", ").join(fmt_num(c, lang, 0) for c in study.missing_codes) or "-"
    if lang == "fa":
        text = (f"فایل داده {study.data_file.name} شامل {fmt_int(n_total, lang)} پاسخ‌دهنده است. "
                f"{fmt_int(n_codes, lang)} پاسخ با کدهای گمشده فایل مطالعه ({codes}) ثبت شده بود"
                + (f" و {fmt_int(n_declared, lang)} پاسخ مقدار گمشده تعریف‌شده در فایل SPSS "
                   f"({'، '.join(fmt_num(c, lang, 0) for c in declared)}) داشت" if n_declared else "")
                + "؛ همه گمشده در نظر گرفته شدند. "
                f"{fmt_int(n_total - n, lang)} پاسخ‌دهنده به دست‌کم یکی از گویه‌های مدل پاسخ نداده بودند؛ "
                f"با حذف فهرستی (listwise) تحلیل بر پایه {fmt_int(n, lang)} پاسخ‌دهنده کامل "
                f"({fmt_pct(100 * n / n_total, lang)} درصد) انجام شد.")
    else:
        text = (f"The data file {study.data_file.name} holds {n_total} respondents. {n_codes} answers carried a "
                f"missing-value code of the study file ({codes})"
                + (f" and {n_declared} a missing value declared in the SPSS file "
                   f"({', '.join(fmt_num(c, lang, 0) for c in declared)})" if n_declared else "")
                + f"; all were treated as missing. {n_total - n} respondents left at "
                "least one item of the model unanswered; with listwise deletion the analysis uses the "
                f"{n} complete respondents ({fmt_pct(100 * n / n_total)}%).")
    if study.missing_policy == "fiml":
        m = int(data.items.notna().any(axis=1).sum())
        text += {"en": f" The measurement and structural models, however, are estimated by full-information maximum "
                       f"likelihood (FIML), which uses every answer of all {m} respondents who answered at least one "
                       "item, under the assumption that answers are missing at random (Enders & Bandalos, 2001); "
                       "the descriptives, Mardia's tests, reliability and discriminant validity use the complete "
                       "respondents.",
                 "fa": f" با این حال مدل‌های اندازه‌گیری و ساختاری با بیشینه درست‌نمایی اطلاعات کامل (FIML) برآورد "
                       f"شدند که همه پاسخ‌های {fmt_int(m, lang)} پاسخ‌دهنده‌ای را که دست‌کم به یک گویه پاسخ داده‌اند "
                       "به کار می‌گیرد و فرض می‌کند داده‌ها به‌طور تصادفی گمشده‌اند (اندرز و باندالوس، ۲۰۰۱)؛ آمار "
                       "توصیفی، آزمون‌های ماردیا، پایایی و روایی واگرا بر پایه پاسخ‌دهندگان کامل است."}[lang]
    b.para(text)
    miss = pd.DataFrame({"item": items_missing.index, "missing": items_missing.to_numpy(),
                         "pct": 100 * items_missing.to_numpy() / n_total})
    b.table("missing_items", "t_missing",
            pd.DataFrame({"item": miss["item"], "missing_n": [fmt_int(v, lang) for v in miss["missing"]],
                          "pct": [fmt_pct(v, lang) for v in miss["pct"]]}), miss)
    if not study.demographics:
        return
    demo = data.demographics.loc[x.index]
    rows, shown = [], []
    for col in study.demographics:
        values = demo[col]
        numeric = pd.to_numeric(values.map(lambda v: v if _is_number(v) else np.nan), errors="coerce")
        use = numeric if numeric.notna().sum() == values.notna().sum() else values.astype("object")
        counts = use.value_counts(dropna=True).sort_index()
        n_miss = int(use.isna().sum())
        labels = data.value_labels.get(col, {})
        name = _variable_label(col, data, lang)
        if _is_continuous(use, labels):
            # a number such as tenure in years: mean, SD and range, not one row per value
            v = use.dropna().astype(float)
            stats = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)), "min": float(v.min()),
                     "max": float(v.max())}
            rows.append({"variable": col, "category": "continuous", "n": int(v.size), "pct": 100 * v.size / n,
                         **stats})
            lo, hi = digits(f"{stats['min']:g}", lang), digits(f"{stats['max']:g}", lang)
            # word joiners (U+2060) keep "1–25" on one line: a line may otherwise break after the dash
            cell = {"en": f"M = {stats['mean']:.2f}, SD = {stats['sd']:.2f}, range {lo}\u2060\u2013\u2060{hi}",
                    "fa": f"میانگین {fmt_num(stats['mean'], lang, 2)}، انحراف معیار {fmt_num(stats['sd'], lang, 2)}، "
                          f"دامنه {lo} تا {hi}"}[lang]
            shown.append({"variable": name, "category": cell, "n": fmt_int(v.size, lang),
                          "pct": fmt_pct(100 * v.size / n, lang)})
            continue
        first = True
        for value, count in counts.items():
            cat = _label(value, labels, lang)
            rows.append({"variable": col, "category": cat, "n": int(count), "pct": 100 * count / n})
            shown.append({"variable": name if first else "", "category": cat, "n": fmt_int(count, lang),
                          "pct": fmt_pct(100 * count / n, lang)})
            first = False
        if n_miss:
            rows.append({"variable": col, "category": b.t("missing_cat"), "n": n_miss, "pct": 100 * n_miss / n})
            shown.append({"variable": "", "category": b.t("missing_cat"), "n": fmt_int(n_miss, lang),
                          "pct": fmt_pct(100 * n_miss / n, lang)})
    b.table("demographics", "t_demo", pd.DataFrame(shown), pd.DataFrame(rows),
            {"en": f"n = {n} respondents analysed.", "fa": f"n = {fmt_int(n, lang)} پاسخ‌دهنده تحلیل‌شده."}[lang])
    _demo_figure(b, pd.DataFrame(rows), study, {c: _variable_label(c, data, lang) for c in study.demographics})


def _is_continuous(values: pd.Series, labels: dict) -> bool:
    """A numeric demographic without value labels and with more than 10 distinct values."""
    return (not labels and pd.api.types.is_numeric_dtype(values) and values.dropna().nunique() > 10)


def _demo_figure(b, rows, study, names):
    import matplotlib.pyplot as plt

    from crm_research.core.plotting import rtl_axes, style

    cols = [c for c in study.demographics if not (rows.loc[rows["variable"] == c, "category"] == "continuous").any()]
    if not cols:
        return
    k = len(cols)
    ncol = min(2, k)
    nrow = int(np.ceil(k / ncol))
    with style(b.lang):
        # Drawn at the page's text width (6.5 in), so the Word page shows it at full size and the 8-point
        # labels stay 8 points: a wider figure would be shrunk to fit and its labels become unreadable.
        fig, axes = plt.subplots(nrow, ncol, figsize=(6.5, 2.2 * nrow), squeeze=False)
        # Panels are read in the language's direction: in Persian the first one is top right.
        order = list((axes[:, ::-1] if b.lang == "fa" else axes).ravel())
        for ax, col in zip(order, cols):
            part = rows[rows["variable"] == col]
            labels = [textwrap.fill(str(c), 22) for c in part["category"]]
            ax.barh(labels[::-1], part["pct"].to_numpy()[::-1], color="#1f4e79")
            ax.set_title(textwrap.fill(names[col], 42), fontsize=9)
            ax.set_xlabel(b.t("pct"), fontsize=8)
            ax.tick_params(axis="x", labelsize=8)
            if b.lang == "fa":
                rtl_axes(ax)
                ax.invert_xaxis()
                persian_ticks(ax, "fa", "x")
            ax.tick_params(axis="y", labelsize=8)
        for ax in order[k:]:
            ax.set_visible(False)
        fig.tight_layout()
    b.figure("demographics", "f_demo", fig)


def _items_section(b, study, x, prog):
    import crm_research as crm

    prog("item descriptives and normality")
    lang = b.lang
    b.heading("s2")
    if study.item_wording:
        wording = pd.DataFrame({"item": study.items,
                                "wording": [study.text("item_wording", i, lang, default="") for i in study.items]})
        b.table("item_wording", "t_wording", wording, wording)
    desc = crm.item_descriptives(x, study.items, scale=study.scale)
    tab = desc.table.reset_index()
    data = tab[["item", "n", "mean", "sd", "skewness", "kurtosis"]]
    shown = pd.DataFrame({
        "item": data["item"], "n": [fmt_int(v, lang) for v in data["n"]],
        "mean": [fmt_num(v, lang, 2) for v in data["mean"]], "sd": [fmt_num(v, lang, 2) for v in data["sd"]],
        "skewness": [fmt_num(v, lang, 2) for v in data["skewness"]],
        "kurtosis": [fmt_num(v, lang, 2) for v in data["kurtosis"]],
    })
    note = {"en": "Skewness and excess kurtosis are the sample-adjusted estimators G1 and G2 (Joanes & Gill, "
                  "1998), as SPSS prints them.",
            "fa": "چولگی و کشیدگی اضافی با برآوردگرهای تعدیل‌شده G1 و G2 (جونز و گیل، ۱۹۹۸) و همانند خروجی SPSS "
                  "محاسبه شده‌اند."}[lang]
    b.table("item_descriptives", "t_items", shown, data, note)
    # construct scores: the mean of each construct's (reverse-coded) items, described by the same function
    scores = pd.DataFrame({c: x[its].mean(axis=1) for c, its in study.constructs.items()})
    cdesc = crm.item_descriptives(scores, list(study.constructs), scale=study.scale).table.reset_index()
    cdata = cdesc[["item", "n", "mean", "sd", "skewness", "kurtosis"]].rename(columns={"item": "construct"})
    b.table("construct_descriptives", "t_construct_desc", pd.DataFrame({
        "construct": cdata["construct"],
        "label": [study.text("construct_labels", c, lang, default="") for c in cdata["construct"]],
        "mean": [fmt_num(v, lang, 2) for v in cdata["mean"]], "sd": [fmt_num(v, lang, 2) for v in cdata["sd"]],
        "skewness": [fmt_num(v, lang, 2) for v in cdata["skewness"]],
        "kurtosis": [fmt_num(v, lang, 2) for v in cdata["kurtosis"]],
    }), cdata, {"en": f"Construct score: the mean of the construct's items on the {study.scale[0]:g}-"
                      f"{study.scale[1]:g} scale (reverse-worded items recoded).",
                "fa": f"نمره سازه: میانگین گویه‌های آن در مقیاس {digits(f'{study.scale[0]:g}', lang)} تا "
                      f"{digits(f'{study.scale[1]:g}', lang)} (پس از بازکدگذاری گویه‌های معکوس)."}[lang])
    mar = crm.mardia(x, study.items)
    mf = mar.to_frame().reset_index()
    b.table("mardia", "t_mardia", pd.DataFrame({
        "statistic": [b.t("skewness_m"), b.t("kurtosis_m")],
        "value": [fmt_num(v, lang, 2) for v in mf["statistic"]],
        "test": [fmt_num(v, lang, 2) for v in mf["test"]],
        "df": [fmt_int(v, lang) for v in mf["df"]],
        "p": [fmt_p(v, lang) for v in mf["pvalue"]],
    }), mf)
    max_skew = float(np.abs(data["skewness"]).max())
    max_kurt = float(np.abs(data["kurtosis"]).max())
    univariate_ok = max_skew < 2 and max_kurt < 7
    multi_ok = mar.p_skew >= 0.05 and mar.p_kurt >= 0.05
    pls = study.estimator == "PLS-SEM"
    if lang == "fa":
        text = (f"بیشترین قدر مطلق چولگی {fmt_num(max_skew, lang, 2)} و بیشترین قدر مطلق کشیدگی "
                f"{fmt_num(max_kurt, lang, 2)} است؛ "
                + ("هر دو زیر آستانه‌های ۲ و ۷ (کوران، وست و فینچ، ۱۹۹۶) قرار دارند. " if univariate_ok else
                   "دست‌کم یکی از آستانه‌های ۲ و ۷ (کوران، وست و فینچ، ۱۹۹۶) رد شده است. ")
                + ("آزمون‌های ماردیا نرمال بودن چندمتغیره را رد نمی‌کنند. " if multi_ok else
                   "آزمون‌های ماردیا نرمال بودن چندمتغیره را رد می‌کنند. "))
        if pls:
            text += "روش PLS-SEM فرض نرمال بودن ندارد و معناداری با بوت‌استرپ سنجیده می‌شود."
        elif multi_ok:
            text += "بنابراین برآوردگر بیشینه درست‌نمایی (ML) مناسب است."
        else:
            text += ("با داده‌های نانرمال برآوردهای نقطه‌ای بیشینه درست‌نمایی (ML) سازگار می‌مانند، اما آزمون خی‌دوی "
                     "ML مدل‌های درست را بیش از حد رد می‌کند (کوران، وست و فینچ، ۱۹۹۶). بنابراین مدل‌های "
                     "اندازه‌گیری و ساختاری با بیشینه درست‌نمایی مقاوم (MLR) برآورد شدند: همان برآوردهای ML با "
                     "خطاهای معیار مقاوم (ساندویچ هوبر-وایت) و خی‌دوی مقیاس‌شده یوان-بنتلر (یوان و بنتلر، ۲۰۰۰)؛ "
                     "برازش با CFI، TLI و RMSEA مقاوم داوری می‌شود (بروسو-لیار، ساوالی و لی، ۲۰۱۲؛ بروسو-لیار و "
                     "ساوالی، ۲۰۱۴)." + (
                         " فرضیه‌ها افزون بر این با فاصله‌های اطمینان بوت‌استرپ که به فرض نرمال بودن وابسته نیستند "
                         "داوری شده‌اند." if study.bootstrap else ""))
    else:
        text = (f"The largest absolute skewness is {max_skew:.2f} and the largest absolute kurtosis "
                f"{max_kurt:.2f}; "
                + ("both are below the limits of 2 and 7 (Curran, West, & Finch, 1996). " if univariate_ok else
                   "at least one exceeds the limits of 2 and 7 (Curran, West, & Finch, 1996). ")
                + ("Mardia's tests do not reject multivariate normality. " if multi_ok else
                   "Mardia's tests reject multivariate normality. "))
        if pls:
            text += "PLS-SEM makes no normality assumption and judges significance by bootstrapping."
        elif multi_ok:
            text += "Maximum likelihood (ML) estimation is therefore appropriate."
        else:
            text += ("Under non-normality the maximum likelihood (ML) point estimates remain consistent, but the ML "
                     "χ² test rejects correct models too often (Curran, West, & Finch, 1996). The measurement and "
                     "structural models are therefore estimated by robust maximum likelihood (MLR): the ML "
                     "estimates with robust (Huber-White sandwich) standard errors and the Yuan-Bentler scaled χ² "
                     "(Yuan & Bentler, 2000), and fit is judged by the robust CFI, TLI and RMSEA (Brosseau-Liard, "
                     "Savalei, & Li, 2012; Brosseau-Liard & Savalei, 2014)." + (
                         " The hypotheses are in addition judged by bootstrap confidence intervals, which do not "
                         "assume normality either." if study.bootstrap else ""))
    b.para(text)
    # the estimator that follows from the normality tests (CB-SEM): MLR when Mardia rejects
    b.fits["estimator"] = "ML" if (pls or multi_ok) else "MLR"
    with _style(b.lang):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        mar.plot(ax=ax)
        if lang == "fa":
            from crm_research.core.plotting import number

            ax.set_xlabel(f"چندک خی‌دو (درجه آزادی {number(mar.n_items, 'fa')})")
            ax.set_ylabel("مجذور فاصله ماهالانوبیس")
            persian_ticks(ax)
    b.figure("mardia_qq", "f_qq", fig)
    return desc, mar


def _style(lang):
    from crm_research.core.plotting import style

    return style(lang)


def _measurement_syntax(study) -> str:
    """The study's measurement model: every ``=~`` line and every ``~~`` between items, with their modifiers.

    Residual covariances (``LOY3 ~~ LOY4``), fixed or equal loadings and fixed residual variances are
    part of the measurement model the researcher wrote; the CFA of the chapter must be that model,
    or its fit, loadings, CR/AVE and Fornell-Larcker verdicts describe a different one.
    """
    from crm_research.core.syntax import parse_model
    from crm_research.data.study import _interaction_terms

    parsed = parse_model(_interaction_terms(study.model)[0])
    observed = set(study.items)
    lines = []
    for st in parsed.statements:
        if st.op == "=~" or (st.op == "~~" and st.lhs in observed and all(t.name in observed for t in st.terms)):
            lines.append(f"{st.lhs} {st.op} " + " + ".join(t.text() for t in st.terms))
    return "\n".join(lines)


def _measurement_section(b, study, x, prog, model_data):
    import crm_research as crm

    lang = b.lang
    b.heading("s3")
    prog("measurement model (CFA)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        syntax = _measurement_syntax(study)
        cfa = crm.cfa(model_data, syntax, missing=study.missing_policy, estimator=b.fits.get("estimator", "ML"),
                      progress=False)
        # reliability and validity use the complete respondents: under FIML the same model is fitted
        # once more on them, so omega's observed variance and the loadings come from the same people
        rel_fit = cfa if study.missing_policy != "fiml" else crm.cfa(x, syntax, progress=False)
    b.heading("s3a", 2)
    fit = _fit_table(b, cfa, "cfa_fit", "t_cfa_fit")
    b.para(_fit_sentence(fit, lang, "cfa"))
    b.heading("s3b", 2)
    est = cfa.estimates
    load = est[est["op"] == "=~"][["lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]].rename(
        columns={"lhs": "construct", "rhs": "item"})
    shown = pd.DataFrame({
        "construct": [c if i == 0 or c != prev else "" for i, (c, prev) in
                      enumerate(zip(load["construct"], [None, *load["construct"].tolist()[:-1]]))],
        "item": load["item"], "est": [fmt_num(v, lang) for v in load["est"]],
        "se": [fmt_num(v, lang) if v > 0 else "" for v in load["se"]],
        "z": [fmt_num(v, lang, 2) for v in load["z"]], "p": [fmt_p(v, lang) for v in load["pvalue"]],
        "loading": [fmt_num(v, lang) for v in load["std_all"]],
    })
    weak = load[load["std_all"] < 0.5]["item"].tolist()
    note = {"en": "The first loading of each construct is fixed to 1 (marker variable), so it has no standard "
                  "error. Standardized loadings of at least 0.70 are ideal and at least 0.50 acceptable "
                  "(Hair, Black, et al., 2019).",
            "fa": "نخستین بار عاملی هر سازه برای تعیین مقیاس برابر ۱ ثابت شده و خطای معیار ندارد. بارهای "
                  "عاملی استاندارد ۰٫۷۰ و بیشتر مطلوب و ۰٫۵۰ و بیشتر قابل قبول است (هیر، بلک و همکاران، ۲۰۱۹)."}[lang]
    b.table("loadings", "t_loadings", shown, load, note)
    if weak:
        b.para({"en": f"Items with a standardized loading below 0.50: {', '.join(weak)}.",
                "fa": f"گویه‌های دارای بار عاملی استاندارد کمتر از ۰٫۵۰: {'، '.join(weak)}."}[lang])
    b.figure("measurement_model", {"en": "Measurement model (standardized loadings)",
                                   "fa": "مدل اندازه‌گیری (بارهای عاملی استانداردشده)"}[lang],
             crm.measurement_diagram(cfa, lang=lang, labels={c: study.text("construct_labels", c, lang)
                                                             for c in study.constructs}))

    prog("reliability and validity")
    b.heading("s3c", 2)
    # the one CFA above is reused: reliability and Fornell-Larcker describe the researcher's model
    rel = crm.construct_reliability(x, study.constructs, scale=study.scale, fit=rel_fit)
    rel_data = rel.reset_index()[["construct", "n_items", "alpha", "omega", "cr", "ave"]]
    b.table("reliability", "t_reliability", pd.DataFrame({
        "construct": rel_data["construct"], "n_items": [fmt_int(v, lang) for v in rel_data["n_items"]],
        "alpha": [fmt_num(v, lang) for v in rel_data["alpha"]], "omega": [fmt_num(v, lang) for v in rel_data["omega"]],
        "cr": [fmt_num(v, lang) for v in rel_data["cr"]], "ave": [fmt_num(v, lang) for v in rel_data["ave"]],
    }), rel_data, {"en": "Criteria: α and CR ≥ 0.70, AVE ≥ 0.50 (Fornell & Larcker, 1981; Hair, Black, et al., 2019).",
                   "fa": "معیارها: آلفا و پایایی ترکیبی ≥ ۰٫۷۰ و AVE ≥ ۰٫۵۰ (فورنل و لارکر، ۱۹۸۱؛ هیر و همکاران، "
                         "۲۰۱۹)."}[lang])
    bad_cr = rel_data.loc[rel_data["cr"] < 0.7, "construct"].tolist()
    bad_ave = rel_data.loc[rel_data["ave"] < 0.5, "construct"].tolist()
    if lang == "fa":
        text = ("پایایی ترکیبی همه سازه‌ها دست‌کم ۰٫۷۰ است. " if not bad_cr else
                f"پایایی ترکیبی سازه‌های {'، '.join(bad_cr)} کمتر از ۰٫۷۰ است. ")
        text += ("میانگین واریانس استخراج‌شده همه سازه‌ها دست‌کم ۰٫۵۰ است و روایی همگرا تأیید می‌شود." if not bad_ave
                 else f"میانگین واریانس استخراج‌شده سازه‌های {'، '.join(bad_ave)} کمتر از ۰٫۵۰ است؛ به گفته فورنل و "
                      "لارکر (۱۹۸۱) در این حالت واریانس خطای اندازه‌گیری از واریانسی که سازه تبیین می‌کند بیشتر "
                      "است و روایی همگرای سازه محل تردید است. بنابراین روایی همگرای این سازه‌ها تأیید نمی‌شود؛ "
                      "پایایی ترکیبی بالا این کمبود را جبران نمی‌کند و گویه‌های با بار کم باید در فصل بعد بحث "
                      "شوند.")
    else:
        text = ("Every construct has a composite reliability of at least 0.70. " if not bad_cr else
                f"Composite reliability is below 0.70 for {', '.join(bad_cr)}. ")
        text += ("Every AVE is at least 0.50, which supports convergent validity." if not bad_ave else
                 f"The AVE is below 0.50 for {', '.join(bad_ave)}: more of these items' variance is measurement "
                 "error than construct variance, and Fornell and Larcker (1981) call the convergent validity of "
                 "such a construct questionable. Convergent validity is therefore not established for "
                 f"{', '.join(bad_ave)}; a composite reliability above 0.70 does not make up for it, and the "
                 "weakly loading items deserve discussion.")
    b.para(text)

    b.heading("s3d", 2)
    names = list(study.constructs)
    if len(names) >= 2:
        fl = crm.fornell_larcker(x, study.constructs, scale=study.scale, fit=rel_fit)
        square = fl[names]
        shown = pd.DataFrame({"construct": names})
        for j, c in enumerate(names):
            shown[c] = [fmt_num(square.iloc[i, j], lang) if j <= i else "" for i in range(len(names))]
        b.table("fornell_larcker", "t_fl", shown, fl.reset_index(),
                {"en": "Diagonal: square root of AVE; below it: correlations between the latent constructs.",
                 "fa": "قطر اصلی: جذر AVE؛ زیر قطر: همبستگی میان سازه‌های پنهان."}[lang])
        boot = study.bootstrap if study.bootstrap else 0
        ht = crm.htmt(x, study.constructs, scale=study.scale)
        shown = pd.DataFrame({"construct": names})
        for j, c in enumerate(names):
            shown[c] = [fmt_num(ht.iloc[i, j], lang) if j < i else "" for i in range(len(names))]
        b.table("htmt", "t_htmt", shown, ht.reset_index(names="construct"),
                {"en": "HTMT2 (geometric means; Roemer et al., 2021), as semTools::htmt. Criterion: HTMT < 0.85, "
                       "or < 0.90 for conceptually similar constructs (Henseler et al., 2015).",
                 "fa": "HTMT2 (میانگین هندسی؛ رومر و همکاران، ۲۰۲۱) همانند semTools::htmt. معیار: HTMT کمتر از "
                       "۰٫۸۵ یا برای سازه‌های مفهومی نزدیک کمتر از ۰٫۹۰ (هنسلر و همکاران، ۲۰۱۵)."}[lang])
        fl_bad = fl.index[~fl["discriminant_ok"].astype(bool)].tolist()
        off = ht.to_numpy(dtype=float).copy()
        np.fill_diagonal(off, np.nan)
        max_htmt = float(np.nanmax(off))
        intervals = (crm.htmt_intervals(x, study.constructs, bootstrap=boot, seed=study.seed, scale=study.scale,
                                        progress=False).intervals if boot else None)
        upper = float(intervals["ci_high"].max()) if intervals is not None and len(intervals) else None
        if lang == "fa":
            text = ("جذر AVE هر سازه از همبستگی آن با سازه‌های دیگر بیشتر است (معیار فورنل و لارکر برقرار است). "
                    if not fl_bad else f"معیار فورنل و لارکر برای سازه‌های {'، '.join(fl_bad)} برقرار نیست. ")
            text += f"بیشترین مقدار HTMT برابر {fmt_num(max_htmt, lang)} است"
            text += " که کمتر از ۰٫۸۵ است؛ روایی واگرا تأیید می‌شود." if max_htmt < 0.85 else "."
            if upper is not None:
                text += (f" بیشترین حد بالای فاصله‌های صدکی بوت‌استرپ ({fmt_int(boot, lang)} نمونه) برابر "
                         f"{fmt_num(upper, lang)} است" + (" که کمتر از ۱ است (هنسلر و همکاران، ۲۰۱۵)." if upper < 1
                                                          else "."))
        else:
            text = ("The square root of each construct's AVE exceeds its correlations with the other constructs "
                    "(the Fornell-Larcker criterion holds). " if not fl_bad else
                    f"The Fornell-Larcker criterion fails for {', '.join(fl_bad)}. ")
            text += f"The largest HTMT is {max_htmt:.3f}"
            text += ", below 0.85, which supports discriminant validity." if max_htmt < 0.85 else "."
            if upper is not None:
                text += (f" The largest upper bound of the {boot}-resample percentile intervals is {upper:.3f}"
                         + (", below 1 (Henseler et al., 2015)." if upper < 1 else "."))
        b.para(text)
        from crm_research.report.assessment import method_bias_section

        b.fits["method_bias"] = method_bias_section(b, study, x, syntax)
        return cfa, rel, fl, ht, [w for w in caught]
    return cfa, rel, None, None, [w for w in caught]


def _fit_sentence(fit: pd.DataFrame, lang: str, which: str) -> str:
    v = fit.set_index("index")
    kind = "robust" if "cfi_robust" in v.index else "scaled" if "chisq_scaled" in v.index else ""
    # an MLR fit reports its scaled χ² and robust (or scaled) indices under their base names
    v = v.rename(index={k: base for k, base in {**_BASE_INDEX, "chisq_scaled": "chisq"}.items() if k in v.index})
    verdicts = v.loc[["cfi", "tli", "rmsea", "srmr"], "verdict"]
    overall = "good" if (verdicts == "good").all() else ("acceptable" if (verdicts != "poor").all() else "poor")
    df = int(round(float(v.loc["df", "value"])))
    chisq = float(v.loc["chisq", "value"])
    p = fmt_p(v.loc["pvalue", "value"], lang)
    if lang == "fa":
        name = "مدل اندازه‌گیری" if which == "cfa" else "مدل ساختاری"
        p_text = p if p.startswith("<") else "= " + p
        # each "name = value" is a left-to-right island (Unicode isolates); without them the bidi
        # algorithm scatters the Latin names and Persian numbers of a right-to-left sentence
        stats = [f"χ²({fmt_int(df, lang)}) = {fmt_num(chisq, lang, 2)}", f"p {p_text}"] + [
            f"{k.upper()} = {fmt_num(v.loc[k, 'value'], lang)}" for k in ("cfi", "tli", "rmsea", "srmr")]
        how = {"robust": " (خی‌دوی مقیاس‌شده و شاخص‌های مقاوم MLR)",
               "scaled": " (خی‌دو و شاخص‌های مقیاس‌شده MLR)"}.get(kind, "")
        return (f"برازش {name}{how}: " + "، ".join(ltr(t) for t in stats)
                + f"؛ در مجموع برازش {tr(overall, lang)} است.")
    name = "measurement model" if which == "cfa" else "structural model"
    p_text = p if p.startswith("<") else "= " + p
    return (f"The {name} fits {'well' if overall == 'good' else 'acceptably' if overall == 'acceptable' else 'poorly'}: "
            f"{'scaled ' if kind else ''}χ²({df}) = {chisq:.2f}, p {p_text}, "
            f"{kind + ' ' if kind else ''}CFI = {fmt_num(v.loc['cfi', 'value'])}, "
            f"{kind + ' ' if kind else ''}TLI = {fmt_num(v.loc['tli', 'value'])}, "
            f"{kind + ' ' if kind else ''}RMSEA = {fmt_num(v.loc['rmsea', 'value'])}, "
            f"SRMR = {fmt_num(v.loc['srmr', 'value'])}.")


def _ci_cols(est: pd.DataFrame, boot: bool):
    # percentile, as crm.hypotheses: BC inflates the Type I error (Fritz, Taylor & MacKinnon, 2012)
    return ("perc_lower", "perc_upper") if boot else ("ci_lower", "ci_upper")


def _structural_section(b, study, x, prog):
    import crm_research as crm

    lang = b.lang
    b.heading("s4")
    boot = study.bootstrap
    prog(f"structural model (SEM{f', {boot} bootstrap resamples' if boot else ''})")
    ires = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if study.interactions:
            # a latent interaction (x:z): product indicators, ML (crm.interaction_sem has no robust or
            # bootstrap option), so the intervals of this model are normal-theory ones
            ires = crm.interaction_sem(x, study.model)
            fit, boot = ires.fit, 0
        else:
            fit = crm.sem(x, study.model, missing=study.missing_policy, estimator=b.fits.get("estimator", "ML"),
                          bootstrap=boot, seed=study.seed, progress=b.progress)
    b.fits["interaction"] = ires
    import matplotlib.pyplot as plt

    with _style(lang):
        fig, ax = plt.subplots(figsize=(8, 6))  # near the printed width: the labels stay legible
        fit.plot(ax=ax, lang=lang, labels={c: study.text("construct_labels", c, lang) for c in study.constructs})
        if lang == "en":
            ax.set_title("Standardized estimates; * p < .05, ** p < .01, *** p < .001", fontsize=9)
    b.figure("path_diagram", "f_path", fig)
    if ires is not None:
        b.para({"en": "The structural model contains a latent interaction, estimated with double-mean-centred "
                      "product indicators (Lin, Wen, Marsh, & Lin, 2010) by maximum likelihood: robust standard "
                      "errors and the bootstrap are not available for this model, and its standard errors treat "
                      "the products as normal, so they are approximate.",
                "fa": "مدل ساختاری یک تعامل پنهان دارد که با شاخص‌های حاصل‌ضربی دوبار میانگین‌زدایی‌شده (لین، ون، "
                      "مارش و لین، ۲۰۱۰) و بیشینه درست‌نمایی برآورد شد؛ خطای معیار مقاوم و بوت‌استرپ برای این مدل "
                      "در دسترس نیست و خطاهای معیار آن حاصل‌ضرب‌ها را نرمال فرض می‌کنند، پس تقریبی‌اند."}[lang])
    sem_fit = _fit_table(b, fit, "sem_fit", "t_sem_fit")
    b.para(_fit_sentence(sem_fit, lang, "sem"))

    b.heading("s4a", 2)
    est = fit.estimates
    lo_col, hi_col = _ci_cols(est, boot > 0)
    paths = est[est["op"] == "~"].copy()
    paths_data = pd.DataFrame({"path": paths["lhs"] + " <- " + paths["rhs"], "label": paths["label"],
                               "est": paths["est"], "se": paths["se"], "z": paths["z"], "pvalue": paths["pvalue"],
                               "std_all": paths["std_all"], "ci_low": paths[lo_col], "ci_high": paths[hi_col]})
    arrow = " ← "
    b.table("paths", "t_paths", pd.DataFrame({
        "path": [_product_name(p) for p in paths["lhs"] + arrow + paths["rhs"]], "est": [fmt_num(v, lang) for v in paths["est"]],
        "se": [fmt_num(v, lang) for v in paths["se"]], "z": [fmt_num(v, lang, 2) for v in paths["z"]],
        "p": [fmt_p(v, lang) for v in paths["pvalue"]], "beta": [fmt_num(v, lang) for v in paths["std_all"]],
        "ci_lower": [fmt_num(v, lang) for v in paths[lo_col]], "ci_upper": [fmt_num(v, lang) for v in paths[hi_col]],
    }), paths_data, _ci_note(boot, study.seed, lang))
    endo = [c for c in dict.fromkeys(paths["lhs"]) if c in fit.r2.index]
    r2 = pd.DataFrame({"construct": endo, "r2": [float(fit.r2[c]) for c in endo]})
    b.table("r2", "t_r2", pd.DataFrame({"construct": r2["construct"], "r2": [fmt_num(v, lang) for v in r2["r2"]]}),
            r2, {"en": "R² of 0.75, 0.50 and 0.25 are read as substantial, moderate and weak in marketing research "
                       "(Hair et al., 2022); the bands depend on the discipline.",
                 "fa": "مقادیر ۰٫۷۵، ۰٫۵۰ و ۰٫۲۵ برای R² در پژوهش‌های بازاریابی به ترتیب قوی، متوسط و ضعیف تفسیر "
                       "می‌شوند (هیر و همکاران، ۲۰۲۲)؛ این مرزها به رشته بستگی دارند."}[lang])

    from crm_research.report.assessment import effect_size_section

    if ires is not None:
        # the refits of f² need the same product indicators as the interaction model
        for _y, fx, fz, _xz in ires.interactions:
            xi, zi = study.constructs[fx], study.constructs[fz]
            x = crm.product_indicators(x, xi, zi, method=ires.method, match=len(xi) == len(zi))
    b.fits["f2_vif"] = effect_size_section(b, study, fit, x, study.missing_policy)
    med = crm.mediation_effects(fit) if (est["op"] == ":=").any() else None
    if med is not None and len(med):
        _mediation_section(b, study, med, boot)

    prog("hypotheses")
    b.heading("s4c", 2)
    from crm_research.data.study import _interaction_terms

    # 'SAT ~ OPR:ANL' is the path from the product factor OPR_x_ANL in the fitted model
    hyp = crm.hypotheses(fit, {h: _interaction_terms(spec)[0] for h, spec in study.hypotheses.items()})
    _hypotheses_table(b, hyp, dict(zip(med["effect"], med["chain"])) if med is not None else {})
    if ires is not None:
        from crm_research.report.assessment import moderation_section

        b.fits["moderation"] = moderation_section(b, study, ires, hyp, "4.4.4")
    return fit, hyp, [w for w in caught]


def _product_name(text: str) -> str:
    from crm_research.report.assessment import product_name

    return product_name(text)


def _persian_diagram(ax) -> None:
    """A path diagram in Persian: Persian digits in every estimate and R², a Persian title without 'std_all'.

    Construct and item codes (Latin) stay as they are; numbers such as '0.37***' and 'R² = 0.28' are
    rewritten with Persian digits and the Persian decimal separator, as in the tables.
    """
    import re

    number = re.compile(r"-?\d+\.\d+")
    for text in ax.texts:
        label = text.get_text()
        if number.search(label):
            text.set_text(ltr(number.sub(lambda m: digits(m.group(0).replace(".", "٫"), "fa"), label)))
    ax.set_title("نمودار مسیر با برآوردهای استانداردشده؛ " + ltr("* p < ۰٫۰۵، ** p < ۰٫۰۱، *** p < ۰٫۰۰۱"),
                 fontsize=9)


def _mediation_section(b, study, med, boot):
    """Indirect, direct and total effect of each mediation chain, with Zhao et al.'s (2010) type."""
    from crm_research.inference.hypotheses import MEDIATION_TYPES

    lang = b.lang
    b.heading("s4b", 2)
    rows = []
    for _, r in med.iterrows():
        chain = b.d(r["chain"]) if lang == "fa" else r["chain"]
        for kind, prefix in (("indirect", ""), ("direct", "direct_"), ("total", "total_")):
            if kind != "indirect" and np.isnan(r[f"{prefix}est"]):
                continue
            rows.append({"chain": chain if kind == "indirect" else "", "effect": b.t(f"eff_{kind}"),
                         "est": r[f"{prefix}est"], "beta": r[f"{prefix}beta"], "pvalue": r[f"{prefix}pvalue"],
                         "ci_low": r[f"{prefix}ci_low"], "ci_high": r[f"{prefix}ci_high"],
                         "type": MEDIATION_TYPES[r["mediation"]][1 if lang == "fa" else 0] if kind == "indirect"
                         else ""})
    table = pd.DataFrame(rows)
    b.table("indirect", "t_indirect", pd.DataFrame({
        "path": table["chain"], "effect": table["effect"], "est": [fmt_num(v, lang) for v in table["est"]],
        "beta": [fmt_num(v, lang) for v in table["beta"]], "p": [fmt_p(v, lang) for v in table["pvalue"]],
        "ci_lower": [fmt_num(v, lang) for v in table["ci_low"]],
        "ci_upper": [fmt_num(v, lang) for v in table["ci_high"]], "mediation": table["type"],
    }), med, _ci_note(boot, study.seed, lang) + {
        "en": " An indirect effect is significant when its interval excludes zero (Preacher & Hayes, 2008); its p "
              "value is the delta-method (Sobel) one. Mediation types after Zhao, Lynch, and Chen (2010).",
        "fa": " اثر غیرمستقیم زمانی معنادار است که فاصله اطمینان آن صفر را در بر نگیرد (پریچر و هیز، ۲۰۰۸)؛ "
              "مقدار p آن به روش دلتا (سوبل) است. نوع میانجی‌گری بر اساس ژائو، لینچ و چن (۲۰۱۰)."}[lang])
    sentences = []
    for _, r in med.iterrows():
        name = MEDIATION_TYPES[r["mediation"]][1 if lang == "fa" else 0]
        if lang == "fa":
            sentences.append(f"در زنجیره {ltr(b.d(r['chain']))} اثر غیرمستقیم {fmt_num(r['est'], lang)} "
                             f"({'معنادار' if r['significant'] else 'غیرمعنادار'}) و نوع آن «{name}» است.")
        else:
            sentences.append(f"For {r['chain']} the indirect effect is {fmt_num(r['est'])} "
                             f"({'significant' if r['significant'] else 'not significant'}), "
                             + ("with a significant direct effect" if r["direct_significant"] else
                                "with no significant direct effect") + f": {name}.")
    b.para(" ".join(sentences))


def _hypothesis_paths(hyp, chains) -> list[str]:
    """'SAT ← OPR' for a path, 'OPR → SAT → LOY' for an indirect effect (not 'ind_OPR := a1*b1')."""
    out = []
    for path in hyp["path"]:
        name = path.split(" := ")[0]
        out.append(chains[name] if " := " in path and name in chains else _product_name(path.replace(" ~ ", " ← ")))
    return out


def _hypotheses_table(b, hyp, chains=None):
    lang = b.lang
    # a PLS fit's statistic is the bootstrap t (estimate / bootstrap SE), as SmartPLS labels it
    stat = "t" if b.study is not None and b.study.estimator == "PLS-SEM" else "z"
    b.table("hypotheses", "t_hyp", pd.DataFrame({
        "hypothesis": [b.d(h) for h in hyp["hypothesis"]], "path": _hypothesis_paths(hyp, chains or {}),
        "beta": [fmt_num(v, lang) for v in hyp["beta"]], "est": [fmt_num(v, lang) for v in hyp["est"]],
        stat: [fmt_num(v, lang, 2) for v in hyp["z"]], "p": [fmt_p(v, lang) for v in hyp["pvalue"]],
        "ci_lower": [fmt_num(v, lang) for v in hyp["ci_low"]], "ci_upper": [fmt_num(v, lang) for v in hyp["ci_high"]],
        "result": [b.t("yes" if v else "no") for v in hyp["supported"]],
    }), hyp, {"en": "A hypothesis is supported when both p < .05 and its 95% interval "
                    f"({tr(hyp['interval'].iloc[0], 'en')}) excludes zero; for an indirect effect p is the "
                    "delta-method (Sobel) one, and the interval is the test that counts (Preacher & Hayes, 2008).",
              "fa": "فرضیه زمانی تأیید می‌شود که هم p کمتر از ۰٫۰۵ باشد و هم فاصله اطمینان ۹۵ درصد "
                    f"({tr(hyp['interval'].iloc[0], 'fa')}) صفر را در بر نگیرد؛ برای اثر غیرمستقیم مقدار p به روش "
                    "دلتا (سوبل) است و آزمون اصلی فاصله اطمینان است (پریچر و هیز، ۲۰۰۸)."}[lang])
    yes = hyp.loc[hyp["supported"], "hypothesis"].tolist()
    no = hyp.loc[~hyp["supported"], "hypothesis"].tolist()
    if lang == "fa":
        text = (f"از {fmt_int(len(hyp), lang)} فرضیه، {fmt_int(len(yes), lang)} فرضیه تأیید شد"
                + (f" ({'، '.join(b.d(h) for h in yes)})" if yes else "")
                + (f" و فرضیه‌های {'، '.join(b.d(h) for h in no)} رد شدند." if no else "."))
    else:
        text = (f"Of the {len(hyp)} hypotheses, {len(yes)} are supported" + (f" ({', '.join(yes)})" if yes else "")
                + (f"; {', '.join(no)} {'is' if len(no) == 1 else 'are'} not supported." if no else "."))
    b.para(text)
    b.hypotheses = hyp
    study = b.study
    if study is None:
        return
    paths = _hypothesis_paths(hyp, chains or {})
    for (_, r), path in zip(hyp.iterrows(), paths):
        statement = study.text("hypothesis_statements", r["hypothesis"], lang, default="")
        ci = f"[{fmt_num(r['ci_low'], lang)}, {fmt_num(r['ci_high'], lang)}]"
        p_text = fmt_p(r["pvalue"], lang)
        p_text = p_text if p_text.startswith("<") else "= " + p_text
        stats = f"β = {fmt_num(r['beta'], lang)}, p {p_text}, 95% CI {ci}"
        if lang == "fa":
            stats = "، ".join(ltr(t) for t in stats.split(", ", 2))
            head = f"فرضیه {b.d(r['hypothesis'])}" + (f" («{statement}»)" if statement else f" ({ltr(path)})")
            if r["supported"]:
                text = f"{head} تأیید شد ({stats})."
            else:
                text = (f"{head} تأیید نشد ({stats}). فاصله اطمینان صفر را در بر می‌گیرد، پس داده‌ها اثری از این "
                        "مسیر را، وقتی مسیرهای دیگر مدل در نظر گرفته شده‌اند، نشان نمی‌دهند. این یافته به معنای "
                        "نبودِ اثر نیست: ممکن است اثر کوچک‌تر از آن باشد که با این حجم نمونه آشکار شود، یا از راه "
                        "متغیرهای دیگر مدل منتقل شود؛ در فصل پنجم با پیشینه پژوهش مقایسه می‌شود.")
        else:
            head = f"{r['hypothesis']}" + (f" ({statement.rstrip('.')})" if statement else f" ({path})")
            if r["supported"]:
                text = f"{head} is supported ({stats})."
            else:
                what = (f"no effect of {path.split(' ← ')[1]} on {path.split(' ← ')[0]}" if " ← " in path else
                        f"no indirect effect along {path}")
                text = (f"{head} is not supported ({stats}). The interval includes zero, so the data show {what} "
                        "once the other paths of the model are accounted for. This is not evidence "
                        "that the effect is absent: it may be smaller than this sample can detect, or run through "
                        "other variables of the model; chapter 5 compares it with earlier studies.")
        b.para(text)


def _ci_note(boot, seed, lang, kind="percentile"):
    if boot:
        en = "bias-corrected" if kind == "bc" else "percentile"
        fa = "با اصلاح سوگیری" if kind == "bc" else "صدکی"
        return {"en": f"Intervals: {en} bootstrap, {boot} resamples, seed {seed}.",
                "fa": f"فاصله‌ها: بوت‌استرپ {fa}، {fmt_int(boot, lang)} نمونه‌گیری مجدد، بذر "
                      f"{fmt_int(seed, lang)}."}[lang]
    return {"en": "Intervals: normal theory (delta method); no bootstrap was run.",
            "fa": "فاصله‌ها: بر پایه نظریه نرمال (روش دلتا)؛ بوت‌استرپ اجرا نشد."}[lang]


#: APA-7 references; *...* marks the italic part (journal and volume, or book title).  Only the works
#: the chapter actually cites are listed (see :func:`cited_references`).
REFERENCES = [
    "Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for nonnormality. "
    "*Multivariate Behavioral Research, 49*(5), 460–470. https://doi.org/10.1080/00273171.2014.933697",
    "Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of the sample performance of two "
    "nonnormality corrections for RMSEA. *Multivariate Behavioral Research, 47*(6), 904–930. "
    "https://doi.org/10.1080/00273171.2012.715252",
    "Bollen, K. A., & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in structural equation models. "
    "*Sociological Methods & Research, 21*(2), 205–229. https://doi.org/10.1177/0049124192021002004",
    "Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit. In K. A. Bollen & J. S. Long "
    "(Eds.), *Testing structural equation models* (pp. 136–162). Sage.",
    "Chin, W. W., & Dibbern, J. (2010). An introduction to a permutation based procedure for multi-group PLS "
    "analysis: Results of tests of differences on simulated data and a cross cultural analysis of the sourcing of "
    "information system services between Germany and the USA. In V. Esposito Vinzi, W. W. Chin, J. Henseler, & "
    "H. Wang (Eds.), *Handbook of partial least squares* (pp. 171–193). Springer. "
    "https://doi.org/10.1007/978-3-540-32827-8_8",
    "Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.). Lawrence Erlbaum "
    "Associates.",
    "Curran, P. J., West, S. G., & Finch, J. F. (1996). The robustness of test statistics to nonnormality and "
    "specification error in confirmatory factor analysis. *Psychological Methods, 1*(1), 16–29. "
    "https://doi.org/10.1037/1082-989X.1.1.16",
    "Dijkstra, T. K., & Henseler, J. (2015). Consistent and asymptotically normal PLS estimators for linear "
    "structural equations. *Computational Statistics & Data Analysis, 81*, 10–23. "
    "https://doi.org/10.1016/j.csda.2014.07.008",
    "Enders, C. K., & Bandalos, D. L. (2001). The relative performance of full information maximum likelihood "
    "estimation for missing data in structural equation models. *Structural Equation Modeling, 8*(3), 430–457. "
    "https://doi.org/10.1207/S15328007SEM0803_5",
    "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable variables and "
    "measurement error. *Journal of Marketing Research, 18*(1), 39–50. https://doi.org/10.1177/002224378101800104",
    "Fritz, M. S., Taylor, A. B., & MacKinnon, D. P. (2012). Explanation of two anomalous results in statistical "
    "mediation analysis. *Multivariate Behavioral Research, 47*(1), 61–87. "
    "https://doi.org/10.1080/00273171.2012.640596",
    "Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019). *Multivariate data analysis* (8th ed.). "
    "Cengage.",
    "Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). *A primer on partial least squares "
    "structural equation modeling (PLS-SEM)* (3rd ed.). Sage.",
    "Hair, J. F., Risher, J. J., Sarstedt, M., & Ringle, C. M. (2019). When to use and how to report the results "
    "of PLS-SEM. *European Business Review, 31*(1), 2–24. https://doi.org/10.1108/EBR-11-2018-0203",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant validity in "
    "variance-based structural equation modeling. *Journal of the Academy of Marketing Science, 43*(1), 115–135. "
    "https://doi.org/10.1007/s11747-014-0403-8",
    "Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of composites using partial "
    "least squares. *International Marketing Review, 33*(3), 405–431. https://doi.org/10.1108/IMR-09-2014-0304",
    "Henseler, J., & Sarstedt, M. (2013). Goodness-of-fit indices for partial least squares path modeling. "
    "*Computational Statistics, 28*(2), 565–580. https://doi.org/10.1007/s00180-012-0317-1",
    "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis: "
    "Conventional criteria versus new alternatives. *Structural Equation Modeling, 6*(1), 1–55. "
    "https://doi.org/10.1080/10705519909540118",
    "Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis. *Journal of the Royal "
    "Statistical Society: Series D (The Statistician), 47*(1), 183–189. https://doi.org/10.1111/1467-9884.00122",
    "Johnson, P. O., & Neyman, J. (1936). Tests of certain linear hypotheses and their application to some "
    "educational problems. *Statistical Research Memoirs, 1*, 57–93.",
    "Kline, R. B. (2016). *Principles and practice of structural equation modeling* (4th ed.). Guilford.",
    "Kock, N. (2015). Common method bias in PLS-SEM: A full collinearity assessment approach. *International "
    "Journal of e-Collaboration, 11*(4), 1–10. https://doi.org/10.4018/ijec.2015100101",
    "Lin, G.-C., Wen, Z., Marsh, H. W., & Lin, H.-S. (2010). Structural equation models of latent interactions: "
    "Clarification of orthogonalizing and double-mean-centering strategies. *Structural Equation Modeling, 17*(3), "
    "374–391. https://doi.org/10.1080/10705511.2010.488999",
    "Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with applications. *Biometrika, 57*(3), "
    "519–530. https://doi.org/10.1093/biomet/57.3.519",
    "Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method biases in "
    "behavioral research: A critical review of the literature and recommended remedies. *Journal of Applied "
    "Psychology, 88*(5), 879–903. https://doi.org/10.1037/0021-9010.88.5.879",
    "Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing and comparing "
    "indirect effects in multiple mediator models. *Behavior Research Methods, 40*(3), 879–891. "
    "https://doi.org/10.3758/BRM.40.3.879",
    "Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The importance-performance "
    "map analysis. *Industrial Management & Data Systems, 116*(9), 1865–1886. "
    "https://doi.org/10.1108/IMDS-10-2015-0449",
    "Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for assessing discriminant "
    "validity in structural equation modeling. *Industrial Management & Data Systems, 121*(12), 2637–2650. "
    "https://doi.org/10.1108/IMDS-02-2021-0082",
    "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of Statistical Software, "
    "48*(2), 1–36. https://doi.org/10.18637/jss.v048.i02",
    "Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., & Ringle, C. M. (2019). "
    "Predictive model assessment in PLS-SEM: Guidelines for using PLSpredict. *European Journal of Marketing, "
    "53*(11), 2322–2347. https://doi.org/10.1108/EJM-02-2019-0189",
    "Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling. *Computational "
    "Statistics & Data Analysis, 48*(1), 159–205. https://doi.org/10.1016/j.csda.2004.03.005",
    "Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance structure "
    "analysis with nonnormal missing data. *Sociological Methodology, 30*(1), 165–200. "
    "https://doi.org/10.1111/0081-1750.00078",
    "Zhao, X., Lynch, J. G., & Chen, Q. (2010). Reconsidering Baron and Kenny: Myths and truths about mediation "
    "analysis. *Journal of Consumer Research, 37*(2), 197–206. https://doi.org/10.1086/651257",
]

#: the first author's name as the Persian text of the chapter writes it
_SURNAME_FA = {"Browne": "براون", "Curran": "کوران", "Enders": "اندرز", "Fornell": "فورنل", "Fritz": "فریتز",
               "Hair": "هیر", "Henseler": "هنسلر", "Hu": "هو", "Joanes": "جونز", "Kline": "کلاین",
               "Mardia": "ماردیا", "Preacher": "پریچر", "Roemer": "رومر", "Rosseel": "روسل", "Zhao": "ژائو",
               "Brosseau-Liard": "بروسو-لیار", "Chin": "چین", "Cohen": "کوهن", "Kock": "کاک",
               "Podsakoff": "پادساکف", "Johnson": "جانسون", "Lin": "لین", "Ringle": "رینگل", "Shmueli": "شموئلی",
               "Tenenhaus": "تننهاوس", "Yuan": "یوان", "Bollen": "بولن", "Dijkstra": "دیکسترا"}

#: references sharing first author and year are cited with the second author too (APA 7, 8.18):
#: "Hair, Black, et al., 2019" and "Hair, Risher, et al., 2019"
_CITE_NAME = {"Hair, J. F., Black": ("Hair, Black", "هیر، بلک"),
              "Hair, J. F., Risher": ("Hair, Risher", "هیر، ریشر")}


def plain_reference(ref: str) -> str:
    """A reference without its italic markers."""
    return ref.replace("*", "")


def cited_references(texts, lang: str) -> list[str]:
    """The entries of :data:`REFERENCES` whose first author and year occur together in ``texts``."""
    import re

    blob = " ".join(texts)
    out = []
    for ref in REFERENCES:
        surname = ref.split(",", 1)[0]
        year = re.search(r"\((\d{4})\)", ref).group(1)
        name = _SURNAME_FA[surname] if lang == "fa" else surname
        for start, names in _CITE_NAME.items():
            if ref.startswith(start):
                name = names[1] if lang == "fa" else names[0]
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)[^)]{{0,60}}?{digits(year, lang)}"
        if re.search(pattern, blob):
            out.append(ref)
    return out


def _method_section(b, study, n, n_total):
    lang = b.lang
    b.heading("s5")
    boot = study.bootstrap
    if lang == "fa":
        paras = [
            f"داده‌ها از فایل {study.data_file.name} خوانده شد؛ کدهای گمشده به مقدار گمشده تبدیل شد، گویه‌های "
            f"معکوس ({'، '.join(study.reverse) or '-'}) با رابطه (حداقل + حداکثر − پاسخ) بازکدگذاری شد و "
            f"پاسخ‌دهندگانی که به همه گویه‌های مدل پاسخ نداده بودند کنار گذاشته شدند (حذف فهرستی؛ "
            f"{fmt_int(n, lang)} از {fmt_int(n_total, lang)}).",
            "چولگی و کشیدگی هر گویه با برآوردگرهای G1 و G2 و نرمال بودن چندمتغیره با آزمون‌های ماردیا (۱۹۷۰) "
            "بررسی شد؛ آستانه‌های ۲ برای چولگی و ۷ برای کشیدگی از کوران، وست و فینچ (۱۹۹۶) است.",
            "مدل اندازه‌گیری با تحلیل عاملی تأییدی و برآوردگر "
            + ("بیشینه درست‌نمایی مقاوم (MLR) که به سبب رد نرمال بودن چندمتغیره در آزمون‌های ماردیا برگزیده شد، "
               if b.fits.get("estimator") == "MLR" else "بیشینه درست‌نمایی ")
            + "و پیش‌فرض‌های lavaan (روسل، ۲۰۱۲) برآورد شد. برازش با معیارهای هو و بنتلر (۱۹۹۹) داوری شد: CFI و TLI دست‌کم ۰٫۹۵، RMSEA حداکثر ۰٫۰۶ و "
            "SRMR حداکثر ۰٫۰۸؛ RMSEA تا ۰٫۰۸ برازش معقول (براون و کوداک، ۱۹۹۳) و CFI و TLI از ۰٫۹۰ به رسم رایج "
            "قابل قبول شمرده شد.",
            "پایایی با آلفای کرونباخ و پایایی ترکیبی (CR) و روایی همگرا با میانگین واریانس استخراج‌شده (AVE) "
            "سنجیده شد (فورنل و لارکر، ۱۹۸۱؛ هیر، بلک و همکاران، ۲۰۱۹): CR ≥ ۰٫۷۰ و AVE ≥ ۰٫۵۰. روایی واگرا با معیار "
            "فورنل و لارکر و نسبت HTMT (هنسلر و همکاران، ۲۰۱۵) با آستانه ۰٫۸۵ ارزیابی شد.",
            ("اثرهای مستقیم و غیرمستقیم با مدل معادلات ساختاری برآورد شد و فاصله‌های اطمینان با "
             f"{fmt_int(boot, lang)} نمونه بوت‌استرپ صدکی (پریچر و هیز، ۲۰۰۸) و بذر "
             f"{fmt_int(study.seed, lang)} به دست آمد؛ اجرای دوباره با همین بذر همین اعداد را می‌دهد. فاصله صدکی "
             "به جای فاصله با اصلاح سوگیری گزارش شد، زیرا فاصله با اصلاح سوگیری خطای نوع اول اثرهای غیرمستقیم را "
             "افزایش می‌دهد (فریتز، تیلور و مک‌کینون، ۲۰۱۲).") if boot else
            "اثرهای مستقیم و غیرمستقیم با مدل معادلات ساختاری برآورد شد؛ فاصله‌ها بر پایه روش دلتا است.",
            "همه اعداد این فصل با بسته crm_research و از فایل مطالعه "
            f"{study.path.name} تولید شده است و با اجرای دوباره «crm-research report {study.path.name}» بازتولید "
            "می‌شود.",
        ]
    else:
        paras = [
            f"The data were read from {study.data_file.name}; missing-value codes were set to missing, the "
            f"reverse-worded items ({', '.join(study.reverse) or 'none'}) were recoded as min + max - answer, and "
            "respondents who left an item of the model unanswered were excluded (listwise deletion; "
            f"{n} of {n_total}).",
            "Each item's skewness and kurtosis were estimated with G1 and G2 and multivariate normality was tested "
            "with Mardia's (1970) tests; the limits of 2 for skewness and 7 for kurtosis follow Curran, West, and "
            "Finch (1996).",
            "The measurement model was estimated by confirmatory factor analysis with "
            + ("robust maximum likelihood (MLR, chosen because Mardia's tests reject multivariate normality) "
               if b.fits.get("estimator") == "MLR" else "maximum likelihood ")
            + "and lavaan's defaults (Rosseel, 2012). Fit was judged by the criteria of Hu and Bentler (1999): CFI and "
            "TLI at least 0.95, RMSEA at most 0.06 and SRMR at most 0.08, with CFI and TLI from 0.90 and RMSEA up "
            "to 0.08 read as acceptable (for RMSEA, reasonable fit in Browne & Cudeck, 1993; for CFI and TLI a "
            "common convention).",
            "Reliability was assessed by Cronbach's alpha and composite reliability (CR), convergent validity by "
            "the average variance extracted (AVE), with CR ≥ 0.70 and AVE ≥ 0.50 (Fornell & Larcker, 1981; "
            "Hair, Black, et al., 2019). Discriminant validity was assessed by the Fornell-Larcker criterion and the "
            "heterotrait-monotrait ratio (HTMT) with a threshold of 0.85 (Henseler et al., 2015).",
            (f"Direct and indirect effects were estimated in the structural model; intervals are percentile "
             f"intervals from {boot} bootstrap resamples (Preacher & Hayes, 2008) with seed {study.seed}, so a "
             "rerun with the same seed gives the same numbers. Percentile rather than bias-corrected intervals "
             "are reported because the bias-corrected interval inflates the Type I error of indirect effects "
             "(Fritz, Taylor, & MacKinnon, 2012).") if boot else
            "Direct and indirect effects were estimated in the structural model; intervals are delta-method ones.",
            f"Every number in this chapter was produced by crm_research from the study file {study.path.name} and "
            f"is reproduced by running 'crm-research report {study.path.name}' again.",
        ]
    if study.estimator == "PLS-SEM":
        # paragraphs 3-5 describe CB-SEM; a PLS study gets its own account of the estimation
        paras[2:5] = [{
            "en": "The model was estimated by partial least squares (PLS-SEM) with the path weighting scheme, "
                  "mode A (correlation weights) for the reflective constructs, as SmartPLS (Hair et al., 2022). "
                  "Indicator reliability (loadings ≥ 0.708), internal consistency (alpha, rhoA and rhoC between "
                  "0.70 and 0.95), convergent validity (AVE ≥ 0.50) and discriminant validity (HTMT < 0.85; "
                  "Henseler et al., 2015) were assessed first, then collinearity (VIF), path coefficients, "
                  "R², f² and the predictive relevance (blindfolding Q² and PLSpredict).",
            "fa": "مدل با روش حداقل مربعات جزئی (PLS-SEM)، طرح وزن‌دهی مسیر و وزن‌های همبستگی (حالت A) برای "
                  "سازه‌های انعکاسی، همانند SmartPLS برآورد شد (هیر و همکاران، ۲۰۲۲). ابتدا پایایی شاخص (بار ≥ "
                  "۰٫۷۰۸)، همسانی درونی (آلفا، ρA و ρC بین ۰٫۷۰ و ۰٫۹۵)، روایی همگرا (AVE ≥ ۰٫۵۰) و روایی واگرا "
                  "(با معیار HTMT کمتر از ۰٫۸۵؛ هنسلر و همکاران، ۲۰۱۵) و سپس هم‌خطی (VIF)، ضرایب مسیر، R²، f² و ربط پیش‌بین "
                  "(شاخص Q² بلایندفولدینگ و PLSpredict) بررسی شد."}[lang], {
            "en": f"Significance was judged by {boot} bootstrap resamples (percentile intervals, seed {study.seed}); "
                  "a rerun with the same seed gives the same numbers.",
            "fa": f"معناداری با {fmt_int(boot, lang)} نمونه بوت‌استرپ (فاصله‌های صدکی، بذر {fmt_int(study.seed, lang)}) "
                  "داوری شد؛ اجرای دوباره با همین بذر همین اعداد را می‌دهد."}[lang]]
    # the analyses of 4.2 and 4.3.5 and the effect sizes, in one paragraph after the estimation ones
    paras.insert(len(paras) - 1, {
        "en": "Construct scores (the mean of each construct's items) were compared with the scale midpoint by "
              "one-sample t-tests and ranked by the Friedman test"
              + ("; group differences were tested by the test crm.compare_groups chooses from Shapiro-Wilk's and "
                 "Levene's tests" if study.group_comparisons else "")
              + ". Common-method bias was examined by Harman's single-factor test, full-collinearity VIFs (Kock, "
              "2015) and a common latent factor (Podsakoff et al., 2003), and the effect size f² was read against "
              "Cohen's (1988) bands.",
        "fa": "نمره سازه‌ها (میانگین گویه‌های هر سازه) با آزمون t تک‌نمونه‌ای با میانه طیف مقایسه و با آزمون "
              "فریدمن رتبه‌بندی شد"
              + ("؛ تفاوت گروه‌ها با آزمونی سنجیده شد که crm.compare_groups بر پایه آزمون‌های شاپیرو-ویلک و لون "
                 "برمی‌گزیند" if study.group_comparisons else "")
              + ". سوگیری روش مشترک با آزمون تک‌عاملی هارمن، VIF هم‌خطی کامل (کاک، ۲۰۱۵) و عامل پنهان روش "
              "مشترک (پادساکف و همکاران، ۲۰۰۳) بررسی شد و اندازه اثر f² با مرزهای کوهن (۱۹۸۸) تفسیر شد."}[lang])
    if study.missing_policy == "fiml":
        paras.insert(1, {
            "en": f"The CFA and the structural model used full-information maximum likelihood (FIML; {n} "
                  "respondents), which is unbiased when answers are missing at random and keeps the respondents "
                  "that listwise deletion would discard (Enders & Bandalos, 2001)" + (
                      "; each bootstrap resample is refitted by FIML." if boot else "."),
            "fa": f"تحلیل عاملی تأییدی و مدل ساختاری با بیشینه درست‌نمایی اطلاعات کامل (روش FIML؛ {fmt_int(n, lang)} "
                  "پاسخ‌دهنده) برآورد شد که اگر داده‌ها به‌طور تصادفی گمشده باشند نااریب است و پاسخ‌دهندگانی را که "
                  "حذف فهرستی کنار می‌گذارد نگه می‌دارد (اندرز و باندالوس، ۲۰۰۱)" + (
                      "؛ هر نمونه بوت‌استرپ نیز با FIML برازش شد." if boot else ".")}[lang])
    for p in paras:
        b.para(p)
    b.heading("refs", 2)
    texts = [blk.text for blk in b.blocks if isinstance(blk, Paragraph)] + [
        blk.note for blk in b.blocks if isinstance(blk, Table)]
    for ref in cited_references(texts, lang):
        b.para(ref, "reference")


def _lower_triangle(b, square: pd.DataFrame, names, diagonal: bool) -> pd.DataFrame:
    shown = pd.DataFrame({"construct": names})
    for j, c in enumerate(names):
        shown[c] = [fmt_num(square.iloc[i, j], b.lang) if (j < i or (diagonal and j == i)) else ""
                    for i in range(len(names))]
    return shown


def _measurement_section_pls(b, study, x, prog):
    """Measurement model of a PLS-SEM study: the PLSResult's own tables (SmartPLS's report)."""
    import crm_research as crm

    lang = b.lang
    boot = study.bootstrap
    prog(f"PLS-SEM estimation ({boot} bootstrap resamples)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = crm.pls_sem(x, study.model, bootstrap=boot, seed=study.seed, missing="listwise",
                          progress=b.progress)
    b.heading("s3")
    b.para({"en": "A PLS-SEM model is judged mainly by its parts: the measurement model by its loadings, "
                  "reliability and validity, and the structural model by its coefficients, R², f² and predictive "
                  "relevance (Hair et al., 2022). The model fit measures SmartPLS prints (SRMR and the bootstrap test "
                  "of exact fit of Dijkstra & Henseler, 2015) are reported in section 4.4 as a check for gross "
                  "misspecification, not as the main criterion.",
            "fa": "مدل PLS-SEM بیشتر با اجزای آن ارزیابی می‌شود: مدل اندازه‌گیری با بارها، پایایی و روایی و مدل "
                  "ساختاری با ضرایب مسیر، R²، f² و ربط پیش‌بین (هیر و همکاران، ۲۰۲۲). شاخص‌های برازشی که SmartPLS "
                  "گزارش می‌کند (شاخص SRMR و آزمون بوت‌استرپی برازش دقیق دیکسترا و هنسلر، ۲۰۱۵) در بخش ۴-۴ برای "
                  "بررسی خطای جدی در تصریح مدل گزارش می‌شوند، نه به‌عنوان معیار اصلی."}[lang])
    b.heading("s3b", 2)
    out = res.outer
    has_boot = "loading_pvalue" in out.columns
    load = pd.DataFrame({"construct": out["construct"], "item": out["item"], "loading": out["loading"],
                         "t": out["loading_t"] if has_boot else np.nan,
                         "pvalue": out["loading_pvalue"] if has_boot else np.nan,
                         "ci_low": out["loading_ci_low"] if has_boot else np.nan,
                         "ci_high": out["loading_ci_high"] if has_boot else np.nan,
                         "indicator_reliability": out["indicator_reliability"]})
    b.table("loadings", "t_pls_loadings", pd.DataFrame({
        "construct": [c if i == 0 or c != prev else "" for i, (c, prev) in
                      enumerate(zip(load["construct"], [None, *load["construct"].tolist()[:-1]]))],
        "item": load["item"], "loading_pls": [fmt_num(v, lang) for v in load["loading"]],
        "t": [fmt_num(v, lang, 2) for v in load["t"]], "p": [fmt_p(v, lang) for v in load["pvalue"]],
        "ci_lower": [fmt_num(v, lang) for v in load["ci_low"]],
        "ci_upper": [fmt_num(v, lang) for v in load["ci_high"]],
        "indicator_rel": [fmt_num(v, lang) for v in load["indicator_reliability"]],
    }), load, {"en": "Loadings of at least 0.708 (indicator reliability 0.50) are recommended (Hair et al., 2022). "
                     + _ci_note(boot, study.seed, lang, "percentile"),
               "fa": "بار بیرونی ۰٫۷۰۸ و بیشتر (پایایی شاخص ۰٫۵۰) توصیه می‌شود (هیر و همکاران، ۲۰۲۲). "
                     + _ci_note(boot, study.seed, lang, "percentile")}[lang])
    b.heading("s3c", 2)
    rel = res.reliability[["construct", "n_items", "alpha", "rho_a", "rho_c", "ave"]]
    b.table("reliability", "t_reliability", pd.DataFrame({
        "construct": rel["construct"], "n_items": [fmt_int(v, lang) for v in rel["n_items"]],
        "alpha": [fmt_num(v, lang) for v in rel["alpha"]], "rho_a": [fmt_num(v, lang) for v in rel["rho_a"]],
        "rho_c": [fmt_num(v, lang) for v in rel["rho_c"]], "ave": [fmt_num(v, lang) for v in rel["ave"]],
    }), rel, {"en": "Criteria: α, ρA and ρC between 0.70 and 0.95; AVE ≥ 0.50 (Hair et al., 2022).",
              "fa": "معیارها: آلفا، ρA و ρC بین ۰٫۷۰ و ۰٫۹۵؛ AVE ≥ ۰٫۵۰ (هیر و همکاران، ۲۰۲۲)."}[lang])
    b.heading("s3d", 2)
    names = list(res.fornell_larcker.index)
    b.table("fornell_larcker", "t_fl", _lower_triangle(b, res.fornell_larcker, names, True),
            res.fornell_larcker.reset_index(names="construct"),
            {"en": "Diagonal: square root of AVE; below it: correlations between the construct scores.",
             "fa": "قطر اصلی: جذر AVE؛ زیر قطر: همبستگی نمره‌های سازه‌ها."}[lang])
    ht = res.htmt
    b.table("htmt", "t_htmt", _lower_triangle(b, ht, list(ht.index), False), ht.reset_index(names="construct"),
            {"en": "HTMT with arithmetic means (Henseler et al., 2015), as SmartPLS. Criterion: HTMT < 0.85, or "
                   "< 0.90 for conceptually similar constructs.",
             "fa": "HTMT با میانگین حسابی (هنسلر و همکاران، ۲۰۱۵) همانند SmartPLS. معیار: کمتر از ۰٫۸۵ یا برای "
                   "سازه‌های مفهومی نزدیک کمتر از ۰٫۹۰."}[lang])
    from crm_research.report.assessment import method_bias_section

    b.fits["method_bias"] = method_bias_section(b, study, x)
    return res, [w for w in caught]


def _structural_section_pls(b, study, res, prog, x, sdata):
    import matplotlib.pyplot as plt

    import crm_research as crm
    from crm_research.pls.plot import plot_paths

    lang = b.lang
    b.heading("s4")
    with _style(lang):
        fig, ax = plt.subplots(figsize=(10, 6))
        plot_paths(res, ax=ax, lang=lang, labels={c: study.text("construct_labels", c, lang) for c in study.constructs})
    b.figure("path_diagram", "f_pls_path", fig)
    b.heading("s4a", 2)
    p = res.paths
    boot = "pvalue" in p.columns
    data = pd.DataFrame({"path": p["to"] + " <- " + p["from"], "label": p["label"], "est": p["est"],
                         "f2": p["f2"], "vif": p["vif"], "t": p["t"] if boot else np.nan,
                         "pvalue": p["pvalue"] if boot else np.nan, "ci_low": p["ci_low"] if boot else np.nan,
                         "ci_high": p["ci_high"] if boot else np.nan})
    b.table("paths", "t_pls_paths", pd.DataFrame({
        "path": p["to"] + " ← " + p["from"], "beta": [fmt_num(v, lang) for v in data["est"]],
        "t": [fmt_num(v, lang, 2) for v in data["t"]], "p": [fmt_p(v, lang) for v in data["pvalue"]],
        "ci_lower": [fmt_num(v, lang) for v in data["ci_low"]],
        "ci_upper": [fmt_num(v, lang) for v in data["ci_high"]],
        "f2": [fmt_num(v, lang) for v in data["f2"]], "vif": [fmt_num(v, lang, 2) for v in data["vif"]],
    }), data, _ci_note(study.bootstrap, study.seed, lang, "percentile") + {
        "en": " f² of 0.02, 0.15 and 0.35 are small, medium and large effects (Cohen, 1988). VIF above 5 indicates "
              "probable collinearity among the predictors and 3 to 5 possible collinearity (Hair, Risher, et al., "
              "2019).",
        "fa": " مقادیر f² برابر ۰٫۰۲، ۰٫۱۵ و ۰٫۳۵ اثر کوچک، متوسط و بزرگ‌اند (کوهن، ۱۹۸۸). VIF بیشتر از ۵ نشانه "
              "هم‌خطی محتمل میان پیش‌بین‌ها و ۳ تا ۵ نشانه هم‌خطی ممکن است (هیر، ریشر و همکاران، ۲۰۱۹)."}[lang])
    r2 = res.r2[["construct", "r2", "r2_adj"]]
    b.table("r2", "t_r2", pd.DataFrame({"construct": r2["construct"], "r2": [fmt_num(v, lang) for v in r2["r2"]],
                                        "r2_adj": [fmt_num(v, lang) for v in r2["r2_adj"]]}), r2,
            {"en": "R² of 0.75, 0.50 and 0.25 are often read as substantial, moderate and weak (Hair et al., 2022).",
             "fa": "مقادیر ۰٫۷۵، ۰٫۵۰ و ۰٫۲۵ برای R² معمولاً قوی، متوسط و ضعیف تفسیر می‌شوند (هیر و همکاران، "
                   "۲۰۲۲)."}[lang])
    from crm_research.report.assessment import ipma_section, mga_section, pls_assessment_section

    b.fits["pls_assessment"] = pls_assessment_section(b, study, res, x, sdata)
    med = crm.mediation_effects(res)
    if len(med):
        _mediation_section(b, study, med, study.bootstrap)
    prog("hypotheses")
    b.heading("s4c", 2)
    # crm.hypotheses reads a PLS fit as an SEM fit (percentile intervals, as SmartPLS)
    hyp = crm.hypotheses(res, study.hypotheses)
    _hypotheses_table(b, hyp, dict(zip(med["effect"], med["chain"])))
    number = 4
    if study.ipma:
        b.fits["pls_assessment"]["ipma"] = ipma_section(b, study, res, f"4.4.{number}")
        number += 1
    if study.mga:
        prog(f"multi-group analysis ({max(study.bootstrap, 10)} permutations)")
        b.fits["pls_assessment"]["micom"], b.fits["pls_assessment"]["mga"] = mga_section(
            b, study, x, sdata, f"4.4.{number}")
    return hyp


def build_chapter(study, lang: str | None = None, progress: bool = True) -> Chapter:
    """Run the analysis of ``study`` and return the chapter (blocks + fitted results).

    Parameters
    ----------
    study : crm_research.data.study.Study
    lang : {"en", "fa"}, optional
        Overrides the study's language.
    progress : bool, default True
        Print each step (and the bootstrap's progress bar) to stderr.
    """
    from crm_research.data.study import read_study_data

    lang = lang or study.language
    pls = study.estimator == "PLS-SEM"
    if pls and study.bootstrap == 0:
        raise study.error("bootstrap.resamples", "PLS-SEM judges significance only by bootstrapping; "
                          "set at least 10 resamples (Hair et al. recommend 5,000)")
    fiml = study.missing_policy == "fiml"
    if pls and fiml:
        raise study.error("missing.policy", "'fiml' is a CB-SEM method; PLS-SEM studies use 'listwise'")
    if study.interactions and (fiml or pls):
        raise study.error("model", "a latent interaction (x:z) is fitted by crm.interaction_sem on complete rows "
                          "(CB-SEM, missing.policy 'listwise'); " + ("'fiml' cannot be used with it" if fiml else
                          "for a PLS-SEM moderation use crm.pls_sem directly"))
    prog = _Progress(progress, (6 + bool(study.mga)) if pls else 7)
    prog("reading the data")
    data = read_study_data(study)
    x = data.items.dropna()
    # FIML uses every respondent who answered at least one item of the model
    model_data = data.items.dropna(how="all") if fiml else x
    if len(x) < 10:
        raise study.error("missing.policy", f"only {len(x)} respondents answered every item of the model; "
                          "listwise deletion leaves too few for the analysis")
    b = _Builder(lang, progress, study)
    title = study.title_fa if lang == "fa" else study.title
    _introduction(b, study)
    _sample_section(b, study, data, x, prog)
    desc, mar = _items_section(b, study, x, prog)
    from crm_research.report.assessment import construct_tests_section

    tests = construct_tests_section(b, study, x, data)
    results = {"data": data, "analysis_data": x, "item_descriptives": desc, "mardia": mar,
               "estimator": b.fits.get("estimator", "ML"), **tests}
    if pls:
        res, w = _measurement_section_pls(b, study, x, prog)
        hyp = _structural_section_pls(b, study, res, prog, x, data)
        results.update({"pls": res, "sem": None, "cfa": None, "reliability": res.reliability,
                        "fornell_larcker": res.fornell_larcker, "htmt": res.htmt, "hypotheses": hyp,
                        "warnings": [str(m.message) for m in w] + list(res.warnings)})
    else:
        cfa, rel, fl, ht, w1 = _measurement_section(b, study, x, prog, model_data)
        fit, hyp, w2 = _structural_section(b, study, model_data, prog)
        results.update({"pls": None, "cfa": cfa, "reliability": rel, "fornell_larcker": fl, "htmt": ht,
                        "sem": fit, "hypotheses": hyp, "warnings": [str(m.message) for m in w1 + w2]})
    b.fits["reliability"] = results["reliability"].set_index("construct") if "construct" in getattr(
        results["reliability"], "columns", []) else results["reliability"]
    results.update({k: b.fits.get(k) for k in ("method_bias", "f2_vif", "pls_assessment", "moderation")})
    results["warnings"] = results["warnings"] + b.fits.get("warnings", [])
    _summary(b, study)
    _method_section(b, study, len(model_data), data.n_total)
    chapter = Chapter(title, lang, b.blocks, results)
    return chapter
