"""The problem tally behind the supervisor board's figures, filled from the existing problems."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    problem = apps.get_model("ledger", "Problem")
    tally = apps.get_model("ledger", "ProblemTally")
    rows = (
        problem.objects.order_by()
        .annotate(sent_back=models.Case(models.When(send_back_count__gt=0, then=True), default=False))
        .values(
            "post_unit_id",
            "department_id",
            "status",
            "is_overdue",
            "sent_back",
            "deadline_unconfirmed",
            "closed_without_confirmation",
        )
        .annotate(n=models.Count("id"))
    )
    tally.objects.bulk_create(
        [
            tally(
                post_unit_id=row["post_unit_id"],
                department_key=row["department_id"] or 0,
                status=row["status"],
                is_overdue=row["is_overdue"],
                sent_back=row["sent_back"],
                deadline_unconfirmed=row["deadline_unconfirmed"],
                closed_without_confirmation=row["closed_without_confirmation"],
                slot=0,
                count=row["n"],
            )
            for row in rows
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_attachments_and_enterprise_plans"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProblemTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("department_key", models.BigIntegerField(default=0, verbose_name="承办部门")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("registered", "已登记"),
                            ("handed_over", "已交办"),
                            ("sent_back", "已退单"),
                            ("in_progress", "办理中"),
                            ("resolved", "已办结待回访"),
                            ("supervised", "督办中"),
                            ("closed", "已关闭"),
                        ],
                        max_length=12,
                        verbose_name="状态",
                    ),
                ),
                ("is_overdue", models.BooleanField(verbose_name="已超期")),
                ("sent_back", models.BooleanField(verbose_name="有退单")),
                ("deadline_unconfirmed", models.BooleanField(verbose_name="期限未经官方日历确认")),
                ("closed_without_confirmation", models.BooleanField(verbose_name="未经确认关闭")),
                ("slot", models.PositiveSmallIntegerField(default=0, verbose_name="分片")),
                ("count", models.IntegerField(default=0, verbose_name="数量")),
                (
                    "post_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.unit",
                        verbose_name="阵地管理单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "问题计数",
                "verbose_name_plural": "问题计数",
                "indexes": [models.Index(fields=["department_key"], name="problem_tally_department_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "post_unit",
                            "department_key",
                            "status",
                            "is_overdue",
                            "sent_back",
                            "deadline_unconfirmed",
                            "closed_without_confirmation",
                            "slot",
                        ),
                        name="problem_tally_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
