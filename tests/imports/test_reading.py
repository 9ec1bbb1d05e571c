import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import reading
from imports.mapping import guess_mapping

from .conftest import csv_upload, xlsx_upload

HEADER = ["Mobile", "First name", "Last name"]


def test_csv_with_comma_is_read_with_line_numbers():
    table = reading.read_upload(
        csv_upload([HEADER, ["09121234567", "Sara", "Ahmadi"], ["", "", ""], ["0912", "A", "B"]])
    )
    assert table.header == HEADER
    # The blank line 3 is dropped; line numbers stay those of the spreadsheet.
    assert table.rows == [[2, "09121234567", "Sara", "Ahmadi"], [4, "0912", "A", "B"]]


def test_csv_with_semicolon_and_bom_is_read():
    table = reading.read_upload(
        csv_upload([["موبایل", "نام"], ["۰۹۱۲۱۲۳۴۵۶۷", "سارا"]], delimiter=";", bom=True)
    )
    assert table.header == ["موبایل", "نام"]
    assert table.rows == [[2, "۰۹۱۲۱۲۳۴۵۶۷", "سارا"]]


def test_xlsx_is_read_and_cells_become_text():
    upload = xlsx_upload(
        [["Mobile", "Birth date", "Name"], [9121234567, "1370/05/12", "Sara"], ["", "", ""]]
    )
    table = reading.read_upload(upload)
    assert table.header == ["Mobile", "Birth date", "Name"]
    assert table.rows == [[2, "9121234567", "1370/05/12", "Sara"]]


def test_xlsx_dates_become_iso_text():
    assert reading._cell_text(datetime.datetime(1991, 8, 3, tzinfo=datetime.UTC)) == "1991-08-03"
    assert reading._cell_text(3.0) == "3"


def test_a_renamed_file_is_not_taken_for_xlsx():
    fake = SimpleUploadedFile("customers.xlsx", b"Mobile,Name\n09121234567,Sara\n")
    with pytest.raises(ValidationError) as error:
        reading.read_upload(fake)
    assert error.value.code == "not_xlsx"


def test_a_zip_that_is_no_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError) as error:
        reading.read_upload(SimpleUploadedFile("customers.xlsx", buffer.getvalue()))
    assert error.value.code == "not_xlsx"


def test_a_workbook_named_csv_is_refused():
    upload = xlsx_upload([["Mobile"], ["09121234567"]], name="customers.csv")
    with pytest.raises(ValidationError) as error:
        reading.read_upload(upload)
    assert error.value.code == "not_text"


def test_text_not_in_utf8_is_refused():
    upload = SimpleUploadedFile("c.csv", "موبايل\n0912\n".encode("cp1256"))
    with pytest.raises(ValidationError) as error:
        reading.read_upload(upload)
    assert error.value.code == "not_utf8"


def test_too_big_a_file_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError) as error:
        reading.read_upload(csv_upload([HEADER] + [["09121234567", "Sara", "A"]] * 10))
    assert error.value.code == "too_big"


@pytest.mark.parametrize(
    ("name", "code"), [("customers.xls", "extension"), ("customers.txt", "extension")]
)
def test_other_extensions_are_refused(name, code):
    with pytest.raises(ValidationError) as error:
        reading.read_upload(csv_upload([HEADER, ["0912", "a", "b"]], name=name))
    assert error.value.code == code


def test_a_header_without_rows_is_refused():
    with pytest.raises(ValidationError) as error:
        reading.read_upload(csv_upload([HEADER]))
    assert error.value.code == "no_rows"


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    with pytest.raises(ValidationError) as error:
        reading.read_upload(csv_upload([HEADER] + [["09121234567", "a", "b"]] * 3))
    assert error.value.code == "too_many_rows"


def test_english_headers_are_guessed():
    header = [
        "Customer ID", "First Name", "Last name", "Mobile number", "E-mail", "Date of birth",
        "Branch code", "Member since", "SMS consent", "Email consent", "Card No.",
    ]  # fmt: skip
    assert guess_mapping(header) == {
        "first_name": 1,
        "last_name": 2,
        "mobile": 3,
        "email": 4,
        "birth_date": 5,
        "home_branch": 6,
        "joined": 7,
        "sms_consent": 8,
        "email_consent": 9,
        "card_number": 10,
    }


def test_persian_headers_are_guessed():
    header = [
        "ردیف", "نام", "نام‌خانوادگی", "شماره موبایل", "تاریخ تولد", "شعبه", "ايميل",
        "تاریخ عضویت", "رضایت پیامک", "شماره کارت",
    ]  # fmt: skip
    assert guess_mapping(header) == {
        "first_name": 1,
        "last_name": 2,
        "mobile": 3,
        "birth_date": 4,
        "home_branch": 5,
        "email": 6,
        "joined": 7,
        "sms_consent": 8,
        "card_number": 9,
    }


def test_a_longer_name_wins_over_a_shorter_one_it_contains():
    assert guess_mapping(["نام خانوادگی مشتری", "نام مشتری", "موبایل"]) == {
        "last_name": 0,
        "first_name": 1,
        "mobile": 2,
    }


def test_a_workbook_with_too_many_rows_is_refused_while_reading(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    upload = xlsx_upload([["Mobile"]] + [["09121234567"]] * 3)
    with pytest.raises(ValidationError) as error:
        reading.read_upload(upload)
    assert error.value.code == "too_many_rows"
