# Golden values for fitting an SEM from a published covariance / correlation matrix
# (crm.sem(sample_cov=...) and crm.sem(sample_cor=..., sample_sd=...)), produced by lavaan.
#
#   Rscript tests/reference/sem_wheaton.R      (run from the repository root)
#
# Data: Wheaton, Muthen, Alwin & Summers (1977), "Assessing reliability and stability in panel
# models", Sociological Methodology 8, 84-136: the "stability of alienation" panel, N = 932.
# The lower triangle below is the one printed in lavaan's tutorial ("Covariance matrix input",
# https://lavaan.ugent.be/tutorial/cov.html) and in the example of ?getCov; the model is the
# tutorial's model.  lavaan's defaults: likelihood = "normal", so the matrix (divisor N - 1) is
# rescaled by (N - 1) / N and N (not N - 1) multiplies the ML discrepancy.
#
# Writes tests/reference/sem_wheaton/:
#   cov.csv                 the full covariance matrix built by getCov()
#   cor_rounded.csv         its correlation matrix rounded to 3 decimals, as a paper would print it
#   sd_rounded.csv          the standard deviations rounded to 3 decimals
#   <name>_estimates.csv    parameterEstimates() with standardizedSolution()'s est.std as std.all
#   <name>_fit.csv          fitMeasures()
# for name = "cov" (fit on the covariance matrix) and "cor" (fit on the matrix rebuilt from the
# rounded correlations and standard deviations, cor2cov(R, sd)).
# Produced with lavaan 0.6-14.
suppressPackageStartupMessages(library(lavaan))
out <- "tests/reference/sem_wheaton"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

lower <- "
 11.834
  6.947   9.364
  6.819   5.091  12.532
  4.783   5.028   7.495   9.986
 -3.839  -3.889  -3.841  -3.625   9.610
-21.899 -18.831 -21.748 -18.775  35.522 450.288 "
vars <- c("anomia67", "powerless67", "anomia71", "powerless71", "education", "sei")
wheaton_cov <- getCov(lower, names = vars)

model <- "
  # measurement model
  ses     =~ education + sei
  alien67 =~ anomia67 + powerless67
  alien71 =~ anomia71 + powerless71
  # structural model
  alien71 ~ alien67 + ses
  alien67 ~ ses
  # correlated residuals of the same item measured twice
  anomia67    ~~ anomia71
  powerless67 ~~ powerless71
"

save_fit <- function(fit, name) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  key <- c("lhs", "op", "rhs")
  pe$std.all <- ss$est.std[match(do.call(paste, pe[key]), do.call(paste, ss[key]))]
  write.csv(pe, file.path(out, paste0(name, "_estimates.csv")), row.names = FALSE)
  fm <- fitMeasures(fit)
  write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  cat(name, ": chisq =", fm[["chisq"]], "df =", fm[["df"]], "N =", lavInspect(fit, "nobs"),
      "likelihood =", lavInspect(fit, "options")$likelihood, "\n")
  invisible(fit)
}

# 1. the covariance matrix as printed
write.csv(wheaton_cov, file.path(out, "cov.csv"))
fit_cov <- sem(model, sample.cov = wheaton_cov, sample.nobs = 932)
save_fit(fit_cov, "cov")

# 2. the same data as a paper that prints correlations and standard deviations (3 decimals)
r_rounded <- round(cov2cor(wheaton_cov), 3)
sd_rounded <- round(sqrt(diag(wheaton_cov)), 3)
write.csv(r_rounded, file.path(out, "cor_rounded.csv"))
write.csv(data.frame(variable = vars, sd = as.numeric(sd_rounded)),
          file.path(out, "sd_rounded.csv"), row.names = FALSE)
fit_cor <- sem(model, sample.cov = cor2cov(r_rounded, sd_rounded), sample.nobs = 932)
save_fit(fit_cor, "cor")
