from django.db import migrations

from parkcredit.commitments.seed import SEED_TEMPLATES

SOURCE_CODE = "park-commitments"


def seed(apps, schema_editor):
    # First versions of the starter templates and the ledger source for commitment outcomes;
    # existing rows (a re-run, or templates staff already created under these codes) are left alone.
    Template = apps.get_model("commitments", "CommitmentTemplate")
    DataSource = apps.get_model("records", "DataSource")
    for entry in SEED_TEMPLATES:
        if Template.objects.filter(code=entry["code"]).exists():
            continue
        Template.objects.create(version=1, is_current=True, public_default=True, **entry)
    DataSource.objects.get_or_create(code=SOURCE_CODE, defaults={"name": "园区信用承诺管理", "kind": "park"})


class Migration(migrations.Migration):
    dependencies = [("commitments", "0001_initial"), ("records", "0005_record_fk_indexes")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
