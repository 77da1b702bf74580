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
import sys
import types

from .errors import CRMConvergenceWarning as CRMConvergenceWarning  # explicit re-exports
from .errors import CRMInputError as CRMInputError

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
    "generate_sample_company": "samplecompany",
    "SampleCompany": "samplecompany",
    # --- e-CRM survey generator (surveygen) ---
    "generate_ecrm_survey": "surveygen",
    "ecrm_survey_truth": "surveygen",
    "ecrm_survey_items": "surveygen",
    "ecrm_survey_model": "surveygen",
    "ecrm_survey_constructs": "surveygen",
    "ecrm_survey_implied_cov": "surveygen",
    "recode_ecrm_survey": "surveygen",
    "write_ecrm_survey": "surveygen",
    # --- psychometrics: descriptives, reliability, validity, efa ---
    "reverse_code": "descriptives",
    "item_descriptives": "descriptives",
    "ItemDescriptives": "descriptives",
    "mardia": "descriptives",
    "MardiaResult": "descriptives",
    "cronbach_alpha": "reliability",
    "AlphaResult": "reliability",
    "item_analysis": "reliability",
    "construct_reliability": "reliability",
    "fornell_larcker": "validity",
    "htmt": "validity",
    "efa": "efa",
    "EFAResult": "efa",
    "kmo": "efa",
    "bartlett_sphericity": "efa",
    "parallel_analysis": "efa",
    "ParallelAnalysisResult": "efa",
    # --- SEM: cfa, sem, hypotheses ---
    "cfa": "sem",
    "sem": "sem",
    "hypotheses": "sem",
    "SEMResult": "sem",
    "polychoric": "sem",
    "PolychoricResult": "sem",
    "OrdinalSEMResult": "sem",
    "FIMLResult": "sem",
    "multigroup_sem": "sem",
    "measurement_invariance": "sem",
    "MultiGroupSEMResult": "sem",
    "InvarianceResult": "sem",
    # --- customer analytics: rfm, clv, segmentation, churn, campaigns ---
    "rfm": "rfm",
    "rfm_sql": "rfm",
    "summarize_transactions": "rfm",
    "RFM_SEGMENTS": "rfm",
    "fit_bgnbd": "clv",
    "fit_gamma_gamma": "clv",
    "clv": "clv",
    "BGNBDResult": "clv",
    "GammaGammaResult": "clv",
    "segment": "segmentation",
    "discriminant": "segmentation",
    "SegmentationResult": "segmentation",
    "DiscriminantResult": "segmentation",
    "define_churn": "churn",
    "churn_model": "churn",
    "gains_table": "churn",
    "threshold_table": "churn",
    "PropensityResult": "churn",
    "break_even_rate": "campaigns",
    "required_cell_size": "campaigns",
    "draw_test_cell": "campaigns",
    "campaign_test": "campaigns",
    "response_model": "campaigns",
    "qini_curve": "campaigns",
    "uplift_model": "campaigns",
    "negative_responses": "campaigns",
    "winback_timing": "campaigns",
    "CampaignTestResult": "campaigns",
    "UpliftResult": "campaigns",
    "NegativeResponseResult": "campaigns",
    "WinbackTimingResult": "campaigns",
    # --- CRM frameworks and the customer database ---
    "LIFECYCLE_STRATEGIES": "lifecycle",
    "lifecycle_phases": "lifecycle",
    "lifecycle_kpis": "lifecycle",
    "LifecycleResult": "lifecycle",
    "normalize_email": "idic",
    "normalize_phone": "idic",
    "normalize_name": "idic",
    "resolve_duplicates": "idic",
    "DuplicateResult": "idic",
    "value_tiers": "idic",
    "ValueTiersResult": "idic",
    "need_features": "idic",
    "channel_report": "idic",
    "next_best_offer": "idic",
    "NextBestOfferResult": "idic",
    "select_customers": "winer",
    "personalised_offers": "winer",
    "loyalty_effect": "winer",
    "LoyaltyEffectResult": "winer",
    "campaign_metrics": "winer",
    "DIRECT_IDENTIFIERS": "privacy",
    "filter_consent": "privacy",
    "pseudonymise": "privacy",
    "k_anonymity": "privacy",
    "check_export": "privacy",
    "KAnonymityResult": "privacy",
    "winback_weeks": "programmes",
    "winback_effect": "programmes",
    "prospecting_report": "programmes",
    "ProspectingResult": "programmes",
    "confidence_rule": "programmes",
    "ConfidenceRuleResult": "programmes",
    "cross_sell_matrix": "programmes",
    "CrossSellResult": "programmes",
    "PAYNE_PROCESSES": "payne",
    "data_quality_report": "payne",
    "payne_scorecard": "payne",
    "PayneScorecard": "payne",
    "CustomerDatabase": "database",
    "get_framework": "frameworks",
    "list_frameworks": "frameworks",
    "glossary": "frameworks",
    "comparison_table": "frameworks",
    # --- PLS-SEM ---
    "pls_sem": "pls",
    "PLSResult": "pls",
    "pls_predict": "pls",
    "PLSPredictResult": "pls",
    # --- thesis report ---
    "report": "report",
    "ThesisReport": "report",
    "load_study": "study",
    "read_study_data": "study",
    "Study": "study",
    "StudyData": "study",
    "STUDY_SCHEMA": "study",
}

# submodules reachable as attributes, e.g. crm.frameworks.IDIC
_SUBMODULES = {
    "validation",
    "results",
    "persian",
    "datasets",
    "notebooks",
    "frameworks",
    "plotting",
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


class _Package(types.ModuleType):
    """The package module, guarding names that are both a function and a module.

    ``crm.rfm``, ``crm.clv`` and ``crm.sem`` are functions that live in modules of
    the same name.  Whenever such a module is imported, Python's import system
    binds it as an attribute of this package (``setattr(crm_research, "rfm",
    module)``), which would hide the function.  Here that binding is turned into
    the exported function instead, so ``crm.rfm(...)`` works in every order of
    use; the module itself stays reachable as ``sys.modules["crm_research.rfm"]``
    or ``importlib.import_module("crm_research.rfm")``.
    """

    def __setattr__(self, name, value):
        if (
            isinstance(value, types.ModuleType)
            and _EXPORTS.get(name) == name
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

