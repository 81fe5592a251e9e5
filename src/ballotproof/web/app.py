"""The FastAPI application of the audit workspace.

:func:`create_app` builds the app on an audit store (SQLite file or PostgreSQL URL). Pages are
rendered on the server with Jinja2 and need no network (the one style sheet is served from
``static/``); the JSON routes are described at ``/openapi.json``. Every error, JSON or page,
is one short message: never a stack trace.

Routes today (each declares its access rule, :mod:`ballotproof.web.access`; the one check is
:func:`ballotproof.web.auth.enforce`):

=====================================  ===========  =========================================
route                                  access       what
=====================================  ===========  =========================================
``GET /api/health``                    public       ``{"status": "ok"}``
``GET /api/audits``                    public       the audits in this workspace
``GET /api/audits/{name}``             public       status, risk after each round, seed,
                                                    journal head, how to verify at home
``GET /audits/{name}/bundle.zip``      public       the published bundle
``GET /``, ``GET /audits/{name}``      public       the list of audits; an audit's public page
``POST /api/login``, ``/login``        public       log in (JSON; the form, with its CSRF token)
``GET /api/me``                        signed-in    who is logged in, the session's CSRF token
``POST /api/logout``, ``/logout``      signed-in    end the session
``GET /admin``                         state-admin  the state's audits
=====================================  ===========  =========================================
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ballotproof.errors import BallotproofError
from ballotproof.report.audit import risk_chart, status_doc
from ballotproof.store import Accounts, AuditStore, open_store
from ballotproof.usecases.accounts import LoggedIn, Session, log_in, log_out
from ballotproof.usecases.bundle import bundle_zip
from ballotproof.web.access import Access, allow, undeclared
from ballotproof.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    LoginRequired,
    enforce,
    is_local,
    new_csrf,
)

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


class Credentials(BaseModel):
    """A log-in through the JSON API."""

    email: str
    password: str


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never ``//other.example`` or a full URL) after log-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def create_app(
    db: str | Path, *, store: AuditStore | None = None, limiter: LoginLimiter | None = None
) -> FastAPI:
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
        dependencies=[Depends(enforce)],
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

    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)

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

    accounts = Accounts(store.engine)
    limiter = limiter if limiter is not None else LoginLimiter()

    def start_session(request: Request, response: Response, new: LoggedIn) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            new.token,
            max_age=12 * 3600,
            httponly=True,
            samesite="lax",
            secure=not is_local(request),
        )

    def attempt(request: Request, email: str, password: str) -> LoggedIn:
        client = request.client.host if request.client else "unknown"
        wait = limiter.retry_after(client, email)
        if wait:
            raise HTTPException(429, f"too many failed log-ins: try again in {wait} s")
        new = log_in(accounts, email, password)
        if new is None:
            limiter.failed(client, email)
            raise HTTPException(401, "wrong e-mail or password")
        limiter.succeeded(client, email)
        return new

    def me_doc(session: Session) -> dict[str, Any]:
        return {
            "email": session.email,
            "role": session.role,
            "jurisdiction": session.jurisdiction,
            "csrf": session.csrf,
        }

    @app.post("/api/login")
    @allow(Access.PUBLIC)
    def api_login(request: Request, credentials: Credentials) -> Response:
        """Log in; the session is an HttpOnly cookie, the answer carries its CSRF token."""
        new = attempt(request, credentials.email, credentials.password)
        response = JSONResponse(me_doc(new.session))
        start_session(request, response, new)
        return response

    @app.get("/api/me")
    @allow(Access.SIGNED_IN)
    def me(request: Request) -> dict[str, Any]:
        """Who is logged in, with the session's CSRF token."""
        session: Session = request.state.session
        return me_doc(session)

    @app.post("/api/logout")
    @allow(Access.SIGNED_IN)
    def api_logout(request: Request) -> Response:
        """End this session."""
        log_out(accounts, request.cookies.get(SESSION_COOKIE))
        response = JSONResponse({"status": "logged out"})
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def login_page(request: Request, next: str | None = None) -> Response:
        csrf = new_csrf()
        response = templates.TemplateResponse(
            request, "login.html", {"csrf": csrf, "next": _safe_next(next), "message": None}
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=not is_local(request)
        )
        return response

    @app.post("/login", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def login_form(
        request: Request,
        email: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or not secrets.compare_digest(expected, csrf):
            raise HTTPException(403, "the log-in form expired: reload the page")
        new = attempt(request, email, password)
        response = RedirectResponse(_safe_next(next), status_code=303)
        start_session(request, response, new)
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    @allow(Access.SIGNED_IN)
    def logout_form(request: Request) -> Response:
        log_out(accounts, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.STATE_ADMIN)
    def admin(request: Request) -> Response:
        return templates.TemplateResponse(
            request,
            "admin.html",
            {"session": request.state.session, "audits": audits()["audits"]},
        )

    check_routes(app)
    app.state.store = store
    app.state.accounts = accounts
    return app


def check_routes(app: FastAPI) -> None:
    """Refuse an app with a route that declares no access rule (run when the app is made and
    again when the server starts, so that a route added later is caught too)."""
    missing = undeclared(app.routes)
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
