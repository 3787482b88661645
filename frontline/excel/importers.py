"""Check every row of a cadre or post sheet, then write them all at once.

`validate` reads the whole sheet and returns every problem (row as Excel numbers it, column
header, the value masked for IDs and phones, and why); it writes nothing. `write` inserts the
rows in batches and must run inside the caller's transaction, after a clean `validate`.

Rows are checked with the same rules as the forms: cadres.services.validate_cadre_data and
posts.services.validate_post_data. For cadres the database is asked a fixed number of questions
per 1,000 rows (units, regions, duplicate IDs), never one per row, and rows are inserted with
`bulk.insert_many`, which is five times cheaper than bulk_create at 100,000 rows. Post rows go
through validate_post_data, which looks up the region, unit, parent and USCC of each row: a few
queries a row, fine for the thousands of posts a county has; they are inserted with bulk_create.
"""

import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from frontline.cadres.models import Cadre, PoliticalStatus, Rank
from frontline.cadres.selectors import cadre_scope_q
from frontline.cadres.services import CadreData, tags_by_name, validate_cadre_data
from frontline.core import crypto
from frontline.core.idcodes import mask_mobile, mask_resident_id
from frontline.core.models import User
from frontline.excel.bulk import insert_many
from frontline.excel.cells import CellError, display_value, reader_for, split_tags
from frontline.excel.columns import CADRE_COLUMNS, POST_COLUMNS, Column, normalize_header
from frontline.excel.pinyin import fast_name_pinyin
from frontline.excel.reader import Cell, Sheet, column_letters
from frontline.excel.units import UnitDirectory
from frontline.org.models import Region, Unit
from frontline.org.selectors import normalize_region_code
from frontline.posts.models import Post, PostKind
from frontline.posts.selectors import post_list
from frontline.posts.services import PARENT_KINDS, PostData, validate_post_data

Progress = Callable[[int, int], None]

