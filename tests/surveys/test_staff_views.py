"""The staff pages for each role: results for club managers and moderators, exports for
club managers (audited), copying a ready-made survey for whoever may add surveys; members
(suspended, outside the audience or not) get 403 and visitors the log-in page."""

import csv
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.surveys import exports
from community.surveys.models import Audience, QuestionKind, Survey
from portal.accounts import roles
from portal.audit.models import Action as AuditAction
from portal.audit.models import AuditEntry

from .conftest import answer, make_survey

pytestmark = pytest.mark.django_db


def staff_urls(survey) -> dict[str, str]:
    text = survey.questions.get(kind=QuestionKind.TEXT)
    return {
        "list": reverse("surveys:staff-survey-list"),
        "results": reverse("surveys:survey-results", args=[survey.pk]),
        "texts": reverse("surveys:text-answers", args=[survey.pk, text.pk]),
    }


EXPORTS = ("surveys:responses-csv", "surveys:responses-xlsx")


@pytest.fixture
def outsider(make_user, group):
    """A member outside a group survey's audience."""
    return make_user(email="outsider@example.com")


@pytest.mark.parametrize("page", ["list", "results", "texts"])
def test_managers_and_moderators_read_the_results(client, manager, moderator, survey, member, page):
    answer(survey, member)
    for person in (manager, moderator):
        client.force_login(person)
        assert client.get(staff_urls(survey)[page]).status_code == 200


@pytest.mark.parametrize("page", ["list", "results", "texts"])
def test_members_may_not_read_the_results(client, make_user, suspended, outsider, survey, page):
    for person in (make_user(), suspended, outsider):
        client.force_login(person)
        assert client.get(staff_urls(survey)[page]).status_code == 403


