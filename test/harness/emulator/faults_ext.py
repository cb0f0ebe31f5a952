"""Fault injection: /moto-api/faults makes chosen requests fail (throttling, 5xx) or hang, so retries
and deadlines can be tested.

The API, on the emulator's own address:

- ``POST /moto-api/faults`` with a JSON rule adds it and answers it (with its ``id``)::

    {"service": "iam", "operation": "CreateRole", "status": 400, "code": "Throttling",
     "message": "Rate exceeded", "count": 2}

  ``status`` and ``code`` are required. ``service`` (optional) is the signing name of the request
  (``iam``, ``lambda``, ``bedrock`` for every Bedrock API) or the botocore name of the API
  (``bedrock-agent``). ``operation`` (optional) is an operation name (``CreateRole``,
  ``GetFunction``), or a prefix of ``"METHOD /path"`` (``"GET /2015-03-31/functions/"``).
  ``count`` is how many requests fail (default 1; -1: every one until the rules are cleared).
- A rule with ``"hang": true`` makes matching requests hang, as a hung AWS endpoint would::

    {"service": "lambda", "operation": "GetFunction", "hang": true, "count": -1}

  The emulator holds each such request without answering (its server thread waits) until the rule
  is removed (any of the ways below) or ``HANG_CAP_SECONDS`` (300 s) pass, then answers it with the
  rule's error: ``status`` and ``code`` are optional here, 503 ``ServiceUnavailable`` by default.
  A held request never reaches moto's backend, not even once released, so a client that gave up on
  it (an AbortSignal, a timeout) finds nothing changed. Other requests are answered meanwhile:
  moto's server runs each request in a thread of its own. ``count`` is how many requests hang.
- ``GET /moto-api/faults`` lists the rules: ``{"faults": [rule, ...]}``, each with ``remaining``
  (-1: unlimited), ``failed`` (requests answered with the fault so far; for a hang rule, requests
  it held, released or not), ``hang``, and ``held`` (requests it holds right now).
- ``DELETE /moto-api/faults`` removes every rule; ``DELETE /moto-api/faults/<id>`` one of them.
  ``POST /moto-api/reset`` (forgetting every AWS resource) removes them too. Removing a hang rule
  releases the requests it holds.

A matching request gets the error in its API's wire format, as AWS would send it, so the AWS SDK
classifies it (throttling, server error) as it would a real one: the query protocol (IAM, STS) as
``<ErrorResponse>`` XML, JSON and REST-JSON APIs (Lambda, Bedrock) as JSON with the
``x-amzn-ErrorType`` header, REST-XML (S3) as ``<Error>`` XML. The request is still recorded by
moto's request recorder, but never reaches the backend. Requests to /moto-api/* are never faulted.

The hook wraps ``DomainDispatcherApplication.__call__``, the WSGI entry point of every service of
moto's server; which API and operation a request is for is read from botocore's service models.
"""

from __future__ import annotations

import io
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from botocore.loaders import Loader
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Request, Response

FAULTS_PATH = "/moto-api/faults"
RESET_PATH = "/moto-api/reset"
RULE_FIELDS = {"service", "operation", "status", "code", "message", "count", "hang"}
# A held request is answered after this long even if its rule is still there, so a test that forgets
# to clear its rules leaves no thread waiting for ever.
HANG_CAP_SECONDS = 300.0
# The answer to a request a hang rule held, once released, unless the rule says otherwise.
HANG_STATUS, HANG_CODE = 503, "ServiceUnavailable"


def install() -> None:
    """Patches moto; called once before the server starts."""
    original = DomainDispatcherApplication.__call__

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == FAULTS_PATH or path.startswith(FAULTS_PATH + "/"):
            return _faults_api(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            registry.clear()
        elif not path.startswith("/moto-api") and registry.active():
            fault = _fault_for(environ)
            if fault is not None:
                return fault(environ, start_response)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


# --- the rules -----------------------------------------------------------------------------------


class InvalidRule(ValueError):
    pass


@dataclass
class FaultRule:
    id: str
    status: int
    code: str
    message: str
    service: str | None
    operation: str | None
    count: int
    remaining: int  # -1: unlimited
    failed: int = 0
    hang: bool = False
    held: int = 0  # requests held right now
    # Set when the rule is removed: the requests it holds are answered.
    removed: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @staticmethod
    def from_json(spec: Any) -> FaultRule:
        if not isinstance(spec, dict):
            raise InvalidRule("a fault rule is a JSON object")
        unknown = set(spec) - RULE_FIELDS
        if unknown:
            raise InvalidRule(f"unknown fields {sorted(unknown)}; a rule has {sorted(RULE_FIELDS)}")
        hang = spec.get("hang", False)
        if not isinstance(hang, bool):
            raise InvalidRule("hang must be true or false")
        status = spec.get("status", HANG_STATUS if hang else None)
        code = spec.get("code", HANG_CODE if hang else None)
        count = spec.get("count", 1)
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise InvalidRule("status must be an HTTP error status (400-599)")
        if not isinstance(code, str) or not code:
            raise InvalidRule("code must be an error code, e.g. Throttling")
        if not isinstance(count, int) or isinstance(count, bool) or (count < 1 and count != -1):
            raise InvalidRule("count must be a positive number, or -1 for every request until cleared")
        for field in ("service", "operation", "message"):
            if spec.get(field) is not None and not isinstance(spec[field], str):
                raise InvalidRule(f"{field} must be a string")
        return FaultRule(
            id=str(uuid.uuid4()),
            status=status,
            code=code,
            message=spec.get("message") or _default_message(code, status),
            service=spec.get("service"),
            operation=spec.get("operation"),
            count=count,
            remaining=count,
            hang=hang,
        )

    def matches(self, call: Call) -> bool:
        if self.remaining == 0:
            return False
        if self.service is not None and self.service.lower() not in call.service_names:
            return False
        if self.operation is not None and self.operation != call.operation and not call.route.startswith(self.operation):
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name != "removed"}


