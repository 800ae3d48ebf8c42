"""What a reaction link's source and note say in words, for the link rules of `check_record`
(events/quality.py): the words of a title that may name an event, and the lag a note states."""

from __future__ import annotations

import re
from collections.abc import Callable

# A word names an event when it says what happened ("summit", "expels", "Wagner"): the name of a state,
# a country or an alliance ("Russia", "NATO") stands in reports of many events. Words are compared by
# their first STEM letters, so "stabbing" meets "stabbed" and "Estonian" meets "Estonia".
WORD = re.compile(r"[^\W\d_]+")
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
STEM, SHORTEST_WORD = 5, 4
STOP_WORDS = frozenset(
    "about above after again against along amid among announces around before being below between both "
    "during from have into more most next over said says since some than that their them then there these "
    "they this those under until upon were what when where which while with would".split()
)


def word_stems(text: str) -> set[str]:
    words = WORD.findall(text.lower())
    return {word[:STEM] for word in words if len(word) >= SHORTEST_WORD and word not in STOP_WORDS}


def in_another_alphabet(text: str) -> bool:
    """Words, none of them in Latin letters: the titles' words cannot be looked for in it."""
    return bool(WORD.search(text)) and not LATIN.search(text)


# A lag a link note states, as the days it may stand for: "the day after" is 1, "a week later" 4 to 10.
NUMBER_WORDS = {"a": 1} | {
    word: n for n, word in enumerate("one two three four five six seven eight nine ten".split(), start=1)
}
COUNT = r"(\d+|" + "|".join(NUMBER_WORDS) + ")"
LAG_PHRASES: list[tuple[re.Pattern, Callable[[int], tuple[int, int]]]] = [
    (re.compile(r"\b(?:the )?same day\b"), lambda n: (0, 0)),
    (re.compile(r"\bhours? (?:after|later|before)\b"), lambda n: (0, 1)),
    (re.compile(r"\b(?:the )?(?:next|following) day\b|\bthe day (?:after|before)\b"), lambda n: (1, 1)),
    (re.compile(rf"\b{COUNT} days? (?:after|later|before)\b"), lambda n: (n, n)),
    (re.compile(rf"\b{COUNT} weeks? (?:after|later|before)\b"), lambda n: (7 * n - 3, 7 * n + 3)),
]
# Words without which a note states no lag: the SQL filter, before the phrases are read in Python.
LAG_WORDS = ("day", "hour", "week")


def stated_lag(note: str) -> tuple[str, tuple[int, int]] | None:
    """The first lag phrase of a note and the days it allows, or None."""
    for pattern, days in LAG_PHRASES:
        found = pattern.search(note.lower())
        if found:
            count = found.group(1) if pattern.groups else ""
            return found.group(0), days(int(count) if count.isdigit() else NUMBER_WORDS.get(count, 1))
    return None
