"""The audit log: who signed in or failed to, who was refused, who decided what.

`audit_record` is the one function that writes `AuditEvent` rows; the receivers below connect it to
Django's and django-axes's sign-in signals (hiring/apps.py), `config.middleware.AuditMiddleware`
records every 403, and the committee services record decisions. An event names objects by type and
id only and never holds a password or a candidate's personal data: callers put ids, choices and
counts in `detail`, never free text about a candidate.

The address is the request's REMOTE_ADDR. Behind a reverse proxy that is the proxy's address unless
the proxy and the WSGI server are set up to pass the client's address through as REMOTE_ADDR
(docs/operations.md, "Security"); headers such as X-Forwarded-For are not trusted, because any
client can send them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import HttpRequest

from hiring.models import AuditAction, AuditEvent


def _field_max(name: str) -> int:
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.CharField)
    assert field.max_length is not None
    return field.max_length


def client_ip(request: Any) -> str | None:
    """REMOTE_ADDR if it is an IP address (a test or a Unix socket may give anything else)."""
    address = str(request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    request: HttpRequest | Any | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    username: str = "",
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Without an actor, the request's signed-in user (if any) is the actor;
    without a username, the actor's. `request` may be Django's or DRF's request."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if isinstance(actor, get_user_model()) and actor.pk is not None else None
    if not username and user is not None:
        username = user.get_username()
    path = str(getattr(request, "path", "") or "") if request is not None else ""
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        username=str(username)[: _field_max("username")],
        ip_address=client_ip(request) if request is not None else None,
        path=path[: _field_max("path")],
        object_type=object_type[: _field_max("object_type")],
        object_id=str(object_id)[: _field_max("object_id")],
        detail=detail or {},
    )


# --- signal receivers (connected in HiringConfig.ready) -------------------------------------------


def on_user_logged_in(sender: Any, request: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, request=request, actor=user)


def on_user_logged_out(
    sender: Any, request: Any, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    audit_record(action=AuditAction.LOGOUT, request=request, actor=user)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """The username as typed; nothing else from the credentials (Django has already masked the
    password, but no other field belongs in the log either)."""
    username_field = get_user_model().USERNAME_FIELD
    typed = credentials.get(username_field) or credentials.get("username") or ""
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        actor=AnonymousUser(),
        username=str(typed),
    )


def on_user_locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    """django-axes's lockout: sent when an attempt reaches the limit, and again for every attempt
    while the username and address stay locked."""
    audit_record(
        action=AuditAction.LOCKED_OUT,
        request=request,
        actor=AnonymousUser(),
        username=username or "",
    )
