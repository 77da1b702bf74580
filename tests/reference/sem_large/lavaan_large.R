# Golden values and lavaan's times for the large-model SEM benchmarks (issue: no p^6 fit measure).
#
#   python benchmarks/bench_sem_large.py --write /tmp/sem_large     # the simulated data, 24/48/96 indicators
#   Rscript tests/reference/sem_large/lavaan_large.R /tmp/sem_large  (run from the repository root)
#
# Writes tests/reference/sem_large/:
#   cfa48_fit.csv, cfa48_mi.csv     fitMeasures and the 40 largest modindices of the 48-indicator CFA
#                                   (cfa48_data.csv is the same data, committed for the test)
#   lavaan_times.csv                elapsed seconds of one cfa() and of a 200-resample bootstrap
#                                   (se = "bootstrap", parallel = "multicore", ncpus = 2) per size
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
src <- if (length(args)) args[1] else "/tmp/sem_large"
out <- "tests/reference/sem_large"

save_fit <- function(fit, name) {
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
}

d48 <- read.csv(file.path(out, "cfa48_data.csv"))
m48 <- paste(readLines(file.path(src, "model48.lav")), collapse = "\n")
fit48 <- cfa(m48, data = d48)
save_fit(fit48, "cfa48")
mi <- modindices(fit48, sort. = TRUE, maximum.number = 40)
write.csv(mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.all")], file.path(out, "cfa48_mi.csv"), row.names = FALSE)

times <- data.frame()
for (p in c(24, 48, 96)) {
  d <- read.csv(file.path(src, sprintf("data%d.csv", p)))
  m <- paste(readLines(file.path(src, sprintf("model%d.lav", p))), collapse = "\n")
  cfa(m, data = d)  # warm-up
  t_fit <- system.time(cfa(m, data = d))[["elapsed"]]
  times <- rbind(times, data.frame(task = "CFA fit", p = p, seconds = t_fit))
  if (p <= 48) {
    t_boot <- system.time(cfa(m, data = d, se = "bootstrap", bootstrap = 200, iseed = 1,
                              parallel = "multicore", ncpus = 2))[["elapsed"]]
    times <- rbind(times, data.frame(task = "bootstrap 200 resamples (2 processes)", p = p, seconds = t_boot))
  }
}
times$lavaan <- as.character(packageVersion("lavaan"))
write.csv(times, file.path(out, "lavaan_times.csv"), row.names = FALSE)
