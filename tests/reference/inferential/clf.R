# Common-latent-factor CFA (lavaan) for crm.common_method_bias; run from the repository root:
#     Rscript tests/reference/inferential/clf.R   -> clf_ecrm.csv, clf_marker_ecrm.csv, clf_rescov_ecrm.csv
suppressPackageStartupMessages(library(lavaan))
ecrm <- read.csv("datasets/ecrm_survey.csv"); ecrm$SAT3 <- 6 - ecrm$SAT3r; ecrm$LOY4 <- 6 - ecrm$LOY4r
C <- list(OPR = paste0("OPR", 1:4), ANL = paste0("ANL", 1:4), EMP = paste0("EMP", 1:3),
          SAT = paste0("SAT", 1:4), LOY = paste0("LOY", 1:4), DEL = paste0("DEL", 1:3))
items <- unlist(C); d <- ecrm[complete.cases(ecrm[, items]), items]
base <- paste(sapply(names(C), function(c) paste(c, "=~", paste(C[[c]], collapse = " + "))), collapse = "\n")
m <- paste0(base, "\nCMV =~ ", paste0("m*", items, collapse = " + "), "\n", paste0("CMV ~~ 0*", names(C), collapse = "\n"))
f0 <- cfa(base, d); f1 <- cfa(m, d)
s0 <- standardizedSolution(f0); s1 <- standardizedSolution(f1)
l0 <- s0[s0$op == "=~", ]; l1 <- s1[s1$op == "=~" & s1$lhs != "CMV", ]
out <- data.frame(item = l0$rhs, loading = l0$est.std, loading_clf = l1$est.std)
out$method_loading_mean <- mean(s1$est.std[s1$op == "=~" & s1$lhs == "CMV"])
write.csv(out, "tests/reference/inferential/clf_ecrm.csv", row.names = FALSE)
print(head(out))

# marker variable (Lindell & Whitney 2001): the delivery items stand in as markers of a SAT + LOY model
C2 <- C[c("SAT", "LOY")]; it2 <- unlist(C2); mk <- paste0("DEL", 1:3)
d2 <- ecrm[complete.cases(ecrm[, c(it2, mk)]), c(it2, mk)]
base2 <- paste(sapply(names(C2), function(c) paste(c, "=~", paste(C2[[c]], collapse = " + "))), collapse = "\n")
m2 <- paste0(base2, "\nCMV =~ ", paste(c(mk, paste0("m*", it2)), collapse = " + "), "\n",
             paste0("CMV ~~ 0*", names(C2), collapse = "\n"))
g0 <- cfa(base2, d2[, it2]); g1 <- cfa(m2, d2)
t0 <- standardizedSolution(g0); t1 <- standardizedSolution(g1)
k0 <- t0[t0$op == "=~", ]; k1 <- t1[t1$op == "=~" & t1$lhs != "CMV", ]
out2 <- data.frame(item = k0$rhs, loading = k0$est.std, loading_clf = k1$est.std,
                   method_variance = parameterEstimates(g1)$est[parameterEstimates(g1)$lhs == "CMV" &
                                                                parameterEstimates(g1)$op == "~~" &
                                                                parameterEstimates(g1)$rhs == "CMV"])
write.csv(out2, "tests/reference/inferential/clf_marker_ecrm.csv", row.names = FALSE)
print(out2)

# the same common latent factor added to a measurement model with a residual covariance (LOY3 ~~ LOY4),
# as a researcher's model may have it: crm.common_method_bias(..., model=) -> clf_rescov_ecrm.csv
base3 <- paste0(base, "\nLOY3 ~~ LOY4")
m3 <- paste0(base3, "\nCMV =~ ", paste0("m*", items, collapse = " + "), "\n",
             paste0("CMV ~~ 0*", names(C), collapse = "\n"))
h0 <- cfa(base3, d); h1 <- cfa(m3, d)
u0 <- standardizedSolution(h0); u1 <- standardizedSolution(h1)
j0 <- u0[u0$op == "=~", ]; j1 <- u1[u1$op == "=~" & u1$lhs != "CMV", ]
out3 <- data.frame(item = j0$rhs, loading = j0$est.std, loading_clf = j1$est.std,
                   method_variance = parameterEstimates(h1)$est[parameterEstimates(h1)$lhs == "CMV" &
                                                                parameterEstimates(h1)$op == "~~" &
                                                                parameterEstimates(h1)$rhs == "CMV"])
write.csv(out3, "tests/reference/inferential/clf_rescov_ecrm.csv", row.names = FALSE)
print(out3)
