"""Attachments of problems: judged by content, limited in size and number, downloaded only in scope."""

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from frontline.core.errors import ApplicationError
from frontline.core.models import AuditLog
from frontline.core.testing import PASSWORD
from frontline.ledger import filetypes
from frontline.ledger.attachments import AttachmentError, problem_attachment_add
from frontline.ledger.models import Problem, ProblemAttachment, ProblemCategory
from frontline.ledger.tests.factories import act, make_problem

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 40


def office(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in ("[Content_Types].xml", *names):
            package.writestr(name, "<xml/>")
    return buffer.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Store uploads in a temporary directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def client(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Telling the kind from the content --------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (JPEG, filetypes.JPEG),
        (PNG, filetypes.PNG),
        (WEBP, filetypes.WEBP),
        (PDF, filetypes.PDF),
        (DOCX, filetypes.DOCX),
        (XLSX, filetypes.XLSX),
        ("会议纪要：企业反映用地预审进度。\n".encode(), filetypes.TEXT),
        ("会议纪要：企业反映用地预审进度。\n".encode("gbk"), filetypes.TEXT),
    ],
)
def test_the_kind_comes_from_the_content(content, kind):
    assert filetypes.sniff(io.BytesIO(content)) == kind


@pytest.mark.parametrize(
    "content",
    [
        EXE,
        b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20,  # RIFF, but audio
        office("other/thing.xml"),  # a zip that is no Office document
        office("word/document.xml", "word/vbaProject.bin"),  # a document with macros
        b"PK\x03\x04 broken zip",
        bytes(range(256)) * 4,  # binary
        b"",
    ],
)
def test_other_content_is_not_an_allowed_kind(content):
    assert filetypes.sniff(io.BytesIO(content)) is None


def test_a_safe_file_name_keeps_chinese_drops_paths_and_takes_the_kinds_extension():
    assert filetypes.safe_filename("../../etc/passwd", filetypes.TEXT) == "passwd.txt"
    assert filetypes.safe_filename("C:\\Users\\王\\报告.PDF", filetypes.PDF) == "报告.pdf"
    assert filetypes.safe_filename("photo.exe", filetypes.PNG) == "photo.png"
    assert filetypes.safe_filename('a"b;c\r\n.jpg', filetypes.JPEG) == "a_b_c.jpg"
    assert filetypes.safe_filename("", filetypes.DOCX) == "附件.docx"
    assert len(filetypes.safe_filename("长" * 300 + ".xlsx", filetypes.XLSX)) == 100


# --- Upload from the problem page ------------------------------------------------------------


def test_the_registrar_attaches_a_photo_and_the_timeline_shows_it(lw, media):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    grid = client("grid")
    response = grid.post(f"/ledger/problems/{problem.pk}/attachments/", {"file": upload("现场照片.jpg", JPEG)})
    assert response.status_code == 302
    attachment = ProblemAttachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "现场照片.jpg",
        "image/jpeg",
        len(JPEG),
    )
    assert attachment.public is False
    assert "现场照片" not in str(attachment.file.name)  # the stored name is random
    assert (media / attachment.file.name).read_bytes() == JPEG
    page = grid.get(problem.get_absolute_url()).content.decode()
    assert "附件 现场照片.jpg 已上传" in page
    assert "上传附件" in page
    assert AuditLog.objects.filter(object_type="ledger.problemattachment", action="create").count() == 1
    problem.refresh_from_db()
    assert problem.version == 1  # attaching is no workflow step: open forms stay valid


def test_the_handling_department_may_attach_too(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    attachment = problem_attachment_add(actor=lw.land_clerk, problem=problem, upload=upload("批复.pdf", PDF))
    assert attachment.content_type == "application/pdf"


def test_a_file_that_only_claims_to_be_an_image_is_refused_with_the_allowed_types(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    response = client("grid").post(
        f"/ledger/problems/{problem.pk}/attachments/",
        {"file": upload("photo.jpg", EXE, "image/jpeg")},
        follow=True,
    )
    page = response.content.decode()
    assert "不是允许的类型" in page
    assert "JPG、PNG、WebP 图片，PDF，Word（.docx）、Excel（.xlsx）或纯文本（.txt）" in page
    assert not ProblemAttachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(lw, settings):
    settings.FRONTLINE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    big = upload("scan.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(AttachmentError, match=r"超过上限.*每个不超过 1 MB") as refused:
        problem_attachment_add(actor=lw.grid_head, problem=problem, upload=big)
    assert refused.value.code == "attachment_too_large"
    assert not ProblemAttachment.objects.exists()


def test_a_problem_takes_at_most_the_configured_number_of_attachments(lw, settings):
    settings.FRONTLINE_ATTACHMENT_MAX_PER_PROBLEM = 2
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    for name in ("a.png", "b.png"):
        problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload(name, PNG))
    with pytest.raises(AttachmentError, match="最多 2 个附件"):
        problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("c.png", PNG))
    assert ProblemAttachment.objects.count() == 2


def test_a_closed_problem_takes_no_new_attachment(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "close_unconfirmed", note="重复登记")
    with pytest.raises(ApplicationError, match="已关闭") as refused:
        problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("a.png", PNG))
    assert refused.value.code == "closed"
    assert 'name="file"' not in client("grid").get(problem.get_absolute_url()).content.decode()


