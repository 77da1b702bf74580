# SmartPLS-style model fit (SRMR, d_ULS, d_G, Chi-square, NFI; saturated and estimated model) of three
# corporate reputation models, computed from first principles in base R: an own PLS path-weighting
# algorithm (Lohmoeller, 1989), the model-implied indicator correlations (Henseler et al., 2014; cSEM's
# fit(): exogenous construct correlations as estimated, endogenous ones from the paths with disturbance
# variance 1 - R^2, diagonal 1) and the distances of Dijkstra & Henseler (2015).
#
# No SmartPLS, seminr or cSEM output could be had here (seminr/cSEM are not installed and the machine has
# no CRAN access), so this script is the independent check of crm_research/pls/fit.py; the path
# coefficients it prints are also compared with R seminr's fixture (corp_rep_simple_paths_seminr.csv).
#
# Run from the repository root:  Rscript tests/reference/pls/pls_fit.R
# Writes tests/reference/pls/pls_fit_r.csv and tests/reference/pls/pls_fit_paths_r.csv.

d <- read.csv("datasets/corp_rep.csv")
for (v in names(d)) d[[v]][is.na(d[[v]])] <- mean(d[[v]], na.rm = TRUE)  # mean replacement (SmartPLS default)

items_of <- function(prefix, k) paste0(prefix, seq_len(k))
blocks_ext <- list(QUAL = items_of("qual_", 8), PERF = items_of("perf_", 5), CSOR = items_of("csor_", 5),
                   ATTR = items_of("attr_", 3), COMP = items_of("comp_", 3), LIKE = items_of("like_", 3),
                   CUSA = "cusa", CUSL = items_of("cusl_", 3))
modes_ext <- c(QUAL = "B", PERF = "B", CSOR = "B", ATTR = "B", COMP = "A", LIKE = "A", CUSA = "A", CUSL = "A")
paths_simple <- rbind(c("COMP", "CUSA"), c("LIKE", "CUSA"), c("COMP", "CUSL"), c("LIKE", "CUSL"),
                      c("CUSA", "CUSL"))
paths_ext <- rbind(cbind(rep(c("QUAL", "PERF", "CSOR", "ATTR"), 2), rep(c("COMP", "LIKE"), each = 4)),
                   paths_simple)

pls <- function(X, blocks, modes, paths, tol = 1e-12, maxit = 1000) {
  cons <- names(blocks)
  Z <- scale(as.matrix(X[, unlist(blocks)]))
  D <- matrix(0, length(cons), length(cons), dimnames = list(cons, cons))
  D[paths] <- 1
  score <- function(W) sapply(cons, function(c) Z[, blocks[[c]], drop = FALSE] %*% W[[c]])
  norm_w <- function(W) lapply(setNames(cons, cons), function(c) {
    w <- W[[c]]; w / sd(Z[, blocks[[c]], drop = FALSE] %*% w)
  })
  W <- norm_w(lapply(blocks, function(b) rep(1, length(b))))
  for (it in seq_len(maxit)) {
    Y <- score(W)
    E <- matrix(0, length(cons), length(cons), dimnames = list(cons, cons))
    for (j in cons) {
      pred <- cons[D[, j] == 1]
      succ <- cons[D[j, ] == 1]
      if (length(pred)) E[pred, j] <- solve(cor(Y[, pred, drop = FALSE]), cor(Y[, pred, drop = FALSE], Y[, j]))
      if (length(succ)) E[succ, j] <- cor(Y[, succ, drop = FALSE], Y[, j])
    }
    Yt <- Y %*% E
    Wn <- lapply(setNames(cons, cons), function(c) {
      Zb <- Z[, blocks[[c]], drop = FALSE]
      if (modes[[c]] == "B" && ncol(Zb) > 1) solve(cor(Zb), cov(Zb, Yt[, c])) else cov(Zb, Yt[, c])
    })
    Wn <- norm_w(Wn)
    delta <- max(abs(unlist(Wn) - unlist(W)))
    W <- Wn
    if (delta < tol) break
  }
  Y <- score(W)
  colnames(Y) <- cons
  B <- matrix(0, length(cons), length(cons), dimnames = list(cons, cons))  # B[from, to]
  for (j in cons) {
    pred <- cons[D[, j] == 1]
    if (length(pred)) B[pred, j] <- solve(cor(Y[, pred, drop = FALSE]), cor(Y[, pred, drop = FALSE], Y[, j]))
  }
  lam <- sapply(unlist(blocks), function(i) {
    c <- names(blocks)[sapply(blocks, function(b) i %in% b)]
    cor(Z[, i], Y[, c])
  })
  list(S = cor(Z), Y = Y, B = B, lam = lam, blocks = blocks, modes = modes, n = nrow(Z), iterations = it)
}

