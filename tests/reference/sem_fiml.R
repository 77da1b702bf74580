# Golden values for crm_research.sem.fiml (full-information ML with missing data), produced by lavaan.
#
#   Rscript tests/reference/sem_fiml.R      (run from the repository root)
#
# Writes tests/reference/sem_fiml/: parameterEstimates merged with
# standardizedSolution's est.std (<name>_estimates.csv), fitMeasures
# (<name>_fit.csv), and the EM (saturated, "h1") means and covariances.
# Fits use lavaan's missing = "ml" with its defaults (free intercepts, the
# observed information matrix for the standard errors).  Produced with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_fiml"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

save_fit <- function(fit, name) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  key <- c("lhs", "op", "rhs")
  pe$std.all <- ss$est.std[match(do.call(paste, pe[key]), do.call(paste, ss[key]))]
  write.csv(pe, file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  h1 <- lavInspect(fit, "sampstat.h1")
  write.csv(h1$cov, file.path(out, paste0(name, "_h1_cov.csv")))
  write.csv(data.frame(variable = names(h1$mean), mean = as.numeric(h1$mean)),
            file.path(out, paste0(name, "_h1_mean.csv")), row.names = FALSE)
  invisible(fit)
}

# 1. Holzinger-Swineford (the copy in tests/reference/sem/) with cells deleted by a fixed rule:
#    row i (1-based), item x_j is missing when (7 i + 13 j) %% 17 == 0 or (3 i + 5 j) %% 23 == 0.
hs <- read.csv("tests/reference/sem/holzinger1939.csv")
x <- paste0("x", 1:9)
for (j in 1:9) {
  i <- seq_len(nrow(hs))
  hs[[x[j]]][(7 * i + 13 * j) %% 17 == 0 | (3 * i + 5 * j) %% 23 == 0] <- NA
}
cat("HS: missing cells =", sum(is.na(hs[, x])), "\n")
hs_model <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"
fit <- cfa(hs_model, data = hs, missing = "ml")
save_fit(fit, "hs")
cat("HS information:", lavInspect(fit, "options")$information, "\n")

# 2. the same model with std.lv = TRUE and a labelled equality, plus a defined parameter
hs_model2 <- paste0(hs_model, "\nvisual ~~ r1*textual\ntextual ~~ r1*speed\nd := r1 * 2")
fit2 <- cfa(hs_model2, data = hs, missing = "ml", std.lv = TRUE)
save_fit(fit2, "hs_stdlv")

# 3. the e-CRM survey (bundled), reverse items recoded, its own ~1.5% missing answers
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
ecrm_model <- paste(readLines("datasets/ecrm_survey_model.lav"), collapse = "\n")
fit3 <- sem(ecrm_model, data = ecrm, missing = "ml")
save_fit(fit3, "ecrm")
cat("ecrm: N =", lavInspect(fit3, "nobs"), "\n")
