"""Give the Club manager role the forum categories (roles.py)."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_consent_changes"),
        ("forums", "0002_search_indexes"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
