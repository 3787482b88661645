"""Write audit rows in the caller's transaction: if the audit write fails, the change rolls back."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from frontline.core.context import current_ip
from frontline.core.inserts import insert_instance
from frontline.core.models import AuditAction, AuditLog, User


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return str(value)


def audit(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    actor_name: str = "",
) -> AuditLog:
    """Record one audited event; call it inside the transaction that makes the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    clean_changes = {k: [_json_value(v[0]), _json_value(v[1])] for k, v in (changes or {}).items()}
    entry = AuditLog(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_name or (actor.get_username() if actor is not None and actor.pk else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=clean_changes,
        ip=current_ip.get(),
        note=note[:500],
    )
    insert_instance(entry)  # the ORM's save compiles its INSERT anew each time; audit rows are many
    return entry


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the current values of `fields` on `obj`, for a later `diff`."""
    return {name: getattr(obj, name) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Return {field: (old, new)} for the fields whose value changed."""
    return {k: (before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)}
