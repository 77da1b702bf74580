# Golden copies of the two classic SEM datasets as lavaan ships them.
# tests/test_datasets.py checks that datasets/holzinger1939.csv and
# datasets/political_democracy.csv hold exactly these values.
# Regenerate from the repository root with:
#   Rscript tests/reference/datasets/lavaan_datasets.R
library(lavaan)
out <- "tests/reference/datasets"
# 15 significant digits: R's full write.csv precision, so nothing is rounded away.
write.csv(HolzingerSwineford1939, file.path(out, "lavaan_HolzingerSwineford1939.csv"), row.names = FALSE)
write.csv(PoliticalDemocracy, file.path(out, "lavaan_PoliticalDemocracy.csv"), row.names = FALSE)
writeLines(paste("lavaan", as.character(packageVersion("lavaan"))), file.path(out, "lavaan_version.txt"))
