"""Layer 2, psychometrics: item descriptives, reliability, validity (Fornell-Larcker,
HTMT) and exploratory factor analysis.  CR/AVE and Fornell-Larcker fit a CFA, so
this package may import ``sem`` (declared in ``tests/test_layers.py``).
"""
