"""Imports and exports: every write of the excel app, each audited in the same transaction.

An import job moves PENDING → RUNNING → DONE or FAILED, only through `_transition`. A file with
more than FRONTLINE_IMPORT_BACKGROUND_ROWS rows runs as a background task; a smaller one runs
while the upload request waits. Either way nothing is written unless every row is good, and the
rows, the audit row and the DONE status are committed together.
"""

import gc
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_list
from frontline.core import crypto
from frontline.core.access import access_for
from frontline.core.audit import audit
from frontline.core.context import current_ip
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, User
from frontline.excel.columns import CADRE_COLUMNS, POST_COLUMNS, Column
from frontline.excel.export import WorkbookWriter
from frontline.excel.importers import RowError, as_json, importer_for
from frontline.excel.models import ImportJob, ImportKind, ImportStatus
from frontline.excel.reader import check_size, count_rows, read_first_sheet, sniff_format
from frontline.excel.units import UnitDirectory
from frontline.posts.models import Post
from frontline.posts.selectors import PostFilters, post_list

logger = logging.getLogger(__name__)

TRANSITIONS: dict[str, set[str]] = {
    ImportStatus.PENDING: {ImportStatus.RUNNING, ImportStatus.FAILED},
    ImportStatus.RUNNING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
}
EXPORT_CHUNK = 2000


