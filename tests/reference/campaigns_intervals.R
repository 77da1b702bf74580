# Golden values for crm_research.analytics.campaigns.campaign_test (tests/test_campaigns.py):
# confidence intervals for a test cell's response rate.
#   Wilson score interval  = prop.test(x, n, correct = FALSE)
#   Clopper-Pearson exact  = binom.test(x, n)
# Run from the repository root:  Rscript tests/reference/campaigns_intervals.R
out <- "tests/reference/campaigns"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
cases <- data.frame(x = c(60, 3, 0, 48), n = c(1000, 50, 40, 1200), level = c(0.95, 0.95, 0.90, 0.99))
rows <- list()
for (i in seq_len(nrow(cases))) {
  x <- cases$x[i]; n <- cases$n[i]; lev <- cases$level[i]
  w <- prop.test(x, n, conf.level = lev, correct = FALSE)$conf.int
  b <- binom.test(x, n, conf.level = lev)$conf.int
  rows[[length(rows) + 1]] <- data.frame(x = x, n = n, level = lev, method = "wilson", low = w[1], high = w[2])
  rows[[length(rows) + 1]] <- data.frame(x = x, n = n, level = lev, method = "beta", low = b[1], high = b[2])
}
write.csv(do.call(rbind, rows), file.path(out, "response_rate_intervals.csv"), row.names = FALSE)
