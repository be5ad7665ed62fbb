"""The 岚山 (371103) scheme amounts, when the region table is already loaded.

On a fresh database regions are loaded after migrating (`load_regions`), so this is a no-op
there and `subsidies.demo.seed` creates the same rows; both are idempotent.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


from decimal import Decimal

# As this migration first wrote them; the amounts now live in fixtures/rules/371103.yaml, whose
# loader takes these rows over (same amounts) rather than adding overlapping ones.
LANSHAN_SCHEMES = [
    {"kind": "startup", "amount": Decimal("20000.00"),
     "basis": "日照市岚山区托育服务实施意见：一次性开办补助每班2万元"},
    {"kind": "family_fee", "amount": Decimal("300.00"), "amount_third_plus": Decimal("600.00"),
     "basis": "日照市岚山区：二孩每人每月300元，三孩及以上每人每月600元"},
    {"kind": "demonstration_award", "amount": Decimal("50000.00"),
     "basis": "日照市岚山区：示范性托育机构一次性奖励5万元"},
    {"kind": "place_operation", "amount": Decimal("100.00"),
     "basis": "示例金额：请按当地文件（如公办幼儿园生均公用经费）核定后修改", "illustrative": True},
]  # fmt: skip


def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from subsidies.demo import ensure_schemes

    Region = apps.get_model("regions", "Region")
    Scheme = apps.get_model("subsidies", "Scheme")
    if Region.objects.filter(code="371103").exists():
        ensure_schemes(Scheme, "371103", LANSHAN_SCHEMES)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0002_schemes_claims_batches")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