def test_someone_who_only_views_the_problem_cannot_attach(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    with pytest.raises(ApplicationError) as refused:
        problem_attachment_add(actor=lw.province_official, problem=problem, upload=upload("a.png", PNG))
    assert refused.value.code == "forbidden"


# --- Upload with the registration form -------------------------------------------------------


def registration(**extra: Any) -> dict[str, Any]:
    return {
        "category": ProblemCategory.objects.get(code="land-approval").pk,
        "description": "环评验收材料需补正",
        "requester_kind": "enterprise",
        "source": "visit",
        "idempotency_key": "tap-1",
        **extra,
    }


def test_the_registration_form_takes_optional_attachments_once_per_double_tap(lw):
    grid = client("grid")
    assert 'enctype="multipart/form-data"' in grid.get("/ledger/problems/new/").content.decode()
    for _ in range(2):
        grid.post(
            "/ledger/problems/new/",
            registration(
                post=lw.xingang_enterprise.pk, attachments=[upload("函.docx", DOCX), upload("清单.xlsx", XLSX)]
            ),
        )
    problem = Problem.objects.get()
    assert sorted(problem.attachments.values_list("original_name", flat=True)) == ["函.docx", "清单.xlsx"]
    grid.post("/ledger/problems/new/", registration(post=lw.xingang_enterprise.pk, idempotency_key="tap-2"))
    assert Problem.objects.count() == 2  # without any attachment


def test_a_wrong_attachment_on_the_registration_form_registers_nothing(lw):
    response = client("grid").post(
        "/ledger/problems/new/", registration(post=lw.xingang_enterprise.pk, attachments=[upload("x.docx", EXE)])
    )
    assert response.status_code == 200
    assert "不是允许的类型" in response.content.decode()
    assert not Problem.objects.exists()


# --- Download --------------------------------------------------------------------------------


def test_a_download_is_an_attachment_with_its_safe_name_and_is_audited(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    attachment = problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("会议 纪要.txt", b"notes"))
    response = client("xingang").get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response.getvalue() == b"notes"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81.txt" in response["Content-Disposition"]
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    log = AuditLog.objects.get(action="view_sensitive", object_type="ledger.problemattachment")
    assert log.actor == lw.xingang_official


def test_out_of_scope_downloads_are_404_and_there_is_no_media_url(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    other = make_problem(actor=lw.zengdu_official, post=lw.zengdu_project)
    attachment = problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("a.png", PNG))
    assert client("jiangsu").get(attachment.get_absolute_url()).status_code == 404
    assert client("zengdu").get(attachment.get_absolute_url()).status_code == 404
    # The attachment through another problem's address is not found either.
    assert client("zengdu").get(f"/ledger/problems/{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert client("xingang").get(f"/media/{attachment.file.name}").status_code == 404
    assert client("xingang").get(f"/{attachment.file.name}").status_code == 404
    assert not AuditLog.objects.filter(action="view_sensitive").exists()


def test_the_requester_downloads_only_public_attachments_by_tracking_code(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    public = problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("答复.pdf", PDF), public=True)
    private = problem_attachment_add(actor=lw.grid_head, problem=problem, upload=upload("内部.pdf", PDF))
    page = Client().get(f"/ledger/t/{problem.tracking_code}/").content.decode()
    assert "答复.pdf" in page
    assert "内部.pdf" not in page
    anonymous = Client()
    assert anonymous.get(f"/ledger/t/{problem.tracking_code}/files/{public.pk}/").status_code == 200
    assert anonymous.get(f"/ledger/t/{problem.tracking_code}/files/{private.pk}/").status_code == 404
    assert anonymous.get(f"/ledger/t/WRONGCODE/files/{public.pk}/").status_code == 404
    assert anonymous.get(public.get_absolute_url()).status_code == 302  # the staff address needs a login


# --- API -------------------------------------------------------------------------------------


def test_the_api_uploads_lists_and_downloads_attachments(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    grid = client("grid")
    url = f"/api/v1/problems/{problem.pk}/attachments"
    created = grid.post(url, {"file": upload("现场.webp", WEBP), "public": "true"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["original_name"], body["content_type"], body["public"]) == ("现场.webp", "image/webp", True)
    listed = grid.get(url).json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = grid.get(body["download_url"])
    assert download.status_code == 200
    assert download.getvalue() == WEBP
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_api_refuses_wrong_files_out_of_scope_and_onlookers(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    url = f"/api/v1/problems/{problem.pk}/attachments"
    wrong = client("grid").post(url, {"file": upload("a.pdf", EXE)})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "attachment_type"
    assert "纯文本" in wrong.json()["errors"]["file"]
    assert client("grid").post(url, {}).status_code == 400
    assert client("jiangsu").post(url, {"file": upload("a.png", PNG)}).status_code == 404
    assert client("jiangsu").get(url).status_code == 404
    assert client("province").post(url, {"file": upload("a.png", PNG)}).status_code == 403
    assert not ProblemAttachment.objects.exists()
