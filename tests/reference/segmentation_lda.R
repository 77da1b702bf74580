# Golden values for crm_research.analytics.segmentation.discriminant (tests/test_segmentation.py).
# Linear discriminant analysis of Fisher's iris data (R's built-in copy, identical to
# scikit-learn's load_iris) with MASS::lda and a one-way MANOVA.
# Run from the repository root:  Rscript tests/reference/segmentation_lda.R
library(MASS)
out <- "tests/reference/segmentation"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
X <- as.matrix(iris[, 1:4])
g <- iris$Species
N <- nrow(X); K <- nlevels(g)
fit <- lda(X, g)  # priors = group proportions
# raw coefficients (MASS 'scaling': unit pooled within-group variance)
write.csv(data.frame(feature = colnames(X), fit$scaling, row.names = NULL),
          file.path(out, "iris_lda_scaling.csv"), row.names = FALSE)
# eigenvalues of W^-1 B from MASS's singular values: lambda = svd^2 (K-1)/(N-K)
eig <- fit$svd^2 * (K - 1) / (N - K)
wilks <- summary(manova(X ~ g), test = "Wilks")$stats[1, "Wilks"]
loo <- lda(X, g, CV = TRUE)
hit_loo <- mean(loo$class == g)
pooled_sd <- sqrt(diag(Reduce(`+`, lapply(split(as.data.frame(X), g), function(d) cov(d) * (nrow(d) - 1))) / (N - K)))
std <- fit$scaling * pooled_sd
write.csv(data.frame(feature = colnames(X), std, row.names = NULL),
          file.path(out, "iris_lda_standardized.csv"), row.names = FALSE)
write.csv(data.frame(statistic = c("eigenvalue1", "eigenvalue2", "wilks_lambda", "hit_ratio_loo"),
                     value = c(eig, wilks, hit_loo)),
          file.path(out, "iris_lda_stats.csv"), row.names = FALSE)
