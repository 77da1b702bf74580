# Golden values for fixed intercepts and latent means in the syntax (a structured mean structure).
#
#   Rscript tests/reference/sem_means.R      (run from the repository root)
#
# lavaan 0.6-14.  Data: HolzingerSwineford1939 (tests/reference/sem/holzinger1939.csv) and the bundled
# e-CRM survey (datasets/ecrm_survey.csv, reverse items recoded, listwise).
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_means"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), file.path(out, "versions.txt"))
save_fit <- function(fit, name) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  key <- c("lhs", "op", "rhs")
  pe$std.all <- ss$est.std[match(do.call(paste, pe[key]), do.call(paste, ss[key]))]
  write.csv(pe, file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
}
hs <- read.csv("tests/reference/sem/holzinger1939.csv")
hs_model <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"
# 1. a fixed intercept (near the sample mean 4.94: a mild misfit whose optimum both programs reach to many
#    decimals; at 0 the misfit is huge and lavaan stops a few 1e-4 short in the estimates): df + 1
save_fit(cfa(paste0(hs_model, "\nx1 ~ 5*1"), data = hs, meanstructure = TRUE), "hs_fixed_int")
save_fit(cfa(paste0(hs_model, "\nx1 ~ 5*1"), data = hs, meanstructure = TRUE, estimator = "MLR"), "hs_fixed_int_mlr")
# 2. latent means identified by the markers' intercepts fixed at 0 (the same fit as the saturated means)
hs_lm <- paste0(hs_model, "\nx1 ~ 0*1\nx4 ~ 0*1\nx7 ~ 0*1\nvisual ~ 1\ntextual ~ 1\nspeed ~ 1")
save_fit(cfa(hs_lm, data = hs), "hs_latent_means")
# 3. equal intercepts of two items with close means (a restricted mean structure, df + 1), MLM
hs_eq <- paste0(hs_model, "\nx8 ~ i*1\nx9 ~ i*1")
save_fit(cfa(hs_eq, data = hs, meanstructure = TRUE, estimator = "MLM"), "hs_equal_int_mlm")
# 4. the e-CRM survey: latent mean of SAT with the marker intercept fixed, and 'OPR ~ 0*1' spelled out
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm_model <- "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nSAT ~ OPR\nSAT1 ~ 0*1\nSAT ~ 1\nOPR ~ 0*1\nOPR2 ~ 3*1"
ecrm <- ecrm[complete.cases(ecrm[, c(paste0("OPR", 1:4), paste0("SAT", 1:4))]), ]
save_fit(sem(ecrm_model, data = ecrm, meanstructure = TRUE), "ecrm_means")
