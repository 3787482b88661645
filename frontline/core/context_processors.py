from typing import Any

from django.http import HttpRequest

from frontline.core.access import access_for


def frontline(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's access flags to every template as `access`."""
    return {"access": access_for(request.user)}  # type: ignore[arg-type]
