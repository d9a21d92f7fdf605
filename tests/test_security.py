"""Security: production settings that pass `check --deploy`, the Content-Security-Policy, the
brute-force lockout on every way to sign in, and no candidate contact details in the logs."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.log_redaction import EMAIL_REDACTED, PHONE_REDACTED, RedactPIIFilter, redact
from config.settings import secret_key_settings_check
from hiring.charts import HeatCell, IntervalRow, heatmap, interval_chart
from tests.factories import ApplicationFactory, PacketFactory, UserFactory

PROJECT = Path(settings.BASE_DIR)
PASSWORD = "pass-word-123"  # UserFactory's


# --- production settings --------------------------------------------------------------------------


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py ARGS` in a fresh process whose environment holds only `env` (and PATH), so
    neither this shell's nor CI's DATABASE_URL, broker or DEBUG leak in."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "debrief.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "CELERY_BROKER_URL": "",
    }
    env.update(overrides)
    return env


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


SHOWN = (
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SESSION_COOKIE_HTTPONLY",
)


def production_settings(tmp_path: Path, **overrides: str) -> dict[str, object]:
    show = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SHOWN!r}}}))"
    )
    result = manage("shell", "-c", show, **production_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # after the shell's banner


def test_production_settings_are_secure_by_default_and_adjustable(tmp_path):
    defaults = production_settings(tmp_path)
    behind_proxy = production_settings(
        tmp_path,
        SECURE_SSL_REDIRECT="false",
        TRUST_X_FORWARDED_PROTO="false",
        SECURE_HSTS_SECONDS="600",
        CSRF_TRUSTED_ORIGINS="https://debrief.example.com",
    )

    assert defaults == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "CSRF_TRUSTED_ORIGINS": [],
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }
    assert behind_proxy == {
        **defaults,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_HSTS_SECONDS": 600,
        "CSRF_TRUSTED_ORIGINS": ["https://debrief.example.com"],
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string",  # .env.example's placeholder: too short
        "a" * 80,  # long but not random
        "django-insecure-" + "x1y2z3" * 10,  # Django's marker for a generated development key
        "debrief-insecure-development-key-change-me-in-production-0123456789",  # the default
    ],
)
def test_a_weak_or_known_secret_key_is_refused_in_production(key):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        secret_key_settings_check(secret_key=key, debug=False)


def test_any_secret_key_is_accepted_while_debugging():
    secret_key_settings_check(secret_key="short", debug=True)
    secret_key_settings_check(secret_key=secrets.token_urlsafe(50), debug=False)


# --- Content-Security-Policy ----------------------------------------------------------------------


def csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def admin_client(client, user_in_role):
    client.force_login(user_in_role("admin"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/packets/", "/rubrics/", "/admin/", "/api/docs/"])
def test_every_main_page_answers_with_a_strict_content_security_policy(admin_client, url):
    response = admin_client.get(url)

    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"][0] == "'self'"
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "http" not in header  # no other origin is allowed anything


@pytest.mark.django_db
def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get("/accounts/login/")

    assert csp(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_swagger_ui_loads_only_local_files_and_styles_inline_only_with_the_nonce(admin_client):
    response = admin_client.get("/api/docs/")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])

    assert nonce is not None
    assert f'<style nonce="{nonce.group(1)}">' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert len(scripts) == 3
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs in scripts]
    assert all(source is not None for source in sources), "an inline script would be blocked"
    urls = [source.group(1) for source in sources if source is not None]
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    links = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert links
    assert all(url.startswith("/") and not url.startswith("//") for url in links), links
    start_up = admin_client.get(urls[-1].replace("&amp;", "&"))
    assert start_up.status_code == 200
    assert start_up["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in start_up.content


@pytest.mark.django_db
def test_a_page_that_uses_no_nonce_sends_none(admin_client):
    """The nonce only appears when a template used it, so ordinary pages stay at 'self'."""
    response = admin_client.get("/rubrics/")

    assert "nonce-" not in response.headers["Content-Security-Policy"]


def template_files() -> list[Path]:
    roots = [PROJECT / "templates", *(PROJECT / app / "templates" for app in ("rubrics", "loops"))]
    roots.append(PROJECT / "hiring" / "templates")
    return sorted(path for root in roots if root.exists() for path in root.rglob("*.html"))


def test_no_template_has_an_inline_script_or_style_without_the_nonce():
    files = template_files()
    assert len(files) > 20
    offenders = []
    for path in files:
        text = path.read_text()
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag:
                offenders.append(f"{path.relative_to(PROJECT)}: {tag}")
        offenders += [
            f"{path.relative_to(PROJECT)}: inline style attribute"
            for _ in re.findall(r"\sstyle=", text)
        ]
    assert offenders == []


def test_charts_are_sized_by_attributes_not_inline_styles():
    rows = [IntervalRow(label="ML", value=3.1, lower=2.5, upper=3.6)]
    charts = [
        interval_chart(rows, low=1, high=4, reference=3, title="Competencies"),
        heatmap(
            row_labels=["ML"], column_labels=["Deep dive"], cells=[[HeatCell(raw=3)]], title="T"
        ),
    ]

    for chart in charts:
        assert "style=" not in chart
        assert re.search(r'<svg [^>]*width="\d+" height="\d+"', chart)


# --- brute-force lockout --------------------------------------------------------------------------


def sign_in(client, url, username, password):
    return client.post(url, {"username": username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_sign_in_page_even_for_the_right_one(client):
    user = UserFactory(username="riley")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "/accounts/login/", "riley", "wrong").status_code == 200
    fifth = sign_in(client, "/accounts/login/", "riley", "wrong")
    sixth = sign_in(client, "/accounts/login/", "riley", PASSWORD)

    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert "Account locked: too many failed sign-in attempts" in sixth.content.decode()
    assert "Try again in 15 minutes" in sixth.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_count(client):
    UserFactory(username="riley")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "/accounts/login/", "riley", "wrong")
    assert sign_in(client, "/accounts/login/", "riley", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "/accounts/login/", "riley", "wrong")
    again = sign_in(client, "/accounts/login/", "riley", PASSWORD)

    assert again.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_the_lock_holds_one_username_from_one_address(client):
    """Locking by the pair means a stranger cannot lock a colleague out from elsewhere, and a
    locked-out address can still be used by other people."""
    UserFactory(username="riley")
    UserFactory(username="sam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/accounts/login/", "riley", "wrong")

    other_user = sign_in(client, "/accounts/login/", "sam", PASSWORD)
    client.post("/accounts/logout/")
    other_address = client.post(
        "/accounts/login/",
        {"username": "riley", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    assert other_user.status_code == 302
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_header_does_not_escape_the_lock(client):
    UserFactory(username="riley")

    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "riley", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "riley", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )

    assert response.status_code == 429


@pytest.mark.django_db
def test_the_admin_sign_in_is_locked_the_same_way(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/admin/login/", "root", "wrong")
    response = sign_in(client, "/admin/login/", "root", PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_the_api_token_endpoint_is_locked_the_same_way():
    user = UserFactory(username="script")
    api = APIClient()

    failures = [
        api.post("/api/auth/token/", {"username": "script", "password": "wrong"})
        for _ in range(settings.AXES_FAILURE_LIMIT - 1)
    ]
    fifth = api.post("/api/auth/token/", {"username": "script", "password": "wrong"})
    locked = api.post("/api/auth/token/", {"username": "script", "password": PASSWORD})

    assert [response.status_code for response in failures] == [400] * 4
    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Account locked: too many login attempts")
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_token_sign_in_resets_the_count_and_records_the_sign_in():
    user = UserFactory(username="script")
    api = APIClient()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api.post("/api/auth/token/", {"username": "script", "password": "wrong"})
    ok = api.post("/api/auth/token/", {"username": "script", "password": PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        api.post("/api/auth/token/", {"username": "script", "password": "wrong"})
    again = api.post("/api/auth/token/", {"username": "script", "password": PASSWORD})

    assert ok.status_code == 200
    assert ok.json()["token"] == Token.objects.get(user=user).key
    assert again.status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.django_db
def test_an_administrator_unlocks_a_user_with_axes_reset_username(client):
    UserFactory(username="riley")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/accounts/login/", "riley", "wrong")
    assert sign_in(client, "/accounts/login/", "riley", PASSWORD).status_code == 429

    call_command("axes_reset_username", "riley", stdout=io.StringIO())

    assert sign_in(client, "/accounts/login/", "riley", PASSWORD).status_code == 302


# --- no candidate PII in logs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail to ada.lovelace+jobs@example.co.uk failed", f"mail to {EMAIL_REDACTED} failed"),
        ("SMTP refused {'ada@example.com': (550, b'no')}", f"SMTP refused {{'{EMAIL_REDACTED}'"),
        ("call +44 20 7946 0000 today", f"call {PHONE_REDACTED} today"),
        ("or (020) 7946-0958.", f"or {PHONE_REDACTED}."),
        ("or 555-123-4567", f"or {PHONE_REDACTED}"),
    ],
)
def test_email_addresses_and_phone_numbers_are_redacted(text, expected):
    assert redact(text).startswith(expected)
    assert "@" not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Packet 12345 ready (ready:3): 2 member(s) told",
        "at 2025-03-12 15:00:00+00:00 from 192.168.100.200",
        "Feedback reminders: ReminderReport(due=3, reminders=2, escalations=1)",
        "task 123e4567-e89b-12d3-a456-426614174000 took 1234 ms, version 5.2.19",
        "Connected to redis://:**@127.0.0.1:6379/3",
    ],
)
def test_ids_dates_addresses_and_counts_are_left_alone(text):
    assert redact(text) == text


def configured_handlers() -> list[logging.StreamHandler]:
    """The handlers settings.LOGGING installed on the root logger and Django's loggers."""
    handlers = [
        handler
        for name in ("", "django", "django.server", "django.request")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler  # not pytest's capturing handlers
    ]
    assert handlers
    return handlers


