"""Excel export of a period's ranking, through the shared writer (every cell text or number)."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils.translation import gettext as _

from frontline.appraisal.models import AppraisalPeriod, CadreScore
from frontline.dispatch.models import FrontlineKind
from frontline.excel.export import write_xlsx


def ranking_headers(group_label: str) -> list[str]:
    return [
        _("总排名"),
        group_label,
        _("干部"),
        _("派出单位"),
        _("角色"),
        _("阵地类型"),
        _("阵地"),
        _("计算得分"),
        _("最终得分"),
        _("同类百分位"),
        _("等次"),
        _("诚信预警"),
    ]


def _rows(scores: Iterable[CadreScore], band_labels: dict[str, str]) -> Iterator[list[Any]]:
    kinds = {k: str(label) for k, label in FrontlineKind.choices}
    for s in scores:
        yield [
            s.rank,
            getattr(s, "group_rank", s.rank_in_group),
            s.cadre.name,
            s.home_unit.name,
            s.role.name if s.role else "",
            kinds.get(s.frontline_kind, s.frontline_kind),
            s.post.name if s.post else "",
            s.computed_total,
            s.total,
            s.percentile_in_group,
            band_labels.get(s.band, s.band),
            getattr(s, "flag_count", 0) or "",
        ]


def ranking_xlsx(period: AppraisalPeriod, scores: Iterable[CadreScore], *, group_label: str) -> bytes:
    """Return an .xlsx with one row per score, in the order given."""
    band_labels = {str(b.get("code", "")): str(b.get("label", "")) for b in period.scheme.bands or []}
    return write_xlsx(ranking_headers(group_label), _rows(scores, band_labels), sheet_name=_("考核排名"))
