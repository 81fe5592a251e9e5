"""The workspace's pages for the state admin and the county managers (server-rendered forms).

Each page calls the same use cases as the JSON API (:mod:`ballotproof.usecases.workspace`,
:mod:`ballotproof.usecases.boards`); a refused input comes back as the page's one-line error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import Method
from ballotproof.errors import BallotproofError, InputError, StoreError
from ballotproof.report.audit import status_doc
from ballotproof.store import Accounts, AuditStore, Workspace
from ballotproof.usecases.accounts import Session
from ballotproof.usecases.boards import (
    county_board,
    county_boards,
    county_retrieval,
    create_board,
    revoke_board,
)
from ballotproof.usecases.discrepancies import discrepancy_report
from ballotproof.usecases.workspace import (
    CVR_UPLOAD_FORMATS,
    MAX_UPLOAD_BYTES,
    WORKSPACE_METHODS,
    create_audit,
    draft_of,
    drafts,
    launch,
    launched_status,
    round_one_sizes,
    upload_cvrs,
    upload_manifest,
)
from ballotproof.web.access import Access, allow

__all__ = ["add_pages", "parse_counties", "parse_tally"]


def parse_tally(text: str) -> dict[str, int]:
    """``"Alice=1200, Bob=750"`` (commas or new lines) → ``{"Alice": 1200, "Bob": 750}``.

    >>> parse_tally("Alice=1200,\\nBob = 750")
    {'Alice': 1200, 'Bob': 750}
    """
    tally: dict[str, int] = {}
    for part in text.replace("\n", ",").split(","):
        if not part.strip():
            continue
        choice, sep, votes = part.partition("=")
        if not sep or not choice.strip() or not votes.strip().isdigit():
            raise InputError("write each choice as Name=votes", field="tally", got=part.strip())
        tally[choice.strip()] = int(votes.strip())
    return tally


def parse_counties(text: str) -> dict[str, str | None]:
    """One county per line, optionally with its manager's e-mail after a comma.

    >>> parse_counties("Fulton, m@fulton.example\\nCobb")
    {'Fulton': 'm@fulton.example', 'Cobb': None}
    """
    counties: dict[str, str | None] = {}
    for line in text.splitlines():
        name, _, email = line.partition(",")
        if name.strip():
            counties[name.strip()] = email.strip().lower() or None
    return counties


def add_pages(
    app: FastAPI,
    templates: Jinja2Templates,
    store: AuditStore,
    workspace: Workspace,
    accounts: Accounts,
    now: Callable[[], str],
) -> None:
    """Register the admin and county pages on ``app``."""

    def session(request: Request) -> Session:
        s: Session = request.state.session
        return s

    def page(request: Request, template: str, **context: Any) -> Response:
        return templates.TemplateResponse(
            request, template, {"session": session(request), **context}
        )

    def refused(request: Request, exc: BallotproofError, back: str) -> Response:
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": 400, "message": str(exc).splitlines()[0], "back": back},
            status_code=400,
        )

    # --- state admin ------------------------------------------------------------------

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.STATE_ADMIN)
    def admin(request: Request) -> Response:
        return page(
            request,
            "admin.html",
            drafts=drafts(workspace),
            methods=[(m.value, m.stored.kind) for m in WORKSPACE_METHODS],
        )

    @app.post("/admin/audits", include_in_schema=False)
    @allow(Access.STATE_ADMIN)
    def admin_create(
        request: Request,
        name: Annotated[str, Form()],
        contest: Annotated[str, Form()],
        tally: Annotated[str, Form()],
        ballots: Annotated[int, Form()],
        method: Annotated[str, Form()],
        risk_limit: Annotated[float, Form()],
        seed: Annotated[str, Form()],
        seed_ceremony: Annotated[str, Form()],
        counties: Annotated[str, Form()],
    ) -> Response:
        try:
            if method not in {m.value for m in WORKSPACE_METHODS}:
                raise InputError(
                    "a method of " + ", ".join(m.value for m in WORKSPACE_METHODS),
                    field="method",
                    got=method,
                )
            create_audit(
                workspace,
                store,
                name=name,
                contest=AuditContest(contest.strip(), parse_tally(tally), ballots),
                method=Method(method),
                risk_limit=risk_limit,
                seed=seed.strip(),
                seed_ceremony=seed_ceremony,
                counties=parse_counties(counties),
                created_by=session(request).email,
                now=now,
            )
        except BallotproofError as exc:
            return refused(request, exc, "/admin")
        return RedirectResponse(f"/admin/audits/{name.strip()}", status_code=303)

    @app.get("/admin/audits/{name}", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.STATE_ADMIN)
    def admin_audit(request: Request, name: str) -> Response:
        draft = draft_of(workspace, name)
        if draft is None:
            raise HTTPException(404, f"no audit named {name!r} is set up in this workspace")
        launched = launched_status(store, name)
        status = status_doc(launched) if launched else None
        sizes = [] if launched else round_one_sizes(draft)
        found = discrepancy_report(store, name) if launched and draft.comparison else None
        return page(
            request,
            "admin_audit.html",
            draft=draft,
            status=status,
            sizes=sizes,
            discrepancies=found,
        )

    @app.post("/admin/audits/{name}/launch", include_in_schema=False)
    @allow(Access.STATE_ADMIN)
    def admin_launch(
        request: Request, name: str, allow_phantoms: Annotated[str, Form()] = ""
    ) -> Response:
        if draft_of(workspace, name) is None:
            raise HTTPException(404, f"no audit named {name!r} is set up in this workspace")
        try:
            launch(workspace, store, name, allow_phantoms=bool(allow_phantoms), now=now)
        except BallotproofError as exc:
            return refused(request, exc, f"/admin/audits/{name}")
        return RedirectResponse(f"/admin/audits/{name}", status_code=303)

    # --- county manager ---------------------------------------------------------------

    def mine(request: Request, name: str) -> tuple[Any, str]:
        county = session(request).jurisdiction or ""
        draft = draft_of(workspace, name)
        if draft is None or county not in {c.county for c in draft.counties}:
            raise HTTPException(404, f"no audit {name!r} for your county")
        return draft, county

    @app.get("/county", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    def county_home(request: Request) -> Response:
        county = session(request).jurisdiction
        mine_ = drafts(workspace, county=county or "")
        return page(request, "county.html", drafts=mine_, county=county)

    @app.get("/county/audits/{name}", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    def county_audit(request: Request, name: str) -> Response:
        draft, county = mine(request, name)
        state = next(c for c in draft.counties if c.county == county)
        launched = launched_status(store, name)
        return page(
            request,
            "county_audit.html",
            draft=draft,
            county=county,
            state=state,
            launched=launched is not None,
            status=status_doc(launched) if launched else None,
            boards=county_boards(workspace, name, county),
            max_mib=MAX_UPLOAD_BYTES >> 20,
            cvr_formats=list(CVR_UPLOAD_FORMATS),
        )

    @app.post("/county/audits/{name}/manifest", include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    async def county_upload(
        request: Request, name: str, file: Annotated[UploadFile, File()]
    ) -> Response:
        _draft, county = mine(request, name)
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        try:
            upload_manifest(
                workspace,
                name,
                county,
                file.filename or "manifest.csv",
                content,
                uploaded_by=session(request).email,
                now=now,
            )
        except BallotproofError as exc:
            return refused(request, exc, f"/county/audits/{name}")
        return RedirectResponse(f"/county/audits/{name}", status_code=303)

    @app.post("/county/audits/{name}/cvrs", include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    async def county_upload_cvrs(
        request: Request,
        name: str,
        file: Annotated[UploadFile, File()],
        format: Annotated[str, Form()],
    ) -> Response:
        _draft, county = mine(request, name)
        content = await file.read(MAX_UPLOAD_BYTES + 1)
        try:
            upload_cvrs(
                workspace,
                name,
                county,
                file.filename or "cvrs",
                content,
                format,
                uploaded_by=session(request).email,
                now=now,
            )
        except BallotproofError as exc:
            return refused(request, exc, f"/county/audits/{name}")
        return RedirectResponse(f"/county/audits/{name}", status_code=303)

    @app.post("/county/audits/{name}/boards", response_class=HTMLResponse, include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    def county_new_board(
        request: Request,
        name: str,
        board: Annotated[str, Form()],
        member_1: Annotated[str, Form()],
        member_2: Annotated[str, Form()],
    ) -> Response:
        _draft, county = mine(request, name)
        try:
            made = create_board(
                accounts, workspace, name, county, board, (member_1, member_2), now=now
            )
        except BallotproofError as exc:
            return refused(request, exc, f"/county/audits/{name}")
        # The passphrase is shown once, on this page, and never stored in the clear.
        return page(
            request,
            "board_created.html",
            name=name,
            board=made,
            link=str(request.base_url).rstrip("/") + made.link,
        )

    @app.post("/county/audits/{name}/boards/{code}/revoke", include_in_schema=False)
    @allow(Access.COUNTY_MANAGER)
    def county_revoke(request: Request, name: str, code: str) -> Response:
        _draft, county = mine(request, name)
        try:
            board = county_board(workspace, name, county, code)
        except StoreError as exc:
            raise HTTPException(404, str(exc)) from exc
        revoke_board(accounts, workspace, board)
        return RedirectResponse(f"/county/audits/{name}", status_code=303)

    @app.get(
        "/county/audits/{name}/retrieval", response_class=HTMLResponse, include_in_schema=False
    )
    @allow(Access.COUNTY_MANAGER)
    def county_retrieval_page(request: Request, name: str, round: int = 0) -> Response:
        _draft, county = mine(request, name)
        try:
            _status, number, entries = county_retrieval(store, name, county, round)
        except StoreError as exc:
            raise HTTPException(409, str(exc)) from exc
        return page(
            request, "retrieval.html", name=name, county=county, number=number, entries=entries
        )
