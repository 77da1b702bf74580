# Golden values for crm_research.sem, produced by lavaan.
#
#   Rscript tests/reference/sem_lavaan.R      (run from the repository root)
#
# Writes tests/reference/sem/: the data sets used (so the Python tests do not
# depend on R), and for every fit <name>_estimates.csv (parameterEstimates
# merged with standardizedSolution's est.std), <name>_fit.csv (fitMeasures)
# and <name>_mi.csv (modindices).  Produced with lavaan 0.6-14 on R 4.x.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

HS <- HolzingerSwineford1939
PD <- PoliticalDemocracy
write.csv(HS, file.path(out, "holzinger1939.csv"), row.names = FALSE)
write.csv(PD, file.path(out, "political_democracy.csv"), row.names = FALSE)

save_fit <- function(fit, name, mi = TRUE) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  key <- c("lhs", "op", "rhs")
  if ("group" %in% names(pe)) key <- c(key, "group")
  pe$std.all <- ss$est.std[match(do.call(paste, pe[key]), do.call(paste, ss[key]))]
  write.csv(pe, file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  if (mi) {
    m <- modindices(fit, sort. = TRUE)
    write.csv(m, file.path(out, paste0(name, "_mi.csv")), row.names = FALSE)
  }
  r2 <- inspect(fit, "r2")
  if (is.list(r2)) r2 <- unlist(r2)
  write.csv(data.frame(variable = names(r2), r2 = as.numeric(r2)),
            file.path(out, paste0(name, "_r2.csv")), row.names = FALSE)
  invisible(fit)
}

# 1. Holzinger-Swineford three-factor CFA (lavaan tutorial)
hs_model <- "visual  =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed   =~ x7 + x8 + x9"
save_fit(cfa(hs_model, data = HS), "hs_cfa")

# 2. Political Democracy (Bollen 1989) with equality labels, correlated
#    residuals and an indirect effect
pd_model <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + a*y2 + b*y3 + c*y4
  dem65 =~ y5 + a*y6 + b*y7 + c*y8
  dem60 ~ p1*ind60
  dem65 ~ p2*ind60 + p3*dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
  ind := p1*p3
  total := p2 + p1*p3
"
save_fit(sem(pd_model, data = PD), "pd_sem")

# 2b. The Political Democracy model exactly as in the lavaan tutorial (no labels): the "published
#     output" notebook 09 puts side by side with ours
pd_tutorial <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
"
save_fit(sem(pd_tutorial, data = PD), "pd_tutorial")

# 3. The same HS CFA from a covariance matrix, and from correlations + SDs
#    (sample.cov is taken as the unbiased N-1 matrix and rescaled by lavaan)
hs_vars <- paste0("x", 1:9)
S <- cov(HS[, hs_vars])
write.csv(S, file.path(out, "hs_cov.csv"))
save_fit(cfa(hs_model, sample.cov = S, sample.nobs = nrow(HS)), "hs_cov")
R <- cor(HS[, hs_vars]); sds <- sqrt(diag(S))
write.csv(round(R, 3), file.path(out, "hs_cor3.csv"))
write.csv(data.frame(variable = hs_vars, sd = round(sds, 3)), file.path(out, "hs_sd3.csv"), row.names = FALSE)
S3 <- cor2cov(round(R, 3), round(sds, 3))
save_fit(cfa(hs_model, sample.cov = S3, sample.nobs = nrow(HS)), "hs_cor")

# 4. MIMIC: observed exogenous covariates (fixed.x = TRUE) and a := line
mimic_model <- "
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual ~ g1*ageyr + sex
  textual ~ g2*ageyr + b*visual
  ind := g1*b
"
save_fit(sem(mimic_model, data = HS), "hs_mimic")

# 4b. Identification by fixing latent variances (std.lv = TRUE), and modifiers NA* / fixed values
save_fit(cfa(hs_model, data = HS, std.lv = TRUE), "hs_stdlv")
mod_model <- "visual  =~ NA*x1 + x2 + x3
              textual =~ x4 + 0.9*x5 + x6; speed =~ x7 + x8 + x9
              visual ~~ 1*visual
              x7 ~~ x8     # a residual covariance"
save_fit(cfa(mod_model, data = HS), "hs_modifiers")

