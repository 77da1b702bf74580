# Golden values for robust (MLM/MLR) multi-group fits and the invariance sequence compared by lavTestLRT.
#
#   Rscript tests/reference/sem_invariance_robust.R      (run from the repository root)
#
# lavaan 0.6-14 (R 4.2.2).  Each invariance step is fitted with cfa(group = , group.equal = ,
# group.partial = , estimator = "MLM" / "MLR"); consecutive steps are compared with lavTestLRT's
# default, the Satorra-Bentler (2001) scaled difference.  Data: lavaan's HolzingerSwineford1939
# by school; the bundled e-CRM survey by gender (listwise).
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_invariance_robust"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), file.path(out, "versions.txt"))
hs <- read.csv("tests/reference/datasets/lavaan_HolzingerSwineford1939.csv")
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
ecrm <- ecrm[complete.cases(ecrm[, c("gender", paste0("SAT", 1:4), paste0("LOY", 1:4), paste0("OPR", 1:4))]), ]
hs_model <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
"
ecrm_model <- "
OPR =~ OPR1 + OPR2 + OPR3 + OPR4
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
"
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
keys <- c("npar", "chisq", "df", "chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.scaled",
          "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "srmr",
          "baseline.chisq.scaled", "baseline.chisq.scaling.factor")
run <- function(name, model, data, group, estimator, partial = "") {
  fits <- list(); rows <- list()
  for (s in names(steps)) {
    fit <- cfa(model, data = data, group = group, group.equal = steps[[s]], group.partial = partial,
               estimator = estimator)
    fm <- fitMeasures(fit, keys)
    rows[[s]] <- data.frame(step = s, t(as.numeric(fm)))
    names(rows[[s]])[-1] <- gsub(".", "_", names(fm), fixed = TRUE)
    fits[[s]] <- fit
  }
  tab <- do.call(rbind, rows)
  tab$chisq_diff <- NA; tab$df_diff <- NA; tab$p_diff <- NA
  for (k in 2:length(fits)) {
    lrt <- lavTestLRT(fits[[k - 1]], fits[[k]])
    tab$chisq_diff[k] <- lrt[["Chisq diff"]][2]
    tab$df_diff[k] <- lrt[["Df diff"]][2]
    tab$p_diff[k] <- lrt[["Pr(>Chisq)"]][2]
  }
  write.csv(tab, file.path(out, paste0(name, "_steps.csv")), row.names = FALSE)
  pe <- parameterEstimates(fits[["scalar"]])
  write.csv(pe[, c("lhs", "op", "rhs", "group", "est", "se")],
            file.path(out, paste0(name, "_scalar_est.csv")), row.names = FALSE)
}
run("hs_mlr", hs_model, hs, "school", "MLR")
run("hs_mlm", hs_model, hs, "school", "MLM")
run("hs_mlr_partial", hs_model, hs, "school", "MLR", partial = c("visual =~ x2", "x3 ~1", "x7 ~1"))
run("ecrm_mlr", ecrm_model, ecrm, "gender", "MLR")
