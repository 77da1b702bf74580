# MLR (robust ML) on the large-model benchmark data: golden values at 48 indicators and lavaan's times.
#
#   python benchmarks/bench_sem_large.py --write /tmp/sem_large     # the simulated data, 24/48/96 indicators
#   Rscript tests/reference/sem_large/lavaan_mlr.R /tmp/sem_large    (run from the repository root)
#
# Writes tests/reference/sem_large/:
#   cfa48_mlr_fit.csv     fitMeasures of the 48-indicator CFA with estimator = "MLR" (robust SEs, Yuan-Bentler
#                         scaled statistic, scaled and robust CFI/TLI/RMSEA)
#   cfa48_mlr_se.csv      the robust standard errors of that fit
#   lavaan_mlr_times.csv  elapsed seconds of one cfa(estimator = "MLR") per size (best of 3; one run at 96)
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args)) args[1] else "/tmp/sem_large"
out <- "tests/reference/sem_large"

d48 <- read.csv(file.path(out, "cfa48_data.csv"))
m48 <- paste(readLines(file.path(src, "model48.lav")), collapse = "\n")
fit48 <- cfa(m48, data = d48, estimator = "MLR")
fm <- fitMeasures(fit48)
write.csv(data.frame(measure = names(fm), value = as.numeric(fm)), file.path(out, "cfa48_mlr_fit.csv"),
          row.names = FALSE)
pe <- parameterEstimates(fit48)
write.csv(pe[, c("lhs", "op", "rhs", "est", "se")], file.path(out, "cfa48_mlr_se.csv"), row.names = FALSE)

times <- data.frame()
for (p in c(24, 48, 96)) {
  d <- read.csv(file.path(src, sprintf("data%d.csv", p)))
  m <- paste(readLines(file.path(src, sprintf("model%d.lav", p))), collapse = "\n")
  cfa(m, data = d, estimator = "MLR")  # warm-up
  t <- min(sapply(seq_len(if (p < 96) 3 else 1), function(i)
    system.time(cfa(m, data = d, estimator = "MLR"))[["elapsed"]]))
  times <- rbind(times, data.frame(task = "CFA fit, MLR", p = p, seconds = t))
}
times$lavaan <- as.character(packageVersion("lavaan"))
write.csv(times, file.path(out, "lavaan_mlr_times.csv"), row.names = FALSE)
