"""Indexes for the supervisor board's lists, replacing the plain overdue ones; no second index on
foreign keys that lead a composite index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0002_initial"),
        ("ledger", "0007_problem_tally"),
        ("org", "0001_initial"),
        ("posts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="problem",
            name="problem_overdue_idx",
        ),
        migrations.AlterField(
            model_name="problem",
            name="is_overdue",
            field=models.BooleanField(default=False, verbose_name="已超期"),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(
                    ("is_overdue", True),
                    ("status__in", ("registered", "handed_over", "sent_back", "in_progress", "resolved", "supervised")),
                ),
                fields=["resolve_due", "handover_due", "id"],
                name="problem_board_overdue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(
                    ("send_back_count__gt", 0),
                    ("status__in", ("registered", "handed_over", "sent_back", "in_progress", "resolved", "supervised")),
                ),
                fields=["-send_back_count", "id"],
                name="problem_board_sent_back_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("status", "supervised")),
                fields=["resolve_due", "id"],
                name="problem_board_supervised_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("registered", "handed_over", "sent_back", "in_progress", "resolved", "supervised")),
                    models.Q(
                        ("is_overdue", True), ("send_back_count__gt", 0), ("status", "supervised"), _connector="OR"
                    ),
                ),
                fields=["post_unit"],
                name="problem_board_unit_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("registered", "handed_over", "sent_back", "in_progress", "resolved", "supervised")),
                    models.Q(
                        ("is_overdue", True), ("send_back_count__gt", 0), ("status", "supervised"), _connector="OR"
                    ),
                ),
                fields=["department"],
                name="problem_board_department_idx",
            ),
        ),
        migrations.AlterField(
            model_name="problem",
            name="cadre",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="ledger_problems",
                to="cadres.cadre",
                verbose_name="包联干部",
            ),
        ),
        migrations.AlterField(
            model_name="problem",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="created_problems",
                to=settings.AUTH_USER_MODEL,
                verbose_name="登记人",
            ),
        ),
        migrations.AlterField(
            model_name="problem",
            name="department",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assigned_problems",
                to="org.unit",
                verbose_name="承办部门",
            ),
        ),
        migrations.AlterField(
            model_name="problem",
            name="post",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="problems",
                to="posts.post",
                verbose_name="阵地",
            ),
        ),
        migrations.AlterField(
            model_name="problem",
            name="post_unit",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.unit",
                verbose_name="阵地管理单位",
            ),
        ),
    ]
