"""A loopback LMS: one course of an LTI 1.3 platform, for the tool's tests.

A minimal Django project of its own (settings configured here, no database, no
middleware), served by ``python -m tests.lti.loopback --port N`` in its own
process. Django because lti1p3platform ships a Django adapter (its request wrapper,
its launch form and its JSON responses): the message, JWT and service logic are
the library's; this module holds the course's data and fills the library's gaps,
each marked "Gap:".

State lives in memory, behind a lock (one process, a thread per request). The test
drives it over HTTP: ``POST /test/config`` sets the tool's URLs, the members and
the course's links; ``/test/grades.json`` and ``/test/deep_links.json`` read what
the tool sent; ``POST /test/fail`` makes an endpoint answer 500 the next N times.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from urllib.parse import urlencode

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="loopback-lms-not-a-secret",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_TZ=True,
    LOGGING_CONFIG=None,
)
django.setup()

import jwt  # noqa: E402
from django.http import (  # noqa: E402
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.urls import path  # noqa: E402
from jwcrypto.jwk import JWK  # noqa: E402
from lti1p3platform.exceptions import (  # noqa: E402
    LineItemNotFoundException,
    LtiDeepLinkingResponseException,
    LtiException,
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.framework.django.message_launch import (  # noqa: E402
    DjangoLTI1P3MessageLaunch,
)
from lti1p3platform.framework.django.oidc_login import DjangoAPIOIDCLogin  # noqa: E402
from lti1p3platform.framework.django.request import DjangoRequest  # noqa: E402
from lti1p3platform.framework.django.response import wrap_json_resp  # noqa: E402
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract  # noqa: E402
from lti1p3platform.membership import Context  # noqa: E402
from lti1p3platform.registration import Registration  # noqa: E402
from lti1p3platform.score import UpdateScoreStatus  # noqa: E402
from lti1p3platform.service_connector import (  # noqa: E402
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
COURSE = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_KEY = JWK.generate(kty="RSA", size=2048)
PRIVATE_PEM = _KEY.export_to_pem(private_key=True, password=None).decode()
PUBLIC_PEM = _KEY.export_to_pem().decode()

LOCK = threading.RLock()
STATE: dict = {}
BASE_URL = ""  # set by the server: http://127.0.0.1:PORT


def default_state() -> dict:
    return {
        "client_id": "quiz-tool",
        "deployment_id": "deployment-1",
        # The tool's URLs: its OIDC login initiation, its launch (also the deep
        # linking launch, as with most tools) and its JWKS.
        "tool": {"login_url": "", "launch_url": "", "jwks_url": ""},
        "context": {"id": "course-101", "title": "Anaesthesia 101", "label": "AN101"},
        "members": [],
        # resource_link_id -> {"title", "custom": {...}, "lineitem": id or None}
        "links": {},
        "lineitems": {},  # id -> the line item (AGS JSON)
        "scores": [],  # every score accepted, in order
        "deep_links": [],  # every content item received, in order
        "fail": {},  # endpoint -> how many more requests answer 500
        "requests": [],  # (endpoint, status) of each service request
        "jtis": [],  # client assertion ids seen (single use)
    }


def state_reset(config: dict) -> None:
    with LOCK:
        STATE.clear()
        STATE.update(default_state())
        for key in ("client_id", "deployment_id", "tool", "context", "members"):
            if key in config:
                STATE[key] = config[key]
        for link_id, link in config.get("links", {}).items():
            _link_add(link_id, link)


def _link_add(link_id: str, link: dict) -> dict:
    """A resource link, with a gradebook column of its own when it is graded."""
    link = {"title": link.get("title", link_id), "custom": link.get("custom", {})}
    link["lineitem"] = _lineitem_add(
        {"label": link["title"], "scoreMaximum": 100, "resourceLinkId": link_id}
    )
    STATE["links"][link_id] = link
    return link


def _lineitems_url() -> str:
    return f"{BASE_URL}/ags/{STATE['context']['id']}/lineitems"


def _lineitem_add(data: dict) -> str:
    lineitem_id = f"{_lineitems_url()}/{len(STATE['lineitems']) + 1}"
    STATE["lineitems"][lineitem_id] = {**data, "id": lineitem_id}
    return lineitem_id


def _memberships_url() -> str:
    return f"{BASE_URL}/nrps/{STATE['context']['id']}/memberships"


def _member(user_id: str) -> dict | None:
    return next((m for m in STATE["members"] if m["user_id"] == user_id), None)


def _injected_failure(endpoint: str) -> HttpResponse | None:
    """A 500 when the test asked this endpoint to fail (``POST /test/fail``)."""
    with LOCK:
        left = STATE["fail"].get(endpoint, 0)
        if left:
            STATE["fail"][endpoint] = left - 1
            STATE["requests"].append((endpoint, 500))
            return JsonResponse({"error": "injected failure"}, status=500)
    return None


class PlatformConf(LTI1P3PlatformConfAbstract):
    """The one registration of the tool with this platform, built per request from
    the state: the tool's JWKS is fetched afresh each time (a rotated key is seen)."""

    def init_platform_config(self, **kwargs):
        pass

    def get_registration_by_params(self, **kwargs) -> Registration:
        tool = STATE["tool"]
        return (
            Registration()
            .set_iss(BASE_URL)
            .set_client_id(STATE["client_id"])
            .set_deployment_id(STATE["deployment_id"])
            .set_oidc_login_url(tool["login_url"])
            .set_launch_url(tool["launch_url"])
            .set_deeplink_launch_url(tool["launch_url"])
            .set_tool_key_set_url(tool["jwks_url"])
            .set_platform_public_key(PUBLIC_PEM)
            .set_platform_private_key(PRIVATE_PEM)
        )


