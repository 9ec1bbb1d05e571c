"""Checking the rows of an import: each row is read into the values it would give a
member, or refused with a reason. `read_rows` is pure (no database) and finds duplicates
within the whole file (the first line with a mobile, e-mail or card number keeps it; later
ones are refused); `resolve` then looks the rows of one batch up in the database (existing
members by mobile, e-mail addresses and card numbers already taken, branches)."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cardgateway import cards
from cardgateway.forms import BirthDateField
from cardgateway.models import Branch, Card
from portal.accounts.mobile import PERSIAN_DIGITS, normalize_mobile
from portal.accounts.models import validate_birth_date

from .mapping import normalise

REASONS = {
    "no_mobile": _("No mobile number"),
    "bad_mobile": _("Bad mobile number: %(detail)s"),
    "duplicate_mobile": _("Same mobile number as line %(detail)s"),
    "bad_email": _("Bad e-mail address: %(detail)s"),
    "duplicate_email": _("Same e-mail address as line %(detail)s"),
    "email_taken": _("The e-mail address belongs to another member"),
    "bad_birth_date": _("Bad birth date: %(detail)s"),
    "bad_joined": _("Bad joined date: %(detail)s"),
    "unknown_branch": _("Unknown branch: %(detail)s"),
    "bad_consent": _("Consent must be yes or no: %(detail)s"),
    "bad_card": _("Bad card number: %(detail)s"),
    "duplicate_card": _("Same card number as line %(detail)s"),
    "card_taken": _("The card number belongs to another member"),
    "too_long": _("Text too long: %(detail)s"),
    "conflict": _("Changed by someone else during the import; run it again"),
}

YES = {"yes", "y", "true", "1", "x", "✓", "✔", "بله", "بلی", "آری", "اری", "اره", "آره", "دارد"}
NO = {"no", "n", "false", "0", "-", "خیر", "نه", "ندارد", ""}
NAME_LENGTH = 80


def reason_text(code: str, detail: str = "") -> str:
    message = REASONS.get(code)
    if message is None:
        return code
    return str(message) % {"detail": detail} if "%(detail)s" in str(message) else str(message)


@dataclass
class RowCheck:
    line: int
    mobile_text: str
    mobile: str = ""
    values: dict = field(default_factory=dict)
    problem: tuple[str, str] | None = None
    member_id: int | None = None  # the existing member with this mobile

    def refuse(self, code: str, detail: str = "") -> None:
        if self.problem is None:
            self.problem = (code, str(detail)[:200])

    @property
    def outcome(self) -> str:
        if self.problem:
            return "bad"
        return "existing" if self.member_id else "new"


def _cell(row: list, mapping: dict, name: str) -> str:
    column = mapping.get(name)
    if column is None or column + 1 >= len(row):
        return ""
    return str(row[column + 1]).strip()


def _date(text: str, *, birth: bool) -> date:
    value = BirthDateField().to_python(text)
    if birth:
        validate_birth_date(value)
    elif value > timezone.localdate():
        raise ValidationError(_("in the future"))
    return value


def _yes_no(text: str) -> bool:
    word = text.strip().lower().translate(PERSIAN_DIGITS)
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(text)


def _mobile(text: str) -> str:
    digits = "".join(ch for ch in text.translate(PERSIAN_DIGITS) if ch.isdigit())
    # A spreadsheet that took 09121234567 for a number shows 9121234567.
    if len(digits) == 10 and digits.startswith("9") and not text.strip().startswith("+"):
        text = "0" + digits
    return normalize_mobile(text)


def read_row(row: list, mapping: dict) -> RowCheck:
    """One row's values, or its first problem (no database)."""
    check = RowCheck(line=row[0], mobile_text=_cell(row, mapping, "mobile"))
    values = check.values
    if not check.mobile_text:
        check.refuse("no_mobile")
    else:
        try:
            check.mobile = _mobile(check.mobile_text)
        except ValidationError:
            check.refuse("bad_mobile", check.mobile_text)
    for name in ("first_name", "last_name"):
        text = _cell(row, mapping, name)
        if len(text) > NAME_LENGTH:
            check.refuse("too_long", text[:40])
        values[name] = text
    email = _cell(row, mapping, "email").lower()
    if email:
        try:
            validate_email(email)
            values["email"] = email
        except ValidationError:
            check.refuse("bad_email", email)
    for name, birth in (("birth_date", True), ("joined", False)):
        text = _cell(row, mapping, name)
        if text:
            try:
                values[name] = _date(text, birth=birth)
            except ValidationError as error:
                code = "bad_birth_date" if birth else "bad_joined"
                check.refuse(code, f"{text} ({' '.join(str(m) for m in error.messages)})")
    branch = _cell(row, mapping, "home_branch")
    if branch:
        values["home_branch"] = branch
    for name in ("sms_consent", "email_consent"):
        text = _cell(row, mapping, name)
        try:
            values[name] = _yes_no(text)
        except ValueError:
            check.refuse("bad_consent", text)
    number = cards.normalise(_cell(row, mapping, "card_number"))
    if number:
        if cards.is_card_number(number):
            values["card_number"] = number
        else:
            check.refuse("bad_card", number)
    return check


def read_rows(rows: list[list], mapping: dict) -> list[RowCheck]:
    """Every row read, and lines repeating an earlier line's mobile, e-mail or card
    number refused (the earlier line wins)."""
    checks = [read_row(row, mapping) for row in rows]
    first: dict[tuple[str, str], int] = {}
    for check in checks:
        keys = [
            ("duplicate_mobile", check.mobile),
            ("duplicate_email", check.values.get("email", "")),
            ("duplicate_card", check.values.get("card_number", "")),
        ]
        for code, key in keys:
            if not key:
                continue
            earlier = first.setdefault((code, key), check.line)
            if earlier != check.line:
                check.refuse(code, str(earlier))
    return checks


def branch_index() -> dict[str, int]:
    """Branch code and name, as normalise() leaves them, -> branch id."""
    index: dict[str, int] = {}
    for pk, code, name in Branch.objects.values_list("pk", "code", "name"):
        index.setdefault(normalise(name), pk)
        index[normalise(code)] = pk
    return index


def resolve(checks: list[RowCheck], *, branches: dict[str, int]) -> None:
    """Complete the checks of one batch from the database: the existing member of each
    mobile, branches by code or name, and e-mail addresses and card numbers that belong to
    someone else. A fixed number of queries whatever the batch's size."""
    user_model = get_user_model()
    mobiles = [c.mobile for c in checks if c.mobile]
    members = dict(user_model.objects.filter(mobile__in=mobiles).values_list("mobile", "pk"))
    emails = [c.values["email"] for c in checks if c.values.get("email")]
    email_owner = dict(user_model.objects.filter(email__in=emails).values_list("email", "mobile"))
    numbers = [c.values["card_number"] for c in checks if c.values.get("card_number")]
    card_owner = dict(Card.objects.filter(number__in=numbers).values_list("number", "member_id"))
    for check in checks:
        check.member_id = members.get(check.mobile)
        branch = check.values.get("home_branch")
        if branch:
            branch_id = branches.get(normalise(branch))
            if branch_id is None:
                check.refuse("unknown_branch", branch)
            check.values["home_branch_id"] = branch_id
        email = check.values.get("email")
        if email and email in email_owner and email_owner[email] != check.mobile:
            if check.member_id is None:
                check.refuse("email_taken")
        number = check.values.get("card_number")
        if number and number in card_owner and card_owner[number] != check.member_id:
            check.refuse("card_taken")
