"""Experiments: seed sweeps now; A/B-test statistics arrive with chapter 14.

>>> from companion.experiments import seed_sweep
"""

from .sweep import seed_sweep, summarize_sweep

__all__ = ["seed_sweep", "summarize_sweep"]
