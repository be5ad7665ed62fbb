"""The 岚山 (371103) scheme amounts, when the region table is already loaded.

On a fresh database regions are loaded after migrating (`load_regions`), so this is a no-op
there and `subsidies.demo.seed` creates the same rows; both are idempotent.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from subsidies.demo import LANSHAN_SCHEMES, ensure_schemes

    Region = apps.get_model("regions", "Region")
    Scheme = apps.get_model("subsidies", "Scheme")
    if Region.objects.filter(code="371103").exists():
        ensure_schemes(Scheme, "371103", LANSHAN_SCHEMES)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0002_schemes_claims_batches")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
