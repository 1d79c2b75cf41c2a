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
    "BABEL_DEFAULT_LOCALE": "zh",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "DEFAULT_CITY": "taiyuan",
    # PBKDF2-SHA256 with 600,000 iterations follows OWASP's password-storage guidance;
    # Werkzeug's default scrypt parameters are below it.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
    "PAGE_SIZE": 50,
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