# 5. FIML with missing data (missing = "ml"): HS with deterministic holes
HSm <- HS[, c("id", hs_vars)]
set.seed(20261123)
for (v in hs_vars) HSm[sample(nrow(HSm), 25), v] <- NA
write.csv(HSm, file.path(out, "hs_missing.csv"), row.names = FALSE)
save_fit(cfa(hs_model, data = HSm, missing = "ml"), "hs_fiml")

# 6. Ordinal: HS items cut into 4 ordered categories, WLSMV (DWLS point estimates)
HSo <- as.data.frame(lapply(HS[, hs_vars], function(x) cut(x, quantile(x, c(0, .2, .5, .8, 1)),
                                                             include.lowest = TRUE, labels = FALSE)))
write.csv(HSo, file.path(out, "hs_ordinal.csv"), row.names = FALSE)
save_fit(cfa(hs_model, data = HSo, ordered = hs_vars, estimator = "WLSMV"), "hs_ordinal", mi = FALSE)

# 7. Two-group invariance sequence by school
conf <- cfa(hs_model, data = HS, group = "school")
metr <- cfa(hs_model, data = HS, group = "school", group.equal = "loadings")
scal <- cfa(hs_model, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
save_fit(conf, "hs_configural", mi = FALSE)
save_fit(metr, "hs_metric", mi = FALSE)
save_fit(scal, "hs_scalar", mi = FALSE)
# 7a. A multi-group SEM whose labels are shared by both groups (equal paths) and a := line
mg_model <- "visual  =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed   =~ x7 + x8 + x9
             textual ~ b*visual
             speed ~ c*textual
             ind := b*c"
save_fit(sem(mg_model, data = HS, group = "school", group.equal = "loadings"), "hs_mg_sem", mi = FALSE)
a <- anova(conf, metr, scal)
write.csv(as.data.frame(a), file.path(out, "hs_invariance_anova.csv"))
cat("lavaan", as.character(packageVersion("lavaan")), "\n")

# 7b. The e-CRM survey of notebook 08 (datasets/ecrm_survey.csv, reverse-worded items recoded)
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
ecrm_model <- paste(readLines("datasets/ecrm_survey_model.lav"), collapse = "\n")
# copies of the data and model used, so the test does not move if the generator is re-run
write.csv(ecrm, file.path(out, "ecrm_survey_used.csv"), row.names = FALSE)
writeLines(ecrm_model, file.path(out, "ecrm_survey_model_used.lav"))
save_fit(sem(ecrm_model, data = ecrm), "ecrm_sem")

# 7c. More structures: a second-order factor, a path model of observed variables (fixed.x
#     predictors, no latent variable), and a latent variable regressed on observed covariates
so_model <- "visual =~ x1 + x2 + x3
             textual =~ x4 + x5 + x6
             speed =~ x7 + x8 + x9
             g =~ visual + textual + speed"
save_fit(sem(so_model, data = HS), "hs_second_order")
path_model <- "x4 ~ x1 + x2
               x5 ~ x4 + x3
               x6 ~ x5"
save_fit(sem(path_model, data = HS), "hs_path")
pdx_model <- "dem60 =~ y1 + y2 + y3 + y4
              dem60 ~ x1 + x2"
save_fit(sem(pdx_model, data = PD), "pd_covariates")

# 8. Bootstrap of the Political Democracy model (2,000 resamples): reference intervals for the
#    indirect effect.  Bootstrap draws differ between R and Python, so the tests compare with a
#    tolerance of Monte-Carlo size.  The elapsed time is lavaan's speed on this machine.
set.seed(20261123)
t0 <- proc.time()[["elapsed"]]
bfit <- sem(pd_model, data = PD, se = "bootstrap", bootstrap = 2000)
elapsed <- proc.time()[["elapsed"]] - t0
perc <- parameterEstimates(bfit, boot.ci.type = "perc")
bc <- parameterEstimates(bfit, boot.ci.type = "bca.simple")
boot <- data.frame(lhs = perc$lhs, op = perc$op, rhs = perc$rhs, est = perc$est, boot_se = perc$se,
                   perc_lower = perc$ci.lower, perc_upper = perc$ci.upper,
                   bc_lower = bc$ci.lower, bc_upper = bc$ci.upper)
write.csv(boot, file.path(out, "pd_boot2000.csv"), row.names = FALSE)
writeLines(sprintf("lavaan %s: 2000 bootstrap resamples of pd_model in %.1f s", packageVersion("lavaan"), elapsed),
           file.path(out, "pd_boot2000_time.txt"))
