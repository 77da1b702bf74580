# Reference values for crm_research.inference (normality, one-sample, Friedman, group comparisons,
# correlations, common-method bias, sample size).  Run from the repository root:
#     Rscript tests/reference/inferential/inferential.R
# Writes tests/reference/inferential/r_reference.csv (long format: dataset, analysis, key, stat, value)
# and exports R's PlantGrowth and ToothGrowth to CSV (the second data set; CI needs no R).
suppressPackageStartupMessages({
  library(nortest); library(rstatix); library(car); library(psych); library(semTools)
})
out_dir <- "tests/reference/inferential"
rows <- list()
put <- function(dataset, analysis, key, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, analysis = analysis, key = key, stat = stat,
                                          value = as.numeric(value))
}

# ------------------------------------------------------------------ data
ecrm <- read.csv("datasets/ecrm_survey.csv")
ecrm$SAT3 <- 6 - ecrm$SAT3r
ecrm$LOY4 <- 6 - ecrm$LOY4r
constructs <- list(OPR = paste0("OPR", 1:4), ANL = paste0("ANL", 1:4), EMP = paste0("EMP", 1:3),
                   SAT = paste0("SAT", 1:4), LOY = paste0("LOY", 1:4), DEL = paste0("DEL", 1:3))
items <- unlist(constructs)
ecrm <- ecrm[complete.cases(ecrm[, items]), ]        # the toolkit's listwise rule: 282 respondents
scores <- as.data.frame(sapply(constructs, function(it) rowMeans(ecrm[, it])))
scores$gender <- factor(ecrm$gender)
scores$education <- factor(ecrm$education)
scores$preferred_channel <- factor(ecrm$preferred_channel)

data(PlantGrowth); data(ToothGrowth)
write.csv(PlantGrowth, file.path(out_dir, "plantgrowth.csv"), row.names = FALSE)
write.csv(ToothGrowth, file.path(out_dir, "toothgrowth.csv"), row.names = FALSE)
bfi <- read.csv("datasets/bfi.csv")

# ------------------------------------------------------------------ normality
normality <- function(dataset, x, key) {
  s <- shapiro.test(x); l <- lillie.test(x)
  k <- suppressWarnings(ks.test(x, "pnorm", mean(x), sd(x)))
  put(dataset, "normality", key, "shapiro_W", s$statistic); put(dataset, "normality", key, "shapiro_p", s$p.value)
  put(dataset, "normality", key, "lilliefors_D", l$statistic); put(dataset, "normality", key, "lilliefors_p", l$p.value)
  put(dataset, "normality", key, "ks_D", k$statistic); put(dataset, "normality", key, "ks_p", k$p.value)
  d <- psych::describe(x, type = 2)
  put(dataset, "normality", key, "skewness", d$skew); put(dataset, "normality", key, "kurtosis", d$kurtosis)
}
for (cn in names(constructs)) normality("ecrm", scores[[cn]], cn)
normality("plantgrowth", PlantGrowth$weight, "weight")
normality("toothgrowth", ToothGrowth$len, "len")

# ------------------------------------------------------------------ one-sample tests
one_sample <- function(dataset, x, key, mu) {
  t <- t.test(x, mu = mu)
  put(dataset, "one_sample", key, "t", t$statistic); put(dataset, "one_sample", key, "df", t$parameter)
  put(dataset, "one_sample", key, "p", t$p.value)
  put(dataset, "one_sample", key, "diff_ci_low", t$conf.int[1] - mu); put(dataset, "one_sample", key, "diff_ci_high", t$conf.int[2] - mu)
  put(dataset, "one_sample", key, "cohen_d", (mean(x) - mu) / sd(x))
  tg <- t.test(x, mu = mu, alternative = "greater")
  put(dataset, "one_sample", key, "p_greater", tg$p.value)
  w <- suppressWarnings(wilcox.test(x, mu = mu))
  put(dataset, "one_sample", key, "V", w$statistic); put(dataset, "one_sample", key, "wilcoxon_p", w$p.value)
}
for (cn in names(constructs)) one_sample("ecrm", scores[[cn]], cn, 3)
one_sample("plantgrowth", PlantGrowth$weight, "weight", 5)

