# Golden values for multi-group syntax: group-specific labels c(a, b)*x, ':=' over them, '==' constraints.
#
#   Rscript tests/reference/sem_multigroup_syntax.R      (run from the repository root)
#
# lavaan 0.6-14 (R 4.2.2).  Data: lavaan's HolzingerSwineford1939 (stored as
# tests/reference/datasets/lavaan_HolzingerSwineford1939.csv), grouped by school, and the
# bundled datasets/ecrm_survey.csv (SAT3r/LOY4r recoded 6 - x), grouped by gender,
# listwise (lavaan's default for ML).  Writes tests/reference/sem_multigroup_syntax/<model>_{est,fit}.csv.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_multigroup_syntax"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan"))), file.path(out, "versions.txt"))
hs <- read.csv("tests/reference/datasets/lavaan_HolzingerSwineford1939.csv")
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r

hs_base <- "
visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
"
models <- list(
  hs_labels = list(data = hs, group = "school", equal = "", model = paste0(hs_base, "
speed ~ c(bp, bg)*visual + textual
diff := bp - bg
ratio := bp / bg
")),
  hs_equal_constraint = list(data = hs, group = "school", equal = "", model = paste0(hs_base, "
speed ~ c(bp, bg)*visual + textual
bp == bg
")),
  hs_labels_metric = list(data = hs, group = "school", equal = "loadings", model = paste0(hs_base, "
speed ~ c(bp, bg)*visual + c(tp, tp)*textual
diff := bp - bg
")),
  ecrm_gender = list(data = ecrm, group = "gender", equal = "", model = "
OPR =~ OPR1 + OPR2 + OPR3 + OPR4
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
SAT ~ c(am, af)*OPR
LOY ~ c(bm, bf)*SAT + OPR
ind_m := am*bm
ind_f := af*bf
ind_diff := am*bm - af*bf
"),
  ecrm_gender_equal = list(data = ecrm, group = "gender", equal = "", model = "
OPR =~ OPR1 + OPR2 + OPR3 + OPR4
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
SAT ~ c(am, af)*OPR
LOY ~ c(bm, bf)*SAT + OPR
am == af
"))
for (name in names(models)) {
  m <- models[[name]]
  eq <- if (m$equal == "") "" else m$equal
  fit <- sem(m$model, data = m$data, group = m$group, group.equal = eq)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pe <- pe[pe$op != "==", ]
  # group labels in the data's own values (lavaan numbers the groups in order of first appearance)
  lv <- lavInspect(fit, "group.label")
  pe$group_value <- ifelse(pe$group > 0, lv[pmax(pe$group, 1)], "")
  write.csv(pe[, c("lhs", "op", "rhs", "group", "group_value", "label", "est", "se", "z", "pvalue",
                   "std.all")], file.path(out, paste0(name, "_est.csv")), row.names = FALSE)
  fm <- fitMeasures(fit, c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"))
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
}
