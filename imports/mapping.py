"""The fields an import can fill and a first guess of which column holds each, from the
header's words in English or Persian."""

import re

from django.utils.translation import gettext_lazy as _

# (field, label), in the order the mapping screen shows them. Only mobile is required.
FIELDS = [
    ("mobile", _("Mobile (required)")),
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("email", _("E-mail")),
    ("birth_date", _("Birth date")),
    ("home_branch", _("Home branch (code or name)")),
    ("joined", _("Joined on")),
    ("sms_consent", _("Agrees to SMS offers (yes/no)")),
    ("email_consent", _("Agrees to e-mail offers (yes/no)")),
    ("card_number", _("Card number")),
]
FIELD_NAMES = [name for name, _label in FIELDS]

# Header words per field, written as normalise() leaves them. Longer, more specific words
# first where one contains another ("نام خانوادگی" holds "نام").
SYNONYMS = {
    "mobile": [
        "mobile", "mobilenumber", "mobileno", "cellphone", "cell", "phone", "phonenumber",
        "tel", "موبایل", "شمارهموبایل", "تلفنهمراه", "شمارههمراه", "همراه", "تلفن",
    ],
    "first_name": ["firstname", "first", "givenname", "name", "نام", "اسم", "نامکوچک"],
    "last_name": [
        "lastname", "surname", "familyname", "family", "last", "نامخانوادگی", "فامیلی",
        "نامفامیلی",
    ],
    "email": ["email", "mail", "emailaddress", "ایمیل", "پستالکترونیک", "رایانامه"],
    "birth_date": [
        "birthdate", "birthday", "dateofbirth", "dob", "born", "تاریختولد", "تولد",
    ],
    "home_branch": [
        "homebranch", "branch", "branchcode", "branchname", "store", "shop", "شعبه",
        "کدشعبه", "نامشعبه", "فروشگاه",
    ],
    "joined": [
        "joined", "joinedon", "joindate", "datejoined", "membersince", "registered",
        "registrationdate", "signupdate", "تاریخعضویت", "عضویت", "تاریخثبتنام", "ثبتنام",
    ],
    "sms_consent": [
        "smsconsent", "sms", "smsoptin", "consentsms", "رضایتپیامک", "پیامک", "ارسالپیامک",
    ],
    "email_consent": [
        "emailconsent", "emailoptin", "consentemail", "newsletter", "رضایتایمیل",
        "ارسالایمیل", "خبرنامه",
    ],
    "card_number": [
        "cardnumber", "card", "cardno", "loyaltycard", "شمارهکارت", "کارت", "کارتباشگاه",
    ],
}  # fmt: skip

_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه"})


def normalise(header: str) -> str:
    """Lower case, Arabic letter forms as Persian, no spaces, dashes, dots, underscores or
    zero-width non-joiners: "E-mail" -> "email", "نام‌ خانوادگی" -> "نامخانوادگی"."""
    text = (header or "").lower().translate(_ARABIC_TO_PERSIAN)
    return re.sub(r"[\s\-_.\u200c\u200f\u200e/()]+", "", text)


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Field -> column index, for the columns whose header names a field: exact names
    first, then headers that contain a name ("شماره موبایل مشتری"), the longest name
    winning ("نام خانوادگی مشتری" is a last name, not a first name). Each column is used
    once; a field with no such column is left out."""
    names = [normalise(cell) for cell in header]
    mapping: dict[str, int] = {}
    for field in FIELD_NAMES:
        for synonym in SYNONYMS[field]:
            if synonym in names and names.index(synonym) not in mapping.values():
                mapping[field] = names.index(synonym)
                break
    candidates = sorted(
        (
            (-len(synonym), index, field)
            for field in FIELD_NAMES
            for synonym in SYNONYMS[field]
            for index, name in enumerate(names)
            if len(synonym) > 2 and synonym in name
        ),
    )
    for _length, index, field in candidates:
        if field not in mapping and index not in mapping.values():
            mapping[field] = index
    return mapping
