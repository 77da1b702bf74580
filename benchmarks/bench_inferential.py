"""The chapter-4 tests on the 400-respondent e-CRM survey: one row per public function.

The data are loaded and recoded once when the module is imported, so the
timings measure the statistics.
"""

import crm_research as crm

_SURVEY = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
_CONSTRUCTS = {"OPR": ["OPR1", "OPR2", "OPR3", "OPR4"], "ANL": ["ANL1", "ANL2", "ANL3", "ANL4"],
               "EMP": ["EMP1", "EMP2", "EMP3"], "SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
               "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"], "DEL": ["DEL1", "DEL2", "DEL3"]}
_SCORES = crm.construct_scores(_SURVEY, _CONSTRUCTS, missing="pairwise")
_SCORES = _SCORES.join(_SURVEY[["gender", "education"]])
_NAMES = list(_CONSTRUCTS)


def construct_scores():
    return len(crm.construct_scores(_SURVEY, _CONSTRUCTS))


def normality():
    crm.normality(_SCORES, _NAMES)
    crm.normality(_SCORES, _NAMES, method="shapiro")
    return len(_SCORES)


def one_sample_test():
    crm.one_sample_test(_SCORES, _NAMES, mu=3, scale=(1, 5))
    crm.one_sample_test(_SCORES, _NAMES, mu=3, method="wilcoxon")
    return len(_SCORES)


def friedman_ranking():
    return crm.friedman_ranking(_SCORES, ["OPR", "ANL", "EMP"]).test["n"].iloc[0]


def compare_groups_two():
    crm.compare_groups(_SCORES, _NAMES, "gender")
    return len(_SCORES)


def compare_groups_five():
    crm.compare_groups(_SCORES, _NAMES, "education")
    return len(_SCORES)


def correlation_matrix():
    crm.correlation_matrix(_SURVEY, constructs=_CONSTRUCTS)
    return len(_SURVEY)


def common_method_bias():
    return crm.common_method_bias(_SURVEY, _CONSTRUCTS).n


def sample_size():
    crm.sample_size(5000, achieved=400)
    return 400


def krejcie_morgan():
    for population in (100, 1_000, 10_000, 1_000_000):
        crm.krejcie_morgan(population)
    return 4


def rmsea_power():
    crm.rmsea_power(194, 282)
    return 282


def sem_sample_size():
    return crm.sem_sample_size(194)


BENCHMARKS = [
    ("construct_scores (ecrm_survey)", "6 constructs x 400", construct_scores),
    ("normality: Lilliefors + Shapiro-Wilk (ecrm_survey)", "6 scores x 400", normality),
    ("one_sample_test: t + Wilcoxon (ecrm_survey)", "6 scores x 400", one_sample_test),
    ("friedman_ranking (ecrm_survey)", "3 scores x 400", friedman_ranking),
    ("compare_groups by gender (ecrm_survey)", "6 scores x 2 groups", compare_groups_two),
    ("compare_groups by education, post hoc (ecrm_survey)", "6 scores x 5 groups", compare_groups_five),
    ("correlation_matrix with sqrt(AVE) (ecrm_survey)", "6 constructs x 400", correlation_matrix),
    ("common_method_bias: Harman, Kock VIF, CLF CFA (ecrm_survey)", "22 items x 282", common_method_bias),
    ("sample_size: Cochran with finite population", "N = 5,000", sample_size),
    ("krejcie_morgan", "4 populations", krejcie_morgan),
    ("rmsea_power (MacCallum et al. 1996)", "df = 194, n = 282", rmsea_power),
    ("sem_sample_size (MacCallum et al. 1996)", "df = 194", sem_sample_size),
]
