# Reference values for notebook 06c (driver analysis of satisfaction): OLS of the SAT construct score on
# OPR, ANL, EMP and DEL, with classical and HC3 standard errors (sandwich), standardized betas, VIFs (car),
# the studentized Breusch-Pagan test (lmtest), Cook's distances and general dominance weights
# (Budescu 1993; Azen & Budescu 2003): the mean, over subset sizes, of the mean increase in R^2 when a
# driver joins a subset of the other drivers (equal to relaimpo's "lmg").  Run from the repository root:
#     Rscript tests/reference/driver_analysis/driver_analysis.R
# Writes tests/reference/driver_analysis/r_reference.csv (analysis, term, stat, value).
suppressPackageStartupMessages({ library(sandwich); library(lmtest); library(car) })
out_dir <- "tests/reference/driver_analysis"

ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
constructs <- list(OPR = paste0("OPR", 1:4), ANL = paste0("ANL", 1:4), EMP = paste0("EMP", 1:3),
                   SAT = paste0("SAT", 1:4), LOY = paste0("LOY", 1:4), DEL = paste0("DEL", 1:3))
items <- unlist(constructs)
ecrm <- ecrm[complete.cases(ecrm[, items]), ]        # the toolkit's listwise rule: 282 respondents
scores <- as.data.frame(sapply(constructs, function(it) rowMeans(ecrm[, it])))

rows <- list()
put <- function(analysis, term, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(analysis = analysis, term = term, stat = stat, value = as.numeric(value))
}
drivers <- c("OPR", "ANL", "EMP", "DEL")
fit <- lm(SAT ~ OPR + ANL + EMP + DEL, data = scores)
co <- summary(fit)$coefficients
hc3 <- sqrt(diag(vcovHC(fit, type = "HC3")))
rob <- coeftest(fit, vcov. = vcovHC(fit, type = "HC3"))
for (term in rownames(co)) {
  put("ols", term, "b", co[term, "Estimate"])
  put("ols", term, "se", co[term, "Std. Error"])
  put("ols", term, "se_hc3", hc3[term])
  put("ols", term, "t_hc3", rob[term, "t value"])
  put("ols", term, "p_hc3", rob[term, "Pr(>|t|)"])
}
put("ols", "model", "r2", summary(fit)$r.squared)
put("ols", "model", "adj_r2", summary(fit)$adj.r.squared)
put("ols", "model", "n", nobs(fit))
zfit <- lm(SAT ~ OPR + ANL + EMP + DEL, data = as.data.frame(scale(scores)))
for (term in drivers) put("standardized", term, "beta", coef(zfit)[term])
v <- vif(fit)
for (term in drivers) put("vif", term, "vif", v[term])
bp <- bptest(fit)                                       # studentized (Koenker) by default
put("breusch_pagan", "model", "statistic", bp$statistic)
put("breusch_pagan", "model", "p", bp$p.value)
cd <- cooks.distance(fit)
put("cooks_distance", "model", "max", max(cd))
put("cooks_distance", "model", "n_above_4_over_n", sum(cd > 4 / nobs(fit)))

r2 <- function(set) if (length(set) == 0) 0 else summary(lm(reformulate(set, "SAT"), data = scores))$r.squared
for (d in drivers) {
  others <- setdiff(drivers, d)
  by_size <- sapply(0:length(others), function(k) {
    subsets <- if (k == 0) list(character(0)) else combn(others, k, simplify = FALSE)
    mean(sapply(subsets, function(s) r2(c(s, d)) - r2(s)))
  })
  put("dominance", d, "general", mean(by_size))
}
write.csv(do.call(rbind, rows), file.path(out_dir, "r_reference.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("sandwich", packageVersion("sandwich")), paste("lmtest", packageVersion("lmtest")),
             paste("car", packageVersion("car"))), file.path(out_dir, "r_versions.txt"))
