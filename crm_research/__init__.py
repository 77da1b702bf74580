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

from crm_research.core.errors import CRMConvergenceWarning as CRMConvergenceWarning  # explicit re-exports
from crm_research.core.errors import CRMInputError as CRMInputError

__version__ = "0.1.0"

# public name -> module (relative to this package) that defines it.
# tests/test_package.py checks that this table and each module's __all__ agree.
_EXPORTS: dict[str, str] = {
    # validation and results
    "Result": "core.results",
    "Summary": "core.results",
    "DeclaredTable": "core.results",
    # Persian helpers
    "normalize_digits": "core.persian",
    "to_persian_digits": "core.persian",
    "jalali_to_gregorian": "core.calendar",
    "to_jalali": "core.calendar",
    "jalali_period": "core.calendar",
    # datasets
    "list_datasets": "data.datasets",
    "load_dataset": "data.datasets",
    "data_dictionary": "data.datasets",
    "dataset_path": "data.datasets",
    # notebook series
    "build_notebooks": "notebooks",
    # the notebook series as a course (auto-checked exercises, student and solution packs)
    "check": "course.check",
    "build_course": "course.build",
    "CheckResult": "course.check",
    "CoursePack": "course.build",
    "fast_mode": "core.fastmode",
    # --- sample company generator (samplecompany) ---
    "generate_sample_company": "data.samplecompany",
    "SampleCompany": "data.samplecompany",
    # --- e-CRM survey generator (surveygen) ---
    "generate_ecrm_survey": "data.surveygen",
    "ecrm_survey_truth": "data.surveygen",
    "ecrm_survey_items": "data.surveygen",
    "ecrm_survey_model": "data.surveygen",
    "ecrm_survey_constructs": "data.surveygen",
    "ecrm_survey_implied_cov": "data.surveygen",
    "recode_ecrm_survey": "data.surveygen",
    # --- psychometrics: descriptives, reliability, validity, efa ---
    "reverse_code": "data.recode",
    "item_descriptives": "psychometrics.descriptives",
    "ItemDescriptives": "psychometrics.descriptives",
    "mardia": "psychometrics.descriptives",
    "MardiaResult": "psychometrics.descriptives",
    "ResponseTable": "psychometrics.descriptives",
    "cronbach_alpha": "psychometrics.reliability",
    "AlphaResult": "psychometrics.reliability",
    "item_analysis": "psychometrics.reliability",
    "construct_reliability": "psychometrics.reliability",
    "fornell_larcker": "psychometrics.validity",
    "htmt": "psychometrics.validity",
    "htmt_intervals": "psychometrics.validity",
    "HTMTResult": "psychometrics.validity",
    "efa": "psychometrics.efa",
    "EFAResult": "psychometrics.efa",
    "kmo": "psychometrics.efa",
    "bartlett_sphericity": "psychometrics.efa",
    "parallel_analysis": "psychometrics.efa",
    "ParallelAnalysisResult": "psychometrics.efa",
    "omega": "psychometrics.efa",
    "OmegaResult": "psychometrics.efa",
    # --- SEM: cfa, sem, hypotheses ---
    "cfa": "sem",
    "sem": "sem",
    "hypotheses": "inference.hypotheses",
    "mediation_type": "inference.hypotheses",
    "mediation_effects": "inference.hypotheses",
    "MEDIATION_TYPES": "inference.hypotheses",
    "SEMResult": "sem",
    "polychoric": "sem",
    "PolychoricResult": "sem",
    "OrdinalSEMResult": "sem",
    "FIMLResult": "sem",
    "RobustSEMResult": "sem",
    "RobustFIMLResult": "sem",
    "compare_models": "sem",
    "sem_effect_sizes": "sem",
    "ModelComparison": "sem",
    "multigroup_sem": "sem",
    "measurement_invariance": "sem",
    "MultiGroupSEMResult": "sem",
    "InvarianceResult": "sem",
    "MeanStructureResult": "sem",
    "product_indicators": "sem.interaction",
    "interaction_sem": "sem.interaction",
    "InteractionSEMResult": "sem.interaction",
    # --- customer analytics: rfm, clv, segmentation, churn, campaigns ---
    "rfm": "analytics.rfm",
    "rfm_sql": "analytics.rfm",
    "summarize_transactions": "analytics.rfm",
    "RFM_SEGMENTS": "analytics.rfm",
    "RFMTable": "analytics.rfm",
    "TransactionSummary": "analytics.rfm",
    "check_transactions": "core.transactions",
    "CustomerTable": "core.transactions",
    "fit_bgnbd": "analytics.clv",
    "fit_gamma_gamma": "analytics.clv",
    "clv": "analytics.clv",
    "BGNBDResult": "analytics.clv",
    "TrackingTable": "analytics.clv",
    "GammaGammaResult": "analytics.clv",
    "CLVTable": "analytics.clv",
    "btyd_summary": "analytics.summaries",
    "rfm_summary": "analytics.summaries",
    "customer_overview": "analytics.summaries",
    "monthly_kpis": "analytics.summaries",
    "category_transitions": "analytics.summaries",
    "fit_pareto_nbd": "analytics.btyd",
    "fit_mbgnbd": "analytics.btyd",
    "fit_bgbb": "analytics.btyd",
    "fit_sbg": "analytics.btyd",
    "compare_btyd_models": "analytics.btyd",
    "ParetoNBDResult": "analytics.btyd",
    "MBGNBDResult": "analytics.btyd",
    "BGBBResult": "analytics.btyd",
    "SBGResult": "analytics.btyd",
    "segment": "analytics.segmentation",
    "discriminant": "analytics.segmentation",
    "SegmentationResult": "analytics.segmentation",
    "DiscriminantResult": "analytics.segmentation",
    "define_churn": "analytics.churn",
    "ChurnTable": "analytics.churn",
    "churn_model": "analytics.churn",
    "gains_table": "analytics.churn",
    "threshold_table": "analytics.churn",
    "PropensityResult": "analytics.churn",
    "break_even_rate": "analytics.campaigns",
    "required_cell_size": "analytics.campaigns",
    "draw_test_cell": "analytics.campaigns",
    "campaign_test": "analytics.campaigns",
    "response_model": "analytics.campaigns",
    "qini_curve": "analytics.campaigns",
    "QiniCurve": "analytics.campaigns",
    "uplift_model": "analytics.campaigns",
    "negative_responses": "analytics.campaigns",
    "winback_timing": "analytics.campaigns",
    "CampaignTestResult": "analytics.campaigns",
    "UpliftResult": "analytics.campaigns",
    "NegativeResponseResult": "analytics.campaigns",
    "WinbackTimingResult": "analytics.campaigns",
    # --- CRM frameworks and the customer database ---
    "LIFECYCLE_STRATEGIES": "frameworks.lifecycle",
    "lifecycle_phases": "frameworks.lifecycle",
    "lifecycle_kpis": "frameworks.lifecycle",
    "LifecycleResult": "frameworks.lifecycle",
    "normalize_email": "frameworks.idic",
    "normalize_phone": "frameworks.idic",
    "normalize_name": "frameworks.idic",
    "resolve_duplicates": "frameworks.idic",
    "DuplicateResult": "frameworks.idic",
    "value_tiers": "frameworks.idic",
    "ValueTiersResult": "frameworks.idic",
    "need_features": "frameworks.idic",
    "channel_report": "frameworks.idic",
    "next_best_offer": "frameworks.idic",
    "NextBestOfferResult": "frameworks.idic",
    "select_customers": "frameworks.winer",
    "personalised_offers": "frameworks.winer",
    "OfferList": "frameworks.winer",
    "loyalty_effect": "frameworks.winer",
    "LoyaltyEffectResult": "frameworks.winer",
    "campaign_metrics": "frameworks.winer",
    "DIRECT_IDENTIFIERS": "data.privacy",
    "filter_consent": "data.privacy",
    "pseudonymise": "data.privacy",
    "k_anonymity": "data.privacy",
    "check_export": "data.privacy",
    "KAnonymityResult": "data.privacy",
    "winback_weeks": "frameworks.programmes",
    "winback_effect": "frameworks.programmes",
    "prospecting_report": "frameworks.programmes",
    "ProspectingResult": "frameworks.programmes",
    "confidence_rule": "frameworks.programmes",
    "ConfidenceRuleResult": "frameworks.programmes",
    "cross_sell_matrix": "frameworks.programmes",
    "CrossSellResult": "frameworks.programmes",
    "PAYNE_PROCESSES": "frameworks.payne",
    "data_quality_report": "frameworks.payne",
    "payne_scorecard": "frameworks.payne",
    "PayneScorecard": "frameworks.payne",
    "CustomerDatabase": "data.database",
    "get_framework": "frameworks.models",
    "list_frameworks": "frameworks.models",
    "glossary": "frameworks.models",
    "comparison_table": "frameworks.models",
    # --- PLS-SEM ---
    "pls_sem": "pls",
    "PLSResult": "pls",
    "pls_predict": "pls",
    "PLSPredictResult": "pls",
    # --- thesis report ---
    "report": "report",
    "ThesisReport": "report",
    "load_study": "data.study",
    "read_study_data": "data.study",
    "Study": "data.study",
    "StudyData": "data.study",
    "STUDY_SCHEMA": "data.study",
    # --- chapter-4 tests: normality, one-sample, Friedman, groups, correlations, method bias, sample size ---
    "construct_scores": "inference.scores",
    "normality": "inference.normality",
    "NormalityResult": "inference.normality",
    "one_sample_test": "inference.one_sample",
    "OneSampleResult": "inference.one_sample",
    "friedman_ranking": "inference.friedman",
    "FriedmanResult": "inference.friedman",
    "compare_groups": "inference.group_tests",
    "GroupComparison": "inference.group_tests",
    "correlation_matrix": "inference.correlations",
    "CorrelationMatrix": "inference.correlations",
    "common_method_bias": "inference.method_bias",
    "MethodBiasResult": "inference.method_bias",
    "sample_size": "inference.sample_size",
    "krejcie_morgan": "inference.sample_size",
    "rmsea_power": "inference.sample_size",
    "sem_sample_size": "inference.sample_size",
    # --- PLS-SEM: IPMA, MICOM and multi-group analysis (issue 14) ---
    "ipma": "pls",
    "IPMAResult": "pls",
    "micom": "pls",
    "MICOMResult": "pls",
    "pls_mga": "pls",
    "PLSMGAResult": "pls",
    "pls_fit_test": "pls",
    "PLSFitTest": "pls",
    "path_diagram": "sem.plot",
    "measurement_diagram": "sem.plot",
}

# submodules reachable as attributes, e.g. crm.frameworks.IDIC: attribute -> module
_SUBMODULES: dict[str, str] = {
    "validation": "core.validation",
    "results": "core.results",
    "persian": "core.persian",
    "plotting": "core.plotting",
    "datasets": "data.datasets",
    "notebooks": "notebooks",
    "frameworks": "frameworks",
}

__all__ = sorted(["CRMInputError", "CRMConvergenceWarning", *_EXPORTS])


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value  # cache: later look-ups skip this function
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{_SUBMODULES[name]}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'crm_research' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))


class _Package(types.ModuleType):
    """The package module, guarding names that are both a function and a module.

    ``crm.sem`` and ``crm.report`` are functions that live in subpackages of the
    same name.  Whenever such a subpackage is imported, Python's import system
    binds it as an attribute of this package (``setattr(crm_research, "sem",
    package)``), which would hide the function.  Here that binding is turned into
    the exported function instead, so ``crm.sem(...)`` works in every order of
    use; the subpackage itself stays reachable as ``sys.modules["crm_research.sem"]``
    or ``importlib.import_module("crm_research.sem")``.
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

