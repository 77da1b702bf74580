# Golden values for crm_research.sem.robust (MLM / MLR), compare_models (lavTestLRT) and mean
# structures, produced by lavaan.
#
#   Rscript tests/reference/sem_robust.R      (run from the repository root)
#
# Writes tests/reference/sem_robust/: for every fit <name>_estimates.csv (parameterEstimates merged
# with standardizedSolution's est.std) and <name>_fit.csv (fitMeasures); lrt_<name>.csv (lavTestLRT
# tables).  Data: HolzingerSwineford1939 as exported by sem_lavaan.R (tests/reference/sem/), the same
# with the cells sem_fiml.R deletes, and the bundled e-CRM survey (datasets/ecrm_survey.csv).
# Produced with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_robust"
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
  invisible(fit)
}
save_lrt <- function(tab, name) {
  df <- as.data.frame(tab)
  df <- cbind(model = rownames(df), df)
  write.csv(df, file.path(out, paste0("lrt_", name, ".csv")), row.names = FALSE)
}

hs <- read.csv("tests/reference/sem/holzinger1939.csv")
hs_model <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9"
# a nested model: equal loadings within each factor
hs_equal <- "visual  =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed   =~ x7 + c*x8 + c*x9"

# 1. MLM (Satorra-Bentler) and MLR (Huber-White + Yuan-Bentler), complete data
f_mlm <- save_fit(cfa(hs_model, data = hs, estimator = "MLM"), "hs_mlm")
f_mlr <- save_fit(cfa(hs_model, data = hs, estimator = "MLR"), "hs_mlr")
f_mlm0 <- save_fit(cfa(hs_equal, data = hs, estimator = "MLM"), "hs_equal_mlm")
f_mlr0 <- save_fit(cfa(hs_equal, data = hs, estimator = "MLR"), "hs_equal_mlr")
f_ml <- cfa(hs_model, data = hs)
f_ml0 <- cfa(hs_equal, data = hs)
cat("MLR options: information =", lavInspect(f_mlr, "options")$information,
    " meanstructure =", lavInspect(f_mlr, "options")$meanstructure, "\n")

# 2. model comparison (lavTestLRT): ordinary, and scaled by both Satorra-Bentler methods
save_lrt(lavTestLRT(f_ml, f_ml0), "ml")
save_lrt(lavTestLRT(f_mlm, f_mlm0), "mlm_default")
save_lrt(lavTestLRT(f_mlm, f_mlm0, method = "satorra.bentler.2001"), "mlm_sb2001")
save_lrt(lavTestLRT(f_mlm, f_mlm0, method = "satorra.bentler.2010"), "mlm_sb2010")
save_lrt(lavTestLRT(f_mlr, f_mlr0), "mlr_default")
save_lrt(lavTestLRT(f_mlr, f_mlr0, method = "satorra.bentler.2010"), "mlr_sb2010")

# 3. MLR with missing data (FIML): the Holzinger-Swineford cells deleted as in sem_fiml.R
hsm <- hs
x <- paste0("x", 1:9)
for (j in 1:9) {
  i <- seq_len(nrow(hsm))
  hsm[[x[j]]][(7 * i + 13 * j) %% 17 == 0 | (3 * i + 5 * j) %% 23 == 0] <- NA
}
f_fiml_mlr <- save_fit(cfa(hs_model, data = hsm, estimator = "MLR", missing = "ml"), "hs_fiml_mlr")
f_fiml_mlr0 <- save_fit(cfa(hs_equal, data = hsm, estimator = "MLR", missing = "ml"), "hs_equal_fiml_mlr")
save_lrt(lavTestLRT(f_fiml_mlr, f_fiml_mlr0), "fiml_mlr_default")
f_fiml <- cfa(hs_model, data = hsm, missing = "ml")
f_fiml0 <- cfa(hs_equal, data = hsm, missing = "ml")
save_lrt(lavTestLRT(f_fiml, f_fiml0), "fiml_ml")
m <- modindices(f_fiml, sort. = TRUE)
write.csv(m, file.path(out, "hs_fiml_mi.csv"), row.names = FALSE)

# 4. the e-CRM survey (bundled), reverse items recoded: MLM and MLR on complete cases, MLR with FIML
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
ecrm_model <- paste(readLines("datasets/ecrm_survey_model.lav"), collapse = "\n")
save_fit(sem(ecrm_model, data = ecrm, estimator = "MLM"), "ecrm_mlm")
save_fit(sem(ecrm_model, data = ecrm, estimator = "MLR"), "ecrm_mlr")
save_fit(sem(ecrm_model, data = ecrm, estimator = "MLR", missing = "ml"), "ecrm_fiml_mlr")

# 5. mean structures: meanstructure = TRUE, and intercepts written in the syntax
save_fit(cfa(hs_model, data = hs, meanstructure = TRUE), "hs_means")
hs_int <- paste0(hs_model, "\nx1 ~ 1\nx4 ~ i4*1")
save_fit(cfa(hs_int, data = hs), "hs_int")
save_fit(cfa(hs_model, data = hs, meanstructure = TRUE, estimator = "MLR"), "hs_means_mlr")

# 6. bootstrap of FIML and MLR fits (lavaan's ordinary nonparametric bootstrap); the standard errors are
#    Monte-Carlo quantities: compared with a tolerance.  lavaan refuses estimator = "MLR" with
#    se = "bootstrap"; the MLR point estimates are ML's, so the bootstrap of an MLR fit is the ML bootstrap.
set.seed(20261205)
fb <- cfa(hs_model, data = hsm, missing = "ml", se = "bootstrap", bootstrap = 1000)
save_fit(fb, "hs_fiml_boot")
set.seed(20261205)
fb2 <- cfa(hs_model, data = hs, se = "bootstrap", bootstrap = 1000)
save_fit(fb2, "hs_mlr_boot")
cat(as.character(packageVersion("lavaan")), "\n")

# 7. modification indices of WLSMV fits (the bfi items and model of sem_ordinal.R)
bfi <- read.csv("tests/reference/sem_ordinal/bfi_items.csv")
bitems <- names(bfi)
fw <- cfa("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", data = bfi,
          ordered = bitems, estimator = "WLSMV")
write.csv(modindices(fw, sort. = TRUE), file.path(out, "bfi_wlsmv_mi.csv"), row.names = FALSE)
