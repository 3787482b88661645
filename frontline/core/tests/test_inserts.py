"""The compiled single-row INSERT and the joined lookup give what the ORM gives, on both backends."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontline.core.inserts import get_with_related, insert_instance
from frontline.core.models import AuditLog
from frontline.ledger.models import Problem, ProblemCategory, ProblemEvent
from frontline.ledger.reference import ensure_reference_data
from frontline.posts.models import Post, PostKind

pytestmark = pytest.mark.django_db


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}  # type: ignore[attr-defined]


def test_insert_instance_stores_what_save_would(world) -> None:
    ensure_reference_data()
    post = Post.objects.create(
        kind=PostKind.COMMUNITY, name="黄石港社区", region=world.huangshi.region, unit=world.huangshi
    )
    category = ProblemCategory.objects.get(code="livelihood")
    now = timezone.now()
    values = dict(
        tracking_code="ABCDEFGHJK",
        post=post,
        region_id=post.region_id,
        post_unit_id=post.unit_id,
        category=category,
        title="老人买药",
        description="社区老人买药不便",
        handover_due=date(2026, 12, 7),
        resolve_due=date(2026, 12, 15),
        deadline_unconfirmed=True,
        created_at=now,
    )
    fast = Problem(**values)
    insert_instance(fast)
    assert fast.pk is not None
    assert fast._state.adding is False
    slow = Problem(**{**values, "tracking_code": "ZYXWVUTSRQ"})
    slow.save(force_insert=True)
    stored_fast, stored_slow = Problem.objects.get(pk=fast.pk), Problem.objects.get(pk=slow.pk)
    differ = {"id", "tracking_code", "updated_at"}
    assert {k: v for k, v in _fields(stored_fast).items() if k not in differ} == {
        k: v for k, v in _fields(stored_slow).items() if k not in differ
    }
    assert stored_fast.handover_due == date(2026, 12, 7)
    assert stored_fast.deadline_unconfirmed is True
    assert stored_fast.updated_at is not None  # auto_now filled by pre_save
    assert abs(stored_fast.updated_at - timezone.now()) < timedelta(minutes=1)

    # A JSON column and a related instance.
    event = ProblemEvent(problem=fast, action="register", actor_name="x", to_status="registered", created_at=now)
    insert_instance(event)
    assert ProblemEvent.objects.get(pk=event.pk).problem_id == fast.pk
    entry = AuditLog(actor_name="x", action="create", object_type="t", changes={"状态": [None, "已登记"], "n": [1, 2]})
    insert_instance(entry)
    assert AuditLog.objects.get(pk=entry.pk).changes == {"状态": [None, "已登记"], "n": [1, 2]}


def test_insert_instance_expressions_and_returning(world) -> None:
    ensure_reference_data()
    post = Post.objects.create(kind=PostKind.GRID, name="一网格", region=world.huangshi.region, unit=world.huangshi)
    problem = Problem(
        tracking_code="QWERTYUPAS",
        post=post,
        region_id=post.region_id,
        post_unit_id=post.unit_id,
        category=ProblemCategory.objects.get(code="livelihood"),
        title="t",
        description="d",
        created_at=timezone.now(),
    )
    insert_instance(
        problem, expressions={"send_back_count": ("(SELECT %s + %s)", [2, 3])}, returning=["send_back_count"]
    )
    assert problem.send_back_count == 5
    assert Problem.objects.get(pk=problem.pk).send_back_count == 5
    # Database errors are Django's, and roll back with the caller's transaction.
    duplicate = Problem(
        tracking_code=problem.tracking_code,
        post=post,
        region_id=post.region_id,
        post_unit_id=post.unit_id,
        category_id=problem.category_id,
        title="t",
        description="d",
        created_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_instance(duplicate)


def test_get_with_related_matches_select_related(world) -> None:
    post = Post.objects.create(
        kind=PostKind.ENTERPRISE, name="迪尚集团", region=world.huangshi.region, unit=world.huangshi, is_key=True
    )
    fast = get_with_related(Post, post.pk, "unit")
    slow = Post.objects.select_related("unit").get(pk=post.pk)
    assert fast is not None
    assert _fields(fast) == _fields(slow)
    assert fast.is_key is True  # SQLite's 1 converted as the ORM does
    assert _fields(fast.unit) == _fields(slow.unit)
    assert fast._state.adding is False
    assert get_with_related(Post, post.pk + 1000, "unit") is None
    with pytest.raises(ValueError, match="non-null foreign key"):
        get_with_related(Post, post.pk, "parent")
