"""English and Persian labels of the chapter-4 test results.

Every result of :mod:`crm_research.inference` (normality, one-sample,
Friedman, group comparisons, correlations, common-method bias) prints in
English by default; ``result.summary(language="fa")`` gives the same tables
with Persian titles and column names, ready for a Persian thesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from crm_research.core.results import Result, Summary
from crm_research.core.validation import check_choice

__all__ = ["BilingualResult", "PERSIAN_LABELS"]

# column / caption -> Persian; a name missing here is printed as it is
PERSIAN_LABELS: dict[str, str] = {
    "variable": "متغیر", "n": "تعداد", "mean": "میانگین", "sd": "انحراف معیار", "statistic": "آماره",
    "p": "مقدار p", "pvalue": "مقدار p", "normal": "نرمال", "skewness": "چولگی", "kurtosis": "کشیدگی",
    "method": "روش", "mu": "مقدار آزمون", "df": "درجه آزادی", "mean_diff": "اختلاف میانگین",
    "ci_low": "حد پایین", "ci_high": "حد بالا", "cohen_d": "d کوهن", "reading": "تفسیر",
    "mean_rank": "میانگین رتبه", "rank": "رتبه", "chisq": "خی‌دو", "kendall_w": "W کندال",
    "test": "آزمون", "group": "گروه", "groups": "گروه‌ها", "effect_size": "اندازه اثر", "effect": "نوع اثر",
    "df1": "درجه آزادی ۱", "df2": "درجه آزادی ۲", "levene_p": "p لوین", "significant": "معنادار",
    "group1": "گروه ۱", "group2": "گروه ۲", "diff": "اختلاف", "p_adj": "p تعدیل‌شده", "z": "z",
    "r": "ضریب همبستگی", "var1": "متغیر ۱", "var2": "متغیر ۲", "vif": "VIF", "construct": "سازه",
    "share": "سهم واریانس", "threshold": "آستانه", "flag": "هشدار", "item": "گویه",
    "loading": "بار عاملی", "loading_clf": "بار عاملی با عامل روش", "delta": "تغییر",
    "population": "جامعه", "sample": "نمونه", "value": "مقدار", "post_hoc": "آزمون تعقیبی",
    "parametric": "پارامتریک", "reason": "دلیل",
}


@dataclass(repr=False, eq=False)
class BilingualResult(Result):
    """A result whose summary is available in English or Persian (``language="fa"``)."""

    title_fa: ClassVar[str] = "نتیجه"

    def summary(self, *, language: str = "en") -> Summary:
        """Tables and notes of this result; ``language="fa"`` gives Persian titles and column names."""
        language = check_choice(language, "language", ["en", "fa"], f"{type(self).__name__}.summary")
        if language == "en":
            return super().summary()
        tables = []
        for caption, table in self._summary_tables():
            table = table.rename(columns=lambda c: PERSIAN_LABELS.get(str(c), c))
            if isinstance(table.index, pd.Index) and table.index.name in PERSIAN_LABELS:
                table.index.name = PERSIAN_LABELS[table.index.name]
            tables.append((self._caption_fa.get(caption, caption), table))
        return Summary(self.title_fa, tables, self._summary_notes())

    _caption_fa: ClassVar[dict[str, str]] = {}
