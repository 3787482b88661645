"""Excel export of the reserve pool a user may see, through the shared writer (every cell as text or number)."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.excel.export import write_xlsx
from frontline.talent.models import ReservePoolEntry

EXPORT_LIMIT = 100_000


def _headers() -> list[str]:
    return [
        _("姓名"),
        _("派出单位"),
        _("职务"),
        _("职级"),
        _("推荐依据"),
        _("推荐规则"),
        _("推荐理由"),
        _("依据的考核期"),
        _("状态"),
        _("提名人"),
        _("提名时间"),
        _("审批人"),
        _("审批时间"),
        _("审批意见"),
    ]


def _periods(entry: ReservePoolEntry) -> str:
    periods = (entry.evidence or {}).get("periods") or []
    return "；".join(
        f"{p.get('label', '')} {p.get('total', '')}（{p.get('rank_in_group') or '—'}/{p.get('group_size') or '—'}）"
        for p in periods
    )


def _rows(entries: Iterable[ReservePoolEntry]) -> Iterator[list[Any]]:
    for e in entries:
        yield [
            e.cadre.name,
            e.cadre.home_unit.name,
            e.cadre.position,
            e.cadre.get_rank_display(),
            e.get_basis_display(),
            e.rule_description,
            e.reason,
            _periods(e),
            e.get_status_display(),
            str(e.nominated_by) if e.nominated_by else "",
            e.nominated_at,
            str(e.decided_by) if e.decided_by else "",
            e.decided_at,
            e.decision_note,
        ]


def reserve_pool_xlsx(*, actor: User, entries: QuerySet[ReservePoolEntry], filters: str = "") -> bytes:
    """Return the entries as .xlsx (at most EXPORT_LIMIT rows); the export is audited."""
    if not access_for(actor).can_export:
        raise ApplicationError(_("您的角色没有导出权限。"), code="forbidden")
    rows = _rows(entries[:EXPORT_LIMIT].iterator(chunk_size=2000))
    content = write_xlsx(_headers(), rows, sheet_name=_("后备干部库"))
    # The audit log is kept in the product's language, whatever the exporting user reads.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        audit(
            actor=actor,
            action=AuditAction.EXPORT,
            object_type="talent.reservepoolentry",
            object_repr=_("后备干部库导出"),
            note=_("筛选：%(filters)s") % {"filters": filters or _("无")},
        )
    return content


def reserve_pool_filename() -> str:
    return f"{_('后备干部库')}_{timezone.localdate():%Y%m%d}.xlsx"
