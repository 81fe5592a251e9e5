"""The FastAPI application of the audit workspace.

:func:`create_app` builds the app on an audit store (SQLite file or PostgreSQL URL). Pages are
rendered on the server with Jinja2 and need no network (the one style sheet is served from
``static/``); the JSON routes are described at ``/openapi.json``. Every error, JSON or page,
is one short message: never a stack trace.

Routes today (each declares its access rule, :mod:`ballotproof.web.access`):

=====================================  ======  ==============================================
route                                  access  what
=====================================  ======  ==============================================
``GET /api/health``                    public  ``{"status": "ok"}``
``GET /api/audits``                    public  the audits in this workspace
``GET /api/audits/{name}``             public  status, risk after each round, seed, journal
                                               head, and how to verify at home
``GET /audits/{name}/bundle.zip``      public  the published bundle
``GET /``                              public  the list of audits (page)
``GET /audits/{name}``                 public  the public page of an audit
=====================================  ======  ==============================================
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ballotproof.errors import BallotproofError
from ballotproof.report.audit import risk_chart, status_doc
from ballotproof.store import AuditStore, open_store
from ballotproof.usecases.bundle import bundle_zip
from ballotproof.web.access import Access, allow, undeclared

__all__ = ["check_routes", "create_app"]

log = logging.getLogger("ballotproof.web")
_HERE = Path(str(files("ballotproof.web")))


def _verify_commands(name: str, head: str) -> list[str]:
    return [
        f"unzip {name}.zip",
        f"ballotproof audit verify --published {name} --expect-head {head}",
    ]


def _public_doc(store: AuditStore, name: str) -> dict[str, Any]:
    if name not in store.names():
        raise HTTPException(404, f"no audit named {name!r} in this workspace")
    doc = status_doc(store.status(name))
    doc["seed_ceremony"] = None  # how the seed was made: recorded by the workspace (to come)
    doc["bundle"] = f"/audits/{name}/bundle.zip"
    doc["verify"] = _verify_commands(name, doc["journal_head"])
    return doc


def create_app(db: str | Path, *, store: AuditStore | None = None) -> FastAPI:
    """The workspace app on the audit database ``db`` (a path or a SQLAlchemy URL).

    Raises
    ------
    RuntimeError
        A route declares no access rule (the app must not start).
    """
    store = store if store is not None else open_store(db, pooled=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_routes(app)
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="ballotproof audit workspace",
        version="1",
        docs_url=None,  # the interactive docs load scripts from a CDN: not offline
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path.endswith(".zip")

    def error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": {"status": status, "message": message}}, status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error(request, 422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(BallotproofError)
    async def refused(request: Request, exc: BallotproofError) -> Response:
        return error(request, 400, str(exc).splitlines()[0])

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:  # pragma: no cover
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error(request, 500, "internal error (logged on the server)")

    @app.get("/api/health")
    @allow(Access.PUBLIC)
    def health() -> dict[str, str]:
        """Liveness: the service answers."""
        return {"status": "ok"}

    @app.get("/api/audits")
    @allow(Access.PUBLIC)
    def audits() -> dict[str, Any]:
        """The audits in this workspace, with their decision so far."""
        rows = []
        for name in store.names():
            s = store.status(name)
            rows.append(
                {
                    "audit": name,
                    "contest": s.spec.contest.name,
                    "method": s.spec.method.value,
                    "rounds": s.current_round,
                    "decision": s.decision.value if s.decision else None,
                    "page": f"/audits/{name}",
                }
            )
        return {"audits": rows}

    @app.get("/api/audits/{name}")
    @allow(Access.PUBLIC)
    def public_audit(name: str) -> dict[str, Any]:
        """The public record of an audit: everything an observer needs to check it."""
        return _public_doc(store, name)

    @app.get("/audits/{name}/bundle.zip", response_class=Response)
    @allow(Access.PUBLIC)
    def bundle(name: str) -> Response:
        """The published bundle (zip); ``audit verify --published`` checks it offline."""
        if name not in store.names():
            raise HTTPException(404, f"no audit named {name!r} in this workspace")
        return Response(
            bundle_zip(store, name),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def index(request: Request) -> Response:
        return templates.TemplateResponse(request, "index.html", {"audits": audits()["audits"]})

    @app.get("/audits/{name}", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def public_page(request: Request, name: str) -> Response:
        doc = _public_doc(store, name)
        return templates.TemplateResponse(
            request, "public.html", {"doc": doc, "chart": risk_chart(doc)}
        )

    check_routes(app)
    app.state.store = store
    return app


def check_routes(app: FastAPI) -> None:
    """Refuse an app with a route that declares no access rule (run when the app is made and
    again when the server starts, so that a route added later is caught too)."""
    missing = undeclared(app.routes)
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
