"""The exports the club manager can ask for, and how they are written.

A registry: `register(key, *, title, columns, rows, count=None)` where `rows(params)` yields
tuples in the order of `columns`, streamed from the database (`.iterator()` /
`values_list`), so an export of any size runs in constant memory; `count(params)`, when
given, tells the progress bar how many rows to expect. `params` is a plain JSON dict:
"start" and "end" (ISO dates, both included), "branch" (a branch id or None); `Params`
reads it. Other apps register their own reports the same way (e.g. the cockpit's campaign
deliveries), from their AppConfig.ready() or a module imported there.

Writers: `write_xlsx` (XlsxWriter in constant_memory mode; the sheet right to left in
Persian) and `write_pdf` (fpdf2 with HarfBuzz shaping and the vendored Vazirmatn font, so
Persian is shaped and right to left; the table paginated with its header row repeated on
every page and, in Persian, its columns in right-to-left order). A PDF is for reading and
printing: it holds at most PDF_MAX_ROWS rows and says so when cut; the XLSX has them all."""

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language_bidi, gettext
from django.utils.translation import gettext_lazy as _

from cardgateway.models import Branch, Transaction, TxnKind
from cockpit.selectors import DELIVERY_COLUMNS, period_delivery_rows
from gamification.models import Account, Currency, EntryKind, LedgerEntry, Referral

from . import kpis

FONTS = Path(__file__).resolve().parent / "fonts"
PDF_MAX_ROWS = 5_000
PROGRESS_EVERY = 1_000  # rows between two progress reports
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Report:
    key: str
    title: object  # a lazy translatable string
    columns: tuple
    rows: Callable[[dict], Iterable[tuple]]
    count: Callable[[dict], int] | None = None


REGISTRY: dict[str, Report] = {}


def register(key: str, *, title, columns, rows, count=None) -> Report:
    """Add (or replace: the last registration of a key wins) an export."""
    report = Report(key=key, title=title, columns=tuple(columns), rows=rows, count=count)
    REGISTRY[key] = report
    return report


def get(key: str) -> Report:
    return REGISTRY[key]


def choices() -> list[tuple[str, str]]:
    return [(key, str(report.title)) for key, report in REGISTRY.items()]


# --- Parameters --------------------------------------------------------------------------


def default_params() -> dict:
    today = timezone.localdate()
    return {
        "start": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
        "end": today.isoformat(),
        "branch": None,
    }


def period(params: dict) -> kpis.Period:
    """The Period of `params` (missing dates: the last DEFAULT_DAYS days)."""
    params = default_params() | {k: v for k, v in (params or {}).items() if v}
    branch = Branch.objects.filter(pk=params["branch"]).first() if params["branch"] else None
    return kpis.Period(
        start=date.fromisoformat(params["start"]),
        end=date.fromisoformat(params["end"]),
        branch=branch,
    )


def _local(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(microsecond=0).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# --- The club's own exports --------------------------------------------------------------


def _balance(currency: str):
    return Subquery(
        Account.objects.filter(member=OuterRef("pk"), currency=currency).values("balance")[:1]
    )


def _members_rows(params: dict) -> Iterator[tuple]:
    qs = (
        kpis.members(period(params))
        .annotate(points=_balance(Currency.POINTS), credit=_balance(Currency.CREDIT))
        .order_by("pk")
        .values_list(
            "pk",
            "email",
            "profile__first_name",
            "profile__last_name",
            "date_joined",
            "profile__home_branch__name",
            "club_tier__tier__name",
            "points",
            "credit",
        )
    )
    for pk, email, first, last, joined, branch, tier, points, credit in qs.iterator(
        chunk_size=2000
    ):
        yield (
            pk,
            email,
            first,
            last,
            _local(joined),
            branch or "",
            tier or "",
            points or 0,
            credit or 0,
        )


def _transactions(params: dict):
    p = period(params)
    begin, finish = p.bounds()
    qs = Transaction.objects.filter(created_at__gte=begin, created_at__lt=finish)
    if p.branch is not None:
        qs = qs.filter(branch=p.branch)
    return qs


def _transactions_rows(params: dict) -> Iterator[tuple]:
    kinds = dict(TxnKind.choices)
    qs = (
        _transactions(params)
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "receipt",
            "kind",
            "member__email",
            "branch__name",
            "amount",
            "redeemed",
            "cashback",
            "points",
        )
    )
    for at, receipt, kind, email, branch, *amounts in qs.iterator(chunk_size=2000):
        yield (_local(at), receipt, str(kinds.get(kind, kind)), email, branch, *amounts)


