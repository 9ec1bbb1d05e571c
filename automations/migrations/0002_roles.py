"""Give the Club manager role the automation settings (roles.py)."""

from django.db import migrations

from portal.accounts.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("automations", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
