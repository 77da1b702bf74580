"""Inference shared by the SEM and PLS layers: the thesis hypotheses table.

It sits above ``sem`` and ``pls`` because it reads the results of both.  It
also holds the rest of a thesis's chapter 4, built on pingouin and equal to R:
construct scores, normality tests, one-sample tests against the midpoint,
Friedman ranking, group comparisons, the correlation matrix, common-method
bias checks and the sample-size justification (one module per topic).
"""
