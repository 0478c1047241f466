from django.db import migrations

# The park's departments (the economic development department leads the credit programme).
DEPARTMENTS = [
    ("jjfzb", "经济发展部", True),
    ("czjrb", "财政金融部", False),
    ("ghjsb", "规划建设部", False),
    ("tzcjb", "投资促进部", False),
    ("zhb", "综合部", False),
]


def create_departments(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for code, name, is_lead in DEPARTMENTS:
        Organisation.objects.get_or_create(
            code=code, defaults={"name": name, "kind": "park_department", "is_lead": is_lead}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(create_departments, migrations.RunPython.noop)]
