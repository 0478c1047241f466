from django.db import migrations

# The region rules a park starts with: one per level, with the thresholds the region page used as
# its defaults before rules were stored (C/D share 20 %, 30 open alerts per 100 enterprises), and
# at least 10 enterprises (graded ones for the C/D share) so a small building does not trigger on
# one C. Frozen here on purpose: later changes to the code's defaults must not rewrite history.
LEVELS = (
    ("zone", "片区风险聚集"),
    ("plot", "地块风险聚集"),
    ("building", "楼宇风险聚集"),
    ("industry", "行业风险聚集"),
    ("cluster", "产业集群风险聚集"),
)


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    if AlertRule.objects.filter(family="region").exists():
        return  # staff (or a re-run) already set the region rules up
    for level, name in LEVELS:
        if AlertRule.objects.filter(code=f"region_{level}").exists():
            continue
        AlertRule.objects.create(
            code=f"region_{level}",
            name=name,
            family="region",
            params={"levels": [level], "cd_share": 0.2, "alerts_per_100": 30.0, "min_enterprises": 10},
            severity="warning",
            enabled=True,
            notify_enterprise=False,
            due_workdays=5,
        )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_region_alerts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
