# Golden reference for tests/test_surveygen.py::test_implied_cov_equals_lavaan.
# lavaan computes the model-implied covariance matrix of the ecrm_survey population model
# with every parameter fixed at its true unstandardized value (datasets/ecrm_survey_truth.csv),
# independently of crm_research's matrix algebra.
# Run from the repository root:  Rscript tests/reference/surveygen/ecrm_implied_cov.R
library(lavaan)  # 0.6-14
truth <- read.csv("datasets/ecrm_survey_truth.csv", stringsAsFactors = FALSE)
truth <- truth[truth$op %in% c("=~", "~", "~~"), ]
fix <- sprintf("%s %s %.15g*%s", truth$lhs, truth$op, truth$value, truth$rhs)
model <- paste(fix, collapse = "\n")
items <- unique(truth$rhs[truth$op == "=~"])
S <- diag(length(items)); dimnames(S) <- list(items, items)
# all parameters are fixed: nothing is estimated, lavaan only evaluates the model
fit <- lavaan(model, sample.cov = S, sample.nobs = 1000, auto.var = FALSE, auto.cov.lv.x = FALSE,
              auto.fix.first = FALSE)
stopifnot(lavInspect(fit, "npar") == 0)
implied <- lavInspect(fit, "implied")$cov[items, items]
write.csv(round(unclass(implied), 12), "tests/reference/surveygen/ecrm_implied_cov_lavaan.csv")
cat("lavaan", as.character(packageVersion("lavaan")), "implied covariance written\n")

# lavaan's completely standardized solution of the same fixed model: checks the std_all
# column of the truth (the marker-variable <-> standardized conversion) and the R-squares.
# (lavaan refuses := on fixed parameters; the defined effects are products and sums of these paths.)
std <- standardizedSolution(fit, se = FALSE, zstat = FALSE, pvalue = FALSE, ci = FALSE)
std <- std[, c("lhs", "op", "rhs", "est.std")]
r2 <- lavInspect(fit, "r2")
std <- rbind(std, data.frame(lhs = names(r2), op = "r2", rhs = names(r2), est.std = unname(r2)))
write.csv(std, "tests/reference/surveygen/ecrm_truth_std_lavaan.csv", row.names = FALSE)
cat("lavaan standardized solution written\n")
