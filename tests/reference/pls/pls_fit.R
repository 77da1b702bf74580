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

source("tests/reference/pls/pls_fit_lib.R")  # data, models, pls(), implied(), measures()

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
