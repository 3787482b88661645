"""Copy each problem's post unit onto the problem, so scope filters need no join."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    problem = apps.get_model("ledger", "Problem")
    post = apps.get_model("posts", "Post")
    problem.objects.filter(post_unit__isnull=True).update(
        post_unit=models.Subquery(post.objects.filter(pk=models.OuterRef("post_id")).values("unit_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_three_lists"),
        ("org", "0001_initial"),
        ("posts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="problem",
            name="post_unit",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.unit",
                verbose_name="阵地管理单位",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="problem",
            name="post_unit",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.unit",
                verbose_name="阵地管理单位",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(fields=["post_unit", "status"], name="problem_post_unit_status_idx"),
        ),
    ]
