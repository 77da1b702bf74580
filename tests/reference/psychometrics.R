# Golden values for crm_research.psychometrics.descriptives / reliability / validity / efa.
#
#   Rscript tests/reference/psychometrics.R      (run from the repository root)
#
# Produced with R 4.x, psych 2.2.9, psychTools, GPArotation, lavaan 0.6-14 and
# semTools 0.5-6.  Two public questionnaires with several constructs and
# reverse-keyed items:
#   * bfi  -- psychTools::bfi (Revelle; SAPA project), 25 six-point items,
#             reverse-keyed A1 C4 C5 E1 E2 O2 O5 (recoded 7 - x);
#   * ecrm -- datasets/ecrm_survey.csv, 22 five-point items, reverse-worded
#             SAT3r LOY4r (recoded 6 - x).
# Both are analysed on complete cases over the items (listwise), which is the
# toolkit's default; bfi_pairwise_alpha.csv also keeps psych's own default
# (pairwise covariances) for the pairwise option.
# Writes tests/reference/psychometrics/<dataset>_<table>.csv.
suppressPackageStartupMessages({
  library(psych); library(psychTools); library(GPArotation)
  library(lavaan); library(semTools)
})
out <- "tests/reference/psychometrics"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE)

# ---- data ---------------------------------------------------------------
bfi_raw <- psychTools::bfi
write.csv(cbind(id = as.integer(rownames(bfi_raw)), bfi_raw), "datasets/bfi.csv",
          row.names = FALSE, na = "")
bfi_items <- bfi_raw[, 1:25]
bfi_rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_items[bfi_rev] <- 7 - bfi_items[bfi_rev]
bfi_constructs <- list(
  A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
  N = paste0("N", 1:5), O = paste0("O", 1:5))

ecrm_raw <- read.csv("datasets/ecrm_survey.csv")
ecrm_constructs <- list(
  OPR = paste0("OPR", 1:4), ANL = paste0("ANL", 1:4), EMP = paste0("EMP", 1:3),
  SAT = c("SAT1", "SAT2", "SAT3", "SAT4"), LOY = c("LOY1", "LOY2", "LOY3", "LOY4"),
  DEL = paste0("DEL", 1:3))
ecrm_items <- ecrm_raw
ecrm_items$SAT3 <- 6 - ecrm_items$SAT3r
ecrm_items$LOY4 <- 6 - ecrm_items$LOY4r
ecrm_items <- ecrm_items[, unlist(ecrm_constructs)]

lav_syntax <- function(constructs) {
  paste(sprintf("%s =~ %s", names(constructs),
                sapply(constructs, paste, collapse = " + ")), collapse = "\n")
}

