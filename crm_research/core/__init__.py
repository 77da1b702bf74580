"""Layer 0, the mechanisms every other layer uses.

errors, validation, declared results, resampling, optimisation, transaction-log
checks, Persian text, plotting helpers, fast mode and the lavaan model language.
Nothing here imports from another layer of the package.
"""
