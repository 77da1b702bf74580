"""Layer 2, customer analytics: RFM, customer-base models and CLV, segmentation,
churn models and campaign tests.  Imports from ``core`` and ``data`` only.
"""
