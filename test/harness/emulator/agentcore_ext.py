"""bedrock-agentcore-control what moto lacks (harnesses, harness endpoints, workload identities), and fixes to what it has.

moto 5.2.1 implements agent runtimes and their endpoints, gateways and gateway targets, memories and
tagging for this service (moto/bedrockagentcorecontrol). Driven from the JS SDK v3 it answers
timestamps correctly (its serializer follows the model: DateTimestamp is iso8601, Timestamp epoch
seconds), but:

* every operation it lacks (CreateHarness, ..., CreateWorkloadIdentity, ...) answers an HTML 500;
* a resource is READY at its first read and an update leaves it UPDATING for ever (its ManagedState
  knows only CREATING -> READY); deletions are immediate, and DeleteGateway takes its targets with it;
* gateway IDs are 10 hex digits and agent-runtime ARNs are agent/<uuid>:<version>, where AWS (and
  the model's patterns, which other members such as a harness tool's gatewayArn must match) has
  <name>-<10 characters> and runtime/<id>;
* no input is validated, and tags go on any ARN, known or not;
* a gateway target is READY whatever it names.

This module adds, following the botocore service model (shapes, HTTP method and URI, errors) and the
AgentCore developer guide (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/harness.html,
harness-versioning.html):

* harnesses: CreateHarness, GetHarness, UpdateHarness (a PATCH: members not sent stay; the
  "optionalValue" wrappers set or clear), DeleteHarness, ListHarnesses, ListHarnessVersions. Each
  create or update makes a new immutable version (1, 2, ...); a harness goes CREATING -> READY,
  UPDATING -> READY, DELETING -> gone;
* managed memory (memory.managedMemoryConfiguration, harness-memory.html and the model's doc
  strings): the harness makes a Memory of the account (one of moto's: GetMemory, ListMemories and
  tags see it) with managedByResourceArn the harness's ARN, name harness_<harnessName> (always within
  the model's Name, [a-zA-Z][a-zA-Z0-9_]{0,47}) and ID harness_<harnessName>_memory-<10 letters and
  digits>. That ID keeps the model's MemoryId pattern
  ([a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}; at most 55 characters before the suffix, so a harness
  name is never cut) and falls under memory/harness_<agentNameAbbrv>_*, the harness-security page's
  scope for the execution role; what AWS puts after "harness_<name>_" is not documented, "memory" is
  this emulator's choice. The response's managedMemoryConfiguration carries its read-only arn (an
  arn sent in a request is ignored), strategies (default [SEMANTIC, SUMMARIZATION]) and
  eventExpiryDuration (default 30). An UpdateHarness that keeps managed memory keeps the memory and
  its ARN (strategies and expiry retuned); one whose encryptionKeyArn differs from the memory's
  (another key, or none for a memory made with one) is a ValidationException ("Not updatable after
  creation"). Memory disabled, cleared or bring-your-own (agentCoreMemoryConfiguration): the ARN is
  no longer shown and the memory goes (DELETING -> gone; inferred, AWS does not say). DeleteHarness deletes it too, unless
  deleteManagedMemory=false: then it stays, no longer managed. DeleteMemory on a managed memory, or
  UpdateMemory of its strategies, is a ValidationException (reason ResourceConflict, this emulator's
  choice): "only allowed through the managing resource". A harness created without memory gets
  none here (AWS turns managed memory on by default; the operator always says which it wants);
* harness endpoints: CreateHarnessEndpoint, GetHarnessEndpoint, UpdateHarnessEndpoint,
  DeleteHarnessEndpoint, ListHarnessEndpoints, each pointing at a version (targetVersion; liveVersion
  once READY). Every harness has the DEFAULT endpoint, which follows the latest version;
* workload identities: Create/Get/Update/Delete/ListWorkloadIdentities;
* gateway targets (gateway-target-connectors.html, gateway-target-connector-managed-kb.html):
  an mcp.connector target names a built-in connector (bedrock-knowledge-bases, web-search; another
  connectorId is a ValidationException), takes only GATEWAY_IAM_ROLE credential providers
  (ValidationException "Connector targets accept only GATEWAY_IAM_ROLE ..."), and for
  bedrock-knowledge-bases only its tools (Retrieve, AgenticRetrieveStream), Retrieve with
  parameterValues.knowledgeBaseId. Each knowledge base it names is checked in the background, as
  AWS's GetKnowledgeBase with the gateway's role: one that moto's bedrock-agent does not have in the
  gateway's account and region makes the target FAILED (after CreateGatewayTarget) or
  UPDATE_UNSUCCESSFUL (after UpdateGatewayTarget), with a statusReasons entry per missing knowledge
  base; else READY. The knowledge base's type is not checked (the connector supports only MANAGED
  knowledge bases, but moto makes only VECTOR ones). A Lambda target's tool definitions are checked
  by the model's validation (ToolDefinition: name, description, inputSchema; SchemaDefinition: type,
  at every level); its function is not looked up (AWS finds out when the gateway invokes it);
* gateways and targets with AWS's states: DeleteGatewayTarget and DeleteGateway answer DELETING and
  the resource is gone after the delay; UpdateGatewayTarget and UpdateGateway answer
  ConflictException while their resource is CREATING, UPDATING or DELETING, CreateGatewayTarget
  while its gateway is DELETING. DeleteGateway while the gateway has targets (DELETING ones too)
  answers ValidationException "Gateway with ID: <id> has targets associated with it. Delete all
  targets before deleting the gateway.": AWS's exception and words as tools that met them in AWS
  quote them (AWS's starter toolkit: "The gateway must have zero targets before deletion"); the
  reason ResourceConflict is this emulator's choice;
* the background work of every resource takes $MOTO_AGENTCORE_DELAY_SECONDS (default 0.3 s),
  applied when the emulator next handles a request, so no thread is needed;
* input validation of every operation of the service from the model (required members, lengths,
  patterns, enums, ranges, unions), as ValidationException {message, reason, fieldList};
* clientToken idempotency (same token and request: the first answer again; same token, another
  request: ValidationException reason IdempotentParameterMismatchException), ConflictException for a
  name in use or a resource busy with background work, ResourceNotFoundException for unknown IDs;
* TagResource/UntagResource/ListTagsForResource for the new ARNs, and ResourceNotFoundException for
  an ARN of no resource.

How it plugs in: moto sends each request of the service to BedrockAgentCoreControlResponse.dispatch,
which finds the operation from the model and calls the method of that name in snake_case; install()
sets the missing methods on the class and wraps call_action (one request at a time, validation,
background work). New resources live in attributes of moto's backend, so POST /moto-api/reset forgets
them with the rest.
"""

import functools
import hashlib
import json
import os
import re
import string
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import unquote

