from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from frontline.cadres.models import Cadre
from frontline.core.models import ApiToken
from frontline.excel.models import ImportJob
from frontline.excel.tests.sheets import cadre_row, cadres_xlsx


def api_client(user) -> Client:
    _token, key = ApiToken.issue(user)
    return Client(headers={"Authorization": f"Bearer {key}"})


def post_file(client: Client, content: bytes, kind: str = "cadres", name: str = "干部.xlsx"):
    return client.post("/api/v1/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_an_upload_returns_the_finished_job(world):
    client = api_client(world.xingang_official)
    response = post_file(client, cadres_xlsx(cadre_row("王小明"), cadre_row("李晓红")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["created_rows"], body["percent"], body["errors"]) == ("done", 2, 100, [])

    again = client.get(f"/api/v1/imports/{body['id']}")
    assert again.status_code == 200
    assert again.json()["status_label"] == "已导入"
    listed = client.get("/api/v1/imports/").json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == body["id"]


def test_problems_in_the_file_come_back_as_errors_with_rows(world):
    response = post_file(api_client(world.xingang_official), cadres_xlsx(cadre_row("王小明", "123")))
    body = response.json()
    assert body["status"] == "failed"
    assert body["errors"][0]["row"] == 2
    assert body["errors"][0]["column"] == "身份证号"
    assert Cadre.objects.filter(name="王小明").count() == 0


def test_an_empty_file_is_a_400_with_a_code_and_no_job(world):
    response = post_file(api_client(world.xingang_official), b"")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"
    assert not ImportJob.objects.exists()


def test_a_role_without_import_rights_gets_403(world):
    response = post_file(api_client(world.province_official), cadres_xlsx(cadre_row("王小明")))
    assert response.status_code == 403


def test_another_users_job_is_404(world):
    job_id = post_file(api_client(world.xingang_official), cadres_xlsx(cadre_row("王小明"))).json()["id"]
    assert api_client(world.zengdu_official).get(f"/api/v1/imports/{job_id}").status_code == 404
    assert api_client(world.zengdu_official).get("/api/v1/imports/").json()["count"] == 0
