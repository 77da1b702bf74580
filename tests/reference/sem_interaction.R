# Golden values for latent interactions: product indicators (semTools::indProd), the fitted
# interaction model (lavaan) and simple slopes (semTools::probe2WayMC / probe2WayRC).
#
#   Rscript tests/reference/sem_interaction.R      (run from the repository root)
#
# lavaan 0.6-14, semTools 0.5-6 (R 4.2.2).  Matched-pair product indicators on complete cases
# (listwise over the model's items):
#   * "mc": double-mean-centering (indProd(meanC = TRUE, residualC = FALSE, doubleMC = TRUE);
#           Lin et al., 2010), product factor free to covary with the first-order factors;
#   * "rc": residual centering (indProd(meanC = FALSE, residualC = TRUE, doubleMC = FALSE);
#           Little et al., 2006), product factor uncorrelated with them (fixed 0).
# Fits use meanstructure = TRUE (latent means 0, free intercepts: the same covariance-structure
# estimates as without means; probe2WayRC needs the mean vector).  Moderator values: -1, 0, +1
# latent SD.  Data: the bundled e-CRM survey (SAT ~ OPR + ANL + OPR:ANL) and lavaan's
# HolzingerSwineford1939 (speed ~ visual + textual + visual:textual).
suppressPackageStartupMessages({ library(lavaan); library(semTools) })
out <- "tests/reference/sem_interaction"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(c(R.version.string, paste("lavaan", packageVersion("lavaan")),
             paste("semTools", packageVersion("semTools"))), file.path(out, "versions.txt"))
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
hs <- read.csv("tests/reference/datasets/lavaan_HolzingerSwineford1939.csv")

cases <- list(
  ecrm = list(data = ecrm, x = "OPR", z = "ANL", y = "SAT", xi = paste0("OPR", 1:4), zi = paste0("ANL", 1:4),
              yi = paste0("SAT", 1:4)),
  hs = list(data = hs, x = "visual", z = "textual", y = "speed", xi = c("x1", "x2", "x3"),
            zi = c("x4", "x5", "x6"), yi = c("x7", "x8", "x9")))
for (name in names(cases)) {
  cs <- cases[[name]]
  dat <- na.omit(cs$data[, c(cs$xi, cs$zi, cs$yi)])
  for (method in c("mc", "rc")) {
    d2 <- if (method == "mc") {
      indProd(dat, cs$xi, cs$zi, match = TRUE, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
    } else {
      indProd(dat, cs$xi, cs$zi, match = TRUE, meanC = FALSE, residualC = TRUE, doubleMC = FALSE)
    }
    prods <- paste(cs$xi, cs$zi, sep = ".")
    write.csv(d2[, prods], file.path(out, paste0(name, "_", method, "_products.csv")), row.names = FALSE)
    xz <- paste0(cs$x, "_x_", cs$z)
    model <- paste0(
      cs$x, " =~ ", paste(cs$xi, collapse = " + "), "\n",
      cs$z, " =~ ", paste(cs$zi, collapse = " + "), "\n",
      cs$y, " =~ ", paste(cs$yi, collapse = " + "), "\n",
      xz, " =~ ", paste(prods, collapse = " + "), "\n",
      cs$y, " ~ ", cs$x, " + ", cs$z, " + ", xz, "\n",
      if (method == "rc") paste0(xz, " ~~ 0*", cs$x, " + 0*", cs$z, "\n") else "")
    fit <- sem(model, data = d2, meanstructure = TRUE)
    pe <- parameterEstimates(fit, standardized = TRUE)
    pe <- pe[pe$op != "~1", ]
    write.csv(pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue", "std.all")],
              file.path(out, paste0(name, "_", method, "_est.csv")), row.names = FALSE)
    fm <- fitMeasures(fit, c("npar", "chisq", "df", "cfi", "rmsea", "srmr"))
    write.csv(data.frame(measure = names(fm), value = as.numeric(fm)),
              file.path(out, paste0(name, "_", method, "_fit.csv")), row.names = FALSE)
    sdz <- sqrt(lavInspect(fit, "est")$psi[cs$z, cs$z])
    probe <- if (method == "mc") probe2WayMC else probe2WayRC
    pr <- probe(fit, nameX = c(cs$x, cs$z, xz), nameY = cs$y, modVar = cs$z, valProbe = c(-sdz, 0, sdz))
    ss <- as.data.frame(pr$SimpleSlope)
    names(ss) <- c("moderator", "est", "se", "z", "pvalue")
    write.csv(ss, file.path(out, paste0(name, "_", method, "_slopes.csv")), row.names = FALSE)
  }
}
