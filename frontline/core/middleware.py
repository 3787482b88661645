"""Request context for audit rows, and the idle-session timeout."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url

from frontline.core.context import current_ip


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address (REMOTE_ADDR; a proxy in front must set it, not X-Forwarded-For)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class IdleTimeoutMiddleware:
    """Log a session out after SESSION_IDLE_SECONDS without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}&idle=1")
            # Write the session at most once a minute: polling pages must not take the write lock each time.
            if last is None or now - int(last) >= 60:
                request.session["last_seen"] = now
        return self.get_response(request)


class ChineseByDefaultMiddleware:
    """Show Simplified Chinese unless the user picked English with the language switch.

    The browser's Accept-Language is ignored: officials often use English-locale machines, and the
    product's language is Chinese. The choice made in the switch is kept in Django's language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
