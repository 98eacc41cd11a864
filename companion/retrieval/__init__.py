"""Retrieval: candidate sources and how well they recall what a user would truly like.

The first stage of a two-stage recommender narrows a catalogue to a few hundred candidates; its
metric is recall of the items the ranker should see. On the synthetic world the items a user would
truly like best are known (:meth:`companion.world.Truth.top_items`), so :func:`make_task` builds the
retrieval task of one day (the users, what they already clicked, the oracle's answer), each source
scores every item for every user, :func:`top_k` turns scores into candidate lists, :func:`recall_at_k`
measures them and :func:`blend` merges several sources under quotas.

Taught in chapter 07 (candidate sources).
"""

from __future__ import annotations

from .blend import blend
from .metrics import recall_at_k, top_k
from .sources import content_scores, covisitation_scores, popularity_scores, random_scores, svd_scores
from .task import RetrievalTask, make_task

__all__ = [
    "RetrievalTask",
    "blend",
    "content_scores",
    "covisitation_scores",
    "make_task",
    "popularity_scores",
    "random_scores",
    "recall_at_k",
    "svd_scores",
    "top_k",
]
