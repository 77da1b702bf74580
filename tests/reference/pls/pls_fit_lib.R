# Shared by pls_fit.R and pls_fit_test.R: the corporate reputation data (mean replacement, SmartPLS's
# default), the models, a PLS path-weighting algorithm (Lohmoeller, 1989), the model-implied indicator
# correlations (Henseler et al., 2014; cSEM's fit()) and the distances of Dijkstra & Henseler (2015).
# Sourced from the repository root.

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

