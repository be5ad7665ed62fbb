from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    """btree_gist lets the scheme exclusion constraint mix = (region, kind) with && (dates)."""

    initial = True
    dependencies: list = []
    operations = [BtreeGistExtension()]
