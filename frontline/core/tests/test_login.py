from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frontline.core.models import ApiToken, AuditAction, AuditLog, LoginAttempt
from frontline.core.testing import PASSWORD


def post_login(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_good_login_lands_on_the_home_page_and_is_audited(world):
    client = Client()
    response = post_login(client, "xingang", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("core:home")
    row = AuditLog.objects.get(action=AuditAction.LOGIN)
    assert row.actor == world.xingang_official
    assert row.ip == "10.1.1.1"


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(world):
    wrong = post_login(Client(), "xingang", "nope").content.decode()
    unknown = post_login(Client(), "nobody-here", "nope").content.decode()
    assert "用户名或密码错误" in wrong
    assert "用户名或密码错误" in unknown
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 2


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        post_login(Client(), "xingang", "wrong-password")
    response = post_login(Client(), "xingang", PASSWORD)
    assert response.status_code == 200
    assert "暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_unknown_accounts_lock_the_same_way_so_lockout_reveals_nothing(world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        post_login(Client(), "ghost", "x")
    assert "暂时锁定" in post_login(Client(), "ghost", "x").content.decode()


def test_a_client_address_is_locked_after_failures_across_accounts(world, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    for i in range(4):
        post_login(Client(), f"user{i}", "x", ip="10.9.9.9")
    assert "暂时锁定" in post_login(Client(), "xingang", PASSWORD, ip="10.9.9.9").content.decode()
    assert post_login(Client(), "xingang", PASSWORD, ip="10.9.9.10").status_code == 302


def test_the_lockout_ends_after_the_lockout_period(world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        post_login(Client(), "xingang", "x")
    LoginAttempt.objects.update(created_at=timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    assert post_login(Client(), "xingang", PASSWORD).status_code == 302


def test_a_success_resets_the_account_failure_count(world, settings):
    settings.LOGIN_MAX_FAILURES = 3
    post_login(Client(), "xingang", "x")
    post_login(Client(), "xingang", "x")
    assert post_login(Client(), "xingang", PASSWORD).status_code == 302
    post_login(Client(), "xingang", "x")
    post_login(Client(), "xingang", "x")
    assert post_login(Client(), "xingang", PASSWORD).status_code == 302


def test_an_idle_session_is_logged_out(world, client_for, settings):
    client = client_for("xingang")
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert "idle=1" in response.headers["Location"]
    assert client.get(reverse("core:home")).status_code == 302


def test_pages_need_a_login(db):
    response = Client().get(reverse("cadres:list"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("core:login"))


def test_the_open_redirect_after_login_is_refused(world):
    client = Client()
    response = client.post(
        reverse("core:login"), {"username": "xingang", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == reverse("core:home")


class TestApiToken:
    def test_credentials_give_a_token_that_authenticates_requests(self, world):
        client = Client()
        response = client.post(
            "/api/v1/auth/token", {"username": "xingang", "password": PASSWORD}, content_type="application/json"
        )
        assert response.status_code == 200
        token = response.json()["token"]
        ok = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert ok.status_code == 200

    def test_bad_credentials_get_401_and_lockout_gets_429(self, world, settings):
        settings.LOGIN_MAX_FAILURES = 2
        client = Client()
        body = {"username": "xingang", "password": "wrong"}
        assert client.post("/api/v1/auth/token", body, content_type="application/json").status_code == 401
        assert client.post("/api/v1/auth/token", body, content_type="application/json").status_code == 401
        good = {"username": "xingang", "password": PASSWORD}
        locked = client.post("/api/v1/auth/token", good, content_type="application/json")
        assert locked.status_code == 429
        assert locked.json()["code"] == "too_many_attempts"
        assert "锁定" in locked.json()["detail"]

    def test_an_expired_or_revoked_token_is_refused(self, world):
        client = Client()
        _, key = ApiToken.issue(world.xingang_official)
        auth = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 200
        assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
        assert client.get("/api/v1/auth/me", headers=auth).status_code == 401
        _, key2 = ApiToken.issue(world.xingang_official)
        ApiToken.objects.filter(key_hash=ApiToken.hash(key2)).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {key2}").status_code == 401

    def test_the_token_itself_is_never_stored(self, world):
        _, key = ApiToken.issue(world.xingang_official)
        assert not ApiToken.objects.filter(key_hash=key).exists()
        assert ApiToken.objects.filter(key_hash=ApiToken.hash(key)).exists()


@pytest.mark.parametrize("path", ["/api/v1/openapi.json"])
def test_the_api_publishes_an_openapi_schema(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in schema["paths"]


def test_the_interactive_api_docs_load_without_a_cdn(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in html


def test_the_ui_is_chinese_even_for_an_english_browser_and_english_when_chosen(db):
    client = Client()
    page = client.get(reverse("core:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录一线" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "登录一线" not in client.get(reverse("core:login")).content.decode()
