"""Inference shared by the SEM and PLS layers: the thesis hypotheses table.

It sits above ``sem`` and ``pls`` because it reads the results of both.
"""
