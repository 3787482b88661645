"""Seed the configurable list of deployment roles named in the seeds."""

from django.db import migrations

ROLES = [
    # (code, name, post kinds it applies to; empty = any)
    ("project_commissioner", "项目专员", ["project"]),
    ("party_building_instructor", "党建指导员", ["enterprise"]),
    ("enterprise_commissioner", "驻企特派员", ["enterprise"]),
    ("building_head", "楼栋长", ["building", "grid", "community", "village"]),
    ("grid_head", "网格长", ["grid", "community", "village"]),
    ("first_secretary", "第一书记", ["village", "community"]),
    ("technology_commissioner", "科技特派员", ["village", "enterprise", "project"]),
    ("policy_commissioner", "政策专员", []),
    ("investment_commissioner", "招商专员", ["enterprise", "project"]),
]


def seed(apps, schema_editor):
    DeploymentRole = apps.get_model("dispatch", "DeploymentRole")
    for order, (code, name, kinds) in enumerate(ROLES, start=1):
        DeploymentRole.objects.update_or_create(
            code=code, defaults={"name": name, "post_kinds": kinds, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    DeploymentRole = apps.get_model("dispatch", "DeploymentRole")
    DeploymentRole.objects.filter(
        code__in=[code for code, _, _ in ROLES], deployments__isnull=True, needs__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
