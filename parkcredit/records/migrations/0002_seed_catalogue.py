from django.db import migrations

from creditcore.catalogue import RECORD_KINDS


def seed(apps, schema_editor):
    # Creates missing kinds only; later catalogue changes are applied by `parkcredit catalogue sync`.
    RecordKind = apps.get_model("records", "RecordKind")
    for spec in RECORD_KINDS:
        RecordKind.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "category": spec.category.value,
                "polarity": spec.polarity.value,
                "severities": [s.value for s in spec.severities],
                "has_amount": spec.has_amount,
                "payload_fields": list(spec.payload_fields),
                "publicity_rule": spec.publicity_rule,
                "repair_rule": spec.repair_rule,
                "description": spec.description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
