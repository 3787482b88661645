"""Pages for imports (upload, progress, error report), import templates and exports."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from frontline.cadres.forms import CadreFilterForm
from frontline.core.access import access_for
from frontline.core.errors import ApplicationError
from frontline.core.models import User
from frontline.core.pagination import paginate
from frontline.excel.columns import SHEET_TITLES
from frontline.excel.export import error_report_xlsx, template_xlsx
from frontline.excel.forms import ImportForm
from frontline.excel.models import ImportStatus
from frontline.excel.selectors import get_import_job_for_user, import_job_list
from frontline.excel.services import (
    cadres_export,
    import_job_create,
    import_job_fail_if_stalled,
    posts_export,
    read_upload,
)
from frontline.excel.units import UnitDirectory
from frontline.posts.selectors import post_filters_from_query

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 100


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _importer(request: HttpRequest) -> User:
    """Return the user when their roles may import; everyone else gets a 404."""
    user = _user(request)
    if not access_for(user).can_import:
        raise Http404
    return user


def _exporter(request: HttpRequest) -> User:
    user = _user(request)
    if not access_for(user).can_export:
        raise Http404
    return user


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # exports may hold personal data
    return response


@login_required
def import_list_view(request: HttpRequest) -> HttpResponse:
    """The user's import jobs and the upload form; a good upload lands on the job's page."""
    user = _importer(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    actor=user, kind=form.cleaned_data["kind"], file_name=upload.name, content=read_upload(upload)
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(job)
        status = 400
    page = paginate(request, import_job_list(user=user))
    return render(request, "excel/import_list.html", {"form": form, "page": page, "qs": ""}, status=status)


@login_required
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's status, its progress while it runs, and every problem found."""
    user = _importer(request)
    job = import_job_fail_if_stalled(get_import_job_for_user(user=user, pk=pk))
    errors = Paginator(job.errors if job.status == ImportStatus.FAILED else [], ERRORS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "excel/import_detail.html", {"job": job, "page": errors, "qs": ""})


@login_required
def import_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled every second; once the job has finished, reload the page."""
    user = _importer(request)
    job = import_job_fail_if_stalled(get_import_job_for_user(user=user, pk=pk))
    if job.is_finished and request.headers.get("HX-Request"):
        return HttpResponseClientRefresh()
    return render(request, "excel/_import_progress.html", {"job": job})


@login_required
@require_GET
def import_errors_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's error report as .xlsx (values already masked)."""
    user = _importer(request)
    job = get_import_job_for_user(user=user, pk=pk)
    return _xlsx(error_report_xlsx(job.errors), f"错误报告_{job.pk}.xlsx")


@login_required
@require_GET
def template_view(request: HttpRequest, kind: str) -> HttpResponse:
    """The import template, with the units the user may name in it."""
    user = _importer(request)
    content = template_xlsx(kind, units=UnitDirectory(user))
    return _xlsx(content, f"{SHEET_TITLES[kind]}导入模板.xlsx")


@login_required
@require_GET
def export_cadres_view(request: HttpRequest) -> HttpResponse:
    """The cadres of the list page (same filters, read by the list's own form; same scope) as .xlsx."""
    user = _exporter(request)
    export = cadres_export(actor=user, **CadreFilterForm(request.GET, user=user).filters())
    return _xlsx(export.content, export.filename)


@login_required
@require_GET
def export_posts_view(request: HttpRequest) -> HttpResponse:
    """The posts of the list page (same filters, read as the list reads them; same scope) as .xlsx."""
    user = _exporter(request)
    export = posts_export(actor=user, **post_filters_from_query(request.GET))
    return _xlsx(export.content, export.filename)
