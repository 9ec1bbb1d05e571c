"""Tracking codes: what a customer reads over the phone to follow a ticket, `K7RF-9MXD-4C`.

Alphabet. The reward vouchers' rule (gamification/rewards.py): a character whose twin
could be read for it goes, and both go where neither is safe (0/O, 1/I/L, 2/Z, 5/S, 8/B);
then two more: Q, which with O and 0 gone is the one left to be read as either, and U,
which is V written quickly. What is left has no look-alike, printed on a receipt, written
by hand or shown on a phone screen:

    ACDEFGHJKMNPRTVWXY34679      (23 characters)

23 is prime, which the check character needs (below).

Size. Nine random characters from `secrets` carry 9 * log2(23) = 40.7 bits, so a code is
unguessable (the public tracking page also asks for the contact used and is rate-limited);
one check character makes ten, grouped 4-4-2 to read aloud.

Check character. With the characters as values 0..22 and positions weighted 1..10, a
valid code satisfies  sum(weight_i * value_i) = 0 (mod 23)  (the ISBN-10 scheme over a
prime alphabet). Because 23 is prime and every weight is between 1 and 10:
- one wrong character changes the sum by weight * difference, and neither factor is a
  multiple of 23, so the sum stops being 0: every single substitution is caught;
- swapping two characters a != b at positions i and j changes it by
  (w_i - w_j)(b - a), again a product of two non-multiples of 23: every transposition
  (adjacent or not, across the dash too) is caught.
"""

import secrets
import unicodedata

from portal.accounts.mobile import PERSIAN_DIGITS

ALPHABET = "ACDEFGHJKMNPRTVWXY34679"
BASE = len(ALPHABET)  # 23, a prime
RANDOM_LENGTH = 9
LENGTH = RANDOM_LENGTH + 1
GROUPS = (4, 4, 2)
DISPLAY_LENGTH = LENGTH + len(GROUPS) - 1  # with the dashes: 12
_VALUE = {ch: n for n, ch in enumerate(ALPHABET)}

# A character typed for one that is not in the alphabet, mapped only where the intended
# character is beyond doubt: U can only have been V. O (0? Q? D?), I/1/L, S/5, Z/2 and B/8
# have no single twin in the set, so they stay and the code fails to validate.
_LOOK_ALIKES = str.maketrans({"U": "V"})
# Spaces, invisible direction marks, tatweel and every dash a keyboard or a copy-paste
# may produce.
_SEPARATORS = dict.fromkeys(
    map(ord, " \t\r\n_-.\u00a0\u200c\u200d\u200e\u200f\u0640\u2010\u2011\u2012\u2013\u2014\u2212")
)


def _check_character(body: str) -> str:
    """The character that makes the weighted sum of `body` + it a multiple of BASE."""
    total = sum(weight * _VALUE[ch] for weight, ch in enumerate(body, start=1))
    # weight LENGTH * value = -total (mod BASE); LENGTH has an inverse because BASE is prime.
    value = (-total * pow(LENGTH, -1, BASE)) % BASE
    return ALPHABET[value]


def group(compact: str) -> str:
    """`K7RF9MXD4C` -> `K7RF-9MXD-4C`."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


def new_code() -> str:
    """A fresh random code in display form. Unique with overwhelming probability, not
    certainly: the database's unique constraint decides (services.open_ticket retries)."""
    number = secrets.randbelow(BASE**RANDOM_LENGTH)
    chars = []
    for _ in range(RANDOM_LENGTH):
        number, digit = divmod(number, BASE)
        chars.append(ALPHABET[digit])
    body = "".join(chars)
    return group(body + _check_character(body))


def normalise(text: str) -> str:
    """What a person typed, made comparable: full-width forms folded (NFKC), Persian and
    Arabic-Indic digits made ASCII, upper-cased, separators removed, U read as V. The result
    is not necessarily valid; see is_valid()."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(PERSIAN_DIGITS).translate(_SEPARATORS).upper()
    return text.translate(_LOOK_ALIKES)


def is_valid(text: str) -> bool:
    """Whether `text`, once normalised, is a well-formed code with a correct check
    character."""
    compact = normalise(text)
    if len(compact) != LENGTH or any(ch not in _VALUE for ch in compact):
        return False
    return _check_character(compact[:-1]) == compact[-1]


def canonical(text: str) -> str | None:
    """The stored (display) form of what a person typed, or None if it is not a valid
    code; lookups use this so that `k7rf 9mxd 4c` finds `K7RF-9MXD-4C`."""
    return group(normalise(text)) if is_valid(text) else None