QUERY_CHUNK = 1000
INSERT_BATCH = 2000
# The report keeps this many problems; a file with more has one systematic mistake to fix first.
MAX_REPORTED_ERRORS = 10_000


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: the row as Excel numbers it (None for the whole file), the column, the value, why."""

    row: int | None
    column: str
    value: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


def chunks[T](items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def region_code(text: str) -> str:
    """Return a division code or prefix padded to 12 digits (as the forms read it), or raise CellError."""
    code = normalize_region_code(text)
    if code is None:
        raise CellError(_("区划代码应为 12 位数字或其前缀（如 420222103），当前为“%(code)s”。") % {"code": text[:20]})
    return code


class Importer(ABC):
    """The rows of one sheet: header check, cell reading, row rules, then checks against the database."""

    kind: str
    columns: tuple[Column, ...]

    def __init__(self, *, actor: User, today: datetime.date) -> None:
        self.actor = actor
        self.today = today
        self.errors: list[RowError] = []
        self.total_rows = 0
        self._column_order = {c.header: i for i, c in enumerate(self.columns)}
        self._by_field = {c.field: c for c in self.columns}
        self._units: UnitDirectory | None = None

    @property
    def units(self) -> UnitDirectory:
        if self._units is None:
            self._units = UnitDirectory(self.actor)
        return self._units

    # -- reporting -------------------------------------------------------------------------
    def error(self, row: int | None, column: Column | None, raw: object, message: str) -> None:
        self.errors.append(
            RowError(
                row=row,
                column=column.header if column else "",
                value=display_value(column, raw) if column else str(raw or ""),
                message=message,
            )
        )

    def report(self) -> list[RowError]:
        """Return the problems in row and column order, at most MAX_REPORTED_ERRORS of them."""
        ordered = sorted(self.errors, key=lambda e: (e.row or 0, self._column_order.get(e.column, -1)))
        if len(ordered) <= MAX_REPORTED_ERRORS:
            return ordered
        hidden = len(ordered) - MAX_REPORTED_ERRORS
        return [
            *ordered[:MAX_REPORTED_ERRORS],
            RowError(None, "", "", _("另有 %(n)s 处错误未列出，请先改正以上错误后重新导入。") % {"n": hidden}),
        ]

    # -- the sheet -------------------------------------------------------------------------
    def _map_header(self, sheet: Sheet) -> dict[str, int] | None:
        known = {c.header: c for c in self.columns}
        found: dict[str, int] = {}
        unknown: list[str] = []
        duplicate: list[str] = []
        for index, cell in enumerate(sheet.header):
            header = normalize_header(cell)
            if not header:
                continue
            if header not in known:
                unknown.append(f"{column_letters(index)}1“{str(cell).strip()[:30]}”")
            elif known[header].field in found:
                duplicate.append(f"“{header}”")
            else:
                found[known[header].field] = index
        missing = [f"“{c.header}”" for c in self.columns if c.required and c.field not in found]
        if not (missing or unknown or duplicate):
            return found
        problems = []
        if missing:
            problems.append(_("缺少必填列 %(names)s") % {"names": "、".join(missing)})
        if unknown:
            problems.append(_("无法识别的列 %(names)s") % {"names": "、".join(unknown)})
        if duplicate:
            problems.append(_("重复的列 %(names)s") % {"names": "、".join(duplicate)})
        self.errors.append(
            RowError(
                1,
                "",
                "",
                _("第 1 行的列名有误：%(problems)s。第 1 行应为列名，请使用导入模板中的列名（见“说明”工作表）。")
                % {"problems": "；".join(problems)},
            )
        )
        return None

    def validate(self, sheet: Sheet, progress: Progress | None = None) -> list[RowError]:
        """Check the whole sheet; return every problem found (an empty list means it can be written)."""
        self.errors = []
        if not sheet.rows:
            self.error(None, None, "", _("表格是空的：第一个工作表中没有任何内容。"))
            return self.report()
        indexes = self._map_header(sheet)
        if indexes is None:
            return self.report()
        rows = list(sheet.data_rows())
        self.total_rows = len(rows)
        if not rows:
            self.error(None, None, "", _("表格中没有数据：第 1 行是列名，请从第 2 行起每行填写一条记录。"))
            return self.report()
        readers = [(c, indexes.get(c.field), reader_for(c)) for c in self.columns]
        formulas: dict[int, set[int]] = {}
        for row_index, col_index in sheet.formula_cells:
            formulas.setdefault(row_index + 1, set()).add(col_index)
        step = max(200, len(rows) // 50)
        for done, (row_number, cells) in enumerate(rows, start=1):
            values: dict[str, Any] = {}
            raw: dict[str, Cell] = {}
            bad: set[str] = set()
            formula_columns = formulas.get(row_number, ())
            for column, index, read in readers:
                if index is None:
                    values[column.field] = None
                    continue
                cell = cells[index] if index < len(cells) else ""
                raw[column.field] = cell
                if index in formula_columns:
                    self.error(
                        row_number,
                        column,
                        cell,
                        _("该单元格是公式，不能导入。请复制后“选择性粘贴 → 数值”，再重新导入。"),
                    )
                    bad.add(column.field)
                    values[column.field] = None
                    continue
                try:
                    value = read(cell)
                except CellError as exc:
                    self.error(row_number, column, cell, str(exc))
                    bad.add(column.field)
                    value = None
                else:
                    if value is None and column.required:
                        self.error(row_number, column, cell, _("%(header)s不能为空。") % {"header": column.header})
                        bad.add(column.field)
                values[column.field] = value
            self.check_row(row_number, values, raw, bad)
            if progress is not None and done % step == 0:
                progress(done, len(rows))
        self.check_against_database()
        if progress is not None:
            progress(len(rows), len(rows))
        return self.report()

    @abstractmethod
    def check_row(self, row_number: int, values: dict[str, Any], raw: dict[str, Cell], bad: set[str]) -> None:
        """Apply the row rules; remember the row for `write` when it is good."""

    @abstractmethod
    def check_against_database(self) -> None:
        """Check what needs the database (existing codes, duplicates), in a few queries."""

    @abstractmethod
    def write(self) -> int:
        """Insert the checked rows (inside the caller's transaction) and return how many."""

    # -- shared row parts --------------------------------------------------------------------
    def resolve_unit(self, row_number: int, field_name: str, values: dict[str, Any], bad: set[str]) -> int | None:
        text = values.get(field_name)
        if not text or field_name in bad:
            return None
        try:
            return self.units.resolve(str(text))
        except LookupError as exc:
            self.error(row_number, self._by_field[field_name], text, str(exc))
            bad.add(field_name)
            return None

    def read_region(self, row_number: int, field_name: str, values: dict[str, Any], bad: set[str]) -> str | None:
        text = values.get(field_name)
        if not text or field_name in bad:
            return None
        try:
            return region_code(str(text))
        except CellError as exc:
            self.error(row_number, self._by_field[field_name], text, str(exc))
            bad.add(field_name)
            return None

    def check_regions(self, field_name: str, rows_by_code: dict[str, list[int]]) -> None:
        """Report the rows whose division code is not in the division table."""
        codes = list(rows_by_code)
        existing: set[str] = set()
        for chunk in chunks(codes, QUERY_CHUNK):
            existing.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
        column = self._by_field[field_name]
        for code in codes:
            if code not in existing:
                for row_number in rows_by_code[code]:
                    self.error(
                        row_number,
                        column,
                        code,
                        _("区划代码 %(code)s 不在系统的行政区划中，请核对（可在“行政区划”页面查询）。")
                        % {"code": code},
                    )


# -- cadres ---------------------------------------------------------------------------------------

CADRE_FIELD_COLUMNS = {
    "name": "name",
    "id_number": "id_number",
    "gender": "gender",
    "birth_date": "birth_date",
    "phone": "phone",
    "political_status": "political_status",
    "rank": "rank",
    "expertise": "expertise",
    "home_latitude": "home_latitude",
    "home_longitude": "home_longitude",
}


@dataclass(slots=True)
class CadreRow:
    row_number: int
    name: str
    id_number: str
    gender: str
    birth_date: datetime.date
    phone: str
    political_status: str
    home_unit_id: int
    position: str
    rank: int
    tags: list[str]
    full_time_eligible: bool
    residence_region_id: str | None
    home_latitude: float | None
    home_longitude: float | None
    note: str


class CadreImporter(Importer):
    kind = "cadres"
    columns = CADRE_COLUMNS

    def __init__(self, *, actor: User, today: datetime.date) -> None:
        super().__init__(actor=actor, today=today)
        self.rows: list[CadreRow] = []
        self._row_of_id: dict[str, int] = {}
        self._regions: dict[str, list[int]] = {}
        self._hash_of_id: dict[str, str] = {}
        # validate_cadre_data does not look at the home unit; an unknown unit is reported on its own.
        self._no_unit = Unit(name="")

    def check_row(self, row_number: int, values: dict[str, Any], raw: dict[str, Cell], bad: set[str]) -> None:
        errors_before = len(self.errors)
        unit_id = self.resolve_unit(row_number, "home_unit", values, bad)
        region = self.read_region(row_number, "residence_region", values, bad)
        if region is not None:
            self._regions.setdefault(region, []).append(row_number)
        tags = split_tags(values["expertise"])
        data = CadreData(
            name=values["name"] or "",
            id_number=values["id_number"] or "",
            home_unit=self.units.objects[unit_id] if unit_id is not None else self._no_unit,
            phone=values["phone"] or "",
            gender=values["gender"] or "",
            birth_date=values["birth_date"],
            political_status=values["political_status"] or PoliticalStatus.PARTY_MEMBER,
            position=values["position"] or "",
            rank=values["rank"] or Rank.STAFF,
            expertise=tags,
            full_time_eligible=True if values["full_time_eligible"] is None else values["full_time_eligible"],
            home_latitude=values["home_latitude"],
            home_longitude=values["home_longitude"],
            note=values["note"] or "",
        )
        field_errors, normalized = validate_cadre_data(data, today=self.today)
        for field_name, message in field_errors.items():
            column_field = CADRE_FIELD_COLUMNS.get(field_name)
            if column_field is None:
                self.error(row_number, None, "", message)
            elif column_field not in bad:
                self.error(row_number, self._by_field[column_field], raw.get(column_field, ""), message)
                bad.add(column_field)
        id_number = normalized.get("id_number")
        if isinstance(id_number, str) and "id_number" not in bad:
            first = self._row_of_id.setdefault(id_number, row_number)
            if first != row_number:
                self.error(
                    row_number,
                    self._by_field["id_number"],
                    id_number,
                    _("身份证号与第 %(first)s 行重复（%(masked)s），同一干部只能出现一次。")
                    % {"first": first, "masked": mask_resident_id(id_number)},
                )
        if len(self.errors) != errors_before or unit_id is None or not isinstance(id_number, str):
            return
        birth = normalized["birth_date"]
        assert isinstance(birth, datetime.date)
        self.rows.append(
            CadreRow(
                row_number=row_number,
                name=str(normalized["name"]),
                id_number=id_number,
                gender=str(normalized["gender"]),
                birth_date=birth,
                phone=str(normalized["phone"]),
                political_status=data.political_status,
                home_unit_id=unit_id,
                position=data.position.strip(),
                rank=data.rank,
                tags=list(normalized["expertise"]),  # type: ignore[call-overload]
                full_time_eligible=data.full_time_eligible,
                residence_region_id=region,
                home_latitude=data.home_latitude,
                home_longitude=data.home_longitude,
                note=data.note.strip(),
            )
        )

    def check_against_database(self) -> None:
        self.check_regions("residence_region", self._regions)
        # Every well-formed ID of the file, also on rows with other problems, so that one run reports all.
        self._hash_of_id = {id_number: crypto.keyed_hash(id_number) for id_number in self._row_of_id}
        by_hash = {h: id_number for id_number, h in self._hash_of_id.items()}
        existing: set[str] = set()
        for chunk in chunks(list(by_hash), QUERY_CHUNK):
            existing.update(Cadre.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True))
        if not existing:
            return
        visible = {
            h: (name, unit)
            for chunk in chunks(sorted(existing), QUERY_CHUNK)
            for h, name, unit in Cadre.objects.filter(cadre_scope_q(self.actor), id_number_hash__in=chunk)
            .values_list("id_number_hash", "name", "home_unit__name")
            .iterator()
        }
        column = self._by_field["id_number"]
        for id_hash in existing:
            id_number = by_hash[id_hash]
            if id_hash in visible:
                name, unit = visible[id_hash]
                message = _("该身份证号已登记（%(name)s，%(unit)s），同一干部不能重复录入。") % {
                    "name": name,
                    "unit": unit,
                }
            else:
                message = _("该身份证号已在系统中登记（不在您的数据范围内），同一干部不能重复录入。")
            self.error(self._row_of_id[id_number], column, id_number, message)

    CADRE_COLUMNS = (
        "name",
        "name_pinyin",
        "name_initials",
        "gender",
        "birth_date",
        "id_number_encrypted",
        "id_number_hash",
        "id_number_masked",
        "phone_encrypted",
        "phone_hash",
        "phone_masked",
        "political_status",
        "home_unit_id",
        "position",
        "rank",
        "full_time_eligible",
        "residence_region_id",
        "home_latitude",
        "home_longitude",
        "note",
        "created_by_id",
    )

    def write(self) -> int:
        created_by_id = self.actor.pk or None
        insert_many(Cadre, self.CADRE_COLUMNS, (self._cadre_values(row, created_by_id) for row in self.rows))
        tag_ids = {t.name: t.pk for t in tags_by_name(sorted({t for row in self.rows for t in row.tags}))}
        tagged = {self._id_hash(row.id_number): row.tags for row in self.rows if row.tags}
        through = Cadre.expertise.through
        for chunk in chunks(list(tagged), QUERY_CHUNK):
            pks = Cadre.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "pk")
            insert_many(
                through,
                ("cadre_id", "expertisetag_id"),
                ((pk, tag_ids[tag]) for id_hash, pk in pks for tag in tagged[id_hash]),
            )
        return len(self.rows)

    def _id_hash(self, id_number: str) -> str:
        return self._hash_of_id.get(id_number) or crypto.keyed_hash(id_number)

    def _cadre_values(self, row: CadreRow, created_by_id: int | None) -> tuple[Any, ...]:
        """Return the row's values in CADRE_COLUMNS order, as cadres.services stores one cadre."""
        pinyin, initials = fast_name_pinyin(row.name)
        return (
            row.name,
            pinyin,
            initials,
            row.gender,
            row.birth_date,
            crypto.encrypt(row.id_number),
            self._id_hash(row.id_number),
            mask_resident_id(row.id_number),
            crypto.encrypt(row.phone),
            crypto.keyed_hash(row.phone),
            mask_mobile(row.phone) if row.phone else "",
            row.political_status,
            row.home_unit_id,
            row.position,
            row.rank,
            row.full_time_eligible,
            row.residence_region_id,
            row.home_latitude,
            row.home_longitude,
            row.note,
            created_by_id,
        )


