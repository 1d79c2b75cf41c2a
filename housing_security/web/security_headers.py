"""Security headers on every response, static files and error pages included.

- Content-Security-Policy: scripts, styles, images, fonts, fetches and form posts only from this site, no inline
  script (the pages' scripts are files in static/js), no plugins, and `frame-ancestors 'none'` (with
  X-Frame-Options for old browsers) so that no other site can frame a page with "reveal ID number" or "reject"
  buttons on it;
- X-Content-Type-Options: nosniff (an upload is never run as a script or page), Referrer-Policy: same-origin
  (case URLs never leak to other sites);
- Cache-Control: no-store on every page and download (signed-in pages hold personal data; static files may be
  cached);
- with `HOUSING_HTTPS` on: HSTS, and the session and remember-me cookies are sent over HTTPS only.
"""
from __future__ import annotations

from flask import Flask, request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static" or response.status_code not in (200, 304):
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        if app.config.get("HTTPS"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
