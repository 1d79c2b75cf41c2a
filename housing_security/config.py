"""Default settings. `instance/config.py` and `HOUSING_*` environment variables override them."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

DEFAULTS = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "UPLOAD_MAX_BYTES": 8 * 1024 * 1024,
    # Uploads are parsed whole (services/documents.py): at most this many PDF pages, this many bytes of PDF
    # content once decompressed, and this many pixels per image (more is refused as a decompression bomb).
    "UPLOAD_PDF_MAX_PAGES": 100,
    "UPLOAD_PDF_MAX_DECODED_BYTES": 64 * 1024 * 1024,
    "UPLOAD_IMAGE_MAX_PIXELS": 40_000_000,
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh", "en"],
    # HOUSING_HTTPS=true behind TLS: HSTS, and cookies sent over HTTPS only (web/security_headers.py).
    "HTTPS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    # Sign-in throttling in the database (services/sign_in.py): free failures per account and per address, then
    # an exponential back-off from LOGIN_BACKOFF_SECONDS doubling up to LOGIN_BACKOFF_MAX_SECONDS; failures older
    # than the window are forgotten.
    # A sign-in ends after this long without a request (applicants fill long forms: longer), and in any case
    # this many hours after it began; expired rows are deleted by the daily job.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_IDLE_MINUTES_APPLICANT": 120,
    "SESSION_ABSOLUTE_HOURS": 12,
    "LOGIN_THROTTLE_ENABLED": True,
    "LOGIN_FREE_ATTEMPTS": 5,
    "LOGIN_ADDRESS_FREE_ATTEMPTS": 30,
    "LOGIN_BACKOFF_SECONDS": 2,
    "LOGIN_BACKOFF_MAX_SECONDS": 900,
    "LOGIN_FAILURE_WINDOW_SECONDS": 3600,
    "DEFAULT_CITY": "taiyuan",
    # PBKDF2-SHA256 with 600,000 iterations follows OWASP's password-storage guidance;
    # Werkzeug's default scrypt parameters are below it.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
    "PAGE_SIZE": 50,
    # How long an applicant's one-time consent code for assisted intake lives.
    "INTAKE_CONSENT_MINUTES": 15,
    # New objections one case takes per day (repeats of an open one are merged, not counted).
    "OBJECTION_DAILY_CAP_PER_CASE": 10,
    "SQLITE_BUSY_TIMEOUT": 10,  # seconds a SQLite writer waits for the lock
    # Background jobs (worker.py, services/jobs.py). REDIS_URL (HOUSING_REDIS_URL) moves the queue to Redis.
    "REDIS_URL": None,
    "JOB_HEARTBEAT_SECONDS": 5,
    "JOB_STALE_SECONDS": 120,  # a running job silent this long lost its worker
    "DAILY_JOBS_AT": "02:30",  # the daily jobs' time, in BABEL_DEFAULT_TIMEZONE
    "PROXY_FIX": 0,  # number of trusted reverse proxies (HOUSING_PROXY_FIX)
}

ENV_PREFIX = "HOUSING_"


def _coerce(raw: str):
    """Environment values are strings; accept JSON so numbers and booleans keep their type."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def environment_overrides(environ=None) -> dict:
    environ = os.environ if environ is None else environ
    overrides = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):]
        if name == "DATABASE_URL":
            overrides["SQLALCHEMY_DATABASE_URI"] = raw
        else:
            overrides[name] = _coerce(raw)
    return overrides


def instance_secret_key(instance_path: str) -> str:
    """A key generated once per installation and kept in instance/, so it is never committed."""
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