def _ledger(params: dict):
    p = period(params)
    begin, finish = p.bounds()
    qs = LedgerEntry.objects.filter(created_at__gte=begin, created_at__lt=finish)
    if p.branch is not None:
        qs = qs.filter(branch=p.branch)
    return qs


def _ledger_rows(params: dict) -> Iterator[tuple]:
    kinds = dict(EntryKind.choices)
    currencies = dict(Currency.choices)
    qs = (
        _ledger(params)
        .order_by("pk")
        .values_list(
            "created_at",
            "account__member__email",
            "account__currency",
            "kind",
            "amount",
            "balance_after",
            "branch__name",
            "description",
        )
    )
    for at, email, currency, kind, amount, after, branch, description in qs.iterator(
        chunk_size=2000
    ):
        yield (
            _local(at),
            email,
            str(currencies.get(currency, currency)),
            str(kinds.get(kind, kind)),
            amount,
            after,
            branch or "",
            description,
        )


def _referrals(params: dict):
    p = period(params)
    begin, finish = p.bounds()
    return Referral.objects.filter(
        created_at__gte=begin, created_at__lt=finish, referee__in=kpis.members(p)
    )


def _referrals_rows(params: dict) -> Iterator[tuple]:
    p = period(params)
    bought = (
        kpis.purchases(p)
        .filter(member=OuterRef("referee"))
        .order_by()
        .values("member")
        .annotate(n=Count("pk"), s=Sum("amount"))
    )
    qs = (
        _referrals(params)
        .annotate(n=Subquery(bought.values("n")), s=Subquery(bought.values("s")))
        .order_by("created_at", "pk")
        .values_list(
            "created_at", "referrer__email", "referee__email", "first_purchase_at", "n", "s"
        )
    )
    for at, referrer, referee, first, n, s in qs.iterator(chunk_size=2000):
        yield (_local(at), referrer, referee, _local(first), n or 0, s or 0)


def _tier_rows(params: dict) -> Iterator[tuple]:
    rows = kpis.tier_distribution(period(params))
    whole = sum(row["members"] for row in rows)
    for row in rows:
        yield (row["label"], row["members"], round(100 * row["members"] / whole, 1) if whole else 0)


def _churn_rows(params: dict) -> Iterator[tuple]:
    qs = kpis.lapsed(period(params)).values_list(
        "pk", "email", "profile__first_name", "profile__last_name", "visits", "last_purchase_at"
    )
    for pk, email, first, last, visits, at in qs.iterator(chunk_size=2000):
        yield (pk, email, f"{first or ''} {last or ''}".strip(), visits, _local(at))


def _top_members(params: dict):
    p = period(params)
    per_member = (
        kpis.purchases(p)
        .order_by()
        .values("member_id", "member__email")
        .annotate(n=Count("pk"), spent=Sum("amount"))
    )
    buyers = per_member.count()
    return per_member.order_by("-spent", "member_id")[: math.ceil(buyers * kpis.TOP_SHARE)]


def _top_rows(params: dict) -> Iterator[tuple]:
    for rank, row in enumerate(_top_members(params).iterator(chunk_size=2000), start=1):
        yield (rank, row["member_id"], row["member__email"], row["n"], row["spent"])


