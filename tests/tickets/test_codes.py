import math
import random
import re

import pytest

from tickets import codes

FORMAT = re.compile(rf"^[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{2}}$")


@pytest.fixture(scope="module")
def sample():
    return [codes.new_code() for _ in range(300)]


def _compact(code: str) -> str:
    return code.replace("-", "")


def test_a_new_code_is_ten_characters_grouped_four_four_two(sample):
    for code in sample:
        assert FORMAT.match(code), code
        assert len(code) == codes.DISPLAY_LENGTH == 12


def test_the_alphabet_has_no_look_alikes_and_a_prime_size():
    assert not set("0OQ1IL2Z5S8BU") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == codes.BASE == 23
    assert all(codes.BASE % n for n in range(2, codes.BASE))


def test_a_code_carries_at_least_forty_random_bits():
    assert codes.RANDOM_LENGTH * math.log2(codes.BASE) >= 40


def test_every_new_code_is_valid(sample):
    assert all(codes.is_valid(code) for code in sample)


def test_every_single_substitution_is_caught(sample):
    for code in sample:
        compact = _compact(code)
        for position, original in enumerate(compact):
            for other in codes.ALPHABET:
                if other != original:
                    typo = compact[:position] + other + compact[position + 1 :]
                    assert not codes.is_valid(typo), (code, typo)


def test_every_adjacent_transposition_is_caught(sample):
    checked = 0
    for code in sample:
        compact = _compact(code)
        for i in range(len(compact) - 1):
            if compact[i] != compact[i + 1]:
                swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
                assert not codes.is_valid(swapped), (code, swapped)
                checked += 1
    assert checked > 2000


def test_even_a_swap_of_two_distant_characters_is_caught(sample):
    for code in sample[:50]:
        chars = list(_compact(code))
        for i in range(len(chars)):
            for j in range(i + 2, len(chars)):
                if chars[i] != chars[j]:
                    swapped = chars.copy()
                    swapped[i], swapped[j] = swapped[j], swapped[i]
                    assert not codes.is_valid("".join(swapped))


def test_a_hundred_thousand_codes_are_unique():
    # 23**9 is 1.8e12 codes: among 100,000 the chance of one repeat is 0.3 %, of two
    # 4e-6 (birthday bound). The database's unique constraint and open_ticket's retry make
    # every stored code unique; this checks that the generator really spreads them.
    drawn = [codes.new_code() for _ in range(100_000)]
    assert len(set(drawn)) >= len(drawn) - 1


def test_codes_spread_over_the_whole_alphabet_in_every_position(sample):
    extra = [codes.new_code() for _ in range(2000)]
    for position in range(codes.RANDOM_LENGTH):
        seen = {_compact(code)[position] for code in sample + extra}
        assert seen == set(codes.ALPHABET)


def test_normalise_accepts_what_people_type():
    code = codes.new_code()
    compact = _compact(code)
    persian = compact.translate(str.maketrans("34679", "۳۴۶۷۹"))
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in compact)
    for typed in (
        code.lower(),
        f"  {compact[:4]} {compact[4:8]} {compact[8:]} ",
        code.replace("-", "\u2013"),
        persian,
        fullwidth,
        "\u200e" + code + "\u200f",
    ):
        assert codes.normalise(typed) == compact, typed
        assert codes.canonical(typed) == code, typed


def test_normalise_reads_u_as_v():
    assert codes.normalise("u") == "V"


def test_a_look_alike_without_a_single_twin_makes_the_code_invalid():
    code = _compact(codes.new_code())
    for wrong in "0OQ1IL2Z5S8B":
        assert not codes.is_valid(wrong + code[1:])


@pytest.mark.parametrize("text", ["", "ACDE-FGHJ", "ACDE-FGHJ-KMN", "ACDE-FGHJ-K", None])
def test_wrong_length_is_invalid(text):
    assert not codes.is_valid(text)
    assert codes.canonical(text) is None


def test_check_character_depends_on_every_position():
    rng = random.Random(6)
    body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.RANDOM_LENGTH))
    check = codes._check_character(body)
    assert codes.is_valid(body + check)
    assert codes.group(body + check) == f"{body[:4]}-{body[4:8]}-{body[8]}{check}"
