"""Units by name or full path, as typed in a sheet, within the uploader's scope."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from frontline.core.models import User
from frontline.org.models import Unit
from frontline.org.selectors import unit_list

PATH_SEPARATOR = "/"
_SEPARATORS = re.compile(r"\s*[/／]\s*")


@dataclass(frozen=True)
class UnitChoice:
    pk: int
    name: str
    full_path: str


class UnitDirectory:
    """The units a user may name in a sheet: by name when it is unique, otherwise by full path.

    The full path is the names from the root, separated by "/", such as
    "中共湖北省委/中共黄石市委/新港园区". One query for the user's units, one for the names of
    the units above them.
    """

    def __init__(self, user: User) -> None:
        self.objects: dict[int, Unit] = {u.pk: u for u in unit_list(user=user).select_related(None)}
        rows = [(u.pk, u.name, u.path) for u in self.objects.values()]
        in_scope = set(self.objects)
        names = {pk: name for pk, name, _path in rows}
        above = {int(p) for _pk, _name, path in rows for p in path.strip("/").split("/") if p} - in_scope
        if above:
            names.update(Unit.objects.filter(pk__in=above).values_list("pk", "name"))
        self.units: list[UnitChoice] = []
        self._by_name: dict[str, list[int]] = {}
        self._by_path: dict[str, int] = {}
        for pk, name, path in rows:
            chain = [int(p) for p in path.strip("/").split("/") if p] or [pk]
            full = PATH_SEPARATOR.join(names.get(p, "?") for p in chain)
            self.units.append(UnitChoice(pk=pk, name=name, full_path=full))
            self._by_name.setdefault(name, []).append(pk)
            self._by_path[full] = pk
        self._labels = {u.pk: (u.name if len(self._by_name[u.name]) == 1 else u.full_path) for u in self.units}
        self.units.sort(key=lambda u: u.full_path)

    def __contains__(self, pk: object) -> bool:
        return pk in self.objects

    def resolve(self, text: str) -> int:
        """Return the primary key of the unit named `text`, or raise LookupError with the reason."""
        text = text.strip()
        if _SEPARATORS.search(text):
            pk = self._by_path.get(_SEPARATORS.sub(PATH_SEPARATOR, text).strip(PATH_SEPARATOR))
            if pk is None:
                raise LookupError(_("找不到完整路径为“%(path)s”的单位，或该单位不在您的数据范围内。") % {"path": text})
            return pk
        found = self._by_name.get(text, [])
        if not found:
            raise LookupError(_("找不到名为“%(name)s”的单位，或该单位不在您的数据范围内。") % {"name": text})
        if len(found) > 1:
            raise LookupError(
                _("有 %(n)s 个名为“%(name)s”的单位，请填写完整路径，如“%(example)s”。")
                % {"n": len(found), "name": text, "example": self.full_path(found[0])}
            )
        return found[0]

    def full_path(self, pk: int) -> str:
        return next((u.full_path for u in self.units if u.pk == pk), "")

    def label(self, pk: int, fallback: str = "") -> str:
        """Return how the unit is written in a sheet: its name, or its full path when the name repeats."""
        return self._labels.get(pk, fallback)
