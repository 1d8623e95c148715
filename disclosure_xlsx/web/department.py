"""A department's own page, reached only through its personal link ``/d/TOKEN``: its name,
the deadline, its template, an upload form, and the report of what it sent, at once.

It shows nothing of other departments: only returns that are the department's own or that
were uploaded through its link, and upload lines that never name another department. Any
token that is not live (never issued, reissued, revoked, mistyped) gets 404.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..campaign import Campaign, CollectResult, Department
from ..campaign.names import split_emails
from ..check.report import FileReport, Report
from ..render.html import to_html
from .clerk import receive_files, uploaded_files
from .jobs import department_job, not_found
from .security import MAX_UPLOAD_FILES, REPORT_CSP, check_csrf, check_origin, read_form
from .views import annotated_name, download, lang_of, own_line, render, shown, url_maker


async def page(request: Request) -> Response:
    token = request.path_params["token"]
    lang = lang_of(request)
    flash = request.app.state.flashes.get(token, request.query_params.get("done"))

    def job(campaign: Campaign, department: Department) -> dict[str, Any]:
        status = next(d for d in campaign.status().departments if d.id == department.id)
        mine = {r.id: r for r in campaign.returns_for(department.id)}
        current = campaign.current(department.id)
        ids: list[int] = []
        if isinstance(flash, CollectResult):
            ids = [o.return_id for o in flash.outcomes if o.return_id in mine and o.return_id]
        elif current is not None:
            ids = [current.id]
        return {
            "department": department,
            "round": campaign.info,
            "state": status,
            "current": current,
            "reports": [
                shown(mine[n], _report(campaign, department, mine[n].department_id, n))
                for n in dict.fromkeys(ids)
            ],
            "lines": (
                [own_line(o, department.id, lang) for o in flash.outcomes]
                if isinstance(flash, CollectResult)
                else []
            ),
        }

    context = await department_job(request, token, job)
    return render(request, "own.html", {**context, "token": token})


async def template(request: Request) -> Response:
    token = request.path_params["token"]

    def job(campaign: Campaign, department: Department) -> tuple[bytes, str]:
        path = campaign.template_file(department.id)
        return path.read_bytes(), path.name

    data, name = await department_job(request, token, job)
    return download(data, name)


async def upload(request: Request) -> Response:
    """Collect what the department uploaded, as if mailed from its address."""
    token = request.path_params["token"]
    check_origin(request)
    await department_job(request, token, lambda c, d: None)  # NOTE: 404 before the body
    form = await read_form(request, max_files=MAX_UPLOAD_FILES)
    try:
        check_csrf(request, form)
        files = uploaded_files(form)

        def job(campaign: Campaign, department: Department) -> CollectResult:
            addresses = split_emails(department.email)
            sender = addresses[0] if addresses else None
            return receive_files(campaign, files, sender=sender, via=department.id)

        result = await department_job(request, token, job) if files else None
    finally:
        await form.close()
    url = url_maker(lang_of(request))
    if result is None:
        return RedirectResponse(url(f"/d/{token}"), status_code=303)
    key = request.app.state.flashes.put(token, result)
    return RedirectResponse(url(f"/d/{token}", done=key), status_code=303)


def _visible(campaign: Campaign, department: Department, rid: int) -> tuple[str, bool]:
    """The return as a reference, if the department may see it (else 404), and whether it is
    the department's own (else only what the file itself shows: the round's findings about
    a stamp or a sender name other departments)."""
    mine = {r.id: r.department_id for r in campaign.returns_for(department.id)}
    if rid not in mine:
        raise not_found()
    return f"#{rid}", mine[rid] == department.id


def _report(campaign: Campaign, department: Department, owner: str | None, rid: int) -> FileReport:
    return campaign.file_report(f"#{rid}", round_findings=owner == department.id)


async def report(request: Request) -> Response:
    token, rid = request.path_params["token"], int(request.path_params["rid"])
    lang = lang_of(request)

    def job(campaign: Campaign, department: Department) -> str:
        ref, own = _visible(campaign, department, rid)
        report = campaign.file_report(ref, round_findings=own)
        file = replace(report, path=campaign.find_return(ref).name)
        return to_html(Report((file,)), lang)

    page = await department_job(request, token, job)
    return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP})


async def annotated(request: Request) -> Response:
    token, rid = request.path_params["token"], int(request.path_params["rid"])
    lang = lang_of(request)

    def job(campaign: Campaign, department: Department) -> tuple[bytes, str]:
        ref, own = _visible(campaign, department, rid)
        return campaign.annotated(ref, lang, round_findings=own), campaign.find_return(ref).name

    data, name = await department_job(request, token, job)
    return download(data, annotated_name(name, lang))


routes = [
    Route("/d/{token:str}", page, methods=["GET"]),
    Route("/d/{token:str}/template", template, methods=["GET"]),
    Route("/d/{token:str}/upload", upload, methods=["POST"]),
    Route("/d/{token:str}/returns/{rid:int}/report", report, methods=["GET"]),
    Route("/d/{token:str}/returns/{rid:int}/annotated", annotated, methods=["GET"]),
]
