# Independent reference implementation of the BG/NBD and Gamma-Gamma models in base R
# (plus numDeriv for the Hessian), used to check crm_research beyond the published
# digits: maximum-likelihood estimates, log-likelihoods, standard errors, P(alive) and
# conditional expected purchases on the CDNOW sample.
#
# Run from the repository root:
#     Rscript tests/reference/clv/bgnbd_gamma_gamma.R
# It writes tests/reference/clv/r_reference.csv (quantity, value).
#
# Formulas: Fader, Hardie & Lee (2005), Marketing Science 24(2), eqs. 6, 10 and the P(alive)
# expression; Fader & Hardie (2013), the Gamma-Gamma note, eq. 4.

suppressPackageStartupMessages(library(numDeriv))

summary_file <- "datasets/cdnow_summary.csv"
tx_file <- "datasets/cdnow_transactions.csv.gz"
out_file <- "tests/reference/clv/r_reference.csv"

cbs <- read.csv(summary_file)
x <- cbs$frequency; tx <- cbs$recency; Tcal <- cbs$T

# ---- BG/NBD -------------------------------------------------------------------------
bgnbd_ll <- function(p) {
  r <- p[1]; alpha <- p[2]; a <- p[3]; b <- p[4]
  A1 <- lgamma(r + x) - lgamma(r) + r * log(alpha)
  A2 <- lbeta(a, b + x) - lbeta(a, b) - (r + x) * log(alpha + Tcal)
  A3 <- ifelse(x > 0, lbeta(a + 1, pmax(b + x - 1, 1e-300)) - lbeta(a, b) - (r + x) * log(alpha + tx), -Inf)
  m <- pmax(A2, A3)
  sum(A1 + m + log(exp(A2 - m) + exp(A3 - m)))
}
fit <- optim(log(c(1, 1, 1, 1)), function(z) -bgnbd_ll(exp(z)), method = "BFGS",
             control = list(reltol = 1e-14, maxit = 10000))
fit <- optim(fit$par, function(z) -bgnbd_ll(exp(z)), method = "Nelder-Mead",
             control = list(reltol = 1e-14, maxit = 20000))
fit <- optim(fit$par, function(z) -bgnbd_ll(exp(z)), method = "BFGS",
             control = list(reltol = 1e-16, maxit = 10000))
est <- exp(fit$par)
H <- hessian(function(p) -bgnbd_ll(p), est)
se <- sqrt(diag(solve(H)))

# Gauss hypergeometric 2F1 by its power series (|z| < 1 here)
h2f1 <- function(a, b, c, z) {
  term <- 1; total <- 1; j <- 0
  repeat {
    term <- term * (a + j) * (b + j) / ((c + j) * (j + 1)) * z
    total <- total + term
    j <- j + 1
    if (abs(term) < 1e-15 * abs(total) || j > 100000) break
  }
  total
}
p_alive <- function(p, x, tx, Tc) {
  r <- p[1]; alpha <- p[2]; a <- p[3]; b <- p[4]
  if (x == 0) return(1)
  1 / (1 + a / (b + x - 1) * ((alpha + Tc) / (alpha + tx))^(r + x))
}
cond_exp <- function(p, t, x, tx, Tc) {
  r <- p[1]; alpha <- p[2]; a <- p[3]; b <- p[4]
  num <- (a + b + x - 1) / (a - 1) *
    (1 - ((alpha + Tc) / (alpha + Tc + t))^(r + x) * h2f1(r + x, b + x, a + b + x - 1, t / (alpha + Tc + t)))
  den <- 1 + (x > 0) * a / (b + x - 1) * ((alpha + Tc) / (alpha + tx))^(r + x)
  num / den
}
uncond_exp <- function(p, t) {
  r <- p[1]; alpha <- p[2]; a <- p[3]; b <- p[4]
  (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t))^r * h2f1(r, b, a + b - 1, t / (alpha + t)))
}

rows <- data.frame(quantity = c("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b"), value = est)
rows <- rbind(rows, data.frame(quantity = c("bgnbd_se_r", "bgnbd_se_alpha", "bgnbd_se_a", "bgnbd_se_b"),
                               value = se))
rows <- rbind(rows, data.frame(quantity = "bgnbd_loglik", value = -fit$value))
ids <- c(1, 2, 3, 5, 100, 1000, 2357)
for (i in ids) {
  rows <- rbind(rows, data.frame(
    quantity = c(sprintf("bgnbd_p_alive_customer_%d", i), sprintf("bgnbd_expected_39w_customer_%d", i)),
    value = c(p_alive(est, x[i], tx[i], Tcal[i]), cond_exp(est, 39, x[i], tx[i], Tcal[i]))))
}
for (t in c(1, 10, 39, 78)) {
  rows <- rbind(rows, data.frame(quantity = sprintf("bgnbd_expected_new_customer_%dw", t), value = uncond_exp(est, t)))
}

# ---- Gamma-Gamma on the exact repeat-purchase averages --------------------------------
# Rebuild z-bar from the transaction log: the sample's customers, purchases on one day
# added together, calibration period to 1997-09-30, first purchase left out.
tr <- read.csv(gzfile(tx_file))
tr <- tr[tr$customer_id %in% cbs$master_customer_id & as.Date(tr$date) <= as.Date("1997-09-30"), ]
daily <- aggregate(amount ~ customer_id + date, data = tr, FUN = sum)
daily <- daily[order(daily$customer_id, daily$date), ]
daily$first <- !duplicated(daily$customer_id)
rep <- daily[!daily$first, ]
gx <- as.numeric(table(rep$customer_id))
gm <- as.numeric(tapply(rep$amount, rep$customer_id, mean))
gg_ll <- function(p) {
  pp <- p[1]; q <- p[2]; v <- p[3]
  sum(lgamma(pp * gx + q) - lgamma(pp * gx) - lgamma(q) + q * log(v) + (pp * gx - 1) * log(gm) +
        pp * gx * log(gx) - (pp * gx + q) * log(v + gx * gm))
}
gg_obj <- function(z) { v <- -gg_ll(exp(z)); if (is.finite(v)) v else 1e300 }
gfit <- optim(log(c(1, 2, mean(gm))), gg_obj, method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 20000))
gfit <- optim(gfit$par, gg_obj, method = "BFGS", control = list(reltol = 1e-16, maxit = 10000))
gfit <- optim(gfit$par, gg_obj, method = "Nelder-Mead", control = list(reltol = 1e-16, maxit = 20000))
gest <- exp(gfit$par)
gH <- hessian(function(p) -gg_ll(p), gest)
gse <- sqrt(diag(solve(gH)))
rows <- rbind(rows, data.frame(quantity = c("gg_p", "gg_q", "gg_v", "gg_se_p", "gg_se_q", "gg_se_v", "gg_loglik",
                                            "gg_n", "gg_corr_frequency_spend"),
                               value = c(gest, gse, -gfit$value, length(gx), cor(gx, gm))))

write.csv(rows, out_file, row.names = FALSE)
print(rows, digits = 10)
