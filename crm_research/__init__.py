"""crm_research: a research and teaching toolkit for Customer Relationship Management.

Import it as ``import crm_research as crm``.  Every public function and class
is available at the top level (``crm.cronbach_alpha``, ``crm.sem``,
``crm.load_dataset`` ...) while the code lives in one module per topic.

The import is kept fast (well under a second) by loading each topic module
only when one of its names is first used: pandas, scipy, semopy and friends
are not imported until they are needed.
"""

from __future__ import annotations

import importlib

from .errors import CRMConvergenceWarning, CRMInputError

__version__ = "0.1.0"

# public name -> module (relative to this package) that defines it.
# tests/test_package.py checks that this table and each module's __all__ agree.
_EXPORTS: dict[str, str] = {
    # validation and results
    "Result": "results",
    "Summary": "results",
    # Persian helpers
    "normalize_digits": "persian",
    "to_persian_digits": "persian",
    # datasets
    "list_datasets": "datasets",
    "load_dataset": "datasets",
    "data_dictionary": "datasets",
    "dataset_path": "datasets",
    # notebook series
    "build_notebooks": "notebooks",
    "fast_mode": "notebooks",
    # --- sample company generator (samplecompany) ---
    # --- e-CRM survey generator (surveygen) ---
    # --- psychometrics: descriptives, reliability, validity, efa ---
    # --- SEM: cfa, sem, hypotheses ---
    # --- customer analytics: rfm, clv, segmentation, churn, campaigns ---
    # --- CRM frameworks and the customer database ---
    # --- PLS-SEM ---
    # --- thesis report ---
}

# submodules reachable as attributes, e.g. crm.frameworks.IDIC
_SUBMODULES = {
    "validation",
    "results",
    "persian",
    "datasets",
    "notebooks",
}

__all__ = sorted(["CRMInputError", "CRMConvergenceWarning", *_EXPORTS])


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # cache: later look-ups skip this function
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'crm_research' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)

