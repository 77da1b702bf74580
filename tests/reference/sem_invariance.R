# Golden values for measurement_invariance: configural/metric/scalar/strict, partial invariance, LRTs.
#
#   Rscript tests/reference/sem_invariance.R      (run from the repository root)
#
# lavaan 0.6-14, semTools 0.5-6 (R 4.2.2).  Each step is fitted twice: with lavaan's
# group.equal / group.partial, and with the syntax semTools::measEq.syntax writes for it
# (ID.fac = "auto.fix.first", marker loadings as lavaan's default); both give the same chisq
# (stored as chisq_measeq, a check of the equivalence) for the full steps.  For partial models
# measEq.syntax's ID.fac = "auto.fix.first" fixes the marker intercepts at 0 and frees the latent
# means, so freeing a marker's intercept has no effect there (hs_partial: x7 ~1) and the partial
# scalar/strict chisq differ from lavaan's group.partial fits, which the toolkit follows.
# Chi-square differences are lavTestLRT's.
# Data: lavaan's HolzingerSwineford1939 by school; the bundled e-CRM survey by gender (listwise).
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
out <- "tests/reference/sem_invariance"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan")),
             paste("semTools", packageVersion("semTools"))), file.path(out, "versions.txt"))
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
run <- function(name, model, data, group, partial = "") {
  fits <- list(); rows <- list()
  for (s in names(steps)) {
    eq <- steps[[s]]
    fit <- cfa(model, data = data, group = group, group.equal = eq, group.partial = partial)
    syn <- measEq.syntax(configural.model = model, data = data, group = group, ID.fac = "auto.fix.first",
                         group.equal = eq, group.partial = partial, return.fit = FALSE)
    fit2 <- cfa(as.character(syn), data = data, group = group)
    fm <- fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"))
    rows[[s]] <- data.frame(step = s, t(as.numeric(fm)), chisq_measeq = as.numeric(fitMeasures(fit2, "chisq")))
    names(rows[[s]])[2:11] <- names(fm)
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
  # the scalar fit's estimates (intercepts, latent means) for the partial models
  pe <- parameterEstimates(fits[["scalar"]])
  write.csv(pe[pe$op %in% c("=~", "~1"), c("lhs", "op", "rhs", "group", "est", "se")],
            file.path(out, paste0(name, "_scalar_est.csv")), row.names = FALSE)
}
run("hs", hs_model, hs, "school")
run("hs_partial", hs_model, hs, "school", partial = c("x3 ~1", "x7 ~1"))
run("hs_partial_loading", hs_model, hs, "school", partial = c("visual =~ x2", "x3 ~1", "x3 ~~ x3"))
run("ecrm", ecrm_model, ecrm, "gender")