implied <- function(m, saturated, approach) {
  cons <- names(m$blocks)
  Phi <- cor(m$Y)
  if (!saturated) {
    Bt <- t(m$B)  # Bt[to, from]
    endo <- rowSums(abs(Bt)) > 0
    Psi <- matrix(0, length(cons), length(cons))
    Psi[!endo, !endo] <- Phi[!endo, !endo]
    zeta <- 1 - rowSums(Bt * Phi)
    diag(Psi)[endo] <- zeta[endo]
    inv <- solve(diag(length(cons)) - Bt)
    Phi <- inv %*% Psi %*% t(inv)
    diag(Phi) <- 1
    dimnames(Phi) <- list(cons, cons)
  }
  it <- unlist(m$blocks)
  own <- rep(cons, sapply(m$blocks, length))
  Sigma <- outer(m$lam, m$lam) * Phi[own, own]
  for (c in cons) {
    if (approach == "composite" || m$modes[[c]] == "B") {
      idx <- which(own == c)
      Sigma[idx, idx] <- m$S[idx, idx]
    }
  }
  diag(Sigma) <- 1
  dimnames(Sigma) <- list(it, it)
  Sigma
}

measures <- function(S, Sigma, n) {
  R <- S - Sigma
  p <- nrow(S)
  srmr <- sqrt(sum(R[lower.tri(R, diag = TRUE)]^2) / (p * (p + 1) / 2))
  d_uls <- 0.5 * sum(R^2)
  ev <- Re(eigen(solve(S) %*% Sigma, only.values = TRUE)$values)
  d_g <- 0.5 * sum(log10(ev)^2)  # base 10, as SmartPLS 4 and cSEM (Dijkstra & Henseler write ln)
  f_ml <- sum(diag(S %*% solve(Sigma))) - log(det(S %*% solve(Sigma))) - p
  f_null <- -log(det(S))
  c(SRMR = srmr, d_ULS = d_uls, d_G = d_g, Chi.square = (n - 1) * f_ml, NFI = 1 - f_ml / f_null)
}

fits <- list()
fits$simple <- pls(d, blocks_ext[c("COMP", "LIKE", "CUSA", "CUSL")], modes_ext, paths_simple)
fits$extended <- pls(d, blocks_ext, modes_ext, paths_ext)
# moderation, two-stage approach (seminr and SmartPLS 4's default): stage 1 without the interaction
blocks_mod <- c(blocks_ext[1:7], list(SC = items_of("switch_", 4)), blocks_ext["CUSL"])
modes_mod <- c(modes_ext, SC = "A", `CUSA*SC` = "A")
paths_mod1 <- rbind(paths_ext, c("SC", "CUSL"))
stage1 <- pls(d, blocks_mod, modes_mod, paths_mod1)
d2 <- d
d2[["CUSA*SC_intxn"]] <- stage1$Y[, "CUSA"] * stage1$Y[, "SC"]
blocks_mod2 <- c(blocks_mod[1:8], list(`CUSA*SC` = "CUSA*SC_intxn"), blocks_mod["CUSL"])
fits$moderation <- pls(d2, blocks_mod2, modes_mod, rbind(paths_mod1, c("CUSA*SC", "CUSL")))

rows <- list()
prow <- list()
for (name in names(fits)) {
  m <- fits[[name]]
  for (approach in c("smartpls", "composite")) {
    sat <- measures(m$S, implied(m, TRUE, approach), m$n)
    est <- measures(m$S, implied(m, FALSE, approach), m$n)
    rows[[length(rows) + 1]] <- data.frame(model = name, approach = approach, measure = names(sat),
                                           saturated = sat, estimated = est)
  }
  nz <- which(m$B != 0, arr.ind = TRUE)
  prow[[length(prow) + 1]] <- data.frame(model = name, from = rownames(m$B)[nz[, 1]],
                                         to = colnames(m$B)[nz[, 2]], est = m$B[nz])
}
out <- do.call(rbind, rows)
out$measure[out$measure == "Chi.square"] <- "Chi-square"
write.csv(out, "tests/reference/pls/pls_fit_r.csv", row.names = FALSE)
write.csv(do.call(rbind, prow), "tests/reference/pls/pls_fit_paths_r.csv", row.names = FALSE)
print(out, digits = 10)