# ------------------------------------------------------------------ Friedman + Kendall's W
friedman <- function(dataset, m, key) {
  f <- friedman.test(as.matrix(m))
  put(dataset, "friedman", key, "chisq", f$statistic); put(dataset, "friedman", key, "df", f$parameter)
  put(dataset, "friedman", key, "p", f$p.value)
  put(dataset, "friedman", key, "kendall_W", f$statistic / (nrow(m) * (ncol(m) - 1)))
  r <- colMeans(t(apply(as.matrix(m), 1, rank)))
  for (v in names(r)) put(dataset, "friedman", key, paste0("mean_rank_", v), r[[v]])
}
friedman("ecrm", scores[, c("OPR", "ANL", "EMP")], "OPR,ANL,EMP")
friedman("bfi", na.omit(bfi[, c("A2", "A3", "A4", "A5")]), "A2,A3,A4,A5")

# ------------------------------------------------------------------ two groups
two_groups <- function(dataset, d, y, g) {
  f <- as.formula(paste(y, "~", g)); key <- paste0(y, "|", g)
  st <- t.test(f, data = d, var.equal = TRUE); we <- t.test(f, data = d)
  lv <- leveneTest(f, data = d)
  mw <- suppressWarnings(wilcox.test(f, data = d))
  put(dataset, "two_groups", key, "student_t", st$statistic); put(dataset, "two_groups", key, "student_df", st$parameter)
  put(dataset, "two_groups", key, "student_p", st$p.value)
  put(dataset, "two_groups", key, "welch_t", we$statistic); put(dataset, "two_groups", key, "welch_df", we$parameter)
  put(dataset, "two_groups", key, "welch_p", we$p.value)
  put(dataset, "two_groups", key, "levene_F", lv[1, "F value"]); put(dataset, "two_groups", key, "levene_p", lv[1, "Pr(>F)"])
  put(dataset, "two_groups", key, "mwu_W", mw$statistic); put(dataset, "two_groups", key, "mwu_p", mw$p.value)
}
for (cn in names(constructs)) two_groups("ecrm", scores, cn, "gender")
two_groups("toothgrowth", ToothGrowth, "len", "supp")

# ------------------------------------------------------------------ three or more groups
k_groups <- function(dataset, d, y, g) {
  f <- as.formula(paste(y, "~", g)); key <- paste0(y, "|", g)
  a <- aov(f, data = d); s <- summary(a)[[1]]
  put(dataset, "k_groups", key, "anova_F", s[1, "F value"]); put(dataset, "k_groups", key, "anova_p", s[1, "Pr(>F)"])
  put(dataset, "k_groups", key, "anova_df1", s[1, "Df"]); put(dataset, "k_groups", key, "anova_df2", s[2, "Df"])
  put(dataset, "k_groups", key, "eta_sq", s[1, "Sum Sq"] / sum(s[, "Sum Sq"]))
  w <- oneway.test(f, data = d)
  put(dataset, "k_groups", key, "welch_F", w$statistic); put(dataset, "k_groups", key, "welch_df2", w$parameter[2])
  put(dataset, "k_groups", key, "welch_p", w$p.value)
  lv <- leveneTest(f, data = d)
  put(dataset, "k_groups", key, "levene_F", lv[1, "F value"]); put(dataset, "k_groups", key, "levene_p", lv[1, "Pr(>F)"])
  kw <- kruskal.test(f, data = d)
  put(dataset, "k_groups", key, "kruskal_H", kw$statistic); put(dataset, "k_groups", key, "kruskal_p", kw$p.value)
  put(dataset, "k_groups", key, "epsilon_sq", kw$statistic / (nrow(d) - 1))
  tk <- TukeyHSD(a)[[1]]
  for (i in seq_len(nrow(tk))) {
    pr <- rownames(tk)[i]   # "B-A": mean of B minus mean of A
    put(dataset, "tukey", paste0(key, "|", pr), "diff", tk[i, "diff"])
    put(dataset, "tukey", paste0(key, "|", pr), "ci_low", tk[i, "lwr"]); put(dataset, "tukey", paste0(key, "|", pr), "ci_high", tk[i, "upr"])
    put(dataset, "tukey", paste0(key, "|", pr), "p_adj", tk[i, "p adj"])
  }
  gh <- games_howell_test(d, f, detailed = TRUE)
  k <- nlevels(factor(d[[g]]))
  for (i in seq_len(nrow(gh))) {
    pr <- paste0(gh$group2[i], "-", gh$group1[i])
    put(dataset, "games_howell", paste0(key, "|", pr), "diff", gh$estimate[i])
    put(dataset, "games_howell", paste0(key, "|", pr), "ci_low", gh$conf.low[i]); put(dataset, "games_howell", paste0(key, "|", pr), "ci_high", gh$conf.high[i])
    put(dataset, "games_howell", paste0(key, "|", pr), "p_adj", gh$p.adj[i])   # rstatix rounds to 3 decimals
    put(dataset, "games_howell", paste0(key, "|", pr), "p_adj_unrounded",
        ptukey(abs(gh$statistic[i]) * sqrt(2), k, gh$df[i], lower.tail = FALSE))
  }
  dn <- dunn_test(d, f, p.adjust.method = "holm")
  for (i in seq_len(nrow(dn))) {
    pr <- paste0(dn$group2[i], "-", dn$group1[i])
    put(dataset, "dunn", paste0(key, "|", pr), "z", dn$statistic[i])
    put(dataset, "dunn", paste0(key, "|", pr), "p", dn$p[i]); put(dataset, "dunn", paste0(key, "|", pr), "p_adj", dn$p.adj[i])
  }
}
for (cn in names(constructs)) k_groups("ecrm", scores, cn, "education")
k_groups("ecrm", scores, "SAT", "preferred_channel")
k_groups("plantgrowth", PlantGrowth, "weight", "group")

