# Reference for the report's measurement model when the study has a residual covariance
# (tests/test_report_measurement.py): the e-CRM survey's six constructs plus LOY3 ~~ LOY4.
# Run from the repository root:  Rscript tests/reference/report_rescov.R
suppressMessages({library(lavaan); library(semTools)})
raw <- read.csv("datasets/ecrm_survey.csv")
raw$SAT3 <- 6 - raw$SAT3r
raw$LOY4 <- 6 - raw$LOY4r
items <- c("OPR1","OPR2","OPR3","OPR4","ANL1","ANL2","ANL3","ANL4","EMP1","EMP2","EMP3",
           "SAT1","SAT2","SAT3","SAT4","LOY1","LOY2","LOY3","LOY4","DEL1","DEL2","DEL3")
x <- na.omit(raw[, items])
model <- "
OPR =~ OPR1 + OPR2 + OPR3 + OPR4
ANL =~ ANL1 + ANL2 + ANL3 + ANL4
EMP =~ EMP1 + EMP2 + EMP3
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
DEL =~ DEL1 + DEL2 + DEL3
LOY3 ~~ LOY4
"
fit <- cfa(model, data = x)
fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), "tests/reference/report/rescov_cfa_fit.csv",
          row.names = FALSE)
std <- standardizedSolution(fit)
load <- std[std$op == "=~", c("lhs", "rhs", "est.std")]
write.csv(load, "tests/reference/report/rescov_loadings.csv", row.names = FALSE)
om <- compRelSEM(fit)                    # observed sum-score variance (the report's omega)
# composite reliability of the standardized items (Fornell & Larcker, 1981) with the standardized residual
# covariances in the denominator (Raykov, 2001): (sum l)^2 / ((sum l)^2 + sum theta + 2 sum theta_ij)
facs <- unique(load$lhs)
cr <- sapply(facs, function(f) {
  its <- load$rhs[load$lhs == f]; l <- load$est.std[load$lhs == f]
  th <- std[std$op == "~~" & std$lhs %in% its & std$rhs %in% its, ]
  s <- sum(l)^2; s / (s + sum(th$est.std[th$lhs == th$rhs]) + 2 * sum(th$est.std[th$lhs != th$rhs]))
})
ave <- sapply(facs, function(f) mean(load$est.std[load$lhs == f]^2))
lv <- lavInspect(fit, "cor.lv")
out <- data.frame(construct = names(cr), cr = as.numeric(cr), omega = as.numeric(om[names(cr)]),
                  ave = as.numeric(ave), sqrt_ave = sqrt(as.numeric(ave)))
write.csv(out, "tests/reference/report/rescov_reliability.csv", row.names = FALSE)
write.csv(data.frame(construct = rownames(lv), lv, check.names = FALSE),
          "tests/reference/report/rescov_cor_lv.csv", row.names = FALSE)
cat(sprintf("R %s, lavaan %s, semTools %s\n", getRversion(), packageVersion("lavaan"),
            packageVersion("semTools")), file = "tests/reference/report/rescov_versions.txt")
# the report estimates by MLR when Mardia rejects normality (it does on these data): the same CFA by MLR
fit_mlr <- cfa(model, data = x, estimator = "MLR")
fm <- fitMeasures(fit_mlr, c("chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor",
                             "cfi.robust", "tli.robust", "rmsea.robust", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), "tests/reference/report/rescov_cfa_mlr_fit.csv",
          row.names = FALSE)
