"""The clerk's pages: sign in, the round's status, uploads, assigning, downloads, a
department's history and link, each return's report and annotated copy.

Every route but the sign-in page answers 404 without a signed-in session. Each handler reads
the request, makes one library call in a worker thread (:mod:`.jobs`), and renders.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..campaign import Campaign, CollectResult, Outcome
from ..campaign import tokens as links
from ..campaign.status import STATES as STATE_NAMES
from ..check.report import Report
from ..render.html import to_html
from ..text import Text, ui
from .jobs import PageError, clerk_job, is_clerk, not_found, round_job
from .security import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    REPORT_CSP,
    check_csrf,
    check_origin,
    read_form,
)
from .views import (
    STATES,
    annotated_name,
    current_ids,
    download,
    lang_of,
    outcome_line,
    render,
    table_rows,
    url_maker,
)


def _redirect(request: Request, path: str, **params: object) -> RedirectResponse:
    return RedirectResponse(url_maker(lang_of(request))(path, **params), status_code=303)


def too_large(name: str) -> Outcome:
    """An uploaded file over the limit: named, never read."""
    mb = MAX_UPLOAD_BYTES // 1024 // 1024
    return Outcome(
        f"web › {name}",
        "skipped",
        note=Text(f"文件过大（超过 {mb} MB），未收", f"too large (over {mb} MB); not taken"),
    )


def receive_files(
    campaign: Campaign, files: list[UploadFile], *, sender: str | None, via: str
) -> CollectResult:
    """Each uploaded file collected, in order (runs in a worker thread)."""
    outcomes: list[Outcome] = []
    notes: list[Text] = []
    for upload in files:
        name = upload.filename or "upload"
        if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
            outcomes.append(too_large(name))
            continue
        upload.file.seek(0)
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            outcomes.append(too_large(name))
            continue
        result = campaign.receive(name, data, sender=sender, via=via)
        outcomes.extend(result.outcomes)
        notes.extend(n for n in result.notes if n not in notes)
    return CollectResult(tuple(outcomes), tuple(notes))


def uploaded_files(form: FormData) -> list[UploadFile]:
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    return [f for f in files if f.filename or f.size]  # NOTE: an empty file input sends one


# --- signing in ------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    """The clerk's page, or the sign-in form."""
    signed = request.session.get("clerk")
    lang = lang_of(request)
    sort = request.query_params.get("sort", "no")
    descending = request.query_params.get("desc") == "1"
    state = request.query_params.get("state") or None

    def job(campaign: Campaign) -> dict[str, Any] | None:
        if not is_clerk(campaign, signed):
            return None
        status = campaign.status()
        return {
            "status": status,
            "rows": table_rows(status, sort, descending, state),
            "current_ids": current_ids(campaign.returns()),
            "departments": campaign.departments(),
            "revision": campaign.revision(),
        }

    context = await round_job(request, job)
    if context is None:
        return render(request, "login.html", {"failed": None})
    result = request.app.state.flashes.get("clerk", request.query_params.get("done"))
    lines = [outcome_line(o, lang) for o in result.outcomes] if result else []
    return render(
        request,
        "clerk.html",
        {
            **context,
            "sort": sort,
            "desc": descending,
            "state": state if state in STATES else None,
            "states": STATES,
            "state_names": STATE_NAMES,
            "result": result,
            "lines": lines,
        },
    )


