# Golden values for crm_research.psychometrics.efa: extraction methods, polychoric EFA and omega.
#
#   Rscript tests/reference/efa_methods.R      (run from the repository root)
#
# R 4.2.2, psych 2.2.9, GPArotation 2022.10.2 (versions in efa_methods/versions.txt).
# Data: the bundled datasets/bfi.csv (psychTools::bfi, exported by psychometrics.R;
# 25 six-point items, reverse-keyed A1 C4 C5 E1 E2 O2 O5 recoded 7 - x) and
# datasets/ecrm_survey.csv (22 five-point items, SAT3r LOY4r recoded 6 - x),
# complete cases over the items (the toolkit's default, listwise).
# Writes tests/reference/efa_methods/<dataset>_<what>.csv; loadings columns are
# by position (F1, F2, ...) after psych's own ordering and signs.
suppressPackageStartupMessages({ library(psych); library(GPArotation) })
out <- "tests/reference/efa_methods"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
wcsv <- function(x, name) write.csv(x, file.path(out, name), row.names = FALSE)
writeLines(c(R.version.string, paste("psych", packageVersion("psych")),
             paste("GPArotation", packageVersion("GPArotation"))), file.path(out, "versions.txt"))

bfi <- read.csv("datasets/bfi.csv")[, 2:26]
rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi[rev] <- 7 - bfi[rev]
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
ecrm <- ecrm[, c(paste0("OPR", 1:4), paste0("ANL", 1:4), paste0("EMP", 1:3),
                 paste0("SAT", 1:4), paste0("LOY", 1:4), paste0("DEL", 1:3))]

save_fit <- function(f, name) {
  L <- unclass(f$loadings)
  colnames(L) <- paste0("F", seq_len(ncol(L)))
  wcsv(data.frame(item = rownames(L), L, communality = f$communality,
                  uniqueness = f$uniquenesses), paste0(name, "_loadings.csv"))
  V <- f$Vaccounted
  colnames(V) <- paste0("F", seq_len(ncol(V)))
  wcsv(data.frame(row = rownames(V), V), paste0(name, "_variance.csv"))
  if (!is.null(f$Phi)) {
    P <- f$Phi
    colnames(P) <- paste0("F", seq_len(ncol(P)))
    wcsv(data.frame(P), paste0(name, "_phi.csv"))
  }
}

run <- function(name, items, nf, omega_nf) {
  x <- na.omit(items)
  R <- cor(x)
  wcsv(data.frame(item = colnames(x), smc = smc(R)), paste0(name, "_smc.csv"))
  for (fm in c("pa", "ml", "minres")) {
    rots <- if (fm == "minres") c("quartimin") else c("none", "varimax", "promax", "oblimin", "quartimin")
    for (rot in rots) save_fit(fa(x, nfactors = nf, fm = fm, rotate = rot), paste(name, fm, rot, sep = "_"))
  }
  for (rot in c("none", "varimax", "promax", "oblimin")) {
    save_fit(principal(x, nfactors = nf, rotate = rot), paste(name, "pc", rot, sep = "_"))
  }
  # polychoric correlations (psych's defaults: global thresholds, correct = .5) and EFA on them
  pc <- polychoric(x)
  wcsv(data.frame(item = colnames(x), pc$rho), paste0(name, "_poly_rho.csv"))
  save_fit(fa(x, nfactors = nf, fm = "minres", rotate = "oblimin", cor = "poly"),
           paste(name, "poly_minres_oblimin", sep = "_"))
  set.seed(1403)
  fp <- fa.parallel(x, fm = "minres", fa = "both", n.iter = 5, cor = "poly", plot = FALSE)
  wcsv(data.frame(index = seq_along(fp$fa.values), fa_values = fp$fa.values, pc_values = fp$pc.values,
                  fa_simr = fp$fa.simr, pc_simr = fp$pc.simr),
       paste0(name, "_poly_parallel.csv"))
  wcsv(data.frame(nfact = fp$nfact, ncomp = fp$ncomp), paste0(name, "_poly_parallel_n.csv"))
  # omega (Schmid-Leiman on a minres/oblimin solution)
  om <- omega(x, nfactors = omega_nf, plot = FALSE)
  wcsv(data.frame(omega_h = om$omega_h, omega_tot = om$omega.tot, alpha = om$alpha,
                  omega_lim = om$omega.lim), paste0(name, "_omega.csv"))
  sl <- om$schmid$sl
  wcsv(data.frame(item = colnames(x), sl[, 1:(omega_nf + 1)], h2 = sl[, "h2"], u2 = sl[, "u2"],
                  key = om$key),
       paste0(name, "_omega_sl.csv"))
  wcsv(data.frame(factor = rownames(om$omega.group), om$omega.group), paste0(name, "_omega_group.csv"))
}

run("bfi", bfi, 5, 5)
run("ecrm", ecrm, 6, 3)
