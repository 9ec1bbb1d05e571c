"""Member pages: the open surveys a member may answer, and a survey's page with its form.

A survey that is a draft or not for the member is not found (404), whatever its state; a
survey not open yet or closed says so; a second answer is refused with a message and
changes nothing; a suspended member reads but cannot answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from portal.shell.templatetags.club_format import grouped

from .. import selectors, services
from ..forms import AnswerForm
from ..models import Participation, SurveyState

REFUSAL_STATUS = {
    services.AlreadyAnswered: 409,
    services.NotOpenYet: 409,
    services.SurveyClosed: 409,
    services.MemberSuspended: 403,
}


@login_required
@require_safe
def survey_list(request):
    member = request.user
    return render(
        request,
        "surveys/survey_list.html",
        {
            "surveys": list(selectors.open_surveys_for(member=member)),
            "points": selectors.survey_points(),
            "suspended": selectors.is_suspended(member),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_detail(request, survey_id: int):
    member = request.user
    survey = get_object_or_404(
        selectors.published_for(member=member).select_related("tier", "group"), pk=survey_id
    )
    now = timezone.now()
    questions = list(survey.questions.prefetch_related("choices"))
    participation = Participation.objects.filter(survey=survey, member=member).first()
    suspended = selectors.is_suspended(member, at=now)
    state = survey.state(now)
    can_answer = state == SurveyState.OPEN and participation is None and not suspended
    form, refusal, status = None, None, 200
    if request.method == "POST" and not can_answer:
        refusal = _refusal(state=state, participation=participation, suspended=suspended)
        status = REFUSAL_STATUS[type(refusal)]
    elif request.method == "POST":
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                submission = services.submit_response(
                    survey=survey, member=member, answers=form.answers(), at=now
                )
            except services.NotInAudience as error:
                raise Http404 from error
            except services.InvalidAnswers as invalid:
                form.add_service_errors(invalid.errors)
                status = 400
            except services.SurveyError as error:
                refusal, form = error, None
                status = REFUSAL_STATUS.get(type(error), 400)
                participation = Participation.objects.filter(survey=survey, member=member).first()
            else:
                if submission.points:
                    text = ngettext(
                        "Thank you for answering! You earned %(points)s point.",
                        "Thank you for answering! You earned %(points)s points.",
                        submission.points,
                    ) % {"points": grouped(submission.points)}
                else:
                    text = _("Thank you for answering!")
                messages.success(request, text)
                return redirect("surveys:survey-detail", survey_id=survey.pk)
        else:
            status = 400
    elif can_answer:
        form = AnswerForm(questions=questions)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "state": state,
            "form": form,
            "refusal": refusal,
            "participation": participation,
            "suspended": suspended,
            "points": selectors.survey_points() if form is not None else 0,
            "question_count": len(questions),
        },
        status=status,
    )


def _refusal(*, state: str, participation, suspended: bool) -> services.SurveyError:
    """Why a member who may not answer now is refused (the same the service would say)."""
    if participation is not None:
        return services.AlreadyAnswered()
    if state == SurveyState.SCHEDULED:
        return services.NotOpenYet()
    if state == SurveyState.CLOSED:
        return services.SurveyClosed()
    return services.MemberSuspended()