def _conf() -> PlatformConf:
    conf = PlatformConf()
    conf.get_registration()
    return conf


# The course page: a user clicks a link, the platform starts the OIDC login.


class Login(DjangoAPIOIDCLogin):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = json.dumps(kwargs, sort_keys=True)


def course_launch(request):
    """``/course/launch?user=U&link=L``: user U opens link L (``&deep=1``: U, an
    instructor, adds content by deep linking)."""
    user_id = request.GET.get("user", "")
    if _member(user_id) is None:
        return HttpResponseBadRequest(f"no member {user_id!r} in the course")
    deep = request.GET.get("deep") == "1"
    link_id = request.GET.get("link", "")
    if not deep and link_id not in STATE["links"]:
        return HttpResponseBadRequest(f"no link {link_id!r} in the course")
    login = Login(DjangoRequest(request), _conf())
    login.set_lti_message_hint(user=user_id, link=link_id, deep=deep)
    return login.initiate_login(user_id)


# The OIDC authentication endpoint: the tool sends the browser here, and the
# platform answers with the signed id_token, auto-posted to the tool.


class Launch(DjangoLTI1P3MessageLaunch):
    pass


def auth(request):
    params = request.GET.dict() if request.method == "GET" else request.POST.dict()
    tool = STATE["tool"]
    # Gap: the library checks nonce, state, redirect_uri and client_id are there;
    # an OIDC provider also checks the request itself and the redirect target.
    expected = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": STATE["client_id"],
    }
    for name, value in expected.items():
        if params.get(name) != value:
            return HttpResponseBadRequest(f"{name} must be {value!r}")
    if params.get("redirect_uri") != tool["launch_url"]:
        return HttpResponseBadRequest("redirect_uri is not the registered launch URL")
    try:
        hint = json.loads(params.get("lti_message_hint", ""))
    except ValueError:
        return HttpResponseBadRequest("lti_message_hint is not ours")
    member = _member(params.get("login_hint", ""))
    if member is None or member["user_id"] != hint.get("user"):
        return HttpResponseBadRequest("login_hint does not name the launching user")
    launch = Launch(DjangoRequest(request), _conf())
    launch.set_user_data(
        member["user_id"],
        member["roles"],
        full_name=member.get("name"),
        email_address=member.get("email"),
    )
    context = STATE["context"]
    launch.set_launch_context_claim(
        context["id"],
        context_types=[COURSE],
        context_title=context["title"],
        context_label=context["label"],
    )
    launch.set_launch_presentation_claim(document_target="window")
    launch.set_nrps(_memberships_url())
    if hint["deep"]:
        launch.set_ags(_lineitems_url())
        launch.set_dl(
            f"{BASE_URL}/deep_link_return",
            title="Add a quiz",
            accept_types={"ltiResourceLink"},
            extra_data={"placement": "week-1"},
        )
    else:
        link = STATE["links"][hint["link"]]
        launch.set_resource_link_claim(hint["link"], title=link["title"])
        launch.set_custom_parameters_claim(link["custom"])
        launch.set_ags(_lineitems_url(), link["lineitem"])
    try:
        return launch.lti_launch()
    except PreflightRequestValidationException:
        return HttpResponseBadRequest("nonce, state, redirect_uri or client_id wrong")


