"""Wagtail admin: club managers build surveys (questions and their choices inline), copy a
ready-made one ("Copy a ready-made survey" on the list), and open a survey's results from
its row. Access follows the model permissions of the Club manager role
(portal/accounts/roles.py).

Once a member has answered, what the answers refer to is fixed: questions and choices can
no longer be added, removed or change type, and a survey cannot become (or stop being)
anonymous. Texts may still be corrected, and the dates and audience changed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, IndexView, SnippetViewSet

from .models import Audience, Participation, QuestionKind, Survey

RESULTS_PERMS = ("accounts.manage_club", "accounts.moderate_community")


def _kept(formset) -> list:
    """The formset's forms that stay: not marked for deletion, and either existing or
    filled in."""
    return [
        form
        for form in formset.forms
        if not formset._should_delete_form(form) and (form.instance.pk or form.has_changed())
    ]


class SurveyAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if audience == Audience.TIER and not cleaned.get("tier"):
            self.add_error("tier", _("Choose the tier this survey is for."))
        if audience == Audience.GROUP and not cleaned.get("group"):
            self.add_error("group", _("Choose the interest group this survey is for."))
        # Only the chosen audience's tier or group is kept.
        if audience != Audience.TIER:
            cleaned["tier"] = None
        if audience != Audience.GROUP:
            cleaned["group"] = None
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The survey must close after it opens."))
        if cleaned.get("is_published"):
            if not opens:
                self.add_error("opens_at", _("A published survey needs an opening date."))
            if not closes:
                self.add_error("closes_at", _("A published survey needs a closing date."))
        if self.answered and "is_anonymous" in self.changed_data:
            self.add_error(
                "is_anonymous",
                _("Members have answered this survey; whether it is anonymous cannot change."),
            )
        return cleaned

    @cached_property
    def answered(self) -> bool:
        return bool(
            self.instance.pk and Participation.objects.filter(survey_id=self.instance.pk).exists()
        )

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        for message in self._question_errors():
            self.add_error(None, ValidationError(message))
        return not self.errors

    def _question_errors(self) -> list[str]:
        """What is wrong with the questions as a whole (the formsets are valid by now)."""
        errors = []
        questions = _kept(self.formsets["questions"])
        if self.cleaned_data.get("is_published") and not questions:
            errors.append(_("A published survey needs at least one question."))
        for number, form in enumerate(questions, start=1):
            kind = form.cleaned_data.get("kind")
            choices = _kept(form.formsets["choices"])
            if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(choices) < 2:
                errors.append(
                    _("Question %(number)s: a choice question needs at least two choices.")
                    % {"number": number}
                )
            elif kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and choices:
                errors.append(
                    _("Question %(number)s: only choice questions have choices; remove them.")
                    % {"number": number}
                )
        if self.answered and self._structure_changed():
            errors.append(
                _(
                    "Members have answered this survey, so its questions and choices can no "
                    "longer be added, removed or change type (their texts can be corrected). "
                    "Copy the survey to ask something else."
                )
            )
        return errors

    def _structure_changed(self) -> bool:
        formset = self.formsets["questions"]
        for form in formset.forms:
            existing = bool(form.instance.pk)
            if formset._should_delete_form(form):
                if existing:
                    return True
                continue
            if not existing:
                if form.has_changed():
                    return True
                continue
            if "kind" in form.changed_data:
                return True
            choices = form.formsets["choices"]
            for choice in choices.forms:
                if choices._should_delete_form(choice):
                    if choice.instance.pk:
                        return True
                elif not choice.instance.pk and choice.has_changed():
                    return True
        return False


class SurveyIndexView(IndexView):
    """The list, with "Copy a ready-made survey" at the top and "Results" on each row."""

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("surveys.add_survey"):
            buttons.append(
                HeaderButton(
                    _("Copy a ready-made survey"),
                    url=reverse("surveys:template-copy"),
                    icon_name="copy",
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if any(self.request.user.has_perm(perm) for perm in RESULTS_PERMS):
            buttons.append(
                MenuItem(
                    _("Results"),
                    reverse("surveys:survey-results", args=[instance.pk]),
                    icon_name="view",
                    priority=5,
                )
            )
        return buttons


class SurveyDeleteView(DeleteView):
    """Only a survey nobody has answered can be deleted (the answers and the points paid
    for them refer to it); an answered one is unpublished or left to close."""

    def form_valid(self, form):
        if Participation.objects.filter(survey=self.object).exists():
            messages.error(
                self.request,
                _(
                    "Members have answered this survey, so it cannot be deleted. Unpublish it "
                    "or let it close instead."
                ),
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class SurveyViewSet(SnippetViewSet):
    model = Survey
    icon = "list-ul"
    menu_label = _("Surveys")
    menu_name = "surveys"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = SurveyIndexView
    delete_view_class = SurveyDeleteView
    list_display = [
        "title",
        Column("state", label=_("State"), accessor="get_state_display"),
        Column("audience", label=_("Who may answer"), accessor="audience_label"),
        "opens_at",
        "closes_at",
        "is_anonymous",
    ]
    list_filter = ["is_published", "is_anonymous", "audience"]
    search_fields = ["title"]
    copy_view_enabled = False  # a copy would leave its questions behind

    @cached_property
    def edit_handler(self):
        return ObjectList(Survey.panels, base_form_class=SurveyAdminForm)

    def get_queryset(self, request):
        return Survey.objects.select_related("tier", "group")


register_snippet(SurveyViewSet)
