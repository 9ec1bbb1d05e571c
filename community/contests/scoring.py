"""Marking a quiz: what counts as the same short answer, what a question earns, and the
order of the results table. Pure functions over plain values, so they are tested alone."""

import re
import unicodedata
from collections.abc import Iterable

from .models import QuestionKind

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits read as ASCII digits.
_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
# Arabic letter forms a keyboard may type for the Persian ones, and the Arabic hamza seats
# that Persian writes as a plain alef.
_LETTERS = {
    ord("ي"): "ی",
    ord("ى"): "ی",
    ord("ك"): "ک",
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("ٱ"): "ا",
    ord("ؤ"): "و",
}
# Tatweel (the stretching stroke) and the Arabic short-vowel marks carry no meaning here.
_DROPPED = dict.fromkeys([0x0640, *range(0x064B, 0x0653), 0x0654, 0x0655, 0x0670])
# Zero-width non-joiner (Persian half-space) and direction marks count as a space.
_SPACES = dict.fromkeys(map(ord, "\u200c\u200b\u200d\u200e\u200f\u00a0"), " ")
_RUNS = re.compile(r"\s+")


def normalise_answer(text: str) -> str:
    """A short answer reduced to what matters: Unicode compatibility forms folded (NFKC),
    letters without case, Persian/Arabic digits as ASCII, Arabic letter forms as Persian,
    no vowel marks or tatweel, and spaces (half-spaces included) squeezed to one."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(_DIGITS).translate(_LETTERS).translate(_DROPPED).translate(_SPACES)
    return _RUNS.sub(" ", text).strip().casefold()


def _same_text(given: str, accepted: Iterable[str]) -> bool:
    answer = normalise_answer(given)
    # "New York" and "newyork" are one answer too: compare without any spaces as well.
    squeezed = answer.replace(" ", "")
    for option in accepted:
        wanted = normalise_answer(option)
        if wanted and (answer == wanted or squeezed == wanted.replace(" ", "")):
            return True
    return False


def mark(*, kind: str, points: int, correct_ids: set[int], accepted: list[str], given) -> int:
    """Points one answer earns: all of the question's points for an answer that is exactly
    right (the one correct choice, every correct choice and no other, or an accepted
    text), else none."""
    if kind == QuestionKind.TEXT:
        return points if isinstance(given, str) and _same_text(given, accepted) else 0
    if not correct_ids or not isinstance(given, list):
        return 0
    chosen = {value for value in given if isinstance(value, int)}
    return points if chosen == correct_ids else 0


def ranking_key(*, score: int, duration_ms: int | None, submitted_at, pk: int):
    """Higher score first, then the shorter time, then who submitted first."""
    return (-score, duration_ms if duration_ms is not None else 2**62, submitted_at, pk)
