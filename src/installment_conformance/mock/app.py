"""The mock's HTTP surface: the routes of CONTRACT.md section 3 and the test helpers, as a Starlette app."""

from __future__ import annotations

import json
import logging

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from installment_conformance import profile as profile_module
from installment_conformance.mock import objects, parsing, qr, validation
from installment_conformance.mock.auth import authenticate
from installment_conformance.mock.errors import (
    AUTHENTICATION_FAILURE,
    BAD_REQUEST,
    NOT_FOUND,
    ApiError,
    error_body,
    not_found,
)
from installment_conformance.mock.faults import Faults
from installment_conformance.mock.gateway import Gateway
from installment_conformance.mock.store import Account

log = logging.getLogger("installment_conformance.mock")

TEST_CAPABILITIES = ("clock", "webhooks", "reset", "failure_codes", "qr_download")


class JsonResponse(Response):
    """A JSON answer, UTF-8 (Thai stays readable), compact, never NaN."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        """The body bytes; a string that cannot be UTF-8 is replaced rather than crashing the answer."""
        try:
            return orjson.dumps(content)  # ten times the standard encoder: JSON was the mock's biggest cost
        except TypeError:  # an integer beyond 64 bits or a lone surrogate echoed from a request
            text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            return text.encode("utf-8", errors="replace")


def _gateway(request: Request) -> Gateway:
    """The request's mock."""
    return request.app.state.gateway


def _base_url(request: Request) -> str:
    """The mock's own base URL as the caller reached it."""
    scope = request.scope
    key = (scope["scheme"], request.headers.get("host"), tuple(scope.get("server") or ()), scope.get("root_path", ""))
    known = _BASE_URLS.get(key)
    if known is None:  # building a URL object per request cost more than pricing a charge
        if len(_BASE_URLS) >= 256:
            _BASE_URLS.clear()
        known = _BASE_URLS[key] = str(request.base_url).rstrip("/")
    return known


_BASE_URLS: dict[tuple, str] = {}


def _account(request: Request, *, secret: bool = True) -> Account:
    """The caller's account after authenticating (a secret key unless `secret` is false)."""
    return _gateway(request).account(authenticate(request, secret=secret))


def _view(request: Request, account: Account) -> objects.View:
    """Rendering context for the account now."""
    return _gateway(request).view(account, _base_url(request))


def _page(request: Request, account: Account, items: list, render, params: dict, location: str) -> JsonResponse:
    """One page of `items` (objects with created_at, oldest first) as a list object."""
    view = _view(request, account)
    query = validation.list_query(params, view.now)
    window = [item for item in items if query.start <= item.created_at <= query.end]
    if query.order == "reverse_chronological":
        window.reverse()
    page = window[query.offset : query.offset + query.limit]
    return JsonResponse(
        objects.list_json(
            [render(item) for item in page],
            total=len(window),
            limit=query.limit,
            offset=query.offset,
            order=query.order,
            start=query.start,
            end=query.end,
            location=location,
        )
    )


# sources


async def create_source(request: Request) -> Response:
    """POST /sources (public or secret key)."""
    gateway = _gateway(request)
    account = _account(request, secret=False)
    checked = validation.source_request(await parsing.body_params(request), gateway.profile, gateway.faults)
    with account.lock:
        source = gateway.create_source(account, checked)
        return JsonResponse(objects.source_json(source, None, _view(request, account)))


async def get_source(request: Request) -> Response:
    """GET /sources/{id} (public or secret key)."""
    gateway = _gateway(request)
    account = _account(request, secret=False)
    with account.lock:
        source = gateway.find_source(account, request.path_params["id"])
        charge = account.charges.get(source.charge_id) if source.charge_id else None
        return JsonResponse(objects.source_json(source, charge, _view(request, account)))


# charges


async def create_charge(request: Request) -> Response:
    """POST /charges from a source id or an inline source (secret key)."""
    gateway = _gateway(request)
    account = gateway.account(authenticate(request, secret=not gateway.faults.charge_accepts_public_key))
    checked = validation.charge_request(await parsing.body_params(request), gateway.profile, gateway.faults)
    with account.lock:
        charge = gateway.create_charge(account, checked, _base_url(request))
        return JsonResponse(charge.created_snapshot)


async def list_charges(request: Request) -> Response:
    """GET /charges."""
    account = _account(request)
    params = await parsing.request_params(request)
    with account.lock:
        charges = list(account.charges.values())
        if charges and _gateway(request).faults.charge_list_omits_newest:
            charges.pop()
        view = _view(request, account)
        return _page(request, account, charges, lambda charge: objects.charge_json(charge, view), params, "/charges")


async def get_charge(request: Request) -> Response:
    """GET /charges/{id}."""
    account = _account(request)
    with account.lock:
        charge = _gateway(request).find_charge(account, request.path_params["id"])
        return JsonResponse(objects.charge_json(charge, _view(request, account)))


