import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frontline.cadres.models import Cadre
from frontline.excel.models import ImportJob, ImportKind, ImportStatus
from frontline.excel.tests.sheets import cadre_row, cadres_xlsx, new_id, read_xlsx


def upload(client, content: bytes, name: str = "干部.xlsx", kind: str = ImportKind.CADRES):
    return client.post(reverse("excel:import_list"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def assert_no_inline_style(html: str) -> None:
    assert not re.search(r"\sstyle=", html), "inline style attributes are blocked by the CSP"


def test_the_import_page_is_only_for_roles_that_import(world, client_for):
    response = client_for("xingang").get(reverse("excel:import_list"))
    assert response.status_code == 200
    assert_no_inline_style(response.content.decode())
    for persona in ("province", "grid", "auditor"):
        assert client_for(persona).get(reverse("excel:import_list")).status_code == 404


def test_a_good_upload_lands_on_the_job_page_with_the_result(world, client_for):
    client = client_for("xingang")
    response = upload(client, cadres_xlsx(cadre_row("王小明"), cadre_row("李晓红")))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    html = client.get(job.get_absolute_url()).content.decode()
    assert "已导入 2 条记录" in html
    assert 'value="100"' in html
    assert "hx-trigger" not in html  # finished: no polling
    assert_no_inline_style(html)
    assert "干部.xlsx" in client.get(reverse("excel:import_list")).content.decode()


def test_a_bad_upload_shows_every_problem_and_offers_the_report(world, client_for):
    client = client_for("xingang")
    bad_id = new_id()[:17] + "Y"
    upload(client, cadres_xlsx(cadre_row("王小明", bad_id), cadre_row("李晓红", unit="中共曾都区委")))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    html = client.get(job.get_absolute_url()).content.decode()
    assert "发现 2 处问题" in html
    assert "第 2 行" in html
    assert "第 3 行" in html
    assert bad_id not in html
    assert bad_id[:6] + "********" in html
    assert reverse("excel:import_errors", args=[job.pk]) in html
    assert_no_inline_style(html)

    report = client.get(reverse("excel:import_errors", args=[job.pk]))
    rows = read_xlsx(report.content)
    assert rows[0] == ["行号", "列", "值", "错误原因"]
    assert [(r[0], r[1]) for r in rows[1:]] == [(2.0, "身份证号"), (3.0, "派出单位")]
    assert bad_id not in str(rows)


def test_an_empty_file_is_refused_on_the_form_and_no_job_is_made(world, client_for):
    response = upload(client_for("xingang"), b"")
    assert response.status_code == 400
    assert "0 字节" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_renamed_text_file_is_refused_on_the_form(world, client_for):
    response = upload(client_for("xingang"), b"not a spreadsheet at all", name="干部.xlsx")
    assert response.status_code == 400
    assert "不是 Excel" in response.content.decode()
    assert Cadre.objects.count() == 5


def test_import_jobs_of_other_users_are_404(world, client_for):
    upload(client_for("xingang"), cadres_xlsx(cadre_row("王小明")))
    job = ImportJob.objects.get()
    other = client_for("zengdu")
    for name in ("excel:import_detail", "excel:import_progress", "excel:import_errors"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert "干部.xlsx" not in other.get(reverse("excel:import_list")).content.decode()


def test_the_progress_partial_polls_while_the_job_runs_and_reloads_when_done(world, client_for):
    job = ImportJob.objects.create(
        kind=ImportKind.CADRES,
        original_name="大文件.xlsx",
        created_by=world.xingang_official,
        status=ImportStatus.RUNNING,
        total_rows=10_000,
        processed_rows=2_500,
    )
    client = client_for("xingang")
    partial = client.get(reverse("excel:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html
    assert "2500 / 10000" in html
    assert_no_inline_style(html)

    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, processed_rows=10_000)
    done = client.get(reverse("excel:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_job_whose_worker_died_is_failed_with_nothing_written_and_a_long_queue_is_explained(
    world, client_for, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from frontline.excel.services import import_job_run

    settings.FRONTLINE_IMPORT_STALL_SECONDS = 900
    now = timezone.now()
    running = dict(kind=ImportKind.CADRES, created_by=world.xingang_official, status=ImportStatus.RUNNING)
    alive = ImportJob.objects.create(original_name="进行中.xlsx", progressed_at=now - timedelta(minutes=5), **running)
    dead = ImportJob.objects.create(original_name="中断.xlsx", progressed_at=now - timedelta(minutes=20), **running)
    client = client_for("xingang")

    page = client.get(alive.get_absolute_url()).content.decode()
    assert "处理中" in page
    alive.refresh_from_db()
    assert alive.status == ImportStatus.RUNNING

    page = client.get(dead.get_absolute_url()).content.decode()
    assert "后台导入中断" in page
    assert "请重新上传该文件" in page
    dead.refresh_from_db()
    assert (dead.status, dead.finished_at is not None) == (ImportStatus.FAILED, True)
    api = client.get(f"/api/v1/imports/{alive.pk}").json()
    assert api["status"] == "running"

    # A worker that comes back to a job marked failed writes nothing (the job stays failed).
    cadres = Cadre.objects.count()
    assert import_job_run(job_id=dead.pk).status == ImportStatus.FAILED
    assert Cadre.objects.count() == cadres

    waiting = ImportJob.objects.create(
        kind=ImportKind.CADRES, original_name="排队.xlsx", created_by=world.xingang_official, total_rows=5000
    )
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(minutes=16))
    partial = client.get(reverse("excel:import_progress", args=[waiting.pk]), headers={"HX-Request": "true"})
    assert "排队已超过 15 分钟仍未开始" in partial.content.decode()
    fresh = ImportJob.objects.create(
        kind=ImportKind.CADRES, original_name="刚上传.xlsx", created_by=world.xingang_official
    )
    partial = client.get(reverse("excel:import_progress", args=[fresh.pk]), headers={"HX-Request": "true"})
    assert "排队已超过" not in partial.content.decode()


def test_a_worker_marked_stalled_between_checking_and_writing_writes_nothing(world, settings, monkeypatch):
    from frontline.excel import services
    from frontline.excel.importers import importer_for as real_importer_for
    from frontline.excel.services import import_job_create, import_job_run

    settings.FRONTLINE_IMPORT_BACKGROUND_ROWS = 0  # queue it, then run it here as the worker would
    monkeypatch.setattr(services, "_enqueue", lambda job_id: None)
    job = import_job_create(
        actor=world.xingang_official,
        kind=ImportKind.CADRES,
        file_name="干部.xlsx",
        content=cadres_xlsx(cadre_row("张三", new_id())),
    )
    assert job.status == ImportStatus.PENDING
    cadres = Cadre.objects.count()

    def importer_for(*args, **kwargs):
        importer = real_importer_for(*args, **kwargs)
        validate = importer.validate

        def validate_then_stall(*a, **k):
            errors = validate(*a, **k)
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)  # as the stall check would
            return errors

        importer.validate = validate_then_stall  # type: ignore[method-assign]
        return importer

    monkeypatch.setattr(services, "importer_for", importer_for)
    assert import_job_run(job_id=job.pk).status == ImportStatus.FAILED
    assert Cadre.objects.count() == cadres
