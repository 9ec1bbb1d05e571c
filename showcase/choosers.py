"""The member chooser of the hall of fame's entries: a Wagtail chooser modal listing active
members, searchable by name, @handle or e-mail. Only club managers may open it (it lists
members' e-mail addresses); the widget is given to that one panel, never registered as the
default for every user field."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser

MANAGE_PERM = "accounts.manage_club"


class MemberFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Name, @handle or e-mail")}),
        required=False,
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip().removeprefix("@")
        if not query:
            return objects
        self.is_searching, self.search_query = True, query
        return objects.filter(
            Q(email__icontains=query)
            | Q(profile__first_name__icontains=query)
            | Q(profile__last_name__icontains=query)
            | Q(community__handle__icontains=query)
        )


class ManagersOnly:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(MANAGE_PERM):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MemberChooseMixin(ManagersOnly):
    filter_form_class = MemberFilterForm
    ordering = ["email"]

    @property
    def columns(self):
        title = self.title_column
        title.accessor, title.label = "display_name", _("Member")
        return [title, Column("email", label=_("E-mail"))]


class MemberChooseView(MemberChooseMixin, chooser_views.ChooseView):
    pass


class MemberChooseResultsView(MemberChooseMixin, chooser_views.ChooseResultsView):
    pass


class MemberChosenView(ManagersOnly, chooser_views.ChosenView):
    def get_display_title(self, instance):
        return _member_title(instance)


def _member_title(member) -> str:
    return f"{member.display_name} <{member.email}>"


class MemberChooserWidget(BaseChooser):
    def get_display_title(self, instance):
        return _member_title(instance)


class MemberChooserViewSet(ChooserViewSet):
    model = "accounts.User"
    icon = "user"
    choose_one_text = _("Choose a member")
    choose_another_text = _("Choose another member")
    edit_item_text = _("Edit")
    register_widget = False
    base_widget_class = MemberChooserWidget
    choose_view_class = MemberChooseView
    choose_results_view_class = MemberChooseResultsView
    chosen_view_class = MemberChosenView
    per_page = 20

    def get_object_list(self):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(is_active=True, erased_at__isnull=True)
            .select_related("profile")
        )


member_chooser_viewset = MemberChooserViewSet("showcase_member_chooser")
