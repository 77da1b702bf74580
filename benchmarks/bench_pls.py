"""PLS-SEM speed: the ECSI model on mobi, estimated once and bootstrapped 5,000 times.

For comparison, seminr's own replication (``engine="seminr"``) needs about 20 ms per
resample of this model on the shared 2-core machine, i.e. well over a minute for 5,000.
"""

from pathlib import Path

import crm_research as crm
from crm_research.pls.bootstrap import run_bootstrap

ECSI = (Path(__file__).resolve().parent.parent / "tests" / "reference" / "pls" / "ecsi.lav").read_text()


def ecsi_estimate():
    data = crm.load_dataset("mobi")
    crm.pls_sem(data, ECSI)
    return len(data)


def ecsi_bootstrap_5000(n_jobs=2):
    data = crm.load_dataset("mobi")
    crm.pls_sem(data, ECSI, bootstrap=5000, seed=1, n_jobs=n_jobs, progress=False)
    return 5000


def ecsi_bootstrap_200_seminr_engine():
    fit = crm.pls_sem(crm.load_dataset("mobi"), ECSI)
    run_bootstrap(fit.engine_model, 200, 1, n_jobs=1, progress=False, engine="seminr")
    return 200


BENCHMARKS = [
    ("PLS-SEM: ECSI model on mobi (24 items, 7 constructs)", "250 rows", ecsi_estimate),
    ("PLS-SEM: ECSI bootstrap, 5,000 resamples, 2 processes", "250 rows x 5,000", ecsi_bootstrap_5000),
    ("PLS-SEM: ECSI bootstrap through seminr, 200 resamples", "250 rows x 200", ecsi_bootstrap_200_seminr_engine),
]
