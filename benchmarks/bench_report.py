"""Thesis report speed: the full sample-study chapter (DOCX, HTML, CSV, figures).

The bundled study asks for 1,000 bootstrap resamples of the structural model (and of HTMT); the
bootstrap dominates the time.  A run with no bootstrap shows the cost of the rest (reading the
SPSS file, five CFAs/SEMs, figures, writing the documents).
"""

import shutil
import tempfile
from pathlib import Path

import crm_research as crm

STUDY = crm.dataset_path("ecrm_survey_study.yaml")


def full_report(bootstrap=None, lang=None):
    out = Path(tempfile.mkdtemp(prefix="crm_bench_report_"))
    try:
        rep = crm.report(STUDY, out=out / "report", bootstrap=bootstrap, lang=lang, progress=False)
        return int(rep.cfa.fit_measures["n"])  # respondents analysed
    finally:
        shutil.rmtree(out, ignore_errors=True)


BENCHMARKS = [
    ("Report: sample study, 1,000 bootstrap resamples (EN)", "282 complete of 400, 22 items",
     lambda: full_report()),
    ("Report: sample study, no bootstrap (FA)", "282 complete of 400, 22 items",
     lambda: full_report(bootstrap=0, lang="fa")),
]
