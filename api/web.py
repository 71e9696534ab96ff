"""Serves the web front (``web/``): the widget script, the call-centre console and the demo page.

Pages get a strict Content-Security-Policy (scripts and styles from this origin only, no inline
script, no plug-ins, no framing by other sites); scripts and styles are plain files. Sites that
embed the widget from another origin are listed in ``LOTSE_WIDGET_ORIGINS``, which opens CORS on
the public routes for them (and only for ``Content-Type``: the admin token header stays closed).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse

from lotse.settings import Settings
from web import ASSETS

__all__ = ["CSP", "install_web"]

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'self'; object-src 'none'")

# path -> (file in web/, media type). Only these files are served: nothing else under web/ leaks out.
_FILES = {
    "/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": ("widget.css", "text/css; charset=utf-8"),
    "/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/console.css": ("console.css", "text/css; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
    "/console": ("console.html", "text/html; charset=utf-8"),
    "/demo": ("demo.html", "text/html; charset=utf-8"),
}
_COMMON = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache", "Referrer-Policy": "no-referrer"}
# The widget's script and style are loaded by other sites' pages.
_EMBEDDED = {"Cross-Origin-Resource-Policy": "cross-origin", "Access-Control-Allow-Origin": "*"}


def _route(name: str, media_type: str):  # type: ignore[no-untyped-def]
    headers = dict(_COMMON)
    if media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = CSP
    elif name.startswith("widget."):
        headers.update(_EMBEDDED)

    async def serve() -> FileResponse:
        return FileResponse(ASSETS / name, media_type=media_type, headers=headers)

    return serve


def install_web(app: FastAPI, settings: Settings) -> None:
    """Add the front's routes and, when embedding sites are configured, CORS for them."""
    router = APIRouter(tags=["web"], include_in_schema=False)
    for path, (name, media_type) in _FILES.items():
        router.add_api_route(path, _route(name, media_type), methods=["GET", "HEAD"])
    app.include_router(router)
    origins = settings.widget_origin_list()
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"], max_age=600)