run <- function(name, items, constructs, nfactors) {
  x <- na.omit(items)
  cat(name, ": ", nrow(items), " rows, ", nrow(x), " complete\n", sep = "")
  wcsv(data.frame(n_total = nrow(items), n_complete = nrow(x)), paste0(name, "_n.csv"))

  # -- item descriptives (psych::describe, skew/kurtosis types 2 and 3)
  d3 <- describe(x, type = 3); d2 <- describe(x, type = 2); d1 <- describe(x, type = 1)
  wcsv(data.frame(item = rownames(d3), n = d3$n, mean = d3$mean, sd = d3$sd,
                  median = d3$median, min = d3$min, max = d3$max,
                  skew1 = d1$skew, kurt1 = d1$kurtosis,
                  skew2 = d2$skew, kurt2 = d2$kurtosis,
                  skew3 = d3$skew, kurt3 = d3$kurtosis, se = d3$se),
       paste0(name, "_describe.csv"))
  m <- mardia(x, plot = FALSE)
  wcsv(data.frame(n = m$n.obs, p = m$n.var, b1p = m$b1p, b2p = m$b2p, skew = m$skew,
                  small_skew = m$small.skew, p_skew = m$p.skew, p_small = m$p.small,
                  kurtosis = m$kurtosis, p_kurt = m$p.kurt),
       paste0(name, "_mardia.csv"))

  # -- reliability per construct (psych::alpha)
  arows <- list(); irows <- list()
  for (cn in names(constructs)) {
    a <- psych::alpha(x[, constructs[[cn]]], check.keys = FALSE, warnings = FALSE)
    ci <- alpha.ci(a$total$raw_alpha, nrow(x), length(constructs[[cn]]))
    arows[[cn]] <- data.frame(construct = cn, alpha = a$total$raw_alpha,
                              std_alpha = a$total$std.alpha, ci_low = ci$lower.ci,
                              ci_high = ci$upper.ci, average_r = a$total$average_r,
                              n = nrow(x), n_items = length(constructs[[cn]]))
    irows[[cn]] <- data.frame(construct = cn, item = rownames(a$item.stats),
                              mean = a$item.stats$mean, sd = a$item.stats$sd,
                              r_drop = a$item.stats$r.drop, r_cor = a$item.stats$r.cor,
                              raw_r = a$item.stats$raw.r,
                              alpha_if_deleted = a$alpha.drop$raw_alpha,
                              std_alpha_if_deleted = a$alpha.drop$std.alpha)
  }
  wcsv(do.call(rbind, arows), paste0(name, "_alpha.csv"))
  wcsv(do.call(rbind, irows), paste0(name, "_items.csv"))

  # -- CFA of all constructs, correlated factors (lavaan defaults, ML)
  fit <- cfa(lav_syntax(constructs), data = x)
  stopifnot(lavInspect(fit, "converged"))
  ss <- standardizedSolution(fit)
  lo <- ss[ss$op == "=~", c("lhs", "rhs", "est.std")]
  names(lo) <- c("construct", "item", "std_loading")
  wcsv(lo, paste0(name, "_cfa_loadings.csv"))
  phi <- lavInspect(fit, "cor.lv")
  wcsv(data.frame(construct = rownames(phi), phi), paste0(name, "_cfa_factor_cor.csv"))
  om <- compRelSEM(fit)
  cr <- sapply(names(constructs), function(cn) {
    l <- lo$std_loading[lo$construct == cn]
    sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
  })
  ave <- sapply(names(constructs), function(cn) mean(lo$std_loading[lo$construct == cn]^2))
  wcsv(data.frame(construct = names(constructs), omega = as.numeric(om[names(constructs)]),
                  cr = cr, ave = ave), paste0(name, "_construct_reliability.csv"))
  fm <- fitMeasures(fit, c("chisq", "df", "cfi", "rmsea", "srmr"))
  wcsv(data.frame(measure = names(fm), value = as.numeric(fm)), paste0(name, "_cfa_fit.csv"))

  # -- HTMT (semTools: htmt2 = TRUE is its default; also the 2015 arithmetic version)
  for (h2 in c(TRUE, FALSE)) {
    h <- htmt(lav_syntax(constructs), data = x, htmt2 = h2)
    wcsv(data.frame(construct = rownames(h), unclass(h)),
         paste0(name, if (h2) "_htmt2.csv" else "_htmt.csv"))
  }

  # -- EFA: KMO, Bartlett, fa.parallel, fa
  k <- KMO(x)
  wcsv(data.frame(item = c("overall", names(k$MSAi)), msa = c(k$MSA, k$MSAi)),
       paste0(name, "_kmo.csv"))
  b <- cortest.bartlett(cor(x), n = nrow(x))
  wcsv(data.frame(chisq = b$chisq, df = b$df, p_value = b$p.value),
       paste0(name, "_bartlett.csv"))
  set.seed(1403)
  pa <- fa.parallel(x, fm = "minres", fa = "both", n.iter = 20, plot = FALSE)
  wcsv(data.frame(index = seq_along(pa$fa.values), fa_values = pa$fa.values,
                  pc_values = pa$pc.values, fa_sim = pa$fa.sim, pc_sim = pa$pc.sim,
                  fa_simr = pa$fa.simr, pc_simr = pa$pc.simr),
       paste0(name, "_parallel.csv"))
  wcsv(data.frame(nfact = pa$nfact, ncomp = pa$ncomp), paste0(name, "_parallel_n.csv"))

  for (rot in c("oblimin", "varimax", "promax", "none")) {
    f <- fa(x, nfactors = nfactors, fm = "minres", rotate = rot)
    L <- unclass(f$loadings)
    wcsv(data.frame(item = rownames(L), L, communality = f$communality,
                    uniqueness = f$uniquenesses), paste0(name, "_fa_", rot, "_loadings.csv"))
    wcsv(data.frame(row = rownames(f$Vaccounted), f$Vaccounted),
         paste0(name, "_fa_", rot, "_variance.csv"))
    if (!is.null(f$Phi)) {
      wcsv(data.frame(factor = rownames(f$Phi), f$Phi), paste0(name, "_fa_", rot, "_phi.csv"))
    }
    if (rot == "none") wcsv(data.frame(values = f$values, e_values = f$e.values),
                            paste0(name, "_fa_values.csv"))
  }
}

run("bfi", bfi_items, bfi_constructs, 5)
run("ecrm", ecrm_items, ecrm_constructs, 6)

# psych's own default for missing data: pairwise covariances, all rows
prow <- list()
for (cn in names(bfi_constructs)) {
  a <- psych::alpha(bfi_items[, bfi_constructs[[cn]]], check.keys = FALSE, warnings = FALSE)
  prow[[cn]] <- data.frame(construct = cn, alpha = a$total$raw_alpha,
                           std_alpha = a$total$std.alpha)
}
wcsv(do.call(rbind, prow), "bfi_pairwise_alpha.csv")
# one simulated correlation matrix of fa.parallel's kind and psych's one-factor
# fa values for it: checks the simulated eigenvalues matrix by matrix
set.seed(7)
sim_cor <- cor(matrix(rnorm(500 * 12), 500))
write.csv(sim_cor, file.path(out, "sim_cor.csv"), row.names = FALSE)
sim_fa <- fa(sim_cor, nfactors = 1, rotate = "none", SMC = FALSE, warnings = FALSE)
wcsv(data.frame(values = sim_fa$values), "sim_fa_values.csv")
# a random matrix whose one-factor solution loads on a single item (psych finds a
# first eigenvalue of 0.41 instead of the usual 0.21): such draws give the
# simulated eigenvalues of fa.parallel their long right tail
set.seed(11)
for (i in 1:33) sim_cor2 <- cor(matrix(rnorm(2436 * 25), 2436))
write.csv(sim_cor2, file.path(out, "sim_cor_tail.csv"), row.names = FALSE)
sim_fa2 <- fa(sim_cor2, nfactors = 1, rotate = "none", SMC = FALSE, warnings = FALSE)
wcsv(data.frame(values = sim_fa2$values), "sim_fa_tail_values.csv")

writeLines(c(paste("R", getRversion()), paste("psych", packageVersion("psych")),
             paste("GPArotation", packageVersion("GPArotation")),
             paste("lavaan", packageVersion("lavaan")),
             paste("semTools", packageVersion("semTools"))),
           file.path(out, "versions.txt"))
