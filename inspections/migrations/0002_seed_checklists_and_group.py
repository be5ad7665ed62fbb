"""Seed checklist templates v1 and the "inspectors" group (add/change/view on inspections only)."""

from __future__ import annotations

from typing import Any

from django.apps.registry import Apps
from django.db import migrations

INSPECTOR_MODELS = [
    "inspection",
    "finding",
    "findingevidence",
    "rectification",
]
# Penalties are decided by the county health bureau, not by inspectors: view only.
VIEW_ONLY_MODELS = ["checklisttemplate", "findingtransition", "creditrecord", "enforcementaction"]


def forward(apps: Apps, schema_editor: Any) -> None:
    from django.contrib.auth.management import create_permissions

    from inspections.checklists import TEMPLATES

    ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
    for data in TEMPLATES:
        ChecklistTemplate.objects.update_or_create(
            code=data["code"], version=data["version"], defaults={**data}
        )
    # Permissions are normally created after migrate; create them now so the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="inspectors")
    codenames = [f"{verb}_{m}" for m in INSPECTOR_MODELS for verb in ("add", "change", "view")]
    codenames += [f"view_{m}" for m in VIEW_ONLY_MODELS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="inspections", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_supervision_models"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
