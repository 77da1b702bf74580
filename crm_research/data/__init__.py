"""Layer 1, data: bundled datasets, the customer database, study files, privacy,
answer recoding and the synthetic generators.  Imports only from ``core``.
"""
