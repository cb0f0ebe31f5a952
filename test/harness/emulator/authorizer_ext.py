"""What the test bed's authorizing front (``authorizer/front.ts``) asks moto, outside the emulated APIs.

The front authorizes the operator's requests against the operator's IAM policy before it forwards
them to moto. For some of them it needs to know the current state of the account: a role's ARN
(its path) and its permissions boundary (``iam:PermissionsBoundary`` of PutRolePolicy,
AttachRolePolicy, ...). It could ask moto's IAM API, but then each lookup would be counted by the
request recorder and consumed by fault rules meant for the operator's own calls. So it asks here:

- ``GET /moto-api/authorizer/roles/<name>`` answers ``{"arn": ..., "path": ...,
  "permissionsBoundary": ... | null}``, or 404 when the role does not exist.
- ``PUT /moto-api/authorizer/managed-policies`` with ``{"name", "path", "document", "description"}``
  creates a customer managed policy unless one of that ARN exists (the stack's permissions
  boundary, created at start and again after each ``POST /moto-api/reset``); answers ``{"arn"}``.

Both act on the default account (123456789012), in which moto keeps everything of the test bed.
Requests to /moto-api/* are neither recorded nor faulted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

import service_locks

PREFIX = "/moto-api/authorizer/"


def install() -> None:
    """Patches moto's WSGI entry point; called once before the server starts."""
    original = DomainDispatcherApplication.__call__

    def __call__(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            # Reads IAM's backend, or adds a managed policy to it, as an IAM request would (service_locks.py).
            with service_locks.holding({"iam": "read" if environ.get("REQUEST_METHOD") == "GET" else "write"}):
                status, body = _answer(environ.get("REQUEST_METHOD", "GET"), path[len(PREFIX):], environ)
            payload = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


def _iam() -> Any:
    return iam_backends[DEFAULT_ACCOUNT_ID]["aws"]


def _answer(method: str, rest: str, environ: dict[str, Any]) -> tuple[str, Any]:
    if method == "GET" and rest.startswith("roles/"):
        name = unquote(rest[len("roles/"):])
        role = next((r for r in _iam().get_roles() if r.name == name), None)
        if role is None:
            return "404 Not Found", {"message": f"no role {name}"}
        return "200 OK", {"arn": role.arn, "path": role.path, "permissionsBoundary": role.permissions_boundary_arn or None}
    if method == "PUT" and rest == "managed-policies":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        spec = json.loads(environ["wsgi.input"].read(length) or b"{}")
        iam = _iam()
        path = spec.get("path") or "/"
        arn = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:policy{path}{spec['name']}"
        if arn not in iam.managed_policies:
            iam.create_policy(spec.get("description", ""), path, spec["document"], spec["name"], [])
        return "200 OK", {"arn": arn}
    return "404 Not Found", {"message": f"no such authorizer endpoint: {method} {PREFIX}{rest}"}
