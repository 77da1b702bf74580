# Golden values for: MLM/MLR with observed exogenous covariates (fixed.x), WLSMV modification indices on a
# second dataset, and lavTestLRT for WLSMV fits (lavaan's default: the scaled-shifted difference test).
#
#   Rscript tests/reference/sem_robust_extra.R      (run from the repository root)
#
# lavaan 0.6-14.  Data: HolzingerSwineford1939 (tests/reference/sem/holzinger1939.csv) and the bundled
# e-CRM survey (datasets/ecrm_survey.csv, reverse items recoded).
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_robust_extra"
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
  invisible(fit)
}
save_lrt <- function(tab, name) {
  df <- as.data.frame(tab)
  df <- cbind(model = rownames(df), df)
  write.csv(df, file.path(out, paste0("lrt_", name, ".csv")), row.names = FALSE)
}
hs <- read.csv("tests/reference/sem/holzinger1939.csv")
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r

# 1. MLM / MLR with observed exogenous covariates (fixed.x = TRUE, lavaan's default for sem())
hs_x <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~ ageyr + sex\ntextual ~ sex"
for (est in c("ML", "MLM", "MLR")) save_fit(sem(hs_x, data = hs, estimator = est), paste0("hs_x_", tolower(est)))
ecrm_x <- "SAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4\nSAT ~ tenure_years + gender\nLOY ~ SAT + tenure_years"
ecrm_cc <- ecrm[complete.cases(ecrm[, c(paste0("SAT", 1:4), paste0("LOY", 1:4), "tenure_years", "gender")]), ]
for (est in c("MLM", "MLR")) save_fit(sem(ecrm_x, data = ecrm_cc, estimator = est), paste0("ecrm_x_", tolower(est)))

# 2. WLSMV modification indices on the e-CRM survey (five categories; the first dataset is bfi in sem_robust.R)
ecrm_items <- c(paste0("OPR", 1:4), paste0("SAT", 1:4), paste0("LOY", 1:4))
ecrm_ord <- ecrm[complete.cases(ecrm[, ecrm_items]), ecrm_items]
write.csv(ecrm_ord, file.path(out, "ecrm_ordinal_items.csv"), row.names = FALSE)
ecrm_cfa <- "OPR =~ OPR1 + OPR2 + OPR3 + OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4"
fw <- cfa(ecrm_cfa, data = ecrm_ord, ordered = ecrm_items, estimator = "WLSMV")
write.csv(modindices(fw, sort. = TRUE), file.path(out, "ecrm_wlsmv_mi.csv"), row.names = FALSE)
save_fit(fw, "ecrm_wlsmv")

# 3. lavTestLRT of nested WLSMV fits: default (scaled.shifted), and satorra.2000 spelled out
ecrm_cfa0 <- "OPR =~ OPR1 + a*OPR2 + a*OPR3 + a*OPR4\nSAT =~ SAT1 + SAT2 + SAT3 + SAT4\nLOY =~ LOY1 + LOY2 + LOY3 + LOY4\nSAT ~~ 0*OPR"
fw0 <- cfa(ecrm_cfa0, data = ecrm_ord, ordered = ecrm_items, estimator = "WLSMV")
save_fit(fw0, "ecrm_wlsmv_restricted")
save_lrt(lavTestLRT(fw, fw0), "ecrm_wlsmv_default")
bfi <- read.csv("tests/reference/sem_ordinal/bfi_items.csv")
bitems <- names(bfi)
bm <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
bm0 <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\nagree ~~ 0*consc"
b1 <- cfa(bm, data = bfi, ordered = bitems, estimator = "WLSMV")
b0 <- cfa(bm0, data = bfi, ordered = bitems, estimator = "WLSMV")
save_lrt(lavTestLRT(b1, b0), "bfi_wlsmv_default")
