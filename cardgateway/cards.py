"""Card numbers: a 6-digit issuer prefix (settings.CARD_ISSUER_PREFIX), 9 digits of
account and a Luhn check digit."""

import secrets

from django.conf import settings


def luhn_check_digit(partial: str) -> str:
    """The digit that makes `partial` + digit pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(partial)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these sit at odd places once the check digit is added
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return (
        len(number) >= 2
        and number.isascii()
        and number.isdigit()
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def is_card_number(value: str) -> bool:
    return len(value) == 16 and luhn_valid(value)


def random_card_number(prefix: str | None = None) -> str:
    prefix = prefix if prefix is not None else settings.CARD_ISSUER_PREFIX
    account = f"{secrets.randbelow(10**9):09d}"
    partial = prefix + account
    return partial + luhn_check_digit(partial)


def normalise(value: str) -> str:
    """What a person or a scanner typed: spaces and dashes dropped, Persian and Arabic
    digits read as ASCII."""
    table = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
    return "".join(ch for ch in value.translate(table) if ch not in " -\t")