# ------------------------------------------------------------------ correlations
correlations <- function(dataset, d, method) {
  v <- names(d)
  for (i in seq_along(v)) for (j in seq_along(v)) if (i < j) {
    ct <- suppressWarnings(cor.test(d[[i]], d[[j]], method = method))
    key <- paste0(method, "|", v[i], "|", v[j])
    put(dataset, "correlation", key, "r", ct$estimate); put(dataset, "correlation", key, "p", ct$p.value)
    put(dataset, "correlation", key, "n", sum(complete.cases(d[, c(i, j)])))
    if (method == "pearson") { put(dataset, "correlation", key, "ci_low", ct$conf.int[1]); put(dataset, "correlation", key, "ci_high", ct$conf.int[2]) }
  }
}
correlations("ecrm", scores[, names(constructs)], "pearson")
correlations("ecrm", scores[, names(constructs)], "spearman")
correlations("bfi", bfi[, paste0("A", 1:5)], "pearson")
correlations("bfi", bfi[, paste0("A", 1:5)], "spearman")

# ------------------------------------------------------------------ common-method bias
harman <- function(dataset, x) {
  pc <- principal(x, nfactors = 1, rotate = "none")
  fa1 <- fa(x, nfactors = 1, fm = "pa", rotate = "none")
  put(dataset, "harman", "all", "component_share", pc$Vaccounted["Proportion Var", 1])
  put(dataset, "harman", "all", "factor_share", fa1$Vaccounted["Proportion Var", 1])
  put(dataset, "harman", "all", "n", nrow(x))
}
harman("ecrm", ecrm[, items])
harman("bfi", na.omit(bfi[, 2:26]))
sc <- scores[, names(constructs)]
for (cn in names(constructs)) {   # Kock (2015) full collinearity: each score on all the others
  r2 <- summary(lm(sc[[cn]] ~ ., data = sc[, setdiff(names(sc), cn)]))$r.squared
  put("ecrm", "full_collinearity", cn, "vif", 1 / (1 - r2))
}

# ------------------------------------------------------------------ SEM power (MacCallum, Browne & Sugawara 1996)
for (df in c(10, 50, 100, 284)) for (n in c(100, 200, 400)) {
  put("rmsea", "power", paste0("close|", df, "|", n), "power", findRMSEApower(0.05, 0.08, df, n))
  put("rmsea", "power", paste0("notclose|", df, "|", n), "power", findRMSEApower(0.05, 0.01, df, n))
}
for (df in c(2, 10, 50, 100, 284)) {
  put("rmsea", "samplesize", paste0("close|", df), "n", findRMSEAsamplesize(0.05, 0.08, df, 0.8))
  put("rmsea", "samplesize", paste0("notclose|", df), "n", findRMSEAsamplesize(0.05, 0.01, df, 0.8))
}

res <- do.call(rbind, rows)
write.csv(res, file.path(out_dir, "r_reference.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("nortest", packageVersion("nortest")), paste("rstatix", packageVersion("rstatix")),
             paste("car", packageVersion("car")), paste("psych", packageVersion("psych")),
             paste("semTools", packageVersion("semTools"))), file.path(out_dir, "r_versions.txt"))