def jwks(request):
    return JsonResponse(_conf().get_jwks())


# OAuth 2 client credentials: the tool trades a JWT it signed for an access token.


def token(request):
    if failure := _injected_failure("token"):
        return failure
    conf = _conf()
    data = request.POST.dict()
    try:
        issued = conf.get_access_token(data)
        claims = conf.tool_validate_and_decode(data["client_assertion"])
    except (MissingRequiredClaim, UnsupportedGrantType) as error:
        return JsonResponse(
            {"error": "invalid_request", "detail": str(error)}, status=400
        )
    except (LtiException, jwt.PyJWTError) as error:
        return JsonResponse(
            {"error": "invalid_client", "detail": str(error)}, status=401
        )
    # Gap: the library checks the assertion's signature and expiry only (it turns
    # the audience check off); the security framework also wants these.
    problem = None
    if data["client_assertion_type"] != CLIENT_ASSERTION_TYPE:
        problem = "client_assertion_type"
    elif claims.get("iss") != STATE["client_id"] or claims.get("sub") != claims["iss"]:
        problem = "iss and sub must be the client id"
    elif claims.get("aud") not in (f"{BASE_URL}/token", [f"{BASE_URL}/token"]):
        problem = "aud must be the token URL"
    elif not claims.get("jti") or claims["jti"] in STATE["jtis"]:
        problem = "jti missing or replayed"
    if problem:
        return JsonResponse({"error": "invalid_client", "detail": problem}, status=401)
    with LOCK:
        STATE["jtis"].append(claims["jti"])
        STATE["requests"].append(("token", 200))
    return JsonResponse(issued)


def _service_response(service, handler, endpoint: str, **kwargs) -> HttpResponse:
    if failure := _injected_failure(endpoint):
        return failure
    try:
        response = wrap_json_resp(service.handle_resp(handler, **kwargs))
    except jwt.PyJWTError as error:
        # Gap: an unreadable or expired bearer token raises from the library.
        response = JsonResponse({"error": f"invalid token: {error}"}, status=401)
    with LOCK:
        STATE["requests"].append((endpoint, response.status_code))
    return response


# Names and Role Provisioning Services: the course's roster.


class Roster(NamesRoleProvisioningService):
    def get_context_by_id(self) -> Context:
        context = STATE["context"]
        return Context(id=context["id"], label=context["label"], title=context["title"])

    def get_member_data_page(self, **params):
        members = [
            {k: v for k, v in m.items() if k != "password"} for m in STATE["members"]
        ]
        return {"content": copy.deepcopy(members), "has_next": False}


def memberships(request, context_id):
    if context_id != STATE["context"]["id"]:
        return JsonResponse({"error": "no such context"}, status=404)
    service = Roster(DjangoRequest(request), _conf(), _memberships_url())
    return _service_response(service, service.handle_get_members, "memberships")


# Assignment and Grade Services: line items and scores.


