"""The subtopic vocabularies obey their rules: synonyms within concepts, distinct subtopics, real polysemy."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from companion.world.topics import TOPICS
from companion.world.vocabulary import FILLER_WORDS, POLYSEMOUS, SUBTOPICS, Subtopic, _validate

WORD = re.compile(r"^[a-z]+$")


def _words(s: Subtopic) -> list[str]:
    return [w for c in s.concepts for w in c]


def test_eighty_subtopics_four_per_topic_in_topics_order():
    assert len(SUBTOPICS) == 80
    assert [s.topic for s in SUBTOPICS] == [t.name for t in TOPICS for _ in range(4)]
    assert Counter(s.topic for s in SUBTOPICS) == {t.name: 4 for t in TOPICS}
    assert len({(s.topic, s.name) for s in SUBTOPICS}) == 80


def test_eight_concepts_mostly_with_synonyms():
    for s in SUBTOPICS:
        assert len(s.concepts) == 8, s.name
        assert all(1 <= len(c) <= 3 for c in s.concepts), s.name
        assert sum(len(c) >= 2 for c in s.concepts) >= 6, s.name


def test_words_are_single_lowercase_ascii_words():
    bad = [(s.name, w) for s in SUBTOPICS for w in _words(s) if not WORD.match(w)]
    assert bad == []


def test_no_duplicate_word_within_a_subtopic():
    for s in SUBTOPICS:
        words = _words(s)
        assert len(words) == len(set(words)), (s.name, [w for w, n in Counter(words).items() if n > 1])


def test_subtopics_of_one_topic_share_no_word():
    for topic in TOPICS:
        counts = Counter(w for s in SUBTOPICS if s.topic == topic.name for w in set(_words(s)))
        assert [w for w, n in counts.items() if n > 1] == [], topic.name


def test_polysemous_words_span_several_topics():
    assert len(POLYSEMOUS) >= 25
    order = [t.name for t in TOPICS]
    for word, topics in POLYSEMOUS.items():
        assert len(topics) >= 2 and len(set(topics)) == len(topics), word
        assert list(topics) == sorted(topics, key=order.index), word
        for topic in topics:
            assert any(s.topic == topic and word in _words(s) for s in SUBTOPICS), (word, topic)


def test_polysemous_is_exactly_the_cross_topic_words():
    topics_of: dict[str, set[str]] = {}
    for s in SUBTOPICS:
        for w in _words(s):
            topics_of.setdefault(w, set()).add(s.topic)
    assert set(POLYSEMOUS) == {w for w, ts in topics_of.items() if len(ts) >= 2}
    assert POLYSEMOUS["python"] == ("pets", "tech")


def test_filler_words_are_lowercase_and_topic_free():
    assert 30 <= len(FILLER_WORDS) <= 60
    assert len(set(FILLER_WORDS)) == len(FILLER_WORDS)
    assert all(WORD.match(w) for w in FILLER_WORDS)
    all_words = {w for s in SUBTOPICS for w in _words(s)}
    assert set(FILLER_WORDS).isdisjoint(all_words)


def test_validator_accepts_the_shipped_vocabulary():
    _validate(SUBTOPICS, FILLER_WORDS)


def _replace(index: int, concepts: tuple[tuple[str, ...], ...]) -> tuple[Subtopic, ...]:
    broken = list(SUBTOPICS)
    broken[index] = Subtopic(SUBTOPICS[index].topic, SUBTOPICS[index].name, concepts)
    return tuple(broken)


def _with_concept(index: int, position: int, concept: tuple[str, ...]) -> tuple[Subtopic, ...]:
    concepts = list(SUBTOPICS[index].concepts)
    concepts[position] = concept
    return _replace(index, tuple(concepts))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        # the same word twice within one subtopic
        (lambda: _with_concept(0, 7, (SUBTOPICS[0].concepts[0][0],)), r"repeats \['bread'\]"),
        # a word shared by two subtopics of the same topic (cooking/baking and cooking/street food)
        (lambda: _with_concept(1, 7, ("oven", "stove")), r"shares 'oven' with subtopic 'baking'"),
        # a concept with a space, an upper-case letter, too many forms, or no form
        (lambda: _with_concept(0, 7, ("ice cream",)), r"lowercase ASCII letters; got 'ice cream'"),
        (lambda: _with_concept(0, 7, ("Flour",)), r"lowercase ASCII letters; got 'Flour'"),
        (lambda: _with_concept(0, 7, ("flour", "meal", "powder", "grist")), r"1 to 3 forms"),
        (lambda: _with_concept(0, 7, ()), r"1 to 3 forms"),
        # seven concepts, or too few concepts with synonyms
        (lambda: _replace(0, SUBTOPICS[0].concepts[:7]), r"must have 8 concepts; got 7"),
        (lambda: _replace(0, tuple((w,) for w in ("a", "b", "c", "d", "e", "f", "g", "h"))),
         r"concepts with synonyms; got 0"),
        # a subtopic missing, or out of TOPICS order
        (lambda: SUBTOPICS[:-1], r"4 per topic in TOPICS order"),
        (lambda: (SUBTOPICS[4],) + SUBTOPICS[1:4] + (SUBTOPICS[0],) + SUBTOPICS[5:], r"in TOPICS order"),
        # the same subtopic listed twice within its topic
        (lambda: (SUBTOPICS[0], SUBTOPICS[0]) + SUBTOPICS[2:], r"appears twice"),
    ],
)
def test_validator_rejects_broken_vocabularies(broken, message):
    with pytest.raises(ValueError, match=message):
        _validate(broken())


def test_validator_rejects_filler_words_used_by_a_subtopic():
    with pytest.raises(ValueError, match=r"filler word 'oven' is used by subtopic cooking/'baking'"):
        _validate(SUBTOPICS, FILLER_WORDS + ("oven",))