async def login(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    check_csrf(request, form)
    throttle = request.app.state.throttle
    client = request.client.host if request.client else "?"
    if throttle.blocked(client):
        return render(request, "login.html", {"failed": "web.login.throttled"}, 429)
    password = form.get("password")
    tried = password if isinstance(password, str) else ""

    def job(campaign: Campaign) -> str | None:
        if links.check_clerk_password(campaign, tried):
            return links.clerk_fingerprint(campaign)
        return None

    fingerprint = await round_job(request, job)
    if fingerprint is None:
        throttle.failed(client)
        return render(request, "login.html", {"failed": "web.login.wrong"}, 403)
    throttle.passed(client)
    request.session.clear()  # NOTE: a fresh CSRF token for the signed-in session
    request.session["clerk"] = fingerprint
    return _redirect(request, "/")


async def logout(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    check_csrf(request, form)
    request.session.clear()
    return _redirect(request, "/")


# --- changing the round ----------------------------------------------------------------------


async def upload(request: Request) -> Response:
    """Collect the uploaded files (each exactly as ``campaign collect`` would)."""
    check_origin(request)
    await clerk_job(request, lambda c: None)  # NOTE: 404 before reading the body
    form = await read_form(request, max_files=MAX_UPLOAD_FILES)
    try:
        check_csrf(request, form)
        files = uploaded_files(form)
        if not files:
            return _redirect(request, "/")
        result = await clerk_job(
            request, lambda c: receive_files(c, files, sender=None, via="clerk")
        )
    finally:
        await form.close()
    key = request.app.state.flashes.put("clerk", result)
    return _redirect(request, "/", done=key)


async def assign(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    check_csrf(request, form)
    rid, dept = form.get("return"), form.get("department")
    if not (isinstance(rid, str) and rid.isdigit() and isinstance(dept, str)):
        raise PageError(400)

    def job(campaign: Campaign) -> None:
        if dept not in {d.id for d in campaign.departments()}:
            raise not_found()
        campaign.assign(f"#{int(rid)}", dept)

    await clerk_job(request, job)
    return _redirect(request, "/")


async def link_action(request: Request) -> Response:
    """Issue (or reissue) or revoke a department's link."""
    check_origin(request)
    dept = request.path_params["dept"]
    form = await read_form(request)
    check_csrf(request, form)
    action = form.get("action")

    def job(campaign: Campaign) -> None:
        if dept not in {d.id for d in campaign.departments()}:
            raise not_found()
        if action == "issue":
            links.issue(campaign, dept)
        elif action == "revoke":
            links.revoke(campaign, dept)
        else:
            raise PageError(400)

    await clerk_job(request, job)
    return _redirect(request, f"/departments/{dept}")


# --- reading ---------------------------------------------------------------------------------


async def revision(request: Request) -> Response:
    """The round's change count, which the page polls to refresh itself."""
    return JSONResponse({"revision": await clerk_job(request, lambda c: c.revision())})


async def total(request: Request) -> Response:
    data = await clerk_job(request, lambda c: c.total().xlsx)
    return download(data, ui("web.file.total", lang_of(request)))


async def status_list(request: Request) -> Response:
    lang = lang_of(request)

    def job(campaign: Campaign) -> bytes:
        from ..campaign.sheets import status_workbook

        contacts = {d.id: (d.contact, d.phone) for d in campaign.departments()}
        return status_workbook(campaign.status(), contacts, lang)

    return download(await clerk_job(request, job), ui("web.file.status", lang))


async def department(request: Request) -> Response:
    """One department: contact, its link, every version received."""
    dept = request.path_params["dept"]

    def job(campaign: Campaign) -> dict[str, Any]:
        found = [d for d in campaign.departments() if d.id == dept]
        if not found:
            raise not_found()
        state, when = links.link_state(campaign, dept)
        token = links.token(campaign, dept)
        base = links.base_url_of(campaign)
        return {
            "department": found[0],
            "history": campaign.history(dept),
            "link_state": state,
            "link_when": when,
            "link": base + links.LINK_PATH + token if token else None,
            "round": campaign.info,
        }

    return render(request, "department.html", await clerk_job(request, job))


def _return_id(request: Request) -> str:
    return f"#{int(request.path_params['rid'])}"


async def report(request: Request) -> Response:
    """A return's report as the self-contained HTML page `validate --format html` writes."""
    lang = lang_of(request)
    ref = _return_id(request)

    def job(campaign: Campaign) -> str:
        record = campaign.find_return(ref)
        file = replace(campaign.file_report(ref), path=record.name)
        return to_html(Report((file,)), lang)

    page = await clerk_job(request, job)
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP})


async def annotated(request: Request) -> Response:
    lang = lang_of(request)
    ref = _return_id(request)

    def job(campaign: Campaign) -> tuple[bytes, str]:
        record = campaign.find_return(ref)
        return campaign.annotated(ref, lang), record.name

    data, name = await clerk_job(request, job)
    return download(data, annotated_name(name, lang))


async def original(request: Request) -> Response:
    """The file exactly as it was received."""
    ref = _return_id(request)

    def job(campaign: Campaign) -> tuple[bytes, str]:
        record = campaign.find_return(ref)
        return campaign.inside(record.file).read_bytes(), record.name

    data, name = await clerk_job(request, job)
    return download(data, name)


routes = [
    Route("/", home, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/upload", upload, methods=["POST"]),
    Route("/assign", assign, methods=["POST"]),
    Route("/revision", revision, methods=["GET"]),
    Route("/total.xlsx", total, methods=["GET"]),
    Route("/status.xlsx", status_list, methods=["GET"]),
    Route("/departments/{dept:str}", department, methods=["GET"]),
    Route("/departments/{dept:str}/link", link_action, methods=["POST"]),
    Route("/returns/{rid:int}/report", report, methods=["GET"]),
    Route("/returns/{rid:int}/annotated", annotated, methods=["GET"]),
    Route("/returns/{rid:int}/file", original, methods=["GET"]),
]
