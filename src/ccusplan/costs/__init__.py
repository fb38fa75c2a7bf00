"""Costs layer: capital recovery and discounting, pipe classes, capture and storage defaults.

Every default number lives in a data file under ``costs/data/`` next to its source.
"""