import botocore.session
from moto.bedrockagentcorecontrol import models as moto_models
from moto.bedrockagentcorecontrol.exceptions import ConflictException, ResourceNotFoundException
from moto.bedrockagentcorecontrol.models import BedrockAgentCoreControlBackend, bedrockagentcorecontrol_backends
from moto.bedrockagentcorecontrol.responses import BedrockAgentCoreControlResponse
from moto.bedrockagent.models import bedrockagent_backends
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from bedrock_agent_ext import _constraint_errors  # the model's constraints, checked as AWS words them

SERVICE = "bedrock-agentcore-control"
DEFAULT_ENDPOINT = "DEFAULT"
DEFAULT_PAGE_SIZE = 100
# "If you don't specify a model, the harness defaults to Anthropic Claude Sonnet 4.6 on Amazon
# Bedrock" (harness-get-started). The model ID is this emulator's guess.
DEFAULT_MODEL = {"bedrockModelConfig": {"modelId": "global.anthropic.claude-sonnet-4-6"}}
# AgentCore Runtime's documented session defaults: 15 minutes idle, 8 hours in all.
DEFAULT_LIFECYCLE = {"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800}
BUSY = {"CREATING", "UPDATING", "DELETING"}
# A harness's managed memory when its managedMemoryConfiguration leaves them out (the model's doc
# strings: "Defaults to [SEMANTIC, SUMMARIZATION]", "Event retention in days. Defaults to 30").
DEFAULT_MEMORY_STRATEGIES = ["SEMANTIC", "SUMMARIZATION"]
DEFAULT_MEMORY_EXPIRY_DAYS = 30
# How the managed memory's strategies are made: CreateMemory's MemoryStrategyInput member of each type.
MEMORY_STRATEGY_INPUTS = {
    "SEMANTIC": "semanticMemoryStrategy", "SUMMARIZATION": "summaryMemoryStrategy",
    "USER_PREFERENCE": "userPreferenceMemoryStrategy", "EPISODIC": "episodicMemoryStrategy",
}
# The built-in connectors a gateway's mcp.connector target can name, with the tools each exposes
# (devguide gateway-target-connectors.html, gateway-target-connector-managed-kb.html); None: not checked.
KNOWLEDGE_BASE_CONNECTOR = "bedrock-knowledge-bases"
MCP_CONNECTORS: dict[str, set[str] | None] = {KNOWLEDGE_BASE_CONNECTOR: {"Retrieve", "AgenticRetrieveStream"}, "web-search": None}

_lock = threading.Lock()


def _now() -> float:
    return time.time()


def _delay() -> float:
    """How long AWS's background work (creating, updating, deleting) takes here."""
    return float(os.environ.get("MOTO_AGENTCORE_DELAY_SECONDS", "0.3"))


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _suffix() -> str:
    """The 10 letters and digits AWS appends to a resource's name to make its ID."""
    return "".join(mock_random.choice(string.ascii_letters + string.digits) for _ in range(10))


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# --- errors ----------------------------------------------------------------------------------------


class ValidationException(ServiceException):
    code = "ValidationException"

    def __init__(self, message: str, reason: str = "FieldValidationFailed", fields: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.reason = reason
        if fields:
            self.fieldList = fields


def _not_found(kind: str, name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"{kind} {name} not found.")


# --- the service model -----------------------------------------------------------------------------


@functools.cache
def _service_model() -> Any:
    return botocore.session.get_session().get_service_model(SERVICE)


@functools.cache
def _uri_regex(request_uri: str) -> "re.Pattern[str]":
    path = request_uri.split("?", 1)[0]
    parts = [p for p in re.split(r"(\{[^}]+\})", path) if p]
    # A label at the end takes the rest of the path: the server hands the path on decoded, so an
    # ARN label (TagResource's /tags/{resourceArn}) arrives with its %2F as "/".
    regex = "".join(
        f"(?P<{p[1:-1].rstrip('+')}>.+)" if p.endswith("+}") or (p.startswith("{") and i == len(parts) - 1)
        else f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p)
        for i, p in enumerate(parts)
    )
    return re.compile(regex + "/?$")


def _typed(value: str, shape: Any) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(value)
        if kind in ("float", "double"):
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return value.lower() == "true"
    return value


def _request_params(self: BedrockAgentCoreControlResponse, operation: str) -> dict[str, Any]:
    """The request's JSON body, URI labels and query-string members, as the model names them."""
    model = _service_model().operation_model(operation)
    body = self.body.decode("utf-8") if isinstance(self.body, bytes) else (self.body or "")
    try:
        params = json.loads(body) if body.strip() else {}
    except ValueError:
        raise ValidationException("The request body is not valid JSON.", reason="CannotParse")
    shape = model.input_shape
    if shape is None:
        return params
    match = _uri_regex(model.http["requestUri"]).search(self.parsed_url.path)
    labels = match.groupdict() if match else {}
    for name, member in shape.members.items():
        location, wire = member.serialization.get("location"), member.serialization.get("name", name)
        if location == "uri" and wire in labels:
            params[name] = unquote(labels[wire])
        elif location == "querystring" and wire in self.querystring:
            params[name] = _typed(self.querystring[wire][0], member)
    return params


def _validate(operation: str, params: dict[str, Any]) -> None:
    """Raises ValidationException as AWS does for input that breaks the operation's model."""
    shape = _service_model().operation_model(operation).input_shape
    if shape is None:
        return
    errors: list[str] = []
    _constraint_errors(params, shape, "", errors)
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        fields = [{"name": (re.search(r" at '([^']*)' failed", m) or re.search("()", m)).group(1), "message": m} for m in errors]
        raise ValidationException(f"{count}: {'; '.join(errors)}", fields=fields)


def _params(self: BedrockAgentCoreControlResponse) -> dict[str, Any]:
    """The current request's parameters; call_action has validated them."""
    return self._agentcore_params


def _backend(self: BedrockAgentCoreControlResponse) -> BedrockAgentCoreControlBackend:
    return bedrockagentcorecontrol_backends[self.current_account][self.region]


def _store(backend: BedrockAgentCoreControlBackend, name: str) -> dict[str, Any]:
    """A dict of this module's kept on moto's backend (so that moto's reset forgets it)."""
    if not hasattr(backend, name):
        setattr(backend, name, {})
    return getattr(backend, name)


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    start = int(params.get("nextToken") or 0) if str(params.get("nextToken") or "0").isdigit() else 0
    size = params.get("maxResults") or DEFAULT_PAGE_SIZE
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


# --- idempotency -------------------------------------------------------------------------------------


def _idempotent(backend: BedrockAgentCoreControlBackend, operation: str, params: dict[str, Any], run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Runs the request once per clientToken: a retry with the same token and request gets the
    first answer; the same token with another request is refused."""
    token = params.get("clientToken")
    if not token:
        return run()
    seen = _store(backend, "agentcore_client_tokens")
    fingerprint = hashlib.sha256(json.dumps({k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True).encode()).hexdigest()
    key = (operation, token)
    if key in seen:
        earlier_fingerprint, answer = seen[key]
        if earlier_fingerprint != fingerprint:
            raise ValidationException(
                "The client token was already used for a different request.", reason="IdempotentParameterMismatchException"
            )
        return answer
    answer = run()
    seen[key] = (fingerprint, answer)
    return answer


# --- background work ---------------------------------------------------------------------------------


class _Pending:
    """Work AWS finishes in the background: `finish` runs at the first request at or after `due`."""

    def __init__(self, finish: Callable[[], None]):
        self.due = _now() + _delay()
        self.finish = finish


def _settle(backend: BedrockAgentCoreControlBackend) -> None:
    """Finishes the background work that is due, for this module's resources and moto's."""
    now = _now()
    for harness in list(_store(backend, "harnesses").values()):
        harness.settle(now)
    for resource in _moto_resources(backend):
        due = getattr(resource, "_agentcore_due", None)
        if due is not None and now >= due:
            resource._agentcore_due = None
            if resource._status in ("CREATING", "UPDATING"):
                if isinstance(resource, moto_models.GatewayTarget):
                    _settle_target(resource)
                    continue
                resource._status = "ACTIVE" if isinstance(resource, moto_models.Memory) else "READY"
                if isinstance(resource, moto_models.AgentRuntimeEndpoint):
                    resource.live_version = resource.target_version
        purge = getattr(resource, "_agentcore_purge", None)
        if purge is not None and now >= purge.due:
            resource._agentcore_purge = None
            purge.finish()


def _purge_later(resource: Any, finish: Callable[[], None]) -> None:
    """Puts one of moto's resources in DELETING; `finish` removes it once the delay has passed."""
    resource._status = "DELETING"
    resource._agentcore_due = None
    resource.updated_at = utcnow()
    resource._agentcore_purge = _Pending(finish)


def _moto_resources(backend: BedrockAgentCoreControlBackend) -> list[Any]:
    return [
        *backend.agent_runtimes.values(), *backend.agent_runtime_endpoints.values(), *backend.gateways.values(),
        *backend.gateway_targets.values(), *backend.memories.values(),
    ]


# --- harnesses ---------------------------------------------------------------------------------------

# The members of a harness's configuration, as CreateHarness and UpdateHarness take them.
HARNESS_FIELDS = (
    "executionRoleArn", "environment", "environmentArtifact", "environmentVariables", "authorizerConfiguration", "model",
    "systemPrompt", "tools", "skills", "allowedTools", "memory", "truncation", "hooks", "maxIterations", "maxTokens",
    "timeoutSeconds",
)
# UpdateHarness wraps these in {"optionalValue": ...}: present sets, absent clears.
OPTIONAL_VALUE_FIELDS = ("environmentArtifact", "authorizerConfiguration", "memory")


class _Endpoint:
    def __init__(self, harness: "_Harness", name: str, target_version: str, description: str | None):
        self.harness = harness
        self.name = name
        self.arn = f"{harness.arn}/harness-endpoint/{name}"
        self.target_version = target_version
        self.live_version: str | None = None
        self.description = description
        self.created_at = self.updated_at = _now()
        self.status = "CREATING"
        self.failure_reason: str | None = None
        self.pending: _Pending | None = _Pending(self._go_live)

    def _go_live(self) -> None:
        self.status = "READY"
        self.live_version = self.target_version

    def retarget(self, version: str, description: str | None = None) -> None:
        self.target_version = version
        if description is not None:
            self.description = description
        self.updated_at = _now()
        self.status = "UPDATING"
        self.pending = _Pending(self._go_live)

    def to_dict(self) -> dict[str, Any]:
        return _compact({
            "harnessId": self.harness.harness_id, "harnessName": self.harness.name, "endpointName": self.name, "arn": self.arn,
            "status": self.status, "createdAt": _dt(self.created_at), "updatedAt": _dt(self.updated_at),
            "liveVersion": self.live_version, "targetVersion": self.target_version, "description": self.description,
            "failureReason": self.failure_reason,
        })


class _Harness:
    def __init__(self, backend: BedrockAgentCoreControlBackend, name: str, config: dict[str, Any]):
        self.backend = backend
        self.name = name
        self.harness_id = f"{name}-{_suffix()}"
        partition = get_partition(backend.region_name)
        self.arn = f"arn:{partition}:bedrock-agentcore:{backend.region_name}:{backend.account_id}:harness/{self.harness_id}"
        # A harness is "a managed abstraction over Runtime": the runtime AWS makes for it.
        runtime_name = f"harness_{name}"[:48]
        runtime_id = f"{runtime_name}-{_suffix()}"
        self.runtime = {
            "agentRuntimeArn": f"arn:{partition}:bedrock-agentcore:{backend.region_name}:{backend.account_id}:runtime/{runtime_id}",
            "agentRuntimeName": runtime_name, "agentRuntimeId": runtime_id,
        }
        self.config = config
        self.created_at = self.updated_at = _now()
        self.status = "CREATING"
        self.failure_reason: str | None = None
        self.version = 1
        self.versions: dict[str, dict[str, Any]] = {}
        self.endpoints: dict[str, _Endpoint] = {}
        self.gone = False
        # The Memory resource AWS makes for managedMemoryConfiguration (one of moto's, in its memories).
        self.managed_memory: Any = None
        self.keep_managed_memory = False
        self._sync_memory()
        self._snapshot()
        self.endpoints[DEFAULT_ENDPOINT] = _Endpoint(self, DEFAULT_ENDPOINT, "1", None)
        self.pending: _Pending | None = _Pending(self._ready)

    def _snapshot(self) -> None:
        self.versions[str(self.version)] = {"config": dict(self.config), "status": self.status, "createdAt": self.updated_at, "updatedAt": self.updated_at}

    def _ready(self) -> None:
        self.status = "READY"
        self.versions[str(self.version)]["status"] = "READY"

    def check_memory_update(self, memory: dict[str, Any] | None) -> None:
        """Refuses a new managedMemoryConfiguration that changes the key of the memory already made:
        encryptionKeyArn is "Not updatable after creation" (the model's doc string)."""
        managed = (memory or {}).get("managedMemoryConfiguration")
        if managed is None or self.managed_memory is None:
            return
        wanted, current = managed.get("encryptionKeyArn"), self.managed_memory.encryption_key_arn
        if (wanted or None) != (current or None):
            field = "memory.optionalValue.managedMemoryConfiguration.encryptionKeyArn"
            message = (
                f"encryptionKeyArn of the managed memory of harness {self.harness_id} cannot be updated after creation "
                f"(it is {current or 'an AWS owned key'}); disable the memory and enable it again to make a new one."
            )
            raise ValidationException(message, fields=[{"name": field, "message": message}])

    def _sync_memory(self) -> None:
        """Makes, retunes or drops the managed memory so that it follows config["memory"]."""
        managed = (self.config.get("memory") or {}).get("managedMemoryConfiguration")
        if managed is None:
            # Disabled, cleared or bring-your-own: the memory the harness made goes.
            if self.managed_memory is not None:
                _drop_managed_memory(self.backend, self.managed_memory)
                self.managed_memory = None
            return
        strategies = managed.get("strategies") or DEFAULT_MEMORY_STRATEGIES
        expiry = managed.get("eventExpiryDuration") or DEFAULT_MEMORY_EXPIRY_DAYS
        if self.managed_memory is None:
            self.managed_memory = _create_managed_memory(self, strategies, expiry, managed.get("encryptionKeyArn"))
        else:
            _retune_managed_memory(self.managed_memory, strategies, expiry)

    def memory(self) -> dict[str, Any] | None:
        """The harness's memory as GetHarness shows it: managed memory with its ARN and the defaults."""
        memory = self.config.get("memory")
        managed = (memory or {}).get("managedMemoryConfiguration")
        if managed is None:
            return memory
        return {"managedMemoryConfiguration": _compact({
            "arn": self.managed_memory.memory_arn if self.managed_memory is not None else None,
            "strategies": managed.get("strategies") or DEFAULT_MEMORY_STRATEGIES,
            "eventExpiryDuration": managed.get("eventExpiryDuration") or DEFAULT_MEMORY_EXPIRY_DAYS,
            "encryptionKeyArn": managed.get("encryptionKeyArn"),
        })}

    def update(self, config: dict[str, Any]) -> None:
        self.config = config
        self._sync_memory()
        self.version += 1
        self.updated_at = _now()
        self.status = "UPDATING"
        self._snapshot()
        self.pending = _Pending(self._ready)
        # "When you update a harness, the DEFAULT endpoint is automatically updated to point to the new version."
        self.endpoints[DEFAULT_ENDPOINT].retarget(str(self.version))

    def delete(self, delete_managed_memory: bool = True) -> None:
        if self.status == "DELETING":
            return
        self.status = "DELETING"
        self.updated_at = _now()
        self.pending = _Pending(self._purge)
        # deleteManagedMemory, "Default: true. If false, the memory is disassociated and becomes a
        # regular customer-owned resource" (the model's doc string).
        if self.managed_memory is not None:
            if delete_managed_memory:
                _drop_managed_memory(self.backend, self.managed_memory)
            else:
                self.keep_managed_memory = True

    def _purge(self) -> None:
        self.gone = True
        _store(self.backend, "harnesses").pop(self.harness_id, None)
        for arn in [self.arn] + [e.arn for e in self.endpoints.values()]:
            self.backend.tagger.delete_all_tags_for_resource(arn)
        if self.managed_memory is not None and self.keep_managed_memory:
            self.managed_memory.managed_by = None

    def settle(self, now: float) -> None:
        for endpoint in list(self.endpoints.values()):
            if endpoint.pending and now >= endpoint.pending.due:
                finish, endpoint.pending = endpoint.pending.finish, None
                finish()
        if self.pending and now >= self.pending.due:
            finish, self.pending = self.pending.finish, None
            finish()

    def environment(self) -> dict[str, Any]:
        given = (self.config.get("environment") or {}).get("agentCoreRuntimeEnvironment") or {}
        return {"agentCoreRuntimeEnvironment": _compact({
            **self.runtime,
            "lifecycleConfiguration": {**DEFAULT_LIFECYCLE, **(given.get("lifecycleConfiguration") or {})},
            "networkConfiguration": given.get("networkConfiguration") or {"networkMode": "PUBLIC"},
            "filesystemConfigurations": given.get("filesystemConfigurations"),
        })}

    def to_dict(self) -> dict[str, Any]:
        c = self.config
        return _compact({
            "harnessId": self.harness_id, "harnessName": self.name, "arn": self.arn, "status": self.status,
            "harnessVersion": str(self.version), "executionRoleArn": c["executionRoleArn"],
            "createdAt": _dt(self.created_at), "updatedAt": _dt(self.updated_at),
            "model": c.get("model") or DEFAULT_MODEL, "systemPrompt": c.get("systemPrompt") or [], "tools": c.get("tools") or [],
            "skills": c.get("skills") or [], "allowedTools": c.get("allowedTools") if c.get("allowedTools") is not None else ["*"],
            "truncation": c.get("truncation") or {"strategy": "sliding_window"}, "environment": self.environment(),
            "environmentArtifact": c.get("environmentArtifact"), "environmentVariables": c.get("environmentVariables"),
            "authorizerConfiguration": c.get("authorizerConfiguration"), "memory": self.memory(), "hooks": c.get("hooks"),
            "maxIterations": c.get("maxIterations"), "maxTokens": c.get("maxTokens"), "timeoutSeconds": c.get("timeoutSeconds"),
            "failureReason": self.failure_reason,
        })

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.to_dict().items() if k in ("harnessId", "harnessName", "arn", "status", "createdAt", "updatedAt", "harnessVersion")}


def _harnesses(backend: BedrockAgentCoreControlBackend) -> dict[str, _Harness]:
    return _store(backend, "harnesses")


def _harness(backend: BedrockAgentCoreControlBackend, harness_id: str) -> _Harness:
    harness = _harnesses(backend).get(harness_id)
    if not harness:
        raise _not_found("Harness", harness_id)
    return harness


def _managed_memory_id(harness: _Harness) -> str:
    """harness_<harnessName>_memory-<10 letters and digits>.

    The harness-security page scopes the execution role's memory actions to
    memory/harness_<agentNameAbbrv>_*; the model's MemoryId is [a-zA-Z][a-zA-Z0-9-_]{0,99}-[a-zA-Z0-9]{10}
    (at least 12 characters). A harness name is [a-zA-Z][a-zA-Z0-9_]{0,39}, so the part before the
    suffix is at most 8 + 40 + 7 = 55 characters: the whole name fits, unabbreviated. AWS's own
    choice after "harness_<name>_" is not documented; "memory" is this emulator's."""
    return f"harness_{harness.name}_memory-{_suffix()}"


def _memory_strategies(types: list[str]) -> list[dict[str, Any]]:
    return [{MEMORY_STRATEGY_INPUTS[t]: {"name": t.lower()}} for t in types]


def _create_managed_memory(harness: _Harness, strategies: list[str], expiry: int, key: str | None) -> Any:
    """The Memory resource AWS makes for a harness's managed memory: one of moto's, so GetMemory,
    ListMemories and tags see it, with managedByResourceArn the harness's ARN."""
    backend = harness.backend
    memory = moto_models.Memory(
        region_name=backend.region_name, account_id=backend.account_id,
        # The Memory's name (Name: [a-zA-Z][a-zA-Z0-9_]{0,47}); harness_ and a harness name always fit.
        name=f"harness_{harness.name}", event_expiry_duration=expiry, description=None, encryption_key_arn=key,
        memory_execution_role_arn=None, memory_strategies=_memory_strategies(strategies),
    )
    memory.memory_id = _managed_memory_id(harness)
    memory.memory_arn = f"{memory.memory_arn.rsplit('/', 1)[0]}/{memory.memory_id}"
    memory.managed_by = harness.arn
    backend.memories[memory.memory_id] = memory
    return memory


def _retune_managed_memory(memory: Any, strategies: list[str], expiry: int) -> None:
    """An UpdateHarness that keeps managed memory changes the same memory (its ARN stays)."""
    have = [s["type"] for s in memory.strategies]
    if have == list(strategies) and memory.event_expiry_duration == expiry:
        return
    kept = [s for s in memory.strategies if s["type"] in strategies]
    memory.strategies = kept
    for strategy in _memory_strategies([t for t in strategies if t not in have]):
        memory._add_strategy(strategy)
    memory.strategies.sort(key=lambda s: list(strategies).index(s["type"]))
    memory.event_expiry_duration = expiry
    memory._status = "UPDATING"
    memory.updated_at = utcnow()
    memory._agentcore_due = _now() + _delay()


def _drop_managed_memory(backend: BedrockAgentCoreControlBackend, memory: Any) -> None:
    def purge() -> None:
        backend.memories.pop(memory.memory_id, None)
        backend.tagger.delete_all_tags_for_resource(memory.memory_arn)

    _purge_later(memory, purge)


def _stored_memory(memory: dict[str, Any] | None) -> dict[str, Any] | None:
    """A request's memory as kept: managedMemoryConfiguration's arn is "Read-only on Get, ignored on
    Create/Update input"."""
    if not memory or "managedMemoryConfiguration" not in memory:
        return memory
    return {"managedMemoryConfiguration": {k: v for k, v in memory["managedMemoryConfiguration"].items() if k != "arn"}}


def _not_busy(status: str, kind: str, name: str, operation: str) -> None:
    if status in BUSY:
        raise ConflictException(f"{operation} cannot be performed on {kind} {name} while it is {status}. Retry when it is READY.")


def create_harness(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)

    def run() -> dict[str, Any]:
        name = params["harnessName"]
        if any(h.name == name for h in _harnesses(backend).values()):
            raise ConflictException(f"A harness named {name} already exists.")
        config = {k: params[k] for k in HARNESS_FIELDS if params.get(k) is not None}
        if "memory" in config:
            config["memory"] = _stored_memory(config["memory"])
        harness = _Harness(backend, name, config)
        _harnesses(backend)[harness.harness_id] = harness
        if params.get("tags"):
            backend.tag_resource(harness.arn, params["tags"])
        return {"harness": harness.to_dict()}

    return ActionResult(_idempotent(backend, "CreateHarness", params, run))


def get_harness(self: BedrockAgentCoreControlResponse) -> ActionResult:
    return ActionResult({"harness": _harness(_backend(self), _params(self)["harnessId"]).to_dict()})


def update_harness(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)

    def run() -> dict[str, Any]:
        harness = _harness(backend, params["harnessId"])
        _not_busy(harness.status, "harness", harness.harness_id, "UpdateHarness")
        config = dict(harness.config)
        for key in HARNESS_FIELDS:
            if key not in params:
                continue
            value = params[key].get("optionalValue") if key in OPTIONAL_VALUE_FIELDS else params[key]
            if key == "memory":
                value = _stored_memory(value)
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        harness.check_memory_update(config.get("memory"))
        harness.update(config)
        return {"harness": harness.to_dict()}

    return ActionResult(_idempotent(backend, "UpdateHarness", params, run))


def delete_harness(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)
    harness = _harness(backend, params["harnessId"])
    harness.delete(delete_managed_memory=params.get("deleteManagedMemory") is not False)
    return ActionResult({"harness": harness.to_dict()})


def list_harnesses(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    harnesses, next_token = _page(list(_harnesses(_backend(self)).values()), params)
    return ActionResult(_compact({"harnesses": [h.summary() for h in harnesses], "nextToken": next_token}))


def list_harness_versions(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    harness = _harness(_backend(self), params["harnessId"])
    # Newest first, as moto lists an agent runtime's versions.
    numbers = sorted(harness.versions, key=int, reverse=True)
    page, next_token = _page(numbers, params)
    summaries = [
        {
            "harnessId": harness.harness_id, "harnessName": harness.name, "arn": harness.arn, "harnessVersion": n,
            "status": harness.versions[n]["status"], "createdAt": _dt(harness.versions[n]["createdAt"]),
            "updatedAt": _dt(harness.versions[n]["updatedAt"]),
        }
        for n in page
    ]
    return ActionResult(_compact({"harnessVersions": summaries, "nextToken": next_token}))


# Harness endpoints ------------------------------------------------------------------------------------


def _endpoint(harness: _Harness, name: str) -> _Endpoint:
    endpoint = harness.endpoints.get(name)
    if not endpoint:
        raise _not_found("Endpoint", f"{name} of harness {harness.harness_id}")
    return endpoint


def _version_of(harness: _Harness, version: str | None) -> str:
    version = version or str(harness.version)
    if version not in harness.versions:
        raise _not_found("Version", f"{version} of harness {harness.harness_id}")
    return version


def _not_default(name: str, operation: str) -> None:
    if name == DEFAULT_ENDPOINT:
        raise ValidationException(f"{operation} cannot be performed on the {DEFAULT_ENDPOINT} endpoint: it follows the harness's latest version.")


def create_harness_endpoint(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)

    def run() -> dict[str, Any]:
        harness = _harness(backend, params["harnessId"])
        if harness.status == "DELETING":
            _not_busy(harness.status, "harness", harness.harness_id, "CreateHarnessEndpoint")
        name = params["endpointName"]
        if name in harness.endpoints:
            raise ConflictException(f"An endpoint named {name} already exists for harness {harness.harness_id}.")
        endpoint = _Endpoint(harness, name, _version_of(harness, params.get("targetVersion")), params.get("description"))
        harness.endpoints[name] = endpoint
        if params.get("tags"):
            backend.tag_resource(endpoint.arn, params["tags"])
        return {"endpoint": endpoint.to_dict()}

    return ActionResult(_idempotent(backend, "CreateHarnessEndpoint", params, run))


def get_harness_endpoint(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    harness = _harness(_backend(self), params["harnessId"])
    return ActionResult({"endpoint": _endpoint(harness, params["endpointName"]).to_dict()})


def update_harness_endpoint(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)

    def run() -> dict[str, Any]:
        harness = _harness(backend, params["harnessId"])
        endpoint = _endpoint(harness, params["endpointName"])
        _not_default(endpoint.name, "UpdateHarnessEndpoint")
        _not_busy(endpoint.status, "endpoint", endpoint.name, "UpdateHarnessEndpoint")
        endpoint.retarget(_version_of(harness, params.get("targetVersion") or endpoint.target_version), params.get("description"))
        return {"endpoint": endpoint.to_dict()}

    return ActionResult(_idempotent(backend, "UpdateHarnessEndpoint", params, run))


def delete_harness_endpoint(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)
    harness = _harness(backend, params["harnessId"])
    endpoint = _endpoint(harness, params["endpointName"])
    _not_default(endpoint.name, "DeleteHarnessEndpoint")
    if endpoint.status != "DELETING":
        endpoint.status = "DELETING"
        endpoint.updated_at = _now()

        def purge() -> None:
            harness.endpoints.pop(endpoint.name, None)
            backend.tagger.delete_all_tags_for_resource(endpoint.arn)

        endpoint.pending = _Pending(purge)
    return ActionResult({"endpoint": endpoint.to_dict()})


def list_harness_endpoints(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    harness = _harness(_backend(self), params["harnessId"])
    endpoints, next_token = _page(list(harness.endpoints.values()), params)
    return ActionResult(_compact({"endpoints": [e.to_dict() for e in endpoints], "nextToken": next_token}))


# Workload identities ----------------------------------------------------------------------------------


def _identities(backend: BedrockAgentCoreControlBackend) -> dict[str, dict[str, Any]]:
    return _store(backend, "workload_identities")


def _identity(backend: BedrockAgentCoreControlBackend, name: str) -> dict[str, Any]:
    identity = _identities(backend).get(name)
    if not identity:
        raise _not_found("Workload identity", name)
    return identity


def _identity_dict(identity: dict[str, Any]) -> dict[str, Any]:
    return _compact({
        "name": identity["name"], "workloadIdentityArn": identity["arn"],
        "allowedResourceOauth2ReturnUrls": identity.get("allowedResourceOauth2ReturnUrls"),
        "createdTime": _dt(identity["createdTime"]), "lastUpdatedTime": _dt(identity["lastUpdatedTime"]),
    })


def create_workload_identity(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params, backend = _params(self), _backend(self)
    name = params["name"]
    if name in _identities(backend):
        raise ConflictException(f"A workload identity named {name} already exists.")
    now = _now()
    identity = {
        "name": name, "allowedResourceOauth2ReturnUrls": params.get("allowedResourceOauth2ReturnUrls"), "createdTime": now, "lastUpdatedTime": now,
        "arn": f"arn:{get_partition(backend.region_name)}:bedrock-agentcore:{backend.region_name}:{backend.account_id}:workload-identity-directory/default/workload-identity/{name}",
    }
    _identities(backend)[name] = identity
    if params.get("tags"):
        backend.tag_resource(identity["arn"], params["tags"])
    return ActionResult({k: v for k, v in _identity_dict(identity).items() if k not in ("createdTime", "lastUpdatedTime")})


def get_workload_identity(self: BedrockAgentCoreControlResponse) -> ActionResult:
    return ActionResult(_identity_dict(_identity(_backend(self), _params(self)["name"])))


def update_workload_identity(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    identity = _identity(_backend(self), params["name"])
    # The request's only field replaces the stored one; not sending it clears the list.
    identity["allowedResourceOauth2ReturnUrls"] = params.get("allowedResourceOauth2ReturnUrls")
    identity["lastUpdatedTime"] = _now()
    return ActionResult(_identity_dict(identity))


def delete_workload_identity(self: BedrockAgentCoreControlResponse) -> ActionResult:
    backend = _backend(self)
    identity = _identity(backend, _params(self)["name"])
    del _identities(backend)[identity["name"]]
    backend.tagger.delete_all_tags_for_resource(identity["arn"])
    return EmptyResult()


def list_workload_identities(self: BedrockAgentCoreControlResponse) -> ActionResult:
    params = _params(self)
    identities, next_token = _page(list(_identities(_backend(self)).values()), {**params, "maxResults": params.get("maxResults") or 20})
    return ActionResult(_compact({
        "workloadIdentities": [{"name": i["name"], "workloadIdentityArn": i["arn"]} for i in identities], "nextToken": next_token,
    }))


_HANDLERS = [
    create_harness, get_harness, update_harness, delete_harness, list_harnesses, list_harness_versions,
    create_harness_endpoint, get_harness_endpoint, update_harness_endpoint, delete_harness_endpoint, list_harness_endpoints,
    create_workload_identity, get_workload_identity, update_workload_identity, delete_workload_identity, list_workload_identities,
]


# --- tags ----------------------------------------------------------------------------------------------


def _known_arns(backend: BedrockAgentCoreControlBackend) -> set[str]:
    arns = {r.agent_runtime_arn for r in backend.agent_runtimes.values()}
    arns |= {e.agent_runtime_endpoint_arn for e in backend.agent_runtime_endpoints.values()}
    arns |= {g.gateway_arn for g in backend.gateways.values()}
    arns |= {m.memory_arn for m in backend.memories.values()}
    arns |= {i["arn"] for i in _identities(backend).values()}
    for harness in _harnesses(backend).values():
        arns |= {harness.arn} | {e.arn for e in harness.endpoints.values()}
    return arns


def _checked_arn(method: Callable[..., Any]) -> Callable[..., Any]:
    def checked(self: BedrockAgentCoreControlBackend, resource_arn: str, *args: Any) -> Any:
        if resource_arn not in _known_arns(self):
            raise ResourceNotFoundException(f"Resource {resource_arn} not found.")
        return method(self, resource_arn, *args)

    return checked


# --- moto's own resources: AWS's IDs and ARNs, statuses that settle -------------------------------------


def _after_init(cls: type, fix: Callable[[Any], None]) -> None:
    original = cls.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        fix(self)
        # The status is this module's to move (_settle), not moto's state manager's.
        self._transitions = []
        self._status = "CREATING"
        self._agentcore_due = _now() + _delay()

    cls.__init__ = __init__


def _after_update(cls: type) -> None:
    original = cls.update

    def update(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self._status == "UPDATING":
            self._agentcore_due = _now() + _delay()

    cls.update = update


def _fix_gateway(gateway: Any) -> None:
    # GatewayId: ([0-9a-z][-]?){1,100}-[0-9a-z]{10}, the lower-cased name and 10 characters.
    gateway.gateway_id = f"{gateway.name.lower()}-{_suffix().lower()}"
    prefix = gateway.gateway_arn.rsplit("/", 1)[0]
    gateway.gateway_arn = f"{prefix}/{gateway.gateway_id}"
    gateway.gateway_url = f"https://{gateway.gateway_id}.gateway.bedrock-agentcore.{gateway.region_name}.amazonaws.com/mcp"
    gateway.workload_identity_details = {"workloadIdentityArn": gateway.workload_identity_details["workloadIdentityArn"].rsplit("/", 1)[0] + f"/{gateway.gateway_id}"}


def _fix_runtime(runtime: Any) -> None:
    # AgentRuntimeId <name>-<10>; AgentRuntimeArn ...:runtime/<id>, without the version.
    runtime.agent_runtime_id = f"{runtime.agent_runtime_name}-{_suffix()}"
    runtime.agent_runtime_arn = f"arn:{get_partition(runtime.region_name)}:bedrock-agentcore:{runtime.region_name}:{runtime.account_id}:runtime/{runtime.agent_runtime_id}"
    runtime.workload_identity_details = {"workloadIdentityArn": runtime.workload_identity_details["workloadIdentityArn"].rsplit("/", 1)[0] + f"/{runtime.agent_runtime_id}"}
    for version in runtime.versions:
        version.update(agentRuntimeId=runtime.agent_runtime_id, agentRuntimeArn=runtime.agent_runtime_arn, status="CREATING")


def _runtime_update(cls: type) -> None:
    original = cls.update

    def update(self: Any, *args: Any, **kwargs: Any) -> None:
        arn = self.agent_runtime_arn
        original(self, *args, **kwargs)
        self.agent_runtime_arn = arn  # moto appends :<version>; AWS's ARN has none.
        self.versions[-1]["agentRuntimeArn"] = arn
        self._agentcore_due = _now() + _delay()

    cls.update = update


def _fix_runtime_endpoint(endpoint: Any) -> None:
    endpoint.agent_runtime_endpoint_arn = f"arn:{get_partition(endpoint.region_name)}:bedrock-agentcore:{endpoint.region_name}:{endpoint.account_id}:runtime/{endpoint.agent_runtime_id}/runtime-endpoint/{endpoint.name}"
    endpoint.live_version = None


def _fix_memory(memory: Any) -> None:
    # MemoryId: <name>-<10>.
    memory.memory_id = f"{memory.name}-{_suffix()}"
    memory.memory_arn = f"{memory.memory_arn.rsplit('/', 1)[0]}/{memory.memory_id}"
    # managedByResourceArn: the harness whose managed memory this is; None for a memory of one's own.
    memory.managed_by = None


def _fix_target(target: Any) -> None:
    target.status_reasons = []


def _with_members(cls: type, method: str, members: Callable[[Any], dict[str, Any]]) -> None:
    """Adds the members moto's to_dict / to_summary leave out (when they have a value)."""
    original = getattr(cls, method)

    def with_members(self: Any) -> dict[str, Any]:
        return {**original(self), **{k: v for k, v in members(self).items() if v}}

    setattr(cls, method, with_members)


# --- gateway targets: connectors and their knowledge bases ------------------------------------------


def _refuse(message: str, field: str) -> None:
    raise ValidationException(message, fields=[{"name": field, "message": message}])


def _connector(target_configuration: dict[str, Any] | None) -> dict[str, Any] | None:
    return ((target_configuration or {}).get("mcp") or {}).get("connector")


def _bound_knowledge_bases(connector: dict[str, Any]) -> list[str]:
    """The knowledge bases a bedrock-knowledge-bases connector names: Retrieve's
    parameterValues.knowledgeBaseId, AgenticRetrieveStream's retrievers[].configuration.knowledgeBase."""
    ids: list[str] = []
    for configuration in connector.get("configurations") or []:
        values = configuration.get("parameterValues")
        if not isinstance(values, dict):
            continue
        if isinstance(values.get("knowledgeBaseId"), str):
            ids.append(values["knowledgeBaseId"])
        for retriever in values.get("retrievers") or []:
            kb = (((retriever or {}).get("configuration") or {}).get("knowledgeBase") or {}).get("knowledgeBaseId")
            if isinstance(kb, str):
                ids.append(kb)
    return list(dict.fromkeys(ids))


def _check_target(params: dict[str, Any]) -> None:
    """CreateGatewayTarget / UpdateGatewayTarget: what AWS refuses of a connector target at once."""
    connector = _connector(params.get("targetConfiguration"))
    if connector is None:
        return
    path = "targetConfiguration.mcp.connector"
    connector_id = connector["source"]["connectorId"]
    if connector_id not in MCP_CONNECTORS:
        _refuse(f"Unknown connector '{connector_id}'. Supported connectors: {', '.join(sorted(MCP_CONNECTORS))}.", f"{path}.source.connectorId")
    for i, provider in enumerate(params.get("credentialProviderConfigurations") or [], 1):
        kind = provider.get("credentialProviderType")
        if kind != "GATEWAY_IAM_ROLE":
            _refuse(f"Connector targets accept only GATEWAY_IAM_ROLE credential providers, not {kind}.",
                    f"credentialProviderConfigurations.{i}.member.credentialProviderType")
    tools = MCP_CONNECTORS[connector_id]
    if tools is None:
        return
    configurations = connector.get("configurations") or []
    named = [(f"{path}.enabled.{i}.member", n) for i, n in enumerate(connector.get("enabled") or [], 1)]
    named += [(f"{path}.configurations.{i}.member.name", c["name"]) for i, c in enumerate(configurations, 1)]
    for field, name in named:
        if name not in tools:
            _refuse(f"Connector {connector_id} has no tool '{name}'; its tools are {', '.join(sorted(tools))}.", field)
    for i, configuration in enumerate(configurations, 1):
        values = configuration.get("parameterValues")
        if configuration["name"] == "Retrieve" and not (isinstance(values, dict) and isinstance(values.get("knowledgeBaseId"), str)):
            _refuse(f"Tool Retrieve of connector {connector_id} needs parameterValues.knowledgeBaseId.", f"{path}.configurations.{i}.member.parameterValues")


def _settle_target(target: Any) -> None:
    """The end of a target's CREATING / UPDATING. A knowledge-base connector checks each knowledge base
    it names with GetKnowledgeBase, in the gateway's account and region (moto's bedrock-agent)."""
    reasons: list[str] = []
    connector = _connector(target.target_configuration)
    if connector is not None and connector["source"]["connectorId"] == KNOWLEDGE_BASE_CONNECTOR:
        known = {kb.knowledge_base_id for kb in bedrockagent_backends[target.account_id][target.region_name].knowledge_bases.values()}
        reasons = [
            f"Knowledge base {kb_id} could not be validated: GetKnowledgeBase failed with ResourceNotFoundException "
            f"(no knowledge base {kb_id} in account {target.account_id}, region {target.region_name})."
            for kb_id in _bound_knowledge_bases(connector) if kb_id not in known
        ]
    target.status_reasons = reasons
    if reasons:
        target._status = "FAILED" if target._status == "CREATING" else "UPDATE_UNSUCCESSFUL"
    else:
        target._status = "READY"


def _guard_gateways() -> None:
    """Gateways and targets that go DELETING before they are gone, what AWS refuses while they are
    busy, and DeleteGateway refused while the gateway has targets (DELETING ones too)."""
    backend_cls = BedrockAgentCoreControlBackend
    create_target, update_target, update_gateway = backend_cls.create_gateway_target, backend_cls.update_gateway_target, backend_cls.update_gateway

    def create_gateway_target(self: BedrockAgentCoreControlBackend, gateway_identifier: str, *args: Any, **kwargs: Any) -> Any:
        gateway = self._get_gateway(gateway_identifier)
        if gateway._status == "DELETING":
            _not_busy(gateway._status, "gateway", gateway.gateway_id, "CreateGatewayTarget")
        return create_target(self, gateway_identifier, *args, **kwargs)

    def update_gateway_target(self: BedrockAgentCoreControlBackend, gateway_identifier: str, target_id: str, *args: Any, **kwargs: Any) -> Any:
        target = self._get_gateway_target(self._get_gateway(gateway_identifier).gateway_id, target_id)
        _not_busy(target._status, "gateway target", target_id, "UpdateGatewayTarget")
        return update_target(self, gateway_identifier, target_id, *args, **kwargs)

    def delete_gateway_target(self: BedrockAgentCoreControlBackend, gateway_identifier: str, target_id: str) -> Any:
        gateway = self._get_gateway(gateway_identifier)
        target = self._get_gateway_target(gateway.gateway_id, target_id)
        if target._status != "DELETING":
            _purge_later(target, lambda: self.gateway_targets.pop((gateway.gateway_id, target_id), None))
        return target

    def update_gateway_(self: BedrockAgentCoreControlBackend, gateway_identifier: str, *args: Any, **kwargs: Any) -> Any:
        gateway = self._get_gateway(gateway_identifier)
        _not_busy(gateway._status, "gateway", gateway.gateway_id, "UpdateGateway")
        return update_gateway(self, gateway_identifier, *args, **kwargs)

    def delete_gateway(self: BedrockAgentCoreControlBackend, gateway_identifier: str) -> Any:
        gateway = self._get_gateway(gateway_identifier)
        if any(gateway_id == gateway.gateway_id for gateway_id, _ in self.gateway_targets):
            # AWS's words and exception (not a ConflictException), as AWS's tools quote them.
            raise ValidationException(
                f"Gateway with ID: {gateway.gateway_id} has targets associated with it. Delete all targets before deleting the gateway.",
                reason="ResourceConflict",
            )
        if gateway._status != "DELETING":
            def purge() -> None:
                self.gateways.pop(gateway.gateway_id, None)
                self.tagger.delete_all_tags_for_resource(gateway.gateway_arn)

            _purge_later(gateway, purge)
        return gateway

    backend_cls.create_gateway_target = create_gateway_target
    backend_cls.update_gateway_target = update_gateway_target
    backend_cls.delete_gateway_target = delete_gateway_target
    backend_cls.update_gateway = update_gateway_
    backend_cls.delete_gateway = delete_gateway


def _guard_managed_memories() -> None:
    """A memory a harness manages: "strategy modifications and deletion are only allowed through the
    managing resource" (the model's doc string of managedByResourceArn)."""
    backend_cls = BedrockAgentCoreControlBackend
    delete_memory, update_memory = backend_cls.delete_memory, backend_cls.update_memory

    def refuse_if_managed(memory: Any, what: str) -> None:
        if memory.managed_by:
            raise ValidationException(
                f"Memory {memory.memory_id} is managed by {memory.managed_by}: {what} only through the managing resource.", reason="ResourceConflict"
            )

    def delete_memory_(self: BedrockAgentCoreControlBackend, memory_id: str) -> Any:
        refuse_if_managed(self._get_memory(memory_id), "it can be deleted")
        return delete_memory(self, memory_id)

    def update_memory_(self: BedrockAgentCoreControlBackend, *args: Any, **kwargs: Any) -> Any:
        memory = self._get_memory(kwargs["memory_id"] if "memory_id" in kwargs else args[0])
        if kwargs.get("memory_strategies"):
            refuse_if_managed(memory, "its strategies can be changed")
        return update_memory(self, *args, **kwargs)

    backend_cls.delete_memory = delete_memory_
    backend_cls.update_memory = update_memory_


# --- what install() patches --------------------------------------------------------------------------


def _wrap_call_action(original: Callable[[BedrockAgentCoreControlResponse], Any]) -> Callable[[BedrockAgentCoreControlResponse], Any]:
    def call_action(self: BedrockAgentCoreControlResponse) -> Any:
        # One request at a time: the server is threaded and the handlers read-modify-write.
        with _lock:
            operation = self._get_action()
            if operation in _service_model().operation_names:
                _settle(_backend(self))
                try:
                    self._agentcore_params = _request_params(self, operation)
                    _validate(operation, self._agentcore_params)
                    if operation in ("CreateGatewayTarget", "UpdateGatewayTarget"):
                        _check_target(self._agentcore_params)
                except ServiceException as error:
                    status, headers, body = self.serialized(ActionResult(error))
                    return status, headers, body
            return original(self)

    return call_action


def install() -> None:
    """Patches moto; called once before the server starts."""
    for handler in _HANDLERS:
        setattr(BedrockAgentCoreControlResponse, handler.__name__, handler)
    BedrockAgentCoreControlResponse.call_action = _wrap_call_action(BedrockAgentCoreControlResponse.call_action)
    for method in ("tag_resource", "untag_resource", "list_tags_for_resource"):
        setattr(BedrockAgentCoreControlBackend, method, _checked_arn(getattr(BedrockAgentCoreControlBackend, method)))
    _after_init(moto_models.Gateway, _fix_gateway)
    _after_init(moto_models.GatewayTarget, _fix_target)
    _after_init(moto_models.AgentRuntime, _fix_runtime)
    _after_init(moto_models.AgentRuntimeEndpoint, _fix_runtime_endpoint)
    _after_init(moto_models.Memory, _fix_memory)
    for cls in (moto_models.Gateway, moto_models.GatewayTarget, moto_models.AgentRuntimeEndpoint):
        _after_update(cls)
    _runtime_update(moto_models.AgentRuntime)
    _guard_gateways()
    _guard_managed_memories()
    _with_members(moto_models.GatewayTarget, "to_dict", lambda t: {"statusReasons": t.status_reasons})
    for method in ("to_dict", "to_summary"):
        _with_members(moto_models.Memory, method, lambda m: {"managedByResourceArn": m.managed_by})