def _default_message(code: str, status: int) -> str:
    throttling = status == 429 or any(word in code.lower() for word in ("throttl", "toomanyrequests", "limitexceeded", "slowdown"))
    return "Rate exceeded" if throttling else f"Fault injected by the test bed: {code}"


class FaultRegistry:
    """The rules, in the order they were added; safe to use from the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def active(self) -> bool:
        with self._lock:
            return any(rule.remaining != 0 for rule in self._rules)

    def take(self, call: Call) -> FaultRule | None:
        """The first rule that matches the call (the rule itself, whose ``removed`` a hold waits on),
        with one failure counted; None if none matches."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(call):
                    if rule.remaining > 0:
                        rule.remaining -= 1
                    rule.failed += 1
                    return rule
        return None

    def hold(self, rule: FaultRule) -> None:
        """Blocks the calling request's thread until the rule is removed or HANG_CAP_SECONDS pass."""
        with self._lock:
            rule.held += 1
        try:
            rule.removed.wait(HANG_CAP_SECONDS)
        finally:
            with self._lock:
                rule.held -= 1

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def clear(self) -> int:
        with self._lock:
            removed, self._rules = self._rules, []
        for rule in removed:
            rule.removed.set()
        return len(removed)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            removed = [rule for rule in self._rules if rule.id == rule_id]
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
        for rule in removed:
            rule.removed.set()
        return bool(removed)


registry = FaultRegistry()


def _faults_api(environ: dict[str, Any], start_response: Any) -> Any:
    request = Request(environ)
    rule_id = request.path[len(FAULTS_PATH) :].strip("/")

    def reply(status: int, body: Any) -> Any:
        return Response(json.dumps(body), status=status, content_type="application/json")(environ, start_response)

    if request.method == "GET" and not rule_id:
        return reply(200, {"faults": registry.list()})
    if request.method == "POST" and not rule_id:
        try:
            rule = FaultRule.from_json(json.loads(request.get_data() or b"null"))
        except (ValueError, InvalidRule) as error:
            return reply(400, {"message": f"invalid fault rule: {error}"})
        registry.add(rule)
        return reply(201, rule.to_json())
    if request.method == "DELETE" and not rule_id:
        return reply(200, {"cleared": registry.clear()})
    if request.method == "DELETE":
        found = registry.remove(rule_id)
        return reply(200 if found else 404, {"cleared": 1 if found else 0})
    return reply(405, {"message": f"{request.method} {request.path} is not part of the faults API"})


# --- which API and operation a request is for ----------------------------------------------------


@dataclass
class Call:
    signing_name: str | None
    api: str | None  # botocore's service name, e.g. "bedrock-agent"
    operation: str | None
    protocol: str
    route: str  # "METHOD /path"
    model: dict[str, Any] | None

    @property
    def service_names(self) -> set[str]:
        return {name.lower() for name in (self.signing_name, self.api) if name}


_loader = Loader()


@lru_cache(maxsize=None)
def _available_apis() -> tuple[str, ...]:
    return tuple(_loader.list_available_services("service-2"))


@lru_cache(maxsize=None)
def _model(api: str) -> dict[str, Any]:
    return _loader.load_service_model(api, "service-2")


@lru_cache(maxsize=None)
def _apis_signed_as(signing_name: str) -> tuple[str, ...]:
    """The botocore APIs whose requests are signed with this name (bedrock: bedrock, bedrock-agent, ...)."""
    apis = []
    for api in _available_apis():
        if api != signing_name and not api.startswith(signing_name + "-"):
            continue
        metadata = _model(api)["metadata"]
        if metadata.get("signingName", metadata.get("endpointPrefix")) == signing_name:
            apis.append(api)
    return tuple(sorted(apis, key=lambda api: api != signing_name))


