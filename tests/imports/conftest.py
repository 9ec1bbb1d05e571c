import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from cardgateway.models import Branch
from portal.accounts import roles


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="central", name="Central", city="Tehran")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def csv_upload(lines: list[list[str]], *, name="customers.csv", delimiter=",", bom=False):
    text = "\n".join(delimiter.join(cells) for cells in lines) + "\n"
    data = text.encode("utf-8-sig" if bom else "utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_bytes(lines: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Customers")
    for row, cells in enumerate(lines):
        for col, value in enumerate(cells):
            sheet.write(row, col, value)
    book.close()
    return buffer.getvalue()


def xlsx_upload(lines: list[list], *, name="customers.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(lines))
