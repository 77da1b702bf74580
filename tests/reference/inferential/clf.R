# Common-latent-factor CFA (lavaan) for crm.common_method_bias; run from the repository root:
#     Rscript tests/reference/inferential/clf.R   -> clf_ecrm.csv
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