# -- posts ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class PostRow:
    row_number: int
    data: PostData
    region_id: str
    unit_id: int
    uscc: str
    investment: Decimal | None
    parent_name: str
    # Set by check_against_database: an existing post's pk, or the index of another row of the file.
    parent_id: int | None = None
    parent_row: int | None = None


class PostImporter(Importer):
    """Rows are checked by posts.services.validate_post_data, as in the form; this class adds what
    only a file has: parents named by name (an existing post in scope or another row of the file)
    and USCCs repeated within the file.
    """

    kind = "posts"
    columns = POST_COLUMNS

    def __init__(self, *, actor: User, today: datetime.date) -> None:
        super().__init__(actor=actor, today=today)
        self.rows: list[PostRow] = []
        self._named: list[tuple[int, str, str]] = []  # every row with a name and kind, good or not
        self._row_of_uscc: dict[str, int] = {}

    def check_row(self, row_number: int, values: dict[str, Any], raw: dict[str, Cell], bad: set[str]) -> None:
        errors_before = len(self.errors)
        kind = str(values["kind"] or "")
        name = str(values["name"] or "")
        if kind and name:
            self._named.append((row_number, name, kind))
        unit_id = self.resolve_unit(row_number, "unit", values, bad)
        data = PostData(
            kind=kind,
            name=name,
            region_code=str(values["region"] or ""),
            unit_id=unit_id,
            parent_id=None,  # parents are named, not numbered: resolved once the whole file is read
            address=values["address"] or "",
            latitude=values["latitude"],
            longitude=values["longitude"],
            is_key=bool(values["is_key"]),
            description=values["description"] or "",
            uscc=values["uscc"] or "",
            industry=values["industry"] or "",
            size=values["size"] or "",
            investment=values["investment"],
            stage=values["stage"] or "",
            planned_start=values["planned_start"],
            actual_start=values["actual_start"],
            households=values["households"],
        )
        field_errors, resolved = validate_post_data(data, actor=self.actor, today=self.today)
        for field_name, message in field_errors.items():
            column = self._by_field.get(field_name)
            if column is None:
                self.error(row_number, None, "", message)
            elif field_name not in bad:
                self.error(row_number, column, raw.get(field_name, ""), message)
                bad.add(field_name)
        if resolved is not None and resolved.uscc:
            first = self._row_of_uscc.setdefault(resolved.uscc, row_number)
            if first != row_number:
                self.error(
                    row_number,
                    self._by_field["uscc"],
                    resolved.uscc,
                    _("统一社会信用代码与第 %(first)s 行重复，同一企业只能出现一次。") % {"first": first},
                )
        parent_name = str(values["parent"] or "")
        if parent_name and kind and kind not in PARENT_KINDS and "parent" not in bad:
            self.error(
                row_number,
                self._by_field["parent"],
                parent_name,
                _("“%(kind)s”类阵地没有上级，请清空上级名称。") % {"kind": PostKind(kind).label},
            )
        if len(self.errors) != errors_before or resolved is None:
            return
        self.rows.append(
            PostRow(
                row_number=row_number,
                data=data,
                region_id=resolved.region.pk,
                unit_id=resolved.unit.pk,
                uscc=resolved.uscc,
                investment=resolved.investment,
                parent_name=parent_name,
            )
        )

    def check_against_database(self) -> None:
        wanted = sorted({row.parent_name for row in self.rows if row.parent_name})
        if not wanted:
            return
        existing: dict[str, list[tuple[int, str]]] = {}
        for chunk in chunks(wanted, QUERY_CHUNK):
            for pk, name, kind in post_list(user=self.actor).filter(name__in=chunk).values_list("pk", "name", "kind"):
                existing.setdefault(name, []).append((pk, kind))
        in_file: dict[str, list[tuple[int, str]]] = {}
        for row_number, name, kind in self._named:
            in_file.setdefault(name, []).append((row_number, kind))
        index_of_row = {row.row_number: i for i, row in enumerate(self.rows)}
        column = self._by_field["parent"]
        for row in self.rows:
            if row.parent_name:
                self._resolve_parent(row, existing, in_file, index_of_row, column)
        self._check_cycles(column)

    def _resolve_parent(
        self,
        row: PostRow,
        existing: dict[str, list[tuple[int, str]]],
        in_file: dict[str, list[tuple[int, str]]],
        index_of_row: dict[int, int],
        column: Column,
    ) -> None:
        allowed = PARENT_KINDS[row.data.kind]
        kind_label = PostKind(row.data.kind).label
        allowed_labels = _("或").join(str(PostKind(k).label) for k in PostKind.values if k in allowed)
        named = [("row", r, k) for r, k in in_file.get(row.parent_name, []) if r != row.row_number]
        named += [("post", pk, k) for pk, k in existing.get(row.parent_name, [])]
        fitting = [c for c in named if c[2] in allowed]
        if not named:
            message = _("找不到名为“%(name)s”的%(kinds)s：它既不在本表中，也不是您数据范围内已有的阵地。") % {
                "name": row.parent_name,
                "kinds": allowed_labels,
            }
        elif not fitting:
            message = _("%(kind)s的上级应为%(kinds)s，“%(name)s”不是。") % {
                "kind": kind_label,
                "kinds": allowed_labels,
                "name": row.parent_name,
            }
        elif len(fitting) > 1:
            message = _("有 %(n)s 个名为“%(name)s”的%(kinds)s，无法确定上级，请先改名使其唯一。") % {
                "n": len(fitting),
                "name": row.parent_name,
                "kinds": allowed_labels,
            }
        else:
            source, key, _kind = fitting[0]
            if source == "post":
                row.parent_id = key
            elif key in index_of_row:
                row.parent_row = index_of_row[key]
            # else: the parent row has problems of its own, already reported.
            return
        self.error(row.row_number, column, row.parent_name, message)

    def _check_cycles(self, column: Column) -> None:
        for start in self.rows:
            seen = {start.row_number}
            current = start
            while current.parent_row is not None:
                current = self.rows[current.parent_row]
                if current.row_number in seen:
                    self.error(
                        start.row_number, column, start.parent_name, _("上级关系形成循环，请检查各行的上级名称。")
                    )
                    break
                seen.add(current.row_number)

    def write(self) -> int:
        created_by = self.actor if self.actor.pk else None
        posts = [self._post(row, created_by) for row in self.rows]
        Post.objects.bulk_create(posts, batch_size=INSERT_BATCH)
        linked = []
        for post, row in zip(posts, self.rows, strict=True):
            if row.parent_row is not None:
                post.parent_id = posts[row.parent_row].pk
                linked.append(post)
        if linked:
            Post.objects.bulk_update(linked, ["parent"], batch_size=INSERT_BATCH)
        return len(posts)

    @staticmethod
    def _post(row: PostRow, created_by: User | None) -> Post:
        # As posts.services does for one post: fields of other kinds are left blank.
        data = row.data
        is_project = data.kind == PostKind.PROJECT
        return Post(
            kind=data.kind,
            name=data.name.strip(),
            region_id=row.region_id,
            unit_id=row.unit_id,
            parent_id=row.parent_id,
            address=data.address.strip(),
            latitude=data.latitude,
            longitude=data.longitude,
            is_key=data.is_key,
            description=data.description.strip(),
            uscc=row.uscc,
            industry=data.industry.strip(),
            size=data.size if data.kind == PostKind.ENTERPRISE else "",
            investment=row.investment,
            stage=data.stage if is_project else "",
            planned_start=data.planned_start if is_project else None,
            actual_start=data.actual_start if is_project else None,
            households=data.households,
            created_by=created_by,
        )


IMPORTERS: dict[str, type[Importer]] = {"cadres": CadreImporter, "posts": PostImporter}


def importer_for(kind: str, *, actor: User, today: datetime.date) -> Importer:
    return IMPORTERS[kind](actor=actor, today=today)


def as_json(errors: Iterable[RowError]) -> list[dict[str, Any]]:
    return [e.as_json() for e in errors]
