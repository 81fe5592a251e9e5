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
``GET /api/audits/{name}/discrepancies``,
``/audits/{name}/discrepancies.csv``   public       a comparison audit's discrepancy report
``GET /``, ``GET /audits/{name}``      public       the list of audits; an audit's public page
``POST /api/login``, ``/login``        public       log in (JSON; the form, with its CSRF token)
``GET /api/me``                        signed-in    who is logged in, the session's CSRF token
``POST /api/logout``, ``/logout``      signed-in    end the session
``GET /admin``                         state-admin  the state's audits
``/api/workspace/audits…``             by role      set up (state admin), upload a county's
                                                    manifest and CVR file, boards, corrections,
                                                    retrieval lists (county manager), launch
                                                    (state admin)
``/api/board…``, ``/board``            audit-board  the board's ballots, entries, sign-off
``/board/{code}``                      public       a board's log-in by link and passphrase
=====================================  ===========  =========================================
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import BLANK, NOT_FOUND, OVERVOTE, Method
from ballotproof.errors import BallotproofError, InputError, StoreError
from ballotproof.report.audit import render_audit_report, risk_chart, rounds_csv, status_doc
from ballotproof.store import Accounts, AuditStore, Workspace, open_store
from ballotproof.usecases.accounts import LoggedIn, Session, log_in, log_out
from ballotproof.usecases.boards import (
    ReadingRequest,
    board_ballots,
    board_email,
    board_of,
    correct_reading,
    county_board,
    county_boards,
    county_retrieval,
    create_board,
    enter_reading,
    enter_reading_once,
    revoke_board,
    sign_off,
)
from ballotproof.usecases.bundle import bundle_zip
from ballotproof.usecases.discrepancies import (
    DiscrepancyReport,
    compares_ballots,
    discrepancy_csv,
    discrepancy_report,
)
from ballotproof.usecases.retrieval import retrieval_csv
from ballotproof.usecases.verify import verify_store
from ballotproof.usecases.workspace import (
    MAX_UPLOAD_BYTES,
    Draft,
    audit_statuses,
    create_audit,
    draft_of,
    launch,
    launched_status,
    seed_ceremony,
    upload_cvrs,
    upload_manifest,
)
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
from ballotproof.web.pages import add_pages

__all__ = ["DB_VARIABLE", "app_from_environment", "check_routes", "create_app"]

DB_VARIABLE = "BALLOTPROOF_DB"

log = logging.getLogger("ballotproof.web")
_HERE = Path(str(files("ballotproof.web")))


def _verify_commands(name: str, head: str) -> list[str]:
    return [
        f"unzip {name}.zip",
        f"ballotproof audit verify --published {name} --expect-head {head}",
    ]


def _public_doc(store: AuditStore, name: str) -> dict[str, Any]:
    status = launched_status(store, name)
    if status is None:
        raise HTTPException(404, f"no audit named {name!r} in this workspace")
    doc = status_doc(status)
    doc["seed_ceremony"] = seed_ceremony(Workspace(store.engine), name)
    doc["bundle"] = f"/audits/{name}/bundle.zip"
    doc["verify"] = _verify_commands(name, doc["journal_head"])
    return doc


class Credentials(BaseModel):
    """A log-in through the JSON API."""

    email: str
    password: str


class ContestIn(BaseModel):
    """The contest under audit, as reported."""

    name: str
    tally: dict[str, int]
    ballots: int


class CountyIn(BaseModel):
    name: str
    manager_email: str | None = None


class NewAuditIn(BaseModel):
    """An audit to set up: the contest, the method, the risk limit, the seed and its ceremony,
    and the counties taking part."""

    name: str
    contest: ContestIn
    method: str = "bravo"
    risk_limit: float = 0.1
    seed: str
    seed_ceremony: str
    counties: list[CountyIn]


class BoardIn(BaseModel):
    """A new audit board: its name and its two members."""

    name: str
    members: list[str]


class ReadingIn(BaseModel):
    """A board's entry: the ballot (id or label), what it shows, and both members' names."""

    ballot_id: str
    interpretation: str
    confirmed_by: list[str]


