# Bollen-Stine bootstrap of SmartPLS's exact-fit distances (SRMR, d_ULS, d_G; saturated and estimated model),
# the test of Dijkstra & Henseler (2015) that SmartPLS prints as the "95%"/"99%" columns of a bootstrapped
# model fit and cSEM computes in testOMF(): rotate the standardized indicators Z to X* = Z S^(-1/2) Sigma^(1/2)
# (Beran & Srivastava, 1985; Bollen & Stine, 1992), re-estimate the model on resamples of X* and compute the
# distances of each resample.  Base R, with the PLS algorithm and implied correlations of pls_fit_lib.R.
#
# The resample indices come from a generator both this script and tests/test_pls_fit_test.py compute exactly
# (integer arithmetic below 2^53), so the two are compared resample by resample without storing indices:
# Park & Miller's (1988) minimal standard generator u <- 16807 u mod (2^31 - 1), started at u = 20261206,
# row index floor(u n / (2^31 - 1)); resample b takes the b-th run of n draws.
#
# Run from the repository root:  Rscript tests/reference/pls/pls_fit_test.R
# Writes tests/reference/pls/pls_fit_test_r.csv (every resample's distances) and
# tests/reference/pls/pls_fit_test_quantiles_r.csv (original, mean, 95% and 99% quantiles, R's type 7).

source("tests/reference/pls/pls_fit_lib.R")

B <- 100
park_miller <- function(count, u = 20261206) {
  out <- numeric(count)
  for (i in seq_len(count)) {
    u <- (16807 * u) %% 2147483647
    out[i] <- u
  }
  out
}
sym_pow <- function(M, p) {
  e <- eigen((M + t(M)) / 2, symmetric = TRUE)
  e$vectors %*% diag(e$values^p) %*% t(e$vectors)
}
dist3 <- function(m, saturated) measures(m$S, implied(m, saturated, "smartpls"), m$n)[c("SRMR", "d_ULS", "d_G")]

models <- list(simple = list(blocks = blocks_ext[c("COMP", "LIKE", "CUSA", "CUSL")], paths = paths_simple),
               extended = list(blocks = blocks_ext, paths = paths_ext))
draws <- list()
quant <- list()
for (name in names(models)) {
  spec <- models[[name]]
  m <- pls(d, spec$blocks, modes_ext, spec$paths)
  items <- unlist(spec$blocks)
  Z <- scale(as.matrix(d[, items]))
  idx <- matrix(floor(park_miller(B * nrow(Z)) * nrow(Z) / 2147483647) + 1, nrow = B, byrow = TRUE)
  for (model in c("saturated", "estimated")) {
    sat <- model == "saturated"
    Xs <- Z %*% sym_pow(m$S, -0.5) %*% sym_pow(implied(m, sat, "smartpls"), 0.5)
    colnames(Xs) <- items
    stopifnot(max(abs(cor(Xs) - implied(m, sat, "smartpls"))) < 1e-10)
    reps <- t(sapply(0:(B - 1), function(b) {
      mb <- pls(as.data.frame(Xs[idx[b + 1, ], ]), spec$blocks, modes_ext, spec$paths)
      dist3(mb, sat)
    }))
    draws[[length(draws) + 1]] <- data.frame(model = name, fit = model, resample = 0:(B - 1), reps)
    orig <- dist3(m, sat)
    quant[[length(quant) + 1]] <- data.frame(
      model = name, fit = model, measure = names(orig), original = orig, boot_mean = colMeans(reps),
      hi95 = apply(reps, 2, quantile, probs = 0.95, type = 7),
      hi99 = apply(reps, 2, quantile, probs = 0.99, type = 7))
  }
}
write.csv(do.call(rbind, draws), "tests/reference/pls/pls_fit_test_r.csv", row.names = FALSE)
q <- do.call(rbind, quant)
write.csv(q, "tests/reference/pls/pls_fit_test_quantiles_r.csv", row.names = FALSE)
print(q, digits = 8)
