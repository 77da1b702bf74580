# Golden reference for tests/test_surveygen.py::test_lavaan_wlsmv_recovers_the_truth_on_a_large_sample.
# lavaan's ordinal estimator (WLSMV, polychoric correlations) fitted to a large sample of the
# survey should recover the true standardized parameters and thresholds of ecrm_survey_truth.csv.
# Make the data first (from the repository root), then run this script:
#   .venv/bin/python -c "import crm_research as crm; crm.recode_ecrm_survey(crm.generate_ecrm_survey(n=20000, seed=2024, missing_rate=0, skip_rate=0)).to_csv('/tmp/ecrm_large.csv', index=False)"
#   Rscript tests/reference/surveygen/ecrm_wlsmv_large.R
library(lavaan)  # 0.6-14
d <- read.csv("/tmp/ecrm_large.csv")
model <- paste(readLines("datasets/ecrm_survey_model.lav"), collapse = "\n")
items <- setdiff(names(d), c("resp_id", "gender", "age_band", "education", "tenure_years",
                             "purchase_frequency", "preferred_channel"))
fit <- sem(model, data = d, ordered = items, estimator = "WLSMV")
pe <- parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
pe <- pe[, c("lhs", "op", "rhs", "est", "se", "std.all")]
# item means: lets the test confirm it regenerates exactly the sample fitted here
means <- data.frame(lhs = items, op = "mean", rhs = items, est = colMeans(d[items]), se = NA,
                    std.all = NA)
out <- rbind(pe, means)
write.csv(out, "tests/reference/surveygen/ecrm_wlsmv_large_lavaan.csv", row.names = FALSE)
cat("n =", nrow(d), " lavaan", as.character(packageVersion("lavaan")), "WLSMV estimates written\n")
