from django.db import migrations

# Region rules gain `vs_park`: a region reaches a threshold only when it is also at least that many
# times the whole park's value (docs/alerts.md, "高于全园倍数"). The default rules of existing parks
# get 1.5, the default of new rules, so a park that is high everywhere stops flagging nearly every
# region. Rules staff created under other codes are left as they are: a stored rule without
# `vs_park` means 1.0 (absolute thresholds only), so they keep flagging what they flagged until
# someone edits them. A rule that already has the parameter keeps its value. Frozen here on
# purpose: later changes to the code's default must not rewrite history.
DEFAULT_CODES = ("region_zone", "region_plot", "region_building", "region_industry", "region_cluster")
VS_PARK = 1.5


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in AlertRule.objects.filter(family="region", code__in=DEFAULT_CODES):
        params = dict(rule.params or {})
        if "vs_park" in params:
            continue
        params["vs_park"] = VS_PARK
        rule.params = params
        rule.save(update_fields=["params"])


def unseed(apps, schema_editor):
    # The code before this migration refuses a parameter it does not know: take it off every region rule.
    AlertRule = apps.get_model("alerts", "AlertRule")
    for rule in AlertRule.objects.filter(family="region"):
        params = dict(rule.params or {})
        if params.pop("vs_park", None) is not None:
            rule.params = params
            rule.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_region_rules_seed")]
    operations = [migrations.RunPython(seed, unseed)]