class CorrectionIn(BaseModel):
    """A county manager's correction of a reading, with the reason."""

    ballot_id: str
    interpretation: str
    note: str


class LaunchIn(BaseModel):
    allow_phantoms: bool = False


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


ROLE_HOME = {"state-admin": "/admin", "county-manager": "/county", "audit-board": "/board"}


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never ``//other.example`` or a full URL) after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and target != "/":
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

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        """Refuse a body larger than the largest upload before reading it."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_UPLOAD_BYTES + 1024 * 1024:
            return error(request, 413, f"the request is larger than {MAX_UPLOAD_BYTES >> 20} MiB")
        response: Response = await call_next(request)
        return response

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
        return {
            "audits": [
                {
                    "audit": s.spec.name,
                    "contest": s.spec.contest.name,
                    "method": s.spec.method.value,
                    "rounds": s.current_round,
                    "decision": s.decision.value if s.decision else None,
                    "page": f"/audits/{s.spec.name}",
                }
                for s in audit_statuses(store)
            ]
        }

    @app.get("/api/audits/{name}")
    @allow(Access.PUBLIC)
    def public_audit(name: str) -> dict[str, Any]:
        """The public record of an audit: everything an observer needs to check it."""
        return _public_doc(store, name)

    @app.get("/audits/{name}/bundle.zip", response_class=Response)
    @allow(Access.PUBLIC)
    def bundle(name: str) -> Response:
        """The published bundle (zip); ``audit verify --published`` checks it offline."""
        if launched_status(store, name) is None:
            raise HTTPException(404, f"no audit named {name!r} in this workspace")
        return Response(
            bundle_zip(store, name),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
        )

    @app.get("/audits/{name}/report.csv", response_class=Response)
    @allow(Access.PUBLIC)
    def report_csv(name: str) -> Response:
        """The audit report as CSV: one row per round, its risk per pair or contest and its
        sample counts (as ``audit status --json`` holds them)."""
        status = launched_status(store, name)
        if status is None:
            raise HTTPException(404, f"no audit named {name!r} in this workspace")
        return Response(
            rounds_csv(status_doc(status)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}-report.csv"'},
        )

    @app.get("/audits/{name}/report.html", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def report_html(name: str) -> Response:
        """The audit report (``audit report``): risk over the rounds, the sample, and every
        check of the record recomputed now from the journal."""
        status = launched_status(store, name)
        if status is None:
            raise HTTPException(404, f"no audit named {name!r} in this workspace")
        checks = [c.to_json() for c in verify_store(store, name)]
        return HTMLResponse(render_audit_report(status_doc(status), checks))

    def discrepancies_of(name: str) -> DiscrepancyReport:
        if launched_status(store, name) is None:
            raise HTTPException(404, f"no audit named {name!r} in this workspace")
        return discrepancy_report(store, name)

    @app.get("/api/audits/{name}/discrepancies")
    @allow(Access.PUBLIC)
    def discrepancies_json(name: str) -> dict[str, object]:
        """A comparison audit's discrepancy report: every drawn ballot read so far whose
        reading differs from its cast vote record, with its overstatement and kind (o2, o1,
        u1, u2), and the counts per kind; a polling audit's says there is nothing to compare."""
        return discrepancies_of(name).to_json()

    @app.get("/audits/{name}/discrepancies.csv", response_class=Response)
    @allow(Access.PUBLIC)
    def discrepancies_csv(name: str) -> Response:
        """The discrepancy report as CSV: one row per ballot whose reading differs from its
        cast vote record."""
        return Response(
            discrepancy_csv(discrepancies_of(name)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}-discrepancies.csv"'},
        )

    @app.get(
        "/audits/{name}/discrepancies.html", response_class=HTMLResponse, include_in_schema=False
    )
    @allow(Access.PUBLIC)
    def discrepancies_page(request: Request, name: str) -> Response:
        return templates.TemplateResponse(
            request, "discrepancies.html", {"report": discrepancies_of(name)}
        )

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def index(request: Request) -> Response:
        return templates.TemplateResponse(request, "index.html", {"audits": audits()["audits"]})

    @app.get("/audits/{name}", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def public_page(request: Request, name: str) -> Response:
        doc = _public_doc(store, name)
        status = launched_status(store, name)
        compared = status is not None and compares_ballots(status.spec)
        return templates.TemplateResponse(
            request,
            "public.html",
            {"doc": doc, "chart": risk_chart(doc), "discrepancies": compared},
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
        # Back where the log-in was asked for, else to the role's own page.
        target = _safe_next(next)
        if target == "/":
            target = ROLE_HOME.get(new.session.role, "/")
        response = RedirectResponse(target, status_code=303)
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

    workspace = Workspace(store.engine)

    def session_of_request(request: Request) -> Session:
        session: Session = request.state.session
        return session

    def draft_or_404(name: str) -> Draft:
        draft = draft_of(workspace, name)
        if draft is None:
            raise HTTPException(404, f"no audit named {name!r} is set up in this workspace")
        return draft

    def my_county(request: Request, name: str, county: str) -> Draft:
        """The audit, looked up through the manager's own county: another county's is 404."""
        draft = draft_or_404(name)
        session = session_of_request(request)
        if session.jurisdiction != county or county not in {c.county for c in draft.counties}:
            raise HTTPException(404, f"no county {county!r} of yours in audit {name!r}")
        return draft

    @app.post("/api/workspace/audits", status_code=201)
    @allow(Access.STATE_ADMIN)
    def new_audit(request: Request, body: NewAuditIn) -> dict[str, object]:
        """Set up an audit: nothing is drawn until it is launched."""
        try:
            method = Method(body.method)
        except ValueError:
            raise HTTPException(400, f"method: no method {body.method!r}") from None
        draft = create_audit(
            workspace,
            store,
            name=body.name,
            contest=AuditContest(body.contest.name, body.contest.tally, body.contest.ballots),
            method=method,
            risk_limit=body.risk_limit,
            seed=body.seed,
            seed_ceremony=body.seed_ceremony,
            counties={c.name: c.manager_email for c in body.counties},
            created_by=session_of_request(request).email,
            now=_utc_now,
        )
        return draft.to_json()

    @app.get("/api/workspace/audits/{name}")
    @allow(Access.STATE_ADMIN)
    def set_up_audit(name: str) -> dict[str, object]:
        """An audit as set up: every county's upload status; the status once launched."""
        doc = draft_or_404(name).to_json()
        status = launched_status(store, name)
        doc["status"] = status_doc(status) if status else None
        return doc

    @app.post("/api/workspace/audits/{name}/launch")
    @allow(Access.STATE_ADMIN)
    def launch_audit(name: str, body: LaunchIn) -> dict[str, Any]:
        """Combine the counties' manifests, check them, and draw round 1."""
        draft_or_404(name)
        try:
            status = launch(
                workspace, store, name, allow_phantoms=body.allow_phantoms, now=_utc_now
            )
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return status_doc(status)

    @app.get("/api/workspace/audits/{name}/counties/{county}")
    @allow(Access.COUNTY_MANAGER)
    def county_state(request: Request, name: str, county: str) -> dict[str, object]:
        """The county's part of an audit: its upload, and the audit's status once launched."""
        draft = my_county(request, name, county)
        state = next(c for c in draft.counties if c.county == county)
        status = launched_status(store, name)
        return {
            "audit": name,
            **state.to_json(),
            "comparison": draft.comparison,
            "launched": status is not None,
            "rounds": status.current_round if status else 0,
        }

    @app.put("/api/workspace/audits/{name}/counties/{county}/manifest")
    @allow(Access.COUNTY_MANAGER)
    async def put_manifest(
        request: Request, name: str, county: str, file: Annotated[UploadFile, File()]
    ) -> dict[str, object]:
        """Upload the county's ballot manifest (CSV): checked whole, kept whole or not at all."""
        my_county(request, name, county)
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        try:
            state = upload_manifest(
                workspace,
                name,
                county,
                file.filename or "manifest.csv",
                content,
                uploaded_by=session_of_request(request).email,
                now=_utc_now,
            )
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return state.to_json()

    @app.put("/api/workspace/audits/{name}/counties/{county}/cvrs")
    @allow(Access.COUNTY_MANAGER)
    async def put_cvrs(
        request: Request,
        name: str,
        county: str,
        file: Annotated[UploadFile, File()],
        format: Annotated[str, Form()],
    ) -> dict[str, object]:
        """Upload the county's cast vote records for a ballot-comparison audit (``format``:
        dominion-csv, dominion-json or nist-json): checked whole by the loader of ``audit
        start --cvrs``, kept whole or not at all."""
        my_county(request, name, county)
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        try:
            state = upload_cvrs(
                workspace,
                name,
                county,
                file.filename or "cvrs",
                content,
                format,
                uploaded_by=session_of_request(request).email,
                now=_utc_now,
            )
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return state.to_json()

    @app.get(
        "/api/workspace/audits/{name}/counties/{county}/retrieval.csv",
        response_class=Response,
    )
    @allow(Access.COUNTY_MANAGER)
    def county_retrieval_csv(request: Request, name: str, county: str, round: int = 0) -> Response:
        """The county's retrieval list of a round (default: the current one), as CSV sorted by
        container, tabulator, batch and position."""
        my_county(request, name, county)
        try:
            _status, number, entries = county_retrieval(store, name, county, round)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return Response(
            retrieval_csv(entries),
            media_type="text/csv",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{name}-{county}-round-{number}.csv"'
                )
            },
        )

    @app.post("/api/workspace/audits/{name}/counties/{county}/boards", status_code=201)
    @allow(Access.COUNTY_MANAGER)
    def new_board(request: Request, name: str, county: str, body: BoardIn) -> dict[str, object]:
        """Create an audit board: its log-in link and passphrase are shown this once."""
        my_county(request, name, county)
        board = create_board(
            accounts, workspace, name, county, body.name, body.members, now=_utc_now
        )
        return {
            "board": board.name,
            "code": board.code,
            "members": list(board.members),
            "link": board.link,
            "passphrase": board.passphrase,
        }

    @app.get("/api/workspace/audits/{name}/counties/{county}/boards")
    @allow(Access.COUNTY_MANAGER)
    def list_boards(request: Request, name: str, county: str) -> dict[str, object]:
        """The county's boards (never their passphrases)."""
        my_county(request, name, county)
        return {"boards": county_boards(workspace, name, county)}

    def my_board(request: Request, name: str, county: str, code: str) -> Any:
        my_county(request, name, county)
        try:
            return county_board(workspace, name, county, code)
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from exc

    @app.post("/api/workspace/audits/{name}/counties/{county}/boards/{code}/revoke")
    @allow(Access.COUNTY_MANAGER)
    def revoke(request: Request, name: str, county: str, code: str) -> dict[str, str]:
        """The board's passphrase stops working and its sessions end."""
        revoke_board(accounts, workspace, my_board(request, name, county, code))
        return {"status": "revoked"}

    @app.post("/api/workspace/audits/{name}/counties/{county}/corrections")
    @allow(Access.COUNTY_MANAGER)
    def correct(request: Request, name: str, county: str, body: CorrectionIn) -> dict[str, Any]:
        """Correct a reading of the county's current round (a new version, with the reason)."""
        my_county(request, name, county)
        try:
            status = correct_reading(
                store,
                name,
                county,
                body.ballot_id,
                body.interpretation,
                body.note,
                by=session_of_request(request).email,
                now=_utc_now,
            )
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return status_doc(status)

    def current_board(request: Request) -> Any:
        try:
            return board_of(accounts, workspace, session_of_request(request))
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from exc

    @app.get("/api/board")
    @allow(Access.AUDIT_BOARD)
    def board_list(request: Request) -> dict[str, object]:
        """The board's ballots of the current round, with what is recorded for each."""
        board = current_board(request)
        try:
            status, ballots = board_ballots(store, board)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return {
            "audit": board.audit,
            "county": board.county,
            "board": board.name,
            "members": json.loads(board.members),
            "round": status.current_round,
            "signed_off": board.signed_off_round == status.current_round,
            # The candidates in the order of the reported tally, then the other readings.
            "choices": [*status.spec.contest.tally, BLANK, OVERVOTE, NOT_FOUND],
            "ballots": [b.to_json() for b in ballots],
        }

    @app.post("/api/board/readings")
    @allow(Access.AUDIT_BOARD)
    def board_reading(
        request: Request,
        body: ReadingIn,
        idempotency_key: Annotated[
            str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
        ] = None,
    ) -> dict[str, object]:
        """Enter a ballot's reading, confirmed by both members. With an ``Idempotency-Key``
        header a retried request gets the first answer again and records nothing (the key
        reused for a different entry is refused, 422); without one, the same reading sent
        again is still not recorded twice, and a different one is a conflict (409) for the
        county manager."""
        try:
            return enter_reading_once(
                store,
                workspace,
                current_board(request),
                ReadingRequest(body.ballot_id, body.interpretation, tuple(body.confirmed_by)),
                who=session_of_request(request).email,
                key=idempotency_key,
                answer=lambda status, written: {
                    "recorded": written,
                    "status": status_doc(status),
                },
                now=_utc_now,
            )
        except InputError as exc:
            if exc.field != "Idempotency-Key":
                raise  # a bad entry: 400, like every refused input
            raise HTTPException(422, str(exc).splitlines()[0]) from exc
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc

    @app.post("/api/board/sign-off")
    @allow(Access.AUDIT_BOARD)
    def board_sign_off(request: Request) -> dict[str, object]:
        """The board is done with this round."""
        board = current_board(request)
        return {"board": board.name, "signed_off_round": sign_off(workspace, store, board)}

    @app.post("/board/{code}", include_in_schema=False)
    @allow(Access.PUBLIC)
    def board_login(
        request: Request,
        code: str,
        passphrase: Annotated[str, Form()],
        csrf: Annotated[str, Form()],
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or not secrets.compare_digest(expected, csrf):
            raise HTTPException(403, "the log-in form expired: reload the page")
        new = attempt(request, board_email(code), passphrase.strip().upper())
        response = RedirectResponse("/board", status_code=303)
        start_session(request, response, new)
        return response

    @app.get("/board/{code}", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.PUBLIC)
    def board_login_page(request: Request, code: str) -> Response:
        csrf = new_csrf()
        response = templates.TemplateResponse(
            request, "board_login.html", {"csrf": csrf, "code": code}
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=not is_local(request)
        )
        return response

    @app.get("/board", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.AUDIT_BOARD)
    def board_page(request: Request) -> Response:
        return templates.TemplateResponse(
            request, "board.html", {"doc": board_list(request), "session": request.state.session}
        )

    @app.post("/board", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.AUDIT_BOARD)
    def board_form(
        request: Request,
        ballot_id: Annotated[str, Form()],
        interpretation: Annotated[str, Form()],
        member_1: Annotated[str, Form()] = "",
        member_2: Annotated[str, Form()] = "",
    ) -> Response:
        board = current_board(request)
        members = json.loads(board.members)
        confirmed = [m for m, ok in zip(members, (member_1, member_2), strict=True) if ok]
        try:
            enter_reading(store, board, ballot_id, interpretation, confirmed, now=_utc_now)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return RedirectResponse("/board", status_code=303)

    add_pages(app, templates, store, workspace, accounts, _utc_now)

    check_routes(app)
    app.state.store = store
    app.state.accounts = accounts
    return app


def app_from_environment() -> FastAPI:
    """The app on the database named by ``$BALLOTPROOF_DB`` (for Uvicorn's worker processes,
    which each build their own app: ``ballotproof serve --workers N``)."""
    return create_app(os.environ[DB_VARIABLE])


def check_routes(app: FastAPI) -> None:
    """Refuse an app with a route that declares no access rule (run when the app is made and
    again when the server starts, so that a route added later is caught too)."""
    missing = undeclared(app.routes)
    if missing:
        raise RuntimeError(f"routes without an access rule: {', '.join(missing)}")