class Gradebook(AssignmentsGradesService):
    def find_lineitems(self, **params):
        items = list(STATE["lineitems"].values())
        if link := params.get("resource_link_id"):
            items = [i for i in items if i.get("resourceLinkId") == link]
        return {"content": copy.deepcopy(items), "has_next": False}

    def find_lineitem(self, line_item_id):
        try:
            return copy.deepcopy(STATE["lineitems"][line_item_id])
        except KeyError:
            raise LineItemNotFoundException(line_item_id) from None

    def create_lineitem(self, creation_data):
        with LOCK:
            return copy.deepcopy(STATE["lineitems"][_lineitem_add(dict(creation_data))])

    def update_lineitem(self, update_data):
        item = self.find_lineitem(update_data["id"])
        with LOCK:
            STATE["lineitems"][item["id"]] = {**item, **update_data}
        return STATE["lineitems"][item["id"]]

    def delete_lineitem(self, line_item_id):
        self.find_lineitem(line_item_id)
        with LOCK:
            del STATE["lineitems"][line_item_id]

    def update_score(self, line_item_id, score):
        item = self.find_lineitem(line_item_id)
        # Gap: the library leaves the score unchecked ("TODO: validate score").
        if _member(str(score.get("userId"))) is None:
            return UpdateScoreStatus.NOTAPPLIED
        if (
            not 0
            <= float(score.get("scoreGiven", 0))
            <= float(score.get("scoreMaximum", 0))
        ):
            return UpdateScoreStatus.NOTAPPLIED
        with LOCK:
            earlier = [
                s
                for s in STATE["scores"]
                if s["lineitem"] == item["id"] and s["userId"] == score["userId"]
            ]
            if earlier and earlier[-1]["timestamp"] > score["timestamp"]:
                return UpdateScoreStatus.OLD_TIMESTAMP
            STATE["scores"].append({**score, "lineitem": item["id"]})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, **params):
        item = self.find_lineitem(line_item_id)
        scored = [s for s in STATE["scores"] if s["lineitem"] == item["id"]]
        latest = {s["userId"]: s for s in scored}
        results = [
            {
                "id": f"{item['id']}/results/{user}",
                "userId": user,
                "resultScore": s["scoreGiven"],
                "resultMaximum": s["scoreMaximum"],
                "scoreOf": item["id"],
            }
            for user, s in latest.items()
        ]
        return {"content": results, "has_next": False}


def _gradebook(request) -> Gradebook:
    return Gradebook(DjangoRequest(request), _conf(), _lineitems_url())


def lineitems(request, context_id):
    service = _gradebook(request)
    handler = (
        service.handle_create_lineitem
        if request.method == "POST"
        else service.handle_get_lineitems
    )
    return _service_response(service, handler, "lineitems")


def lineitem(request, context_id, number):
    service = _gradebook(request)
    handler = {
        "PUT": service.handle_update_lineitem,
        "DELETE": service.handle_delete_lineitem,
    }.get(request.method, service.handle_get_lineitem)
    line_item_id = f"{_lineitems_url()}/{number}"
    return _service_response(service, handler, "lineitem", line_item_id=line_item_id)


def scores(request, context_id, number):
    service = _gradebook(request)
    line_item_id = f"{_lineitems_url()}/{number}"
    return _service_response(
        service, service.handle_update_score, "scores", line_item_id=line_item_id
    )


def results(request, context_id, number):
    service = _gradebook(request)
    line_item_id = f"{_lineitems_url()}/{number}"
    return _service_response(
        service, service.handle_get_results, "results", line_item_id=line_item_id
    )


# Deep linking: the tool posts back its signed choice of content.