def _transition(job: ImportJob, status: ImportStatus, **fields: Any) -> None:
    """Move the job to `status` (saving `fields` with it); refuse moves the table does not allow."""
    if status not in TRANSITIONS[job.status]:
        raise ApplicationError(
            f"import job {job.pk}: {job.status} → {status} is not allowed", code="invalid_transition"
        )
    job.status = status
    fields["progressed_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    if status in (ImportStatus.DONE, ImportStatus.FAILED):
        job.finished_at = timezone.now()
        fields["finished_at"] = job.finished_at
    job.save(update_fields=["status", *fields])


def _require_import(actor: User) -> None:
    if not access_for(actor).can_import:
        raise ApplicationError(_("您的角色无权导入数据。"), code="forbidden")


def _require_export(actor: User) -> None:
    if not access_for(actor).can_export:
        raise ApplicationError(_("您的角色无权导出数据。"), code="forbidden")


def read_upload(upload: UploadedFile[Any]) -> bytes:
    """Return the content of an uploaded file, refusing an oversized one before reading it."""
    if upload.size is not None:
        check_size(upload.size)
    return b"".join(upload.chunks())


def import_job_create(*, actor: User, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Store an upload as an import job and run it: at once when small, as a background task when large.

    A file that is empty, too large or not an Excel workbook raises ApplicationError and leaves no job.
    """
    _require_import(actor)
    if kind not in ImportKind.values:
        raise ApplicationError(_("请选择导入类型（干部或一线阵地）。"), code="invalid")
    file_format = sniff_format(content)
    rows = count_rows(content)
    job = ImportJob(
        kind=kind,
        original_name=(file_name or f"upload.{file_format}")[:255],
        created_by=actor,
        ip=current_ip.get(),
        total_rows=rows,
    )
    # A random stored name: the original one is kept for display only.
    job.file.save(f"{uuid.uuid4().hex}.{file_format}", ContentFile(content), save=False)
    job.save()
    if rows > settings.FRONTLINE_IMPORT_BACKGROUND_ROWS:
        job_id = job.pk
        # After commit: a worker must find the job (and the file) when it picks the task up.
        transaction.on_commit(lambda: _enqueue(job_id))
        return job
    return import_job_run(job_id=job.pk)


def _enqueue(job_id: int) -> None:
    from frontline.excel.tasks import run_import

    try:
        run_import.enqueue(job_id)
    except Exception:
        logger.exception("could not queue import job %s", job_id)
        _fail(job_id, _("无法启动后台导入任务，未写入任何数据。请稍后重试或联系管理员。"))


def _fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in TRANSITIONS and ImportStatus.FAILED in TRANSITIONS[job.status]:
            _transition(job, ImportStatus.FAILED, errors=[RowError(None, "", "", message).as_json()])


def import_job_run(*, job_id: int) -> ImportJob:
    """Check every row of a pending job and, when all are good, write them; return the finished job."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.status != ImportStatus.PENDING:
            return job  # already run (a task delivered twice, or a second click)
        _transition(job, ImportStatus.RUNNING)
    token = current_ip.set(job.ip)
    try:
        with _cyclic_gc_paused():
            _run(job)
    except Exception:
        logger.exception("import job %s failed unexpectedly", job_id)
        _fail(job_id, _("导入时发生意外错误，未写入任何数据。请稍后重试或联系管理员。"))
    finally:
        current_ip.reset(token)
        _discard_file(job)
    job.refresh_from_db()
    return job


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a sheet is checked and written.

    A large sheet makes millions of long-lived objects (cells, rows, checked values); the cycle
    collector would walk all of them again every few thousand allocations, which roughly
    doubled the time of a large import (docs/benchmarks.md). They are freed by reference
    counting anyway.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(job: ImportJob) -> None:
    actor = job.created_by
    with job.file.open("rb") as stored:
        content = stored.read()
    try:
        sheet = read_first_sheet(content)
    except ApplicationError as exc:
        _transition(job, ImportStatus.FAILED, errors=[RowError(None, "", "", exc.message).as_json()])
        return
    del content
    importer = importer_for(job.kind, actor=actor, today=timezone.localdate())

    def progress(done: int, total: int) -> None:
        # Outside any transaction, so that the polling page sees it at once.
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=total, progressed_at=timezone.now())

    errors = importer.validate(sheet, progress)
    del sheet  # the checked rows are all that is needed from here on
    job.total_rows = job.processed_rows = importer.total_rows
    if errors:
        _transition(
            job,
            ImportStatus.FAILED,
            errors=as_json(errors),
            total_rows=job.total_rows,
            processed_rows=job.processed_rows,
        )
        return
    try:
        with transaction.atomic():
            # Declared stalled meanwhile (import_job_fail_if_stalled)? Then write nothing.
            if ImportJob.objects.select_for_update().get(pk=job.pk).status != ImportStatus.RUNNING:
                logger.warning("import job %s was marked failed while it ran: nothing written", job.pk)
                return
            created = importer.write()
            audit(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=job,
                changes={"created_rows": (None, created)},
                note=_("导入%(kind)s %(n)s 条，文件 %(name)s")
                % {"kind": job.get_kind_display(), "n": created, "name": job.original_name},
            )
            _transition(
                job,
                ImportStatus.DONE,
                created_rows=created,
                total_rows=job.total_rows,
                processed_rows=job.total_rows,
                errors=[],
            )
    except IntegrityError:
        logger.warning("import job %s hit a uniqueness conflict while writing", job.pk, exc_info=True)
        job.refresh_from_db()
        _transition(
            job,
            ImportStatus.FAILED,
            errors=[
                RowError(
                    None,
                    "",
                    "",
                    _(
                        "导入期间数据发生了变化（可能有人同时录入了相同的身份证号或统一社会信用代码），"
                        "未写入任何数据。请重新上传该文件。"
                    ),
                ).as_json()
            ],
        )


def import_job_fail_if_stalled(job: ImportJob) -> ImportJob:
    """Mark a running job failed when it has reported no progress for FRONTLINE_IMPORT_STALL_SECONDS.

    Its worker died (a restart, an out-of-memory kill): nothing was written, since the rows are
    written in one transaction, and without this the page would show it running forever. A worker
    still writing holds the job's row lock; this waits for it and then finds the job done.
    """
    if not job.is_stalled:
        return job
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_stalled:
            logger.warning(
                "import job %s stalled since %s: marked failed", locked.pk, locked.progressed_at or locked.created_at
            )
            message = _(
                "后台导入中断（处理进程可能已重启），未写入任何数据（导入在一个事务中全部写入或全部不写）。"
                "请重新上传该文件。"
            )
            _transition(locked, ImportStatus.FAILED, errors=[RowError(None, "", "", message).as_json()])
    _discard_file(locked)
    locked.refresh_from_db()
    return locked


def _discard_file(job: ImportJob) -> None:
    """Delete the uploaded file: it holds ID numbers in the clear, and the database has what is needed."""
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:
            logger.warning("could not delete the upload of import job %s", job.pk, exc_info=True)
        ImportJob.objects.filter(pk=job.pk).update(file="")


# -- exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    rows: int


class CadreFilters(TypedDict, total=False):
    q: str
    unit_id: int | None
    tag: str
    rank: int | None
    political_status: str
    full_time_eligible: bool | None


def _describe(filters: dict[str, Any]) -> str:
    used = {k: v for k, v in filters.items() if v not in (None, "")}
    return "，".join(f"{k}={v}" for k, v in sorted(used.items())) or _("无")


def _cadre_rows(cadres: Iterator[Cadre], *, units: UnitDirectory, sensitive: bool) -> Iterator[list[Any]]:
    by_field = {c.field: c for c in CADRE_COLUMNS}
    for c in cadres:
        values: dict[str, Any] = {
            "name": c.name,
            "id_number": crypto.decrypt(c.id_number_encrypted) if sensitive else c.id_number_masked,
            "gender": by_field["gender"].label_of(c.gender),
            "birth_date": c.birth_date,
            "phone": crypto.decrypt(c.phone_encrypted) if sensitive else c.phone_masked,
            "political_status": by_field["political_status"].label_of(c.political_status),
            "home_unit": units.label(c.home_unit_id, c.home_unit.name),
            "position": c.position,
            "rank": by_field["rank"].label_of(c.rank),
            "expertise": "、".join(sorted(t.name for t in c.expertise.all())),
            "full_time_eligible": c.full_time_eligible,
            "residence_region": c.residence_region_id or "",
            "home_latitude": c.home_latitude,
            "home_longitude": c.home_longitude,
            "note": c.note,
        }
        yield [values[column.field] for column in CADRE_COLUMNS]


def cadres_export(*, actor: User, **filters: Unpack[CadreFilters]) -> ExportFile:
    """Return the cadres the actor may see, filtered, as .xlsx; IDs and phones in full only for sensitive rights."""
    _require_export(actor)
    sensitive = access_for(actor).can_view_sensitive
    cadres = (
        cadre_list(user=actor, **filters)
        .select_related("home_unit")
        .prefetch_related("expertise")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    writer = WorkbookWriter()
    count = writer.add_sheet(
        "干部", CADRE_COLUMNS, _cadre_rows(cadres, units=UnitDirectory(actor), sensitive=sensitive)
    )
    content = writer.close()
    audit(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="cadres.cadre",
        object_repr=_("干部导出"),
        changes={"rows": (None, count), "sensitive": (None, sensitive)},
        note=_("导出干部 %(n)s 条；%(what)s；筛选：%(filters)s")
        % {
            "n": count,
            "what": _("含完整身份证号和手机号") if sensitive else _("身份证号和手机号已脱敏"),
            "filters": _describe(dict(filters)),
        },
    )
    return ExportFile(content=content, filename=f"干部_{timezone.localdate():%Y%m%d}.xlsx", rows=count)


def _post_rows(posts: Iterator[Post], *, units: UnitDirectory) -> Iterator[list[Any]]:
    by_field: dict[str, Column] = {c.field: c for c in POST_COLUMNS}
    for p in posts:
        values: dict[str, Any] = {
            "kind": by_field["kind"].label_of(p.kind),
            "name": p.name,
            "region": p.region_id,
            "unit": units.label(p.unit_id, p.unit.name),
            "parent": p.parent.name if p.parent else "",
            "address": p.address,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "is_key": p.is_key,
            "uscc": p.uscc,
            "industry": p.industry,
            "size": by_field["size"].label_of(p.size),
            "investment": p.investment,
            "stage": by_field["stage"].label_of(p.stage),
            "planned_start": p.planned_start,
            "actual_start": p.actual_start,
            "households": p.households,
            "description": p.description,
        }
        yield [values[column.field] for column in POST_COLUMNS]


def posts_export(*, actor: User, **filters: Unpack[PostFilters]) -> ExportFile:
    """Return the posts the actor may see, filtered, as .xlsx."""
    _require_export(actor)
    posts = post_list(user=actor, **filters).iterator(chunk_size=EXPORT_CHUNK)
    writer = WorkbookWriter()
    count = writer.add_sheet("一线阵地", POST_COLUMNS, _post_rows(posts, units=UnitDirectory(actor)))
    content = writer.close()
    shown: dict[str, Any] = dict(filters)
    region = filters.get("region")
    if region is not None:
        shown["region"] = region.code
    audit(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="posts.post",
        object_repr=_("一线阵地导出"),
        changes={"rows": (None, count)},
        note=_("导出一线阵地 %(n)s 条；筛选：%(filters)s") % {"n": count, "filters": _describe(shown)},
    )
    return ExportFile(content=content, filename=f"一线阵地_{timezone.localdate():%Y%m%d}.xlsx", rows=count)