def _percent(value) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _number(value, places: int = 2) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def kpi_rows(params: dict) -> list[tuple]:
    """The dashboard's figures as (figure, value, definition) rows."""
    board = kpis.dashboard(period(params), churn=False)
    d = kpis.DEFINITIONS
    m, r, pu, c = board.membership, board.retention, board.purchasing, board.credit
    ref, com, t = board.referrals, board.community, board.tickets
    return [
        (gettext("Members"), f"{m['members_total']:,}", str(d["members_total"])),
        (gettext("New members"), f"{m['new_members']:,}", str(d["new_members"])),
        (gettext("Active in the last 30 days"), f"{m['active_30']:,}", str(d["active_30"])),
        (gettext("Retention"), _percent(r["rate"]), str(d["retention"])),
        (gettext("Repeat-purchase rate"), _percent(pu["repeat_rate"]), str(d["repeat_rate"])),
        (gettext("Purchase frequency"), _number(pu["frequency"]), str(d["frequency"])),
        (
            gettext("Average transaction value (rials)"),
            _number(pu["average_value"], 0),
            str(d["average_value"]),
        ),
        (gettext("Redemption rate"), _percent(c["redemption_rate"]), str(d["redemption_rate"])),
        (
            gettext("Outstanding credit (rials)"),
            f"{c['outstanding']:,}",
            str(d["outstanding_credit"]),
        ),
        (
            gettext("Revenue from the top 20% of members"),
            _percent(pu["top_share"]),
            str(d["top_share"]),
        ),
        (gettext("New referrals"), f"{ref['new']:,}", str(d["referrals"])),
        (gettext("Spend of referred members (rials)"), f"{ref['spend']:,}", str(d["referrals"])),
        (gettext("Community posters"), f"{com['posters']:,}", str(d["community"])),
        (gettext("Tickets open now"), f"{t['open_now']:,}", str(d["tickets"])),
        (gettext("SLA breach rate"), _percent(t["breach_rate"]), str(d["tickets"])),
        (gettext("Satisfaction (CSAT)"), _number(t["csat"]), str(d["tickets"])),
    ]


def _kpi_rows(params: dict) -> Iterator[tuple]:
    yield from kpi_rows(params)


def _delivery_rows(params: dict) -> Iterator[tuple]:
    chosen = period(params)
    for row in period_delivery_rows(start=chosen.start, end=chosen.end, branch=chosen.branch):
        yield tuple(_local(cell) if isinstance(cell, datetime) else cell for cell in row)


register(
    "members",
    title=_("Members"),
    columns=[
        _("Member id"),
        _("E-mail"),
        _("First name"),
        _("Last name"),
        _("Joined"),
        _("Home branch"),
        _("Tier"),
        _("Points"),
        _("Credit (rials)"),
    ],
    rows=_members_rows,
    count=lambda params: kpis.members(period(params)).count(),
)
register(
    "transactions",
    title=_("Transactions"),
    columns=[
        _("Time"),
        _("Receipt"),
        _("Kind"),
        _("Member"),
        _("Branch"),
        _("Amount (rials)"),
        _("Credit spent"),
        _("Cashback"),
        _("Points"),
    ],
    rows=_transactions_rows,
    count=lambda params: _transactions(params).count(),
)
register(
    "ledger",
    title=_("Ledger"),
    columns=[
        _("Time"),
        _("Member"),
        _("Currency"),
        _("Kind"),
        _("Amount"),
        _("Balance after"),
        _("Branch"),
        _("Description"),
    ],
    rows=_ledger_rows,
    count=lambda params: _ledger(params).count(),
)
register(
    "referrals",
    title=_("Referrals"),
    columns=[
        _("Referred on"),
        _("Referrer"),
        _("Friend"),
        _("First purchase"),
        _("Purchases in period"),
        _("Spend in period (rials)"),
    ],
    rows=_referrals_rows,
    count=lambda params: _referrals(params).count(),
)
register(
    "kpis",
    title=_("Key figures"),
    columns=[_("Figure"), _("Value"), _("Definition")],
    rows=_kpi_rows,
)
register(
    "tiers",
    title=_("Tier distribution"),
    columns=[_("Tier"), _("Members"), _("Share (%)")],
    rows=_tier_rows,
)
register(
    "churn",
    title=_("Churn-risk members"),
    columns=[_("Member id"), _("E-mail"), _("Name"), _("Visits"), _("Last purchase")],
    rows=_churn_rows,
    count=lambda params: kpis.lapsed(period(params)).count(),
)
register(
    "campaign_deliveries",
    title=_("Campaign deliveries"),
    columns=DELIVERY_COLUMNS,
    rows=_delivery_rows,
)
register(
    "top_members",
    title=_("Top members by spend"),
    columns=[_("Rank"), _("Member id"), _("E-mail"), _("Purchases"), _("Spend (rials)")],
    rows=_top_rows,
)