def deep_link_return(request):
    conf = _conf()
    try:
        items = conf.validate_deeplinking_resp({"JWT": request.POST.get("JWT", "")})
        claims = conf.tool_validate_and_decode(request.POST["JWT"])
    except (LtiException, LtiDeepLinkingResponseException, jwt.PyJWTError) as error:
        return HttpResponseBadRequest(f"deep linking response refused: {error}")
    # Gap: the library verifies the signature and the message type; the audience,
    # issuer, deployment and our opaque data are checked here.
    deployment = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    data = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    if claims.get("aud") not in (BASE_URL, [BASE_URL]):
        return HttpResponseBadRequest("aud must be this platform")
    if claims.get("iss") != STATE["client_id"]:
        return HttpResponseBadRequest("iss must be the tool's client id")
    if claims.get(deployment) != STATE["deployment_id"]:
        return HttpResponseBadRequest("unknown deployment")
    if claims.get(data) != {"placement": "week-1"}:
        return HttpResponseBadRequest("the data claim was not sent back")
    added = []
    with LOCK:
        for item in items:
            link_id = f"dl-{uuid.uuid4().hex[:8]}"
            link = _link_add(
                link_id,
                {"title": item.get("title", link_id), "custom": item.get("custom", {})},
            )
            if line := item.get("lineItem"):
                STATE["lineitems"][link["lineitem"]].update(line)
            STATE["deep_links"].append({**item, "resource_link_id": link_id})
            added.append(link_id)
    links = "".join(f'<li><a href="/course">{i}</a></li>' for i in added)
    return HttpResponse(f"<h1>Content added</h1><ul id='added'>{links}</ul>")


# What the test reads and sets.


def test_config(request):
    state_reset(json.loads(request.body or b"{}"))
    return JsonResponse({"issuer": BASE_URL, **platform_urls()})


def test_fail(request):
    with LOCK:
        STATE["fail"].update(json.loads(request.body))
    return JsonResponse(STATE["fail"])


def test_grades(request):
    with LOCK:
        return JsonResponse(
            {
                "lineitems": STATE["lineitems"],
                "scores": STATE["scores"],
                "requests": STATE["requests"],
            }
        )


def test_deep_links(request):
    with LOCK:
        return JsonResponse(
            {"deep_links": STATE["deep_links"], "links": STATE["links"]}
        )


def platform_urls() -> dict:
    return {
        "auth_login_url": f"{BASE_URL}/auth",
        "auth_token_url": f"{BASE_URL}/token",
        "key_set_url": f"{BASE_URL}/jwks.json",
        "memberships_url": _memberships_url(),
        "lineitems_url": _lineitems_url(),
    }


def course(request):
    """The course page a user would click from (links for a person at the keys)."""
    rows = []
    for m in STATE["members"]:
        for link in STATE["links"]:
            query = urlencode({"user": m["user_id"], "link": link})
            rows.append(f'<li><a href="/course/launch?{query}">{link}</a></li>')
    title = STATE["context"]["title"]
    return HttpResponse(f"<h1>{title}</h1><ul>{''.join(rows)}</ul>")


def course_embedded(request):
    """``/course/embedded?user=U&link=L``: the LMS's page showing link L to user U
    inside an iframe, as Moodle's "Embed" and Canvas's default placements do."""
    query = urlencode(
        {"user": request.GET.get("user", ""), "link": request.GET.get("link", "")}
    )
    return HttpResponse(
        "<!doctype html><title>Course</title><h1>Embedded tool</h1>"
        f'<iframe title="Quiz tool" src="/course/launch?{query}" '
        'style="width:100%;height:700px"></iframe>'
    )


urlpatterns = [
    path("course", course),
    path("course/embedded", course_embedded),
    path("course/launch", course_launch),
    path("auth", auth),
    path("jwks.json", jwks),
    path("token", token),
    path("nrps/<str:context_id>/memberships", memberships),
    path("ags/<str:context_id>/lineitems", lineitems),
    path("ags/<str:context_id>/lineitems/<int:number>", lineitem),
    path("ags/<str:context_id>/lineitems/<int:number>/scores", scores),
    path("ags/<str:context_id>/lineitems/<int:number>/results", results),
    path("deep_link_return", deep_link_return),
    path("test/config", test_config),
    path("test/fail", test_fail),
    path("test/grades.json", test_grades),
    path("test/deep_links.json", test_deep_links),
]

state_reset({})
