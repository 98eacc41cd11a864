"""Item titles and descriptions: short, noisy text drawn from hidden subtopic vocabularies.

An item's words come from the concepts of its hidden subtopic (see :mod:`companion.world.vocabulary`),
each concept written with one of its synonyms, so two items of the same subtopic often share no word at
all; some words are polysemous (one word, different meanings in different topics). Titles are short
(2–6 words), mix in filler words, vary in case and carry occasional typos; items of a series share a
series name. Descriptions mix the subtopic's words with words of the topic, of a secondary topic, and
filler. Text is therefore evidence about the subtopic, not a copy of the ``topic`` column: the task
chapter 05 measures TF-IDF, Word2Vec and a BERT encoder on. Taught in chapters 00 and 05.
"""

from __future__ import annotations

import numpy as np

from .topics import TOPICS
from .vocabulary import FILLER_WORDS, SUBTOPICS, SUBTOPICS_PER_TOPIC

__all__ = ["TITLE_TEMPLATES", "item_texts", "subtopic_of"]

TITLE_TEMPLATES: tuple[str, ...] = (
    "{a} {b}",
    "{a} {b} {f}",
    "{f} {a} {b}",
    "{a} {f} {b} {c}",
    "pov: {a} {b}",
    "{a} and {b}",
    "my {a} {b} {f}",
    "{a} {b} {c}",
)
#: Description mix: own subtopic, other subtopics of the topic, topic-wide words, secondary topic, filler.
DESCRIPTION_SOURCES = (0.30, 0.20, 0.10, 0.10, 0.30)
DESCRIPTION_WORDS = 8
TYPO_RATE = 0.04


def subtopic_of(topic: int, sub: int):
    """The :class:`~companion.world.vocabulary.Subtopic` number ``sub`` (0-3) of topic number ``topic``."""
    return SUBTOPICS[SUBTOPICS_PER_TOPIC * topic + sub]


def _word(concepts, rng: np.random.Generator) -> str:
    forms = concepts[int(rng.integers(len(concepts)))]
    return forms[int(rng.integers(len(forms)))]


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) >= 5 and rng.random() < TYPO_RATE:
        j = int(rng.integers(1, len(word) - 1))
        return word[:j] + word[j + 1:]
    return word


def _case(text: str, u: float) -> str:
    if u < 0.5:
        return text
    if u < 0.9:
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text.upper()


def item_texts(main: np.ndarray, sub: np.ndarray, second: np.ndarray, series: np.ndarray,
               rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Titles and descriptions for items with these main topics, subtopics (0-3), secondary topics, series.

    Returns two lists of ``len(main)`` strings. Deterministic given ``rng``.
    """
    n_series = int(series.max()) + 1 if series.size else 0
    series_size = np.bincount(series, minlength=n_series)
    first = np.full(n_series, main.size)
    np.minimum.at(first, series, np.arange(main.size))
    series_name = {}
    for s in np.flatnonzero(series_size > 1):
        i = first[s]
        concepts = subtopic_of(int(main[i]), int(sub[i])).concepts
        picks = rng.choice(len(concepts), size=2, replace=False)
        series_name[s] = " ".join(concepts[p][int(rng.integers(len(concepts[p])))] for p in picks)
    episode = np.zeros(main.size, dtype=np.int64)
    order = np.lexsort((np.arange(main.size), series))
    starts = np.r_[0, np.flatnonzero(np.diff(series[order])) + 1]
    episode[order] = np.arange(main.size) - np.repeat(starts, np.diff(np.r_[starts, main.size])) + 1

    titles, descriptions = [], []
    filler = FILLER_WORDS
    for i in range(main.size):
        k, s, k2 = int(main[i]), int(sub[i]), int(second[i])
        own = subtopic_of(k, s).concepts
        if series[i] in series_name and rng.random() < 0.6:
            title = f"{series_name[series[i]]} part {episode[i]}"
        else:
            picks = rng.choice(len(own), size=3, replace=False)
            a, b, c = (_typo(own[p][int(rng.integers(len(own[p])))], rng) for p in picks)
            template = TITLE_TEMPLATES[int(rng.integers(len(TITLE_TEMPLATES)))]
            title = template.format(a=a, b=b, c=c, f=filler[int(rng.integers(len(filler)))])
        titles.append(_case(title, float(rng.random())))

        sources = rng.choice(5, size=DESCRIPTION_WORDS, p=DESCRIPTION_SOURCES)
        words = []
        for src in sources:
            if src == 0:
                words.append(_word(own, rng))
            elif src == 1:
                other = (s + int(rng.integers(1, SUBTOPICS_PER_TOPIC))) % SUBTOPICS_PER_TOPIC
                words.append(_word(subtopic_of(k, other).concepts, rng))
            elif src == 2:
                vocab = TOPICS[k].words
                words.append(vocab[int(rng.integers(len(vocab)))])
            elif src == 3:
                words.append(_word(subtopic_of(k2, int(rng.integers(SUBTOPICS_PER_TOPIC))).concepts, rng))
            else:
                words.append(filler[int(rng.integers(len(filler)))])
        descriptions.append(" ".join(_typo(w, rng) for w in words))
    return titles, descriptions
