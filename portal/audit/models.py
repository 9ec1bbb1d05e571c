"""The staff audit trail: one row per staff action that changes or reveals member data.

Append-only three times over: the model refuses to save an existing row or delete one,
its querysets refuse update() and delete(), and on PostgreSQL a trigger (migrations 0001,
0002) refuses any UPDATE or DELETE of the table, raw SQL included. The one exception is the
retention purge (portal/accounts/retention.py: purge_audit), which deletes entries older
than the manager's retention, never younger than the trigger's floor."""

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit entry."""


class Action(models.TextChoices):
    BALANCE_ADJUSTED = "balance_adjusted", _("Balance adjusted")
    CARD_STATUS_CHANGED = "card_status_changed", _("Card blocked, unblocked or expired")
    MEMBER_VIEWED = "member_viewed", _("Member's details viewed")
    FILE_DOWNLOADED = "file_downloaded", _("Ticket file downloaded")
    REPORT_EXPORTED = "report_exported", _("Report exported")
    TICKET_CHANGED = "ticket_changed", _("Ticket answered or changed")
    MODERATED = "moderated", _("Community content moderated")
    ACCOUNT_ERASED = "account_erased", _("Account erased at the member's request")
    DATA_PURGED = "data_purged", _("Old data purged on schedule")
    CAMPAIGN_SENT = "campaign_sent", _("Campaign scheduled, cancelled or sent to members")
    MEMBERS_IMPORTED = "members_imported", _("Members imported from a file")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are never updated.")

    def delete(self):
        raise AppendOnlyError("Audit entries are never deleted.")

    # Bulk paths that would bypass update()/delete().
    def _raw_delete(self, using):
        raise AppendOnlyError("Audit entries are never deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit entries are never updated.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never updated.")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the system."),
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    # The object acted on, as "app_label.model" and primary key (a label, not a content
    # type: recording costs one INSERT and nothing else).
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member whose data was changed or shown."),
    )
    target_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_user", "-created_at"], name="audit_target_user_time"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("Audit entries are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never deleted.")

    @property
    def target(self):
        """The object acted on, or None (no type, or since removed)."""
        if not self.target_type or self.target_id is None:
            return None
        try:
            model = apps.get_model(self.target_type)
        except (LookupError, ValueError):
            return None
        return model._default_manager.filter(pk=self.target_id).first()