def test_every_configured_handler_redacts():
    for handler in configured_handlers():
        assert any(isinstance(f, RedactPIIFilter) for f in handler.filters), handler


def test_a_log_record_with_an_email_is_written_redacted():
    handler = configured_handlers()[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("hiring.test").warning(
            "could not reach %s (%s)", "ada@example.com", "+44 20 7946 0000"
        )
        try:
            raise ValueError("bad address ada@example.com")
        except ValueError:
            logging.getLogger("hiring.test").exception("failed for %s", "grace@example.org")
    finally:
        handler.setStream(previous)
    written = stream.getvalue()

    assert f"could not reach {EMAIL_REDACTED} ({PHONE_REDACTED})" in written
    assert f"failed for {EMAIL_REDACTED}" in written
    assert f"ValueError: bad address {EMAIL_REDACTED}" in written  # the traceback too
    assert "@example" not in written
    assert "7946" not in written


@pytest.fixture
def everything_logged(caplog):
    """Every record at INFO and above, before any handler's redaction: what the code itself
    puts in a log line."""
    caplog.set_level(logging.INFO)
    return caplog


@pytest.mark.django_db
def test_telling_the_committee_a_packet_is_ready_logs_no_candidate_details(
    everything_logged, mailoutbox, settings, django_capture_on_commit_callbacks
):
    from hiring.notifications import packet_ready_notify

    settings.DEBRIEF_BASE_URL = "https://debrief.example.com"
    members = [UserFactory(email="chair@example.com"), UserFactory(email="")]
    packet = PacketFactory(
        application__candidate__name="Ada Lovelace",
        application__candidate__email="ada@example.com",
        application__candidate__phone="+44 20 7946 0000",
        application__requisition__committee_members=members,
    )

    with django_capture_on_commit_callbacks(execute=True):
        told = packet_ready_notify(packet_id=packet.pk, event="ready:1")

    assert told == 1
    assert "Ada Lovelace" in mailoutbox[0].body  # the message itself names the candidate
    logged = "\n".join(record.getMessage() for record in everything_logged.records)
    assert f"Packet {packet.pk} ready" in logged
    for detail in ("Ada", "Lovelace", "ada@example.com", "7946"):
        assert detail not in logged


@pytest.mark.django_db
def test_feedback_reminders_log_no_candidate_details(
    everything_logged, mailoutbox, django_capture_on_commit_callbacks
):
    from hiring.reminders import feedback_reminders_send
    from tests.factories import InterviewerFactory, InterviewFactory

    application = ApplicationFactory(
        candidate__name="Ada Lovelace",
        candidate__email="ada@example.com",
        candidate__phone="+44 20 7946 0000",
        requisition__recruiter__email="",  # the escalation cannot go: logged by recruiter id
    )
    now = timezone.now()
    ends_at = now - timedelta(days=5)
    InterviewFactory(
        loop=application.loop,
        interviewer=InterviewerFactory(user__email=""),  # cannot be reminded: logged by id
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
    )
    InterviewFactory(
        loop=application.loop,
        interviewer=InterviewerFactory(),
        starts_at=ends_at - timedelta(hours=1),
        ends_at=ends_at,
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_reminders_send(now=now)

    assert report.reminders == 1
    assert "Ada Lovelace" in mailoutbox[0].subject
    logged = "\n".join(record.getMessage() for record in everything_logged.records)
    assert "has no email" in logged
    for detail in ("Ada", "Lovelace", "ada@example.com", "7946"):
        assert detail not in logged


def test_the_handlers_a_celery_worker_sets_up_redact_too():
    from celery.signals import after_setup_logger

    logger = logging.getLogger("tests.celery_worker")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        # What a worker sends once it has replaced the root logger's handlers with its own.
        after_setup_logger.send(
            sender=None,
            logger=logger,
            loglevel=logging.INFO,
            logfile=None,
            format="",
            colorize=False,
        )
        logger.warning("mail to %s failed", "ada@example.com")
    finally:
        logger.removeHandler(handler)

    assert stream.getvalue() == f"mail to {EMAIL_REDACTED} failed\n"
