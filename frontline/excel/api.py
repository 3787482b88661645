"""API for imports: upload a sheet, then follow the job's status, progress and errors.

Only the uploader sees a job (another user's job is a 404). A file that is empty, too large or
not an Excel workbook is refused at once (400, no job); problems inside the file end the job as
`failed` with one entry per problem in `errors`.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from frontline.core.access import access_for
from frontline.core.models import User
from frontline.excel.models import ImportJob, ImportKind
from frontline.excel.selectors import get_import_job_for_user, import_job_list
from frontline.excel.services import import_job_create, import_job_fail_if_stalled, read_upload

router = Router(tags=["imports"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ImportErrorOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class ImportJobOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str
    status_label: str
    total_rows: int
    processed_rows: int
    created_rows: int
    percent: int
    created_at: datetime
    finished_at: datetime | None
    errors: list[ImportErrorOut]


class ImportJobSummaryOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str
    total_rows: int
    processed_rows: int
    created_rows: int
    percent: int
    created_at: datetime
    finished_at: datetime | None


class ErrorOut(Schema):
    detail: str
    code: str


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "original_name": job.original_name,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "created_rows": job.created_rows,
        "percent": job.percent,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "errors": job.errors,
    }


@router.post("/", response={201: ImportJobOut, 403: ErrorOut})
def import_create(request: HttpRequest, kind: Form[ImportKind], file: File[UploadedFile]) -> Status[Any]:
    """Upload a .xlsx or .xls file of cadres or posts (multipart: `kind`, `file`).

    Small files are checked and imported before the response; larger ones are queued and the job
    is returned as `pending` — poll GET /imports/{id}. Nothing is written unless every row is good.
    """
    user = _user(request)
    if not access_for(user).can_import:
        return Status(403, {"detail": _("您的角色无权导入数据。"), "code": "forbidden"})
    job = import_job_create(actor=user, kind=kind, file_name=file.name or "", content=read_upload(file))
    return Status(201, _job_out(job))


@router.get("/", response=list[ImportJobSummaryOut])
@paginate(LimitOffsetPagination)
def import_jobs(request: HttpRequest) -> Any:
    """List your own import jobs, newest first."""
    return import_job_list(user=_user(request))


@router.get("/{job_id}", response=ImportJobOut)
def import_detail(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Return one of your import jobs: status, progress (`percent`) and every problem found.

    A running job that has reported no progress for FRONTLINE_IMPORT_STALL_SECONDS (15 minutes) lost
    its worker: it is then failed, with nothing written."""
    return _job_out(import_job_fail_if_stalled(get_import_job_for_user(user=_user(request), pk=job_id)))
