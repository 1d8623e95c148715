"""The round in a browser: the clerk's page and each department's upload page.

A thin layer over :class:`~disclosure_xlsx.campaign.Campaign` (Starlette routes, Jinja2
templates, a little static JavaScript), served by uvicorn from ``campaign serve``. Every action
is a library call: an upload is :meth:`~disclosure_xlsx.campaign.Campaign.receive` (exactly a
``collect`` of that file), the table is ``status()``, the downloads are ``total()`` and the
status workbook, the reports are the HTML renderer and the annotated copy of the same report.

Modules: ``app`` (the application factory, middleware, error pages), ``security`` (sessions,
CSRF, upload limits, response headers, sign-in throttling), ``clerk`` and ``department`` (the
routes of the two kinds of page), ``views`` (templates and what they show).
Starlette, Jinja2 and uvicorn are imported only here, so the rest of the CLI starts fast.
"""

from .app import create_app

__all__ = ["create_app"]
