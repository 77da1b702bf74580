# The HS100 data of the SmartPLS 4 check of the model fit (tests/test_pls_fit.py): the first 100 rows of
# lavaan's HolzingerSwineford1939, items x1-x9, no missing values.
# Run from the repository root:  Rscript tests/reference/pls/hs100.R   (lavaan 0.6)
library(lavaan)
d <- HolzingerSwineford1939[1:100, paste0("x", 1:9)]
write.csv(d, "tests/reference/pls/hs100.csv", row.names = FALSE)