# --- Writers -----------------------------------------------------------------------------


def _sheet_name(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join(" " if c in "[]:*?/\\" else c for c in str(title))[:31].strip() or "Sheet"


def _with_progress(rows: Iterable[tuple], on_progress) -> Iterator[tuple]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if on_progress and done % PROGRESS_EVERY == 0:
            on_progress(done)
    if on_progress:
        on_progress(done)


def write_xlsx(report: Report, params: dict, path, *, on_progress=None) -> int:
    """Write the report to `path` as .xlsx, row by row (constant_memory: each row is
    flushed to disk once the next starts). Text is written as text (never a formula),
    numbers as numbers. Returns the number of rows."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_sheet_name(report.title))
    if get_language_bidi():
        sheet.right_to_left()
    for col, header in enumerate(report.columns):
        sheet.write_string(0, col, str(header), bold)
        sheet.set_column(col, col, 18)
    count = 0
    for r, row in enumerate(_with_progress(report.rows(params), on_progress), start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                sheet.write_string(r, col, str(value))
            else:
                sheet.write_number(r, col, value)
        count = r
    book.close()
    return count


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-12)
            self.set_font("Vazirmatn", size=8)
            self.cell(0, 8, f"{self.footer_text} · {self.page_no()}", align="C")

    return ReportPDF


def write_pdf(report: Report, params: dict, path, *, on_progress=None) -> int:
    """Write the report to `path` as a PDF table (A4 landscape): shaped Persian (HarfBuzz),
    right-to-left column order in Persian, the header row repeated on every page, at most
    PDF_MAX_ROWS rows (a last line says when the list was cut). Returns the rows written."""
    from fpdf.fonts import FontFace

    rtl = get_language_bidi()
    pdf = _pdf_class()(orientation="L", format="A4")
    pdf.add_font("Vazirmatn", "", str(FONTS / "Vazirmatn-Regular.ttf"))
    pdf.add_font("Vazirmatn", "B", str(FONTS / "Vazirmatn-Bold.ttf"))
    pdf.set_text_shaping(True)
    p = period(params)
    subtitle = gettext("%(start)s to %(end)s, %(branch)s") % {
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "branch": p.branch.name if p.branch else gettext("all branches"),
    }
    pdf.footer_text = f"{report.title} — {subtitle}"
    pdf.set_title(str(report.title))
    pdf.add_page()
    align = "R" if rtl else "L"
    pdf.set_font("Vazirmatn", "B", size=14)
    pdf.cell(0, 9, str(report.title), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.set_font("Vazirmatn", size=9)
    pdf.cell(0, 7, subtitle, new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.ln(2)

    def ordered(cells):
        cells = [("" if c is None else f"{c:,}" if isinstance(c, int) else str(c)) for c in cells]
        return cells[::-1] if rtl else cells

    count = 0
    cut = False
    with pdf.table(
        text_align="RIGHT" if rtl else "LEFT",
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 235, 238)),
        line_height=5,
    ) as table:
        header = table.row()
        for cell in ordered(report.columns):
            header.cell(cell)
        for row in _with_progress(report.rows(params), on_progress):
            if count >= PDF_MAX_ROWS:
                cut = True
                break
            line = table.row()
            for cell in ordered(row):
                line.cell(cell)
            count += 1
    if cut:
        pdf.ln(3)
        pdf.multi_cell(
            0,
            6,
            gettext("Only the first %(rows)s rows are in this PDF; the Excel export has them all.")
            % {"rows": f"{PDF_MAX_ROWS:,}"},
            align=align,
        )
    pdf.output(str(path))
    return count


WRITERS = {"xlsx": write_xlsx, "pdf": write_pdf}
