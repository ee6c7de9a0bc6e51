"""The pages of the canned queries: a real title, and links to the next and previous page.

Datasette titles a canned query's page with its SQL and has no paging for canned queries. For
each of ours, :func:`query_template` supplies the template Datasette looks for first
(``query-<database>-<query>.html``): Datasette's own page with the query's title, and for the
queries that return a page of rows at a time (:data:`tracker.web.queries.PAGED`) the links
between pages. Overridable like any template, with ``--template-dir``.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from .queries import PAGE_SIZE, PAGED, QUERIES

_NAME = re.compile(r"^query-.+-(?P<query>[a-z_]+)\.html$")

_TEMPLATE = """{% extends "default:query.html" %}
{% block title %}{{ metadata.title or canned_query }}: {{ database }}{% endblock %}
"""

_PAGED_TEMPLATE = (
    _TEMPLATE
    + "{% block content %}{{ super() }}{% set page_size = "
    + str(PAGE_SIZE)
    + ' %}{% include "_tracker_query_pages.html" %}{% endblock %}\n'
)


def query_template(name: str) -> str | None:
    """The source of the page template of one of the plugin's canned queries, else None."""
    match = _NAME.match(name)
    if not match or match.group("query") not in QUERIES:
        return None
    return _PAGED_TEMPLATE if match.group("query") in PAGED else _TEMPLATE


def page_number(request) -> int:
    """The ``page`` argument of a request (1 when absent or not a number)."""
    try:
        return max(1, int(request.args.get("page") or 1))
    except ValueError:
        return 1


def page_url(request, number: int) -> str:
    """The request's own URL with ``page`` set to ``number``."""
    args = [(key, value) for key in request.args for value in request.args.getlist(key)]
    args = [(key, value) for key, value in args if key != "page"]
    if number > 1:
        args.append(("page", str(number)))
    return request.path + ("?" + urlencode(args) if args else "")


def query_loader():
    """A Jinja loader of :func:`query_template` (which lists no template of its own: Datasette
    lists every template at start-up, to find its ``pages/``)."""
    from jinja2 import BaseLoader, TemplateNotFound

    class QueryLoader(BaseLoader):
        def get_source(self, environment, template):
            source = query_template(template)
            if source is None:
                raise TemplateNotFound(template)
            return source, None, lambda: True

        def list_templates(self):
            return []

    return QueryLoader()