@lru_cache(maxsize=None)
def _uri_pattern(request_uri: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    """A requestUri template ("/functions/{FunctionName}/policy?Qualifier") as a path regex, the
    query keys it requires, and its number of literal characters (the more, the more specific)."""
    path, _, query = request_uri.partition("?")
    regex = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            regex += ".+" if part.endswith("+}") else "[^/]+"
        else:
            regex += re.escape(part)
    required = tuple(key.split("=")[0] for key in query.split("&") if key)
    literal = len(re.sub(r"\{[^}]+\}", "", path))
    return re.compile(regex + "/?"), required, literal


def _rest_operation(model: dict[str, Any], method: str, path: str, query: dict[str, list[str]]) -> str | None:
    best: tuple[int, int, str] | None = None
    for name, operation in model["operations"].items():
        http = operation.get("http", {})
        if http.get("method") != method:
            continue
        pattern, required, literal = _uri_pattern(http.get("requestUri", "/"))
        if pattern.fullmatch(path) and all(key in query for key in required):
            score = (len(required), literal, name)
            if best is None or score[:2] > best[:2]:
                best = score
    return best[2] if best else None


def _signing_name(environ: dict[str, Any]) -> str | None:
    # Authorization: AWS4-HMAC-SHA256 Credential=KEY/20240101/us-east-1/iam/aws4_request, ...
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    if match:
        return match.group(1).lower()
    host = environ.get("HTTP_HOST", "")
    return host.split(".")[0].lower() if host.endswith(".amazonaws.com") else None


def _form_body(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The form parameters of a query-protocol request; the body is put back for moto to read."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {}
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    if length <= 0:
        return {}
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8", "replace"))


def _identify(environ: dict[str, Any]) -> Call:
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    # Operations are matched on the path as sent, where an ARN's "/" is still %2F.
    raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or path).partition("?")[0]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    route = f"{method} {path}"
    signing_name = _signing_name(environ)
    action = (query.get("Action") or [None])[0]
    if action is None and method == "POST":
        action = (_form_body(environ).get("Action") or [None])[0]
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    for api in _apis_signed_as(signing_name) if signing_name else ():
        model = _model(api)
        protocol = model["metadata"]["protocol"]
        if protocol in ("query", "ec2"):
            operation = action if action in model["operations"] else None
        elif protocol == "json":
            operation = target.rpartition(".")[2] if target.rpartition(".")[2] in model["operations"] else None
        else:
            operation = _rest_operation(model, method, raw_path, query)
        if operation:
            return Call(signing_name, api, operation, protocol, route, model)
    protocol = "query" if action else "json" if target else "rest-json"
    return Call(signing_name, None, action or target.rpartition(".")[2] or None, protocol, route, None)


# --- the error, in the API's wire format ---------------------------------------------------------


def _fault_for(environ: dict[str, Any]) -> Response | None:
    call = _identify(environ)
    rule = registry.take(call)
    if rule is None:
        return None
    _record(environ)
    if rule.hang:
        registry.hold(rule)
    return _error_response(call, rule)


def _record(environ: dict[str, Any]) -> None:
    # The faulted request still counts as received: moto's recorder logs it as it logs the others.
    try:
        from moto.moto_api import recorder

        recorder._record_request(Request(environ))
    except Exception:  # noqa: BLE001 - the recorder must never turn a fault into another error
        pass


def _message_member(call: Call, code: str) -> str:
    """"message" or "Message", as the API's own error shape of that name spells it."""
    members = ((call.model or {}).get("shapes", {}).get(code) or {}).get("members", {})
    return "Message" if "Message" in members and "message" not in members else "message"


def _error_response(call: Call, rule: FaultRule) -> Response:
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    code, message = escape(rule.code), escape(rule.message)
    fault_type = "Sender" if rule.status < 500 else "Receiver"
    if call.protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Response(body, status=rule.status, headers=headers, content_type="text/xml")
    if call.protocol == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        return Response(body, status=rule.status, headers=headers, content_type="text/xml")
    if call.protocol == "rest-xml":
        headers["x-amz-request-id"] = request_id
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        return Response(body, status=rule.status, headers=headers, content_type="application/xml")
    headers["x-amzn-ErrorType"] = rule.code
    payload: dict[str, Any] = {_message_member(call, rule.code): rule.message}
    if call.protocol == "json":
        payload["__type"] = rule.code
        version = ((call.model or {}).get("metadata", {})).get("jsonVersion", "1.1")
        return Response(json.dumps(payload), status=rule.status, headers=headers, content_type=f"application/x-amz-json-{version}")
    if call.api == "lambda":
        payload["Type"] = "User" if rule.status < 500 else "Service"  # as Lambda's own errors carry
    return Response(json.dumps(payload), status=rule.status, headers=headers, content_type="application/json")
