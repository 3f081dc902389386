"""Static server for the intranet chat page (port 8080 by default).

Serves a fixed set of files (nothing else on disk is reachable), with a strict Content
Security Policy: scripts only from this server, network connections only to the Rasa
server, no third-party requests (the widget's Google Fonts request is blocked). It writes
no access log: request paths never reach a log.

The "Snel weg" (quick exit) button leaves for WEGWIJZER_EXIT_URL (default the KNMI weather
site, https://www.knmi.nl/): an organisation can pick another neutral site.

Usage: python web/serve.py [--port 8080] [--rasa-port 5005]
"""

from __future__ import annotations

import argparse
import html
import os
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent
FILES = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/index.html": (WEB / "index.html", "text/html; charset=utf-8"),
    "/app.js": (WEB / "app.js", "text/javascript; charset=utf-8"),
    "/style.css": (WEB / "style.css", "text/css; charset=utf-8"),
    "/vendor/webchat.js": (WEB / "node_modules/rasa-webchat/lib/index.js", "text/javascript; charset=utf-8"),
}


DEFAULT_EXIT_URL = "https://www.knmi.nl/"
GOOGLE_FONT_IMPORT = b"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"


def exit_url(raw: str | None) -> str:
    """The quick-exit target: an http(s) address, or a clear error."""
    url = (raw or DEFAULT_EXIT_URL).strip()
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise SystemExit(f"WEGWIJZER_EXIT_URL must be an http(s) address, not {url!r}")
    return url


def content_security_policy(rasa_host: str) -> str:
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        # The widget injects its CSS at run time; inline styles cannot run script.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",  # the widget's icon font is inlined
        f"connect-src 'self' http://{rasa_host} ws://{rasa_host} https://{rasa_host} wss://{rasa_host}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ])


class PageHandler(BaseHTTPRequestHandler):
    server_version = "wegwijzer-web"
    sys_version = ""

    def __init__(self, *args, rasa_port: int, exit_url: str = DEFAULT_EXIT_URL, **kwargs):
        self.rasa_port = rasa_port
        self.exit_url = exit_url
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        """No access log: nothing about visitors is written anywhere."""

    def do_HEAD(self):
        self._serve(send_body=False)

    def do_GET(self):
        self._serve(send_body=True)

    def _not_allowed(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Alleen GET.\n", "text/plain; charset=utf-8", True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed  # noqa: N815

    def _serve(self, send_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", send_body)
            return
        entry = FILES.get(path)
        if entry is None or not entry[0].is_file():
            self._send(HTTPStatus.NOT_FOUND, b"Niet gevonden.\n", "text/plain; charset=utf-8", send_body)
            return
        file, content_type = entry
        body = file.read_bytes()
        if path == "/vendor/webchat.js":
            # The widget's CSS imports a font from Google; the CSP would block it, but the
            # browser would still try. Without the import nothing leaves this site.
            body = body.replace(GOOGLE_FONT_IMPORT, b"")
        if file.name == "index.html":
            attributes = (f'<html lang="nl" data-rasa-port="{self.rasa_port}" '
                          f'data-exit-url="{html.escape(self.exit_url, quote=True)}">')
            body = body.replace(b'<html lang="nl">', attributes.encode(), 1)
        self._send(HTTPStatus.OK, body, content_type, send_body)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool) -> None:
        host = (self.headers.get("Host") or "localhost").rsplit(":", 1)[0].strip("[]") or "localhost"
        if not all(c.isalnum() or c in ".-" for c in host):
            host = "localhost"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", content_security_policy(f"{host}:{self.rasa_port}"))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args()
    handler = partial(PageHandler, rasa_port=args.rasa_port,
                      exit_url=exit_url(os.environ.get("WEGWIJZER_EXIT_URL")))
    with ThreadingHTTPServer((args.host, args.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