@pytest.mark.parametrize("page", ["list", "results", "texts"])
def test_visitors_are_sent_to_log_in(client, survey, page):
    response = client.get(staff_urls(survey)[page])
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", EXPORTS)
def test_only_club_managers_export_and_each_export_is_audited(
    client, manager, moderator, suspended, outsider, make_user, survey, member, name
):
    answer(survey, member)
    url = reverse(name, args=[survey.pk])
    for person in (moderator, make_user(), suspended, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    assert not AuditEntry.objects.exists()

    client.force_login(manager)
    response = client.get(url)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.REPORT_EXPORTED
    assert entry.actor == manager
    assert entry.target_type == "surveys.survey" and entry.target_id == survey.pk
    assert entry.detail["report"] == "survey_responses"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_has_one_row_per_response_with_the_member_id(client, manager, survey, make_user):
    people = [make_user() for _ in range(3)]
    for n, person in enumerate(people):
        answer(survey, person, single=n, rating=n + 2, text=f"Text {n}")
    client.force_login(manager)

    rows = _csv(client.get(reverse("surveys:responses-csv", args=[survey.pk])))

    header, body = rows[0], rows[1:]
    assert header[:3] == ["Response", "Date", "Member ID"]
    assert header[3:] == [q.text for q in survey.questions.all()]
    assert len(body) == 3
    assert sorted(int(row[2]) for row in body) == sorted(p.pk for p in people)
    by_member = {int(row[2]): row for row in body}
    first = by_member[people[0].pk]
    assert first[3:] == ["North", "Price; Staff", "2", "9", "Text 0"]


def test_an_anonymous_surveys_export_has_no_member_or_date_columns(client, manager, make_user):
    survey = make_survey(anonymous=True)
    people = [make_user() for _ in range(2)]
    for person in people:
        answer(survey, person)
    client.force_login(manager)

    rows = _csv(client.get(reverse("surveys:responses-csv", args=[survey.pk])))

    assert rows[0][0] == "Response"
    assert "Member ID" not in rows[0] and "Date" not in rows[0]
    assert len(rows) == 3
    flat = ",".join(",".join(row) for row in rows)
    for person in people:
        assert person.email not in flat
        assert not re.search(rf"(^|,){person.pk}(,|$)", ",".join(row[0] for row in rows[1:]))


FORMULAS = ['=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)"]


@pytest.mark.parametrize("payload", FORMULAS)
def test_the_csv_defuses_formulas_in_answers(client, manager, survey, member, payload):
    answer(survey, member, text=payload)
    client.force_login(manager)
    rows = _csv(client.get(reverse("surveys:responses-csv", args=[survey.pk])))
    assert rows[1][-1] == "'" + payload


@pytest.mark.parametrize("cell", ["\tTAB", "\rCR", "=1", "+1", "-1", "@1"])
def test_the_guard_covers_every_formula_start(cell):
    assert exports.guard(cell) == "'" + cell
    assert exports.guard("fine " + cell) == "fine " + cell


def test_the_xlsx_defuses_formulas_too_and_writes_no_formula(client, manager, survey, member):
    survey.questions.filter(kind=QuestionKind.TEXT).update(text="=CMD()")
    answer(survey, member, text='=HYPERLINK("http://evil")')
    client.force_login(manager)

    response = client.get(reverse("surveys:responses-xlsx", args=[survey.pk]))

    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet
    assert "&apos;=HYPERLINK" in strings or "'=HYPERLINK" in strings
    assert "'=CMD()" in strings or "&apos;=CMD()" in strings
    assert "Price; Staff" in strings


def test_results_cost_the_same_queries_for_one_or_fifty_responses(
    client, manager, make_user, django_assert_num_queries
):
    survey = make_survey()
    answer(survey, make_user())
    client.force_login(manager)
    url = reverse("surveys:survey-results", args=[survey.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(49):
        answer(survey, make_user(), single=n % 3, rating=n % 5 + 1, nps=n % 11, text=f"T{n}")

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert response.context["results"].responses == 50


def test_the_staff_list_costs_the_same_queries_for_one_or_fifty_surveys(
    client, manager, group, django_assert_num_queries
):
    client.force_login(manager)
    make_survey()
    url = reverse("surveys:staff-survey-list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    tier_survey = {"audience": Audience.GROUP, "group": group}
    for n in range(24):
        make_survey(title=f"S{n}", **(tier_survey if n % 2 else {}))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25


def test_the_results_page_shows_counts_averages_nps_and_texts(client, manager, make_user):
    survey = make_survey()
    for nps, rating in [(10, 5), (9, 4), (9, 5), (7, 3), (3, 1), (0, 2)]:
        answer(survey, make_user(), nps=nps, rating=rating, text=f"note {nps}")
    client.force_login(manager)

    page = client.get(reverse("surveys:survey-results", args=[survey.pk])).content.decode()

    assert "Average: 3.33 out of 5" in page
    assert "Average: 6.33 out of 10" in page
    assert "+17" in page  # (3 promoters - 2 detractors) / 6
    assert "Promoters (9–10): 50%" in page
    assert page.count('role="img"') == 4  # single, multiple, rating, NPS
    assert len(re.findall(r"note \d+", page)) == 5  # the first five of six texts
    assert "Read all 6 answers" in page


def test_the_text_answers_page_is_paginated(client, manager, make_user):
    survey = make_survey()
    for n in range(30):
        answer(survey, make_user(), text=f"idea-{n:02d}")
    client.force_login(manager)
    text = survey.questions.get(kind=QuestionKind.TEXT)
    url = reverse("surveys:text-answers", args=[survey.pk, text.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    shown = set(re.findall(r"idea-\d\d", first)) | set(re.findall(r"idea-\d\d", second))
    assert len(re.findall(r"idea-\d\d", first)) == 25
    assert len(shown) == 30


def test_a_choice_questions_text_answers_page_is_not_found(client, manager, survey):
    client.force_login(manager)
    choice = survey.questions.get(kind=QuestionKind.SINGLE)
    url = reverse("surveys:text-answers", args=[survey.pk, choice.pk])
    assert client.get(url).status_code == 404


# --- Copying a ready-made survey ------------------------------------------------------------


def test_a_manager_copies_a_ready_made_survey_as_a_draft(client, manager):
    client.force_login(manager)
    assert client.get(reverse("surveys:template-copy")).status_code == 200

    response = client.post(reverse("surveys:template-copy"), {"template": "support_team"})

    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailsnippets_surveys_survey:edit", args=[survey.pk])
    assert not survey.is_published and survey.template_key == "support_team"
    assert survey.questions.count() == 7


def test_the_topic_template_needs_a_topic(client, manager):
    client.force_login(manager)
    response = client.post(reverse("surveys:template-copy"), {"template": "suggestions"})
    assert response.status_code == 400
    assert "Name the topic" in response.content.decode()
    assert not Survey.objects.exists()

    client.post(
        reverse("surveys:template-copy"), {"template": "suggestions", "topic": "opening hours"}
    )
    assert Survey.objects.get().title == "Your suggestions: opening hours"


def test_an_unknown_template_is_refused(client, manager):
    client.force_login(manager)
    response = client.post(reverse("surveys:template-copy"), {"template": "nope"})
    assert response.status_code == 400
    assert not Survey.objects.exists()


def test_only_those_who_may_add_surveys_copy_templates(client, moderator, make_user, suspended):
    url = reverse("surveys:template-copy")
    for person in (moderator, make_user(), suspended, make_user(roles.SUPPORT_AGENT)):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"template": "sales_team"}).status_code == 403
    client.logout()
    assert client.post(url, {"template": "sales_team"}).status_code == 302
    assert not Survey.objects.exists()


def test_staff_pages_carry_the_strict_policy_and_templates_need_no_exception(
    client, manager, survey
):
    from pathlib import Path

    from django.conf import settings

    client.force_login(manager)
    for url in (reverse("surveys:survey-results", args=[survey.pk]), staff_urls(survey)["list"]):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "style-src 'self'" in policy and "unsafe" not in policy
    folder = Path(settings.BASE_DIR) / "community/surveys/templates"
    for template in folder.rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text and "<style" not in text, template
        assert not re.search(r"\sstyle\s*=|\son[a-z]+\s*=", text), template
