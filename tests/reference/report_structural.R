# Reference for the report's CB-SEM sections on the bundled e-CRM study (tests/test_report.py):
# the measurement model by MLR (Mardia rejects normality), and f^2 and VIF of the latent predictors.
#   f2  = (R2_included - R2_excluded) / (1 - R2_included), R2_excluded: the outcome's R^2 when the model
#         is refitted (ML) with that one path fixed to zero (defined parameters left out)
#   VIF = diag(solve(R)), R: model-implied correlations of the outcome's latent predictors (cor.lv)
# Run from the repository root:  Rscript tests/reference/report_structural.R
suppressMessages(library(lavaan))
raw <- read.csv("datasets/ecrm_survey.csv")
raw$SAT3 <- 6 - raw$SAT3r
raw$LOY4 <- 6 - raw$LOY4r
items <- c("OPR1","OPR2","OPR3","OPR4","ANL1","ANL2","ANL3","ANL4","EMP1","EMP2","EMP3",
           "SAT1","SAT2","SAT3","SAT4","LOY1","LOY2","LOY3","LOY4","DEL1","DEL2","DEL3")
x <- na.omit(raw[, items])
measurement <- "
OPR =~ OPR1 + OPR2 + OPR3 + OPR4
ANL =~ ANL1 + ANL2 + ANL3 + ANL4
EMP =~ EMP1 + EMP2 + EMP3
SAT =~ SAT1 + SAT2 + SAT3 + SAT4
LOY =~ LOY1 + LOY2 + LOY3 + LOY4
DEL =~ DEL1 + DEL2 + DEL3
"
out <- "tests/reference/report"
cfa_mlr <- cfa(measurement, data = x, estimator = "MLR")
fm <- fitMeasures(cfa_mlr, c("chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor",
                             "cfi.robust", "tli.robust", "rmsea.robust", "srmr"))
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, "ecrm_cfa_mlr_fit.csv"),
          row.names = FALSE)
structural <- list(SAT = c("OPR", "ANL", "EMP"), LOY = c("SAT", "OPR", "ANL", "EMP"), DEL = c("OPR", "EMP"))
sem_text <- function(drop_y = "", drop_x = "") {
  reg <- sapply(names(structural), function(y) {
    rhs <- sapply(structural[[y]], function(p) if (y == drop_y && p == drop_x) paste0("0*", p) else p)
    paste(y, "~", paste(rhs, collapse = " + "))
  })
  paste(measurement, paste(reg, collapse = "\n"), sep = "\n")
}
full <- sem(sem_text(), data = x)
r2 <- lavInspect(full, "r2")
lv <- lavInspect(full, "cor.lv")
rows <- list()
for (y in names(structural)) {
  preds <- structural[[y]]
  vif <- if (length(preds) > 1) diag(solve(lv[preds, preds])) else setNames(1, preds)
  for (p in preds) {
    r2_out <- lavInspect(sem(sem_text(y, p), data = x), "r2")[[y]]
    rows[[length(rows) + 1]] <- data.frame(outcome = y, predictor = p, r2_included = r2[[y]],
                                           r2_excluded = r2_out, f2 = (r2[[y]] - r2_out) / (1 - r2[[y]]),
                                           vif = vif[[p]])
  }
}
write.csv(do.call(rbind, rows), file.path(out, "ecrm_f2_vif.csv"), row.names = FALSE)
cat(sprintf("R %s, lavaan %s\n", getRversion(), packageVersion("lavaan")),
    file = file.path(out, "structural_versions.txt"))
