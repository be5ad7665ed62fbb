# Membership moves here from registry without touching the database: the model keeps its table
# (db_table="registry_membership"). Its content type is relabelled so that permissions granted
# on it and admin log entries follow the model.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, from_label: str, to_label: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=to_label, model="membership").exists():
        return
    content_type.objects.filter(app_label=from_label, model="membership").update(
        app_label=to_label
    )


def forwards(apps, schema_editor) -> None:
    _relabel(apps, "registry", "accounts")


def backwards(apps, schema_editor) -> None:
    _relabel(apps, "accounts", "registry")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens_and_login_throttle"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("registry", "0012_membership_moves_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="创建时间"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        (
                            "is_owner",
                            models.BooleanField(default=False, verbose_name="举办者（可添加同事）"),
                        ),
                        (
                            "added_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "institution",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="registry.institution",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "机构成员",
                        "verbose_name_plural": "机构成员",
                        "db_table": "registry_membership",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("institution", "user"), name="membership_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