async def mark_as_paid(request: Request) -> Response:
    """POST /charges/{id}/mark_as_paid (test mode)."""
    account = _account(request)
    await parsing.body_params(request)
    with account.lock:
        charge = _gateway(request).mark_as_paid(account, request.path_params["id"], _base_url(request))
        return JsonResponse(objects.charge_json(charge, _view(request, account)))


async def mark_as_failed(request: Request) -> Response:
    """POST /charges/{id}/mark_as_failed, optionally with failure_code (test mode)."""
    account = _account(request)
    params = await parsing.body_params(request)
    with account.lock:
        charge = _gateway(request).mark_as_failed(account, request.path_params["id"], params, _base_url(request))
        return JsonResponse(objects.charge_json(charge, _view(request, account)))


async def expire_charge(request: Request) -> Response:
    """POST /charges/{id}/expire."""
    account = _account(request)
    await parsing.body_params(request)
    with account.lock:
        charge = _gateway(request).expire(account, request.path_params["id"])
        return JsonResponse(objects.charge_json(charge, _view(request, account)))


async def download_document(request: Request) -> Response:
    """GET /charges/{id}/documents/{document_id}/downloads/{key}: the QR PNG (no key needed, like an image link)."""
    params = request.path_params
    document = _gateway(request).store.document(params["id"], params["document_id"], params["key"])
    if document is None:
        raise not_found("document", params["document_id"])
    image = qr.png(document.content)
    if _gateway(request).faults.qr_image_truncated:
        image = image[: len(image) // 2]
    return Response(image, media_type="image/png")


# refunds


async def create_refund(request: Request) -> Response:
    """POST /charges/{id}/refunds."""
    gateway = _gateway(request)
    account = _account(request)
    params = await parsing.body_params(request)
    with account.lock:
        gateway.find_charge(account, request.path_params["id"])
    refund = await gateway.refund(account, request.path_params["id"], validation.refund_request(params, gateway.faults))
    return JsonResponse(refund.created_snapshot)


async def list_charge_refunds(request: Request) -> Response:
    """GET /charges/{id}/refunds."""
    account = _account(request)
    params = await parsing.request_params(request)
    with account.lock:
        charge = _gateway(request).find_charge(account, request.path_params["id"])
        return _page(request, account, list(charge.refunds), objects.refund_json, params, f"/charges/{charge.id}/refunds")


async def get_charge_refund(request: Request) -> Response:
    """GET /charges/{id}/refunds/{refund_id}."""
    account = _account(request)
    with account.lock:
        charge = _gateway(request).find_charge(account, request.path_params["id"])
        refund = next((r for r in charge.refunds if r.id == request.path_params["refund_id"]), None)
        if refund is None:
            raise not_found("refund", request.path_params["refund_id"])
        return JsonResponse(objects.refund_json(refund))


async def list_refunds(request: Request) -> Response:
    """GET /refunds: the refunds of every charge of the account."""
    account = _account(request)
    params = await parsing.request_params(request)
    with account.lock:
        return _page(request, account, list(account.refunds.values()), objects.refund_json, params, "/refunds")


# events


async def list_events(request: Request) -> Response:
    """GET /events."""
    account = _account(request)
    params = await parsing.request_params(request)
    with account.lock:
        return _page(request, account, list(account.events.values()), objects.event_json, params, "/events")


async def list_charge_events(request: Request) -> Response:
    """GET /charges/{id}/events: the events of one charge and its refunds."""
    account = _account(request)
    params = await parsing.request_params(request)
    with account.lock:
        charge = _gateway(request).find_charge(account, request.path_params["id"])
        events = [event for event in account.events.values() if event.charge_id == charge.id]
        return _page(request, account, events, objects.event_json, params, f"/charges/{charge.id}/events")


async def get_event(request: Request) -> Response:
    """GET /events/{id}."""
    account = _account(request)
    with account.lock:
        return JsonResponse(objects.event_json(_gateway(request).find_event(account, request.path_params["id"])))


# capability and test helpers


async def get_capability(request: Request) -> Response:
    """GET /capability (public or secret key)."""
    _account(request, secret=False)
    gateway = _gateway(request)
    return JsonResponse(objects.capability_json(gateway.profile, gateway.faults))


async def test_capabilities(request: Request) -> Response:
    """GET /test_helpers/capabilities."""
    _account(request)
    return JsonResponse({"object": "test_capabilities", "capabilities": list(TEST_CAPABILITIES)})


async def test_reset(request: Request) -> Response:
    """POST /test_helpers/reset: forget the caller's objects and events; its clock back to real time."""
    caller = authenticate(request, secret=True)
    await parsing.body_params(request)
    _gateway(request).store.reset(caller.account)
    return JsonResponse({"object": "test_reset"})


def _clock_json(account: Account) -> dict:
    """The test_clock object."""
    return {"object": "test_clock", "now": objects.iso(account.clock.now())}


async def get_clock(request: Request) -> Response:
    """GET /test_helpers/clock."""
    account = _account(request)
    with account.lock:
        return JsonResponse(_clock_json(account))


async def advance_clock(request: Request) -> Response:
    """POST /test_helpers/clock with advance_seconds: time moves forward; due charges expire."""
    account = _account(request)
    params = await parsing.body_params(request)
    with account.lock:
        account.clock.advance(validation.advance_seconds(params, account.clock.now()))
        _gateway(request).expire_due(account)
        return JsonResponse(_clock_json(account))


async def set_webhook_endpoint(request: Request) -> Response:
    """POST /test_helpers/webhook_endpoints with url: every later event of the account is POSTed there."""
    account = _account(request)
    url = validation.webhook_url(await parsing.body_params(request))
    with account.lock:
        account.webhook_url = url
    return JsonResponse({"object": "webhook_endpoint", "url": url})


def _route(path: str, **handlers) -> Route:
    """One route per path, dispatching by method, so a wrong method gets 405 with the full Allow list."""

    async def endpoint(request: Request) -> Response:
        """Call the handler of the request's method."""
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    endpoint.__doc__ = f"{path}: {', '.join(handlers)}"
    return Route(path, endpoint, methods=list(handlers), name=path)


ROUTES = [
    _route("/sources", POST=create_source),
    _route("/sources/{id}", GET=get_source),
    _route("/charges", GET=list_charges, POST=create_charge),
    _route("/charges/{id}", GET=get_charge),
    _route("/charges/{id}/refunds", GET=list_charge_refunds, POST=create_refund),
    _route("/charges/{id}/refunds/{refund_id}", GET=get_charge_refund),
    _route("/charges/{id}/events", GET=list_charge_events),
    _route("/charges/{id}/mark_as_paid", POST=mark_as_paid),
    _route("/charges/{id}/mark_as_failed", POST=mark_as_failed),
    _route("/charges/{id}/expire", POST=expire_charge),
    _route("/charges/{id}/documents/{document_id}/downloads/{key}", GET=download_document),
    _route("/refunds", GET=list_refunds),
    _route("/events", GET=list_events),
    _route("/events/{id}", GET=get_event),
    _route("/capability", GET=get_capability),
    _route("/test_helpers/capabilities", GET=test_capabilities),
    _route("/test_helpers/reset", POST=test_reset),
    _route("/test_helpers/clock", GET=get_clock, POST=advance_clock),
    _route("/test_helpers/webhook_endpoints", POST=set_webhook_endpoint),
]


def error_response(request: Request, error: ApiError) -> JsonResponse:
    """The contract's error object for an ApiError; the error faults bend status, code or body here and only here."""
    faults = _gateway(request).faults
    status, code = error.status, error.code
    if code == NOT_FOUND and faults.unknown_id_400:
        status, code = 400, BAD_REQUEST
    if code == AUTHENTICATION_FAILURE and faults.auth_error_is_403:
        status = 403
    if code == BAD_REQUEST and faults.error_is_500:
        status = 500
    body = error_body(code, error.message)
    if faults.error_without_location:
        del body["location"]
    headers = {"WWW-Authenticate": 'Basic realm="omise"'} if code == AUTHENTICATION_FAILURE else None
    return JsonResponse(body, status_code=status, headers=headers)


async def _on_api_error(request: Request, error: ApiError) -> Response:
    """Exception handler: an ApiError as the error object."""
    return error_response(request, error)


async def _on_http_error(request: Request, error: HTTPException) -> Response:
    """Unknown routes and wrong methods get error objects too, never an HTML page."""
    if error.status_code == 404:
        problem = ApiError(404, NOT_FOUND, f"there is no endpoint {request.method} {request.url.path}; see docs/mock.md for the endpoints")
    elif error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        problem = ApiError(405, "method_not_allowed", f"{request.url.path} does not take {request.method}; use {allowed}")
    else:
        problem = ApiError(error.status_code if 400 <= error.status_code < 500 else 400, BAD_REQUEST, str(error.detail))
    response = error_response(request, problem)
    if error.status_code == 405 and error.headers:
        response.headers["Allow"] = error.headers.get("Allow", "")
    return response


def create_app(profile: profile_module.Profile | str | None = None, faults=()) -> Starlette:
    """The reference mock as an ASGI app: behaviour from `profile` (default omise-th), with the named `faults` on.

    An unknown fault name raises faults.UnknownFault listing the names there are.
    """
    if profile is None or isinstance(profile, str) or hasattr(profile, "__fspath__"):
        profile = profile_module.load(profile)
    gateway = Gateway(profile, Faults(faults))
    app = Starlette(
        routes=ROUTES,
        exception_handlers={ApiError: _on_api_error, HTTPException: _on_http_error},
    )
    app.state.gateway = gateway
    return app
