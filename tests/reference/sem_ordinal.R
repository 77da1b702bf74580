# Golden values for crm_research.sem.polychoric / crm_research.sem.ordinal, produced by lavaan.
#
#   Rscript tests/reference/sem_ordinal.R      (run from the repository root)
#
# Writes tests/reference/sem_ordinal/: for each data set the thresholds and
# polychoric correlations of lavCor (two-step ML, lavaan's default), the
# asymptotic covariance matrix of thresholds + polychorics (lavInspect "gamma",
# i.e. N times the covariance of the estimates) and, for a WLSMV fit,
# parameterEstimates merged with standardizedSolution and fitMeasures.
# Produced with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_ordinal"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

save_fit <- function(fit, name, gamma = c("full", "diag", "none")) {
  gamma <- match.arg(gamma)
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  key <- c("lhs", "op", "rhs")
  pe$std.all <- ss$est.std[match(do.call(paste, pe[key]), do.call(paste, ss[key]))]
  write.csv(pe, file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  th <- lavInspect(fit, "sampstat")$th
  write.csv(data.frame(name = names(th), value = as.numeric(th)),
            file.path(out, paste0(name, "_thresholds.csv")), row.names = FALSE)
  write.csv(lavInspect(fit, "sampstat")$cov, file.path(out, paste0(name, "_polychoric.csv")))
  g <- lavInspect(fit, "gamma")
  # the full matrix of the 22-item model has 100,000 entries: store its diagonal only
  if (gamma == "full") write.csv(g, file.path(out, paste0(name, "_gamma.csv")))
  if (gamma == "diag") write.csv(data.frame(name = rownames(g), gamma = diag(g)),
                                 file.path(out, paste0(name, "_gamma_diag.csv")), row.names = FALSE)
  write.csv(data.frame(wls_v = diag(lavInspect(fit, "wls.v"))),
            file.path(out, paste0(name, "_wls_v.csv")), row.names = FALSE)
  invisible(fit)
}

# 1. e-CRM survey (bundled data set), reverse items recoded, complete cases,
#    every item declared ordered; the model of datasets/ecrm_survey_model.lav.  Only the
#    diagonal of its gamma matrix is stored (the full one would be 2 MB).
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
items <- c(paste0("OPR", 1:4), paste0("ANL", 1:4), paste0("EMP", 1:3), paste0("SAT", 1:4),
           paste0("LOY", 1:4), paste0("DEL", 1:3))
ecrm <- ecrm[complete.cases(ecrm[, items]), items]
ecrm_model <- paste(readLines("datasets/ecrm_survey_model.lav"), collapse = "\n")
fit <- sem(ecrm_model, data = ecrm, ordered = items, estimator = "WLSMV")
save_fit(fit, "ecrm", gamma = "diag")

# lavCor on its own gives the same polychorics (checked here, printed for the record)
pc <- lavCor(ecrm, ordered = items)
cat("ecrm: max |lavCor - sampstat| =", max(abs(pc - lavInspect(fit, "sampstat")$cov)), "\n")

# 2. Big Five items of psychTools::bfi (bundled as datasets/bfi.csv): agreeableness and
#    conscientiousness, six-point items with negatively keyed ones (A1, C4, C5) left as they are,
#    the first 500 complete cases.
bfi <- read.csv("datasets/bfi.csv")
bitems <- c(paste0("A", 1:5), paste0("C", 1:5))
bfi <- bfi[complete.cases(bfi[, bitems]), bitems][1:500, ]
write.csv(bfi, file.path(out, "bfi_items.csv"), row.names = FALSE)
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
fit2 <- cfa(bfi_model, data = bfi, ordered = bitems, estimator = "WLSMV")
save_fit(fit2, "bfi")

# 3. the same with std.lv = TRUE and a residual covariance
bfi_model3 <- paste0(bfi_model, "\nC4 ~~ C5")
fit3 <- cfa(bfi_model3, data = bfi, ordered = bitems, estimator = "WLSMV", std.lv = TRUE)
save_fit(fit3, "bfi_stdlv", gamma = "none")
cat(sessionInfo()$otherPkgs$lavaan$Version, "\n")

# 4. tetrachoric correlations (binary items): five bfi items split at 4+, and a built 2 x 2 table
#    with one empty cell (lavaan adds 0.5 to it, keeping the margins)
bin <- as.data.frame(lapply(bfi[, c("A2", "A3", "A5", "C1", "C2")], function(x) as.integer(x >= 4)))
write.csv(bin, file.path(out, "binary_items.csv"), row.names = FALSE)
tc <- lavCor(bin, ordered = names(bin), output = "fit")
write.csv(lavInspect(tc, "sampstat")$cov, file.path(out, "binary_tetrachoric.csv"))
th <- lavInspect(tc, "sampstat")$th
write.csv(data.frame(name = names(th), value = as.numeric(th)),
          file.path(out, "binary_thresholds.csv"), row.names = FALSE)
zero <- data.frame(u = c(rep(0, 10), rep(1, 20), rep(0, 7), rep(1, 3)),
                   v = c(rep(0, 10), rep(1, 20), rep(1, 7), rep(1, 3)),
                   w = rep(c(0, 1, 1, 0, 1), 8))
write.csv(zero, file.path(out, "zero_cell_items.csv"), row.names = FALSE)
write.csv(lavCor(zero, ordered = names(zero)), file.path(out, "zero_cell_tetrachoric.csv"))

# 5. WLSMV on the binary items (tetrachorics), two correlated factors
fit5 <- cfa("f =~ A2 + A3 + A5\ng =~ C1 + C2", data = bin, ordered = names(bin), estimator = "WLSMV")
save_fit(fit5, "binary_cfa", gamma = "none")
