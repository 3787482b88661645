"""What a user may do and see: the effective data scope and permission flags of their roles."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from frontline.core.models import SCOPE_WIDTH, DataScope, User


@dataclass(frozen=True)
class Access:
    scope: DataScope
    unit_id: int | None
    unit_path: str
    can_edit: bool = False
    can_import: bool = False
    can_export: bool = False
    can_view_sensitive: bool = False
    can_audit: bool = False
    can_admin_org: bool = False


NO_ACCESS = Access(scope=DataScope.OWN, unit_id=None, unit_path="")


def access_for(user: User | AnonymousUser) -> Access:
    """Return the user's combined access, cached on the user object for the request."""
    if not user.is_authenticated:
        return NO_ACCESS
    assert isinstance(user, User)
    cached: Access | None = getattr(user, "_frontline_access", None)
    if cached is not None:
        return cached
    roles = list(user.roles.all())
    unit = user.unit
    if user.is_superuser:
        scope = DataScope.ALL
    elif roles:
        scope = max((DataScope(r.scope) for r in roles), key=lambda s: SCOPE_WIDTH[s])
    else:
        scope = DataScope.OWN
    if scope in (DataScope.SUBTREE, DataScope.NODE) and unit is None:
        scope = DataScope.OWN  # a scope relative to a unit means nothing without one
    access = Access(
        scope=scope,
        unit_id=unit.pk if unit else None,
        unit_path=unit.path if unit else "",
        can_edit=user.is_superuser or any(r.can_edit for r in roles),
        can_import=user.is_superuser or any(r.can_import for r in roles),
        can_export=user.is_superuser or any(r.can_export for r in roles),
        can_view_sensitive=user.is_superuser or any(r.can_view_sensitive for r in roles),
        can_audit=user.is_superuser or any(r.can_audit for r in roles),
        can_admin_org=user.is_superuser or any(r.can_admin_org for r in roles),
    )
    user._frontline_access = access  # type: ignore[attr-defined]
    return access


def unit_scope_q(user: User | AnonymousUser, *, unit_field: str, own_q: Q | None = None) -> Q:
    """Return a filter for rows whose unit (reached through `unit_field`) is within the user's scope.

    `own_q` selects the rows that count as the user's own records under the "own" scope.
    """
    access = access_for(user)
    if access.scope == DataScope.ALL:
        return Q()
    if access.scope == DataScope.SUBTREE:
        return Q(**{f"{unit_field}__path__startswith": access.unit_path})
    if access.scope == DataScope.NODE:
        return Q(**{f"{unit_field}__pk": access.unit_id})
    return own_q if own_q is not None else Q(pk__in=[])
