"""Export files: XLSX opened with openpyxl, PDF text read back with pypdf, the background
export's progress, its audit entry, and the clean-up of old files."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
import time_machine
from django.utils import timezone, translation
from pypdf import PdfReader

from portal.audit.models import Action, AuditEntry
from reports import exports, services
from reports.models import Export, ExportStatus

from .conftest import at

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31", "branch": None}
READ_AT = at(2026, 4, 10)


@pytest.fixture
def shoppers(make_member, north, south, buy):
    """Reza (North) bought 100,000 and 300,000 in March; Sara (South) 200,000."""
    reza = make_member("reza@example.com", joined=at(2026, 1, 10), branch=north)
    reza.profile.first_name, reza.profile.last_name = "رضا", "احمدی"
    reza.profile.save()
    sara = make_member("sara@example.com", joined=at(2026, 3, 3), branch=south)
    buy(reza, 100_000, at(2026, 3, 5), north)
    buy(reza, 300_000, at(2026, 3, 20), north)
    buy(sara, 200_000, at(2026, 3, 10), south)
    return reza, sara


def _xlsx(report_key: str, params: dict, tmp_path, language="en"):
    path = tmp_path / "out.xlsx"
    with translation.override(language), time_machine.travel(READ_AT, tick=False):
        rows = exports.write_xlsx(exports.get(report_key), params, path)
    return rows, openpyxl.load_workbook(path).active


def test_transactions_xlsx_has_headers_and_typed_cells(shoppers, tmp_path):
    rows, sheet = _xlsx("transactions", MARCH, tmp_path)
    values = list(sheet.values)
    assert rows == 3
    assert values[0][:6] == ("Time", "Receipt", "Kind", "Member", "Branch", "Amount (rials)")
    # Oldest first: Reza 5 Mar, Sara 10 Mar, Reza 20 Mar; amounts are numbers.
    assert [(r[0][:10], r[3], r[5]) for r in values[1:]] == [
        ("2026-03-05", "reza@example.com", 100_000),
        ("2026-03-10", "sara@example.com", 200_000),
        ("2026-03-20", "reza@example.com", 300_000),
    ]
    assert values[1][2] == "purchase"
    assert sheet.sheet_view.rightToLeft in (None, False)


def test_branch_filter_applies_to_exports(shoppers, tmp_path, south):
    rows, sheet = _xlsx("transactions", MARCH | {"branch": south.pk}, tmp_path)
    assert rows == 1
    assert list(sheet.values)[1][3] == "sara@example.com"


def test_persian_xlsx_is_right_to_left_with_persian_headers(shoppers, tmp_path):
    rows, sheet = _xlsx("members", MARCH, tmp_path, language="fa")
    assert sheet.sheet_view.rightToLeft is True
    names = {row[1]: (row[2], row[3]) for row in list(sheet.values)[1:]}
    assert names["reza@example.com"] == ("رضا", "احمدی")
    assert rows == 2  # Reza and Sara (no staff in this club)


def test_members_xlsx_gives_balances_and_tier(shoppers, tmp_path):
    rows, sheet = _xlsx("members", MARCH, tmp_path)
    header, *lines = list(sheet.values)
    col = {name: i for i, name in enumerate(header)}
    reza = next(line for line in lines if line[col["E-mail"]] == "reza@example.com")
    # Reza's credit is the cashback of his purchases, as the ledger has it.
    from gamification.models import Account, Currency

    credit = Account.objects.get(member=shoppers[0], currency=Currency.CREDIT).balance
    assert reza[col["Credit (rials)"]] == credit
    assert reza[col["Home branch"]] == "North"


def _pdf_text(report_key: str, params: dict, tmp_path, language: str) -> tuple[int, list[str]]:
    path = tmp_path / "out.pdf"
    with translation.override(language), time_machine.travel(READ_AT, tick=False):
        rows = exports.write_pdf(exports.get(report_key), params, path)
    reader = PdfReader(path)
    return rows, [page.extract_text() for page in reader.pages]


def test_english_pdf_lists_the_rows(shoppers, tmp_path):
    rows, pages = _pdf_text("transactions", MARCH, tmp_path, "en")
    text = "\n".join(pages)
    assert rows == 3
    assert "Transactions" in text
    assert "reza@example.com" in text and "sara@example.com" in text
    assert "300,000" in text


def test_persian_pdf_text_is_shaped_and_maps_back_to_the_letters(shoppers, tmp_path):
    """The glyphs are shaped (contextual forms), and the font's ToUnicode map gives the
    letters back: extraction yields each Persian word in logical order. Cells of a row are
    drawn right to left, and pypdf reads a line from left to right (visual order), so the
    last column comes first on a line: we check words, and the order of the columns."""
    rows, pages = _pdf_text("members", MARCH, tmp_path, "fa")
    text = "\n".join(pages)
    assert rows == 2
    assert "رضا" in text and "احمدی" in text
    line = next(line for line in text.splitlines() if "reza@example.com" in line)
    # RTL: the home branch (6th column) is drawn left of the e-mail (2nd column), so it is
    # read first on the line; in English it comes after.
    assert line.index("North") < line.index("reza@example.com")
    __, english = _pdf_text("members", MARCH, tmp_path, "en")
    line = next(line for line in "\n".join(english).splitlines() if "reza@example.com" in line)
    assert line.index("reza@example.com") < line.index("North")


def test_pdf_repeats_the_header_row_on_every_page(make_member, tmp_path):
    for n in range(120):
        make_member(f"m{n:03}@example.com", joined=at(2026, 1, 1))
    rows, pages = _pdf_text("members", MARCH, tmp_path, "en")
    assert rows == 120
    assert len(pages) >= 3
    assert all("E-mail" in page for page in pages)


def test_pdf_stops_at_its_row_limit_and_says_so(make_member, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PDF_MAX_ROWS", 5)
    for n in range(8):
        make_member(f"m{n}@example.com", joined=at(2026, 1, 1))
    rows, pages = _pdf_text("members", MARCH, tmp_path, "en")
    assert rows == 5
    assert "Only the first 5 rows" in "\n".join(pages)


def test_every_registered_export_writes_both_formats(shoppers, tmp_path):
    for key, report in exports.REGISTRY.items():
        with time_machine.travel(READ_AT, tick=False):
            exports.write_xlsx(report, MARCH, tmp_path / f"{key}.xlsx")
            exports.write_pdf(report, MARCH, tmp_path / f"{key}.pdf")
        sheet = openpyxl.load_workbook(tmp_path / f"{key}.xlsx").active
        assert list(sheet.values)[0] == tuple(str(c) for c in report.columns), key


def test_kpi_export_has_each_figure_with_its_definition(shoppers, tmp_path):
    rows, sheet = _xlsx("kpis", MARCH, tmp_path)
    lines = {line[0]: line for line in list(sheet.values)[1:]}
    assert lines["Members"][1] == "2"
    assert lines["Repeat-purchase rate"][1] == "50.0%"  # Reza of Reza and Sara
    assert "active" in lines["Retention"][2]


def test_a_background_export_records_progress_audit_and_file(
    shoppers, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen = []
    original = services._progress

    def spy(export_id):
        report = original(export_id)

        def wrapped(done):
            report(done)
            seen.append(Export.objects.get(pk=export_id).done)

        return wrapped

    monkeypatch.setattr(services, "_progress", spy)
    with (
        time_machine.travel(READ_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = services.request_export(
            kind="transactions", fmt="xlsx", params=MARCH, requested_by=manager, language="en"
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert (export.done, export.total) == (3, 3)
    assert seen[:3] == [1, 2, 3]
    path = services.file_path(export)
    assert path.is_file()
    assert str(path).startswith(str(services.export_root()))
    assert not list(services.export_root().glob(".*.part"))
    entry = AuditEntry.objects.get(action=Action.REPORT_EXPORTED)
    assert entry.actor == manager
    assert entry.detail["report"] == "transactions" and entry.detail["format"] == "xlsx"
    assert openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active.max_row == 4


def test_an_unknown_report_creates_nothing(manager):
    with pytest.raises(services.ExportError):
        services.request_export(
            kind="nope", fmt="xlsx", params=MARCH, requested_by=manager, language="en"
        )
    with pytest.raises(services.ExportError):
        services.request_export(
            kind="members", fmt="csv", params=MARCH, requested_by=manager, language="en"
        )
    assert not Export.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.REPORT_EXPORTED).exists()


def test_a_failing_export_is_marked_failed_without_a_file(
    manager, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(params):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(
        exports.REGISTRY,
        "broken",
        exports.Report(key="broken", title="Broken", columns=("a",), rows=broken),
    )
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(
            kind="broken", fmt="xlsx", params=MARCH, requested_by=manager, language="en"
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.file_name == "" and "boom" in export.error
    assert not list(services.export_root().glob("*"))


def test_old_exports_are_removed_with_their_files(manager, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(timezone.now() - timedelta(days=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        old = services.request_export(
            kind="tiers", fmt="xlsx", params=MARCH, requested_by=manager, language="en"
        )
    with django_capture_on_commit_callbacks(execute=True):
        new = services.request_export(
            kind="tiers", fmt="xlsx", params=MARCH, requested_by=manager, language="en"
        )
    old_path = services.file_path(Export.objects.get(pk=old.pk))
    assert old_path.is_file()
    assert services.purge_old_exports(days=7) == 1
    assert not old_path.exists()
    assert list(Export.objects.values_list("pk", flat=True)) == [new.pk]
    assert services.file_path(Export.objects.get(pk=new.pk)).is_file()
    assert services.purge_old_exports(days=7) == 0


def test_params_default_to_the_last_30_days():
    p = exports.period({})
    assert p.end == timezone.localdate()
    assert p.end - p.start == timedelta(days=29)
    assert exports.period({"start": "2026-03-01", "end": "2026-03-31"}).start == date(2026, 3, 1)
