"""Seed the holiday table from chinesecalendar (2004–2026) and the default problem categories."""

from django.db import migrations


def seed(apps, schema_editor):
    from frontline.ledger.holidays import seed_from_package
    from frontline.ledger.reference import seed_categories

    seed_from_package(apps.get_model("ledger", "Holiday"), apps.get_model("ledger", "YearSchedule"))
    seed_categories(apps.get_model("ledger", "ProblemCategory"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
