"""Request middleware of the site (not the domain's: quizzes has none)."""

from __future__ import annotations

import http.cookies
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

# Methods whose body nobody reads: the guard lets them through untouched.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# The API reads JSON, which is UTF-8 (RFC 8259); ASCII is a subset of it.
API_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"


class BadBody(Exception):
    """A body the request cannot be served with: its status and what is wrong."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class RequestBodyGuard:
    """Refuse an unreadable request body with a clear 4xx before anything reads it.

    Why it exists: the CSRF check (Django's, and django-ninja's inside its session
    auth) reads ``request.POST`` before any view runs, so a body Django cannot parse
    raises there, outside every view's and the API's error handling: Django answers
    a bare "Bad Request (400)", and under DEBUG django-ninja a 500 with a traceback.
    This guard does that same read first, where it can answer 413 for a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` and 400 for anything else, as JSON
    ``{"error": ...}`` under /api/ and as a plain page elsewhere.

    It does no more than Django would do anyway: nothing for GET and HEAD; for a
    multipart POST, the parse the CSRF check would run (file bytes still do not
    count toward the limit, so 5 MB uploads pass; a file over its view's own limit
    is dropped during that parse by ``quizsite.uploads``); for any other body, the
    length check ``request.body`` makes, then, for a form POST or an API call, the
    read the form parse or the API would make (cached on the request). No database
    query.

    It sits after the CSP and X-Frame-Options middleware so that its pages carry
    their headers (the page echoes part of the request); that is still before the
    CSRF check, which runs in ``process_view``, after every middleware's
    ``__call__``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODYLESS_METHODS:
            try:
                body_check(request)
            except BadBody as refusal:
                return refusal_response(request, refusal)
        return self.get_response(request)


def body_check(request: HttpRequest) -> None:
    """Read the body as Django would; raise BadBody if it cannot be read."""
    length = content_length(request)
    multipart_post = request.method == "POST" and request.content_type == MULTIPART
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not multipart_post and limit is not None and length > limit:
        raise BadBody(
            413, f"The request body is {length:,} bytes; the limit is {limit:,} bytes."
        )
    api = is_api(request)
    form_post = request.method == "POST" and request.content_type == URLENCODED
    try:
        if multipart_post:
            request.POST  # noqa: B018 (the streaming parse the CSRF check would run)
        elif api or form_post:
            # The read the API or the form parse would make (cached on the request).
            body = request.body
            if len(body) < length:
                # The server saw the end of the body early: a form cut short would
                # save what arrived, e.g. an answer without its choices.
                raise BadBody(
                    400,
                    f"The request body ended after {len(body):,} bytes; its "
                    f"Content-Length says {length:,}.",
                )
            if form_post:
                request.POST  # noqa: B018 (too many fields, a charset not UTF-8)
            if api:
                api_body_check(request, body)
    except RequestDataTooBig:
        # Only a multipart form gets here (any other body was judged by its
        # length above): Django counts its fields, not its files.
        raise BadBody(
            413,
            f"The form fields (files aside) are over the limit of {limit:,} bytes.",
        ) from None
    except TooManyFieldsSent:
        raise BadBody(
            400,
            "The form sends more than "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields.",
        ) from None
    except TooManyFilesSent:
        raise BadBody(
            400,
            "The form sends more than "
            f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files.",
        ) from None
    except MultiPartParserError as error:
        raise BadBody(400, multipart_problem(request, error)) from None
    except UnreadablePostError:
        raise BadBody(
            400,
            f"The request body ended before its Content-Length ({length:,} bytes) "
            "was read.",
        ) from None
    except BadRequest as error:
        # Django's own words, e.g. a form body declared in another charset than
        # UTF-8.
        raise BadBody(400, str(error)) from None


def content_length(request: HttpRequest) -> int:
    """The Content-Length header as a number (0 when absent); BadBody if it is not."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        length = -1
    if length < 0:
        raise BadBody(
            400, f"The Content-Length header {shown(raw)} is not a number of bytes."
        )
    return length


def api_body_check(request: HttpRequest, body: bytes) -> None:
    """The API reads its JSON bodies as UTF-8; say so rather than "cannot parse"."""
    charset = request.content_params.get("charset")
    if charset is not None and charset.lower() not in API_CHARSETS:
        raise BadBody(
            400,
            f"The Content-Type header declares charset={shown(charset)}; "
            "the API reads JSON in UTF-8 only.",
        )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadBody(
            400,
            f"The request body is not valid UTF-8 (byte {error.start:,} of "
            f"{len(body):,}); the API reads JSON in UTF-8 only.",
        ) from None


def multipart_problem(request: HttpRequest, error: MultiPartParserError) -> str:
    """What is wrong with a multipart body Django's parser refused."""
    boundary = request.content_params.get("boundary")
    if not boundary:
        return f"{MULTIPART} without a boundary: the body cannot be read."
    if str(error).startswith("Invalid boundary"):
        return (
            f"{MULTIPART} with an invalid boundary {shown(boundary)}: "
            "the body cannot be read."
        )
    # E.g. a non-ASCII Content-Type, or a part whose headers never end.
    return f"The {MULTIPART} request cannot be read: {shown(str(error), 120)}."


def is_api(request: HttpRequest) -> bool:
    # path_info, not path: the same answer when the site is mounted under a prefix.
    return request.path_info.startswith("/api/")


def shown(value: str, width: int = 60) -> str:
    """A client-sent value, quoted and cut short, for an error message."""
    return repr(value if len(value) <= width else value[:width] + "…")


def refusal_response(request: HttpRequest, refusal: BadBody) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    # Rendered without the request: no context processor, so no session or user
    # lookup (and no query) for a request that is being turned away.
    html = render_to_string(
        "quizzes/bad_request_body.html",
        {"status": refusal.status, "message": refusal.message},
    )
    return HttpResponse(html, status=refusal.status)


# Python's cookie morsels learn the Partitioned attribute only in 3.14: until
# then it is registered here, as a flag (no value), the way pylti1p3 registers
# SameSite for old Pythons.
if "partitioned" not in http.cookies.Morsel._reserved:  # pragma: no branch
    http.cookies.Morsel._reserved["partitioned"] = "Partitioned"
    http.cookies.Morsel._flags.add("partitioned")


class PartitionedCookies:
    """Marks every ``SameSite=None; Secure`` cookie ``Partitioned`` (CHIPS).

    Those are the cookies production sends so that the site works inside an LMS's
    iframe (an LTI launch, quizzes/lti). A browser that blocks third-party cookies
    (Chromium's default in some builds, Safari, Firefox's strict mode) drops them
    there, and the launch fails ("state not found") or the trainee is logged out
    on the next page. A partitioned cookie is kept, for that LMS's pages only; at
    the top level it is an ordinary cookie of this site.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for morsel in response.cookies.values():
            if morsel["secure"] and str(morsel["samesite"]).lower() == "none":
                morsel["partitioned"] = True
        return response
