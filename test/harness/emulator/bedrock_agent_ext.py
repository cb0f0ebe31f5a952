"""bedrock-agent operations moto lacks (UpdateAgent, PrepareAgent, action groups, aliases, ...), and RFC 3339 timestamps.

moto 5.2.1 implements CreateAgent, GetAgent, ListAgents and DeleteAgent, the knowledge-base calls and
tagging for bedrock-agent, but it makes every agent PREPARED at once, returns epoch numbers where the
service returns RFC 3339 date-times (which the JS SDK v3 rejects for this restJson service) and
answers every error with HTTP 400. This module emulates the agent part of the AWS API reference
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Agents_for_Amazon_Bedrock.html):

* an agent's DRAFT (its own fields, its action groups, its knowledge-base associations) and the
  numbered versions that CreateAgentAlias / UpdateAgentAlias snapshot from it;
* the agent's state machine (NOT_PREPARED, PREPARING, PREPARED, FAILED, VERSIONING, DELETING) and the
  aliases' (CREATING, UPDATING, PREPARED). A transition that AWS makes in the background is recorded
  with its due time and applied when the resource is next read, so no thread is needed. The delay is
  $MOTO_BEDROCK_AGENT_DELAY_SECONDS (default 0.5 s);
* the built-in test alias TSTALIASID of every agent;
* input validation from the botocore service model (required members, lengths, patterns, enums,
  ranges), with AWS's "N validation error(s) detected" messages;
* what the model does not say: an action group's apiSchema.payload must be an OpenAPI 3 document
  (JSON or YAML, checked with openapi-spec-validator), and an agent's service role must be of the
  caller's account (iam:PassRole);
* errors as AWS sends them: {"message": ...} with x-amzn-ErrorType and the status of the API
  reference (400 ValidationException, 404 ResourceNotFoundException, 409 ConflictException);
* each operation's success status (202 for CreateAgent, 204 for DeleteAgentActionGroup, ...);
* ListAgents pages in the order the agents were created (maxResults 1-1000 from the model, default
  100 here: the API reference names none), and its nextToken names the last agent returned, so that
  an agent deleted or created between two pages neither shifts nor repeats the others. Each summary
  has agentStatus, updatedAt (which every change to the DRAFT moves: UpdateAgent, action groups,
  knowledge-base associations) and latestAgentVersion.

How it plugs in: moto's server sends every bedrock-agent request to AgentsforBedrockResponse.dispatch,
which finds the operation from the botocore model (HTTP method and URI) and calls the response
object's method of that name in snake_case. install() sets those methods on the class and wraps
call_action (timestamps, status codes, one request at a time). Knowledge bases stay moto's; agents
are this module's _Agent objects, kept in the same backend's `agents` dict, so that moto's reset
(POST /moto-api/reset) forgets them with everything else.
"""

import base64
import binascii
import copy
import functools
import itertools
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
import referencing.exceptions
import yaml
from openapi_spec_validator.shortcuts import get_validator_cls
from openapi_spec_validator.shortcuts import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError, ValidatorDetectError
from moto.bedrockagent import exceptions as moto_exceptions
from moto.bedrockagent.models import AgentsforBedrockBackend, KnowledgeBase, bedrockagent_backends
from moto.bedrockagent.responses import AgentsforBedrockResponse
from moto.core.exceptions import JsonRESTError
from moto.moto_api._internal import mock_random
from moto.utilities.tagging_service import TaggingService
from moto.utilities.utils import get_partition

DRAFT = "DRAFT"
TEST_ALIAS_ID = "TSTALIASID"
# States in which AWS refuses changes to the agent until its background work is done.
BUSY = {"CREATING", "UPDATING", "PREPARING", "VERSIONING", "DELETING"}
DEFAULT_IDLE_SESSION_TTL = 600  # CreateAgent: idleSessionTTLInSeconds, "the default is 600 seconds"
DEFAULT_PAGE_SIZE = 100

# The agent fields that CreateAgent and UpdateAgent take; UpdateAgent replaces all of them.
AGENT_FIELDS = (
    "agentName", "instruction", "foundationModel", "description", "orchestrationType", "customOrchestration",
    "idleSessionTTLInSeconds", "agentResourceRoleArn", "customerEncryptionKeyArn", "promptOverrideConfiguration",
    "guardrailConfiguration", "memoryConfiguration", "agentCollaboration",
)
ACTION_GROUP_FIELDS = (
    "actionGroupName", "description", "actionGroupExecutor", "apiSchema", "functionSchema", "actionGroupState",
    "parentActionGroupSignatureParams",
)

_lock = threading.Lock()
# Agents in the order they were created, for ListAgents' tokens.
_agent_sequence = itertools.count(1)


# --- time ------------------------------------------------------------------------------------------


def _now() -> float:
    return time.time()


def _delay() -> float:
    """How long AWS's background work (preparing, versioning, deleting, alias routing) takes here."""
    return float(os.environ.get("MOTO_BEDROCK_AGENT_DELAY_SECONDS", "0.5"))


def _rfc3339(epoch: float) -> str:
    """2026-11-25T10:00:00.123Z: the date-time format of the service's timestamps."""
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Pending:
    """Work AWS finishes in the background: `finish` runs on the first read at or after `due`."""

    def __init__(self, finish: Callable[[], None]):
        self.due = _now() + _delay()
        self.finish = finish


# --- errors ----------------------------------------------------------------------------------------


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    code = 404

    # AWS's message for any unknown agent, action group, alias, version or knowledge base.
    AWS_MESSAGE = "Failed to retrieve resource because it doesn't exist. Retry the request with a different resource identifier."

    def __init__(self, message: str = ""):
        super().__init__("ResourceNotFoundException", message or self.AWS_MESSAGE)


class ConflictException(JsonRESTError):
    code = 409

    def __init__(self, message: str):
        super().__init__("ConflictException", message)


class AccessDeniedException(JsonRESTError):
    code = 403

    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


def _words(status: str) -> str:
    """NOT_PREPARED -> Not Prepared, as AWS writes a state in its messages."""
    return status.replace("_", " ").title()


def _busy_error(operation: str, agent: "_Agent") -> ConflictException:
    # AWS's wording (seen in the wild): "Prepare operation can't be performed on Agent when it is in
    # Preparing state. Retry the request when the agent is in a valid state." Reports differ on the
    # error code (ConflictException per the API reference's error list; some users quote a
    # ValidationException for the Versioning state); this emulator answers ConflictException.
    return ConflictException(
        f"{operation} operation can't be performed on Agent when it is in {_words(agent.status)} state. "
        "Retry the request when the agent is in a valid state."
    )


# --- the service model: input validation and output timestamps --------------------------------------


@functools.cache
def _service_model() -> Any:
    return botocore.session.get_session().get_service_model("bedrock-agent")


# Patterns not to check: the model's TaggableResourcesArn pattern is broken ("/d{12}" for "\d{12}")
# and matches no agent ARN, so AWS cannot be applying it as written.
_UNCHECKED_PATTERNS = {"TaggableResourcesArn"}


@functools.cache
def _compiled(pattern: str) -> "re.Pattern[str] | None":
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _constraint_errors(value: Any, shape: Any, path: str, errors: list[str]) -> None:
    """Appends AWS-style messages for every constraint of `shape` that `value` breaks."""
    if value is None:
        return
    meta = shape.metadata
    shown = "Value" if meta.get("sensitive") or not isinstance(value, (str, int, float)) else f"Value '{value}'"
    fail = lambda rule: errors.append(f"{shown} at '{path}' failed to satisfy constraint: Member must {rule}")  # noqa: E731
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null")
        # A union ("Only one member of this object can be specified") takes exactly one member.
        if meta.get("union") and sum(v is not None for v in value.values()) != 1:
            fail("have exactly one member set")
        for name, member in shape.members.items():
            _constraint_errors(value.get(name), member, _join(path, name), errors)
    elif kind in ("list", "map") and isinstance(value, (list, dict)):
        if "min" in meta and len(value) < meta["min"]:
            fail(f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            fail(f"have length less than or equal to {meta['max']}")
        if kind == "list":
            for i, item in enumerate(value):
                _constraint_errors(item, shape.member, f"{path}.{i + 1}.member", errors)
        else:
            for key, item in value.items():
                _constraint_errors(key, shape.key, f"{path}.{key}.key", errors)
                _constraint_errors(item, shape.value, f"{path}.{key}.value", errors)
    elif kind == "string" and isinstance(value, str):
        if "min" in meta and len(value) < meta["min"]:
            fail(f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            fail(f"have length less than or equal to {meta['max']}")
        pattern = meta.get("pattern")
        compiled = _compiled(pattern) if pattern and shape.name not in _UNCHECKED_PATTERNS else None
        if compiled and not compiled.fullmatch(value):
            fail(f"satisfy regular expression pattern: {pattern}")
        if shape.enum and value not in shape.enum:
            fail(f"satisfy enum value set: [{', '.join(shape.enum)}]")
    elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)):
        if "min" in meta and value < meta["min"]:
            fail(f"have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            fail(f"have value less than or equal to {meta['max']}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _validate(operation: str, params: dict[str, Any]) -> None:
    """Raises ValidationException as AWS does for input that breaks the operation's model."""
    errors: list[str] = []
    _constraint_errors(params, _service_model().operation_model(operation).input_shape, "", errors)
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        raise ValidationException(f"{count}: {'; '.join(errors)}")


def _timestamps_to_rfc3339(value: Any, shape: Any) -> Any:
    """Rewrites the epoch numbers at the shape's timestamp members as RFC 3339 strings."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "timestamp" and isinstance(value, (int, float)):
        return _rfc3339(value)
    if kind == "structure" and isinstance(value, dict):
        return {k: _timestamps_to_rfc3339(v, shape.members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_timestamps_to_rfc3339(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _timestamps_to_rfc3339(v, shape.value) for k, v in value.items()}
    return value


# --- identifiers -----------------------------------------------------------------------------------


def _new_id(taken: Any = ()) -> str:
    """An ID as AWS makes them for agents, aliases, action groups: 10 upper-case letters and digits."""
    while True:
        new = "".join(mock_random.choice(string.ascii_uppercase + string.digits) for _ in range(10))
        if new not in taken and new != TEST_ALIAS_ID:
            return new


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# --- the default prompts GetAgent shows ------------------------------------------------------------

# GetAgent returns a promptConfigurations entry for each step, DEFAULT unless overridden. The
# default states are documented under PromptConfiguration.promptState: PRE_PROCESSING DISABLED,
# ORCHESTRATION ENABLED, KNOWLEDGE_BASE_RESPONSE_GENERATION ENABLED, POST_PROCESSING DISABLED.
# The templates below are short stand-ins for AWS's model-specific templates, with their
# placeholder variables.
_DEFAULT_PROMPTS = {
    "PRE_PROCESSING": ("DISABLED", ["\n\nHuman:"],
                       "You are a classifying agent that filters user inputs into categories.\n"
                       "$functions$\n$conversation_history$\nInput: $question$"),
    "ORCHESTRATION": ("ENABLED", ["</invoke>", "</answer>", "</error>"],
                      "$instruction$\nYou have been provided with a set of functions to answer the user's question.\n"
                      "$tools$\n$knowledge_base_guideline$\n$prompt_session_attributes$\n$question$\n$agent_scratchpad$"),
    "KNOWLEDGE_BASE_RESPONSE_GENERATION": ("ENABLED", ["\n\nHuman:"],
                                           "You are a question answering agent. Use only the search results below.\n"
                                           "<search_results>$search_results$</search_results>\n$output_format_instructions$\n$query$"),
    "POST_PROCESSING": ("DISABLED", ["\n\nHuman:"],
                        "You are an agent tasked with providing more context to an answer.\n"
                        "<latest_response>$latest_response$</latest_response>\n$bot_response$\n$question$\n$responses$"),
}


def _default_prompt(prompt_type: str) -> dict[str, Any]:
    state, stop_sequences, template = _DEFAULT_PROMPTS[prompt_type]
    return {
        "promptType": prompt_type,
        "promptCreationMode": "DEFAULT",
        "promptState": state,
        "basePromptTemplate": template,
        "inferenceConfiguration": {"temperature": 0.0, "topP": 1.0, "topK": 250, "maximumLength": 2048, "stopSequences": stop_sequences},
        "parserMode": "DEFAULT",
    }


def _prompt_override_configuration(given: dict[str, Any] | None) -> dict[str, Any]:
    """AWS's defaults for every step, with what the agent's promptOverrideConfiguration sets laid over them."""
    given = given or {}
    overrides = {c.get("promptType"): c for c in given.get("promptConfigurations") or []}
    configurations = [{**_default_prompt(t), **overrides.get(t, {})} for t in _DEFAULT_PROMPTS]
    configurations += [c for t, c in overrides.items() if t not in _DEFAULT_PROMPTS]
    return _compact({"promptConfigurations": configurations, "overrideLambda": given.get("overrideLambda")})


# --- the model -------------------------------------------------------------------------------------


class _Alias:
    def __init__(self, agent: "_Agent", alias_id: str, name: str, description: str | None, routing: list[dict[str, Any]], client_token: str | None = None):
        self.agent = agent
        self.alias_id = alias_id
        self.arn = f"arn:{get_partition(agent.region)}:bedrock:{agent.region}:{agent.account}:agent-alias/{agent.agent_id}/{alias_id}"
        self.name = name
        self.description = description
        self.client_token = client_token
        self.routing = routing
        self.invocation_state = "ACCEPT_INVOCATIONS"
        self.created_at = self.updated_at = _now()
        self.history = [{"routingConfiguration": routing, "startDate": self.created_at}]
        self.status = "PREPARED"
        self.pending: _Pending | None = None

    def start(self, status: str) -> None:
        """CREATING / UPDATING now, PREPARED once AWS would have routed the alias."""
        self.status = status
        self.pending = _Pending(lambda: setattr(self, "status", "PREPARED"))

    def settle(self) -> None:
        if self.pending and _now() >= self.pending.due:
            pending, self.pending = self.pending, None
            pending.finish()

    def route(self, routing: list[dict[str, Any]]) -> None:
        now = _now()
        self.history[-1]["endDate"] = now
        # agentAliasHistoryEvents holds at most 10 events.
        self.history = (self.history + [{"routingConfiguration": routing, "startDate": now}])[-10:]
        self.routing = routing

    def summary(self) -> dict[str, Any]:
        self.settle()
        return _compact({
            "agentAliasId": self.alias_id, "agentAliasName": self.name, "description": self.description,
            "routingConfiguration": self.routing, "agentAliasStatus": self.status, "createdAt": self.created_at,
            "updatedAt": self.updated_at, "aliasInvocationState": self.invocation_state,
        })

    def to_dict(self) -> dict[str, Any]:
        return _compact({
            **self.summary(), "agentId": self.agent.agent_id, "agentAliasArn": self.arn, "clientToken": self.client_token,
            "agentAliasHistoryEvents": self.history, "failureReasons": [],
        })


class _Version:
    """A numbered version: an immutable snapshot of the DRAFT, made for an alias."""

    def __init__(self, agent: "_Agent", number: str):
        self.number = number
        self.definition = copy.deepcopy(agent.definition)
        self.created_at = self.updated_at = _now()
        self.action_groups = {i: {**copy.deepcopy(g), "agentVersion": number} for i, g in agent.action_groups.items()}
        self.knowledge_bases = {i: {**copy.deepcopy(k), "agentVersion": number} for i, k in agent.knowledge_bases.items()}

    def summary(self) -> dict[str, Any]:
        return _compact({
            "agentName": self.definition["agentName"], "agentStatus": "PREPARED", "agentVersion": self.number,
            "createdAt": self.created_at, "updatedAt": self.updated_at, "description": self.definition.get("description"),
            "guardrailConfiguration": self.definition.get("guardrailConfiguration"),
        })


class _Agent:
    def __init__(self, backend: AgentsforBedrockBackend, definition: dict[str, Any], client_token: str | None):
        self.backend = backend
        self.account = backend.account_id
        self.region = backend.region_name
        self.agent_id = _new_id(backend.agents)
        self.sequence = next(_agent_sequence)
        self.agent_arn = f"arn:{get_partition(self.region)}:bedrock:{self.region}:{self.account}:agent/{self.agent_id}"
        self.definition = definition
        self.client_token = client_token
        # AWS: CREATING briefly, then NOT_PREPARED; the emulator skips CREATING.
        self.status = "NOT_PREPARED"
        self.failure_reasons: list[str] = []
        self.recommended_actions: list[str] = []
        self.created_at = self.updated_at = _now()
        self.prepared_at: float | None = None
        self.pending: _Pending | None = None
        self.action_groups: dict[str, dict[str, Any]] = {}
        self.knowledge_bases: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, _Version] = {}
        self.last_version = 0
        # Every agent has the test alias, routed to DRAFT; it is listed like any other alias.
        self.aliases = {TEST_ALIAS_ID: _Alias(self, TEST_ALIAS_ID, "AgentTestAlias", "Test Alias for Agent", [{"agentVersion": DRAFT}])}

    @property
    def name(self) -> str:
        return self.definition["agentName"]

    def settle(self) -> None:
        if self.pending and _now() >= self.pending.due:
            pending, self.pending = self.pending, None
            pending.finish()

    def draft_changed(self) -> None:
        """Any change to the DRAFT leaves it to be prepared again (agentStatus NOT_PREPARED)."""
        self.status = "NOT_PREPARED"
        self.failure_reasons = []
        self.recommended_actions = []
        self.updated_at = _now()

    def user_aliases(self) -> list[_Alias]:
        return [a for a in self.aliases.values() if a.alias_id != TEST_ALIAS_ID]

    def arns(self) -> list[str]:
        return [self.agent_arn] + [a.arn for a in self.aliases.values()]

    def summary(self) -> dict[str, Any]:
        return _compact({
            "agentId": self.agent_id, "agentName": self.name, "agentStatus": self.status,
            "description": self.definition.get("description"), "updatedAt": self.updated_at,
            "latestAgentVersion": str(self.last_version) if self.versions else DRAFT,
            "guardrailConfiguration": self.definition.get("guardrailConfiguration"),
        })

    def to_dict(self) -> dict[str, Any]:
        d = self.definition
        return _compact({
            **_definition_dict(d),
            "agentId": self.agent_id, "agentArn": self.agent_arn, "agentVersion": DRAFT, "clientToken": self.client_token,
            "agentStatus": self.status, "createdAt": self.created_at, "updatedAt": self.updated_at, "preparedAt": self.prepared_at,
            "failureReasons": self.failure_reasons, "recommendedActions": self.recommended_actions,
        })


def _definition_dict(d: dict[str, Any]) -> dict[str, Any]:
    """The agent's own fields as GetAgent / GetAgentVersion return them, with AWS's defaults filled in."""
    return {
        **d,
        "idleSessionTTLInSeconds": d.get("idleSessionTTLInSeconds") or DEFAULT_IDLE_SESSION_TTL,
        "orchestrationType": d.get("orchestrationType") or "DEFAULT",
        "agentCollaboration": d.get("agentCollaboration") or "DISABLED",
        "promptOverrideConfiguration": _prompt_override_configuration(d.get("promptOverrideConfiguration")),
        "memoryConfiguration": _memory_configuration(d.get("memoryConfiguration")),
    }


def _memory_configuration(given: dict[str, Any] | None) -> dict[str, Any] | None:
    # MemoryConfiguration.storageDays: "the default is 30 days" when memory is enabled.
    if not given:
        return None
    return {**given, "storageDays": given.get("storageDays", 30)} if given.get("enabledMemoryTypes") else given


def _version_dict(agent: _Agent, version: _Version) -> dict[str, Any]:
    """GetAgentVersion's AgentVersion: the snapshot's fields under `version` (not `agentVersion`)."""
    return _compact({
        **_definition_dict(version.definition),
        "agentId": agent.agent_id, "agentArn": agent.agent_arn, "version": version.number, "agentStatus": "PREPARED",
        "createdAt": version.created_at, "updatedAt": version.updated_at, "failureReasons": [], "recommendedActions": [],
    })


# --- looking things up -----------------------------------------------------------------------------


def _agents(backend: AgentsforBedrockBackend) -> list[_Agent]:
    """The backend's agents, each brought up to date (a finished deletion removes it)."""
    for agent in list(backend.agents.values()):
        if isinstance(agent, _Agent):
            agent.settle()
    return [a for a in backend.agents.values() if isinstance(a, _Agent)]


def _agent(backend: AgentsforBedrockBackend, agent_id: str) -> _Agent:
    agent = backend.agents.get(agent_id)
    if isinstance(agent, _Agent):
        agent.settle()
    agent = backend.agents.get(agent_id)
    if not isinstance(agent, _Agent):
        raise ResourceNotFoundException()
    return agent


def _not_busy(agent: _Agent, operation: str) -> None:
    if agent.status in BUSY:
        raise _busy_error(operation, agent)


def _version_parts(agent: _Agent, version: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The action groups and knowledge bases of DRAFT or of a numbered version."""
    if version == DRAFT:
        return agent.action_groups, agent.knowledge_bases
    snapshot = agent.versions.get(version)
    if not snapshot:
        raise ResourceNotFoundException()
    return snapshot.action_groups, snapshot.knowledge_bases


def _page(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """maxResults / nextToken paging; the token is the position of the next item."""
    token = params.get("nextToken")
    if token is not None and not str(token).isdigit():
        raise ValidationException("The nextToken is not valid.")
    start = int(token or 0)
    end = start + int(params.get("maxResults") or DEFAULT_PAGE_SIZE)
    return items[start:end], (str(end) if end < len(items) else None)


AGENTS_TOKEN_PREFIX = "forge1:ListAgents:"


def _agents_page(agents: list["_Agent"], params: dict[str, Any]) -> tuple[list["_Agent"], str | None]:
    """ListAgents' paging: agents in creation order after the one the token names."""
    token = params.get("nextToken")
    after = 0
    if token is not None:
        try:
            text = base64.urlsafe_b64decode(str(token).encode()).decode()
            if not text.startswith(AGENTS_TOKEN_PREFIX):
                raise ValueError(token)
            after = int(text[len(AGENTS_TOKEN_PREFIX):])
        except (binascii.Error, UnicodeError, ValueError):
            raise ValidationException("The nextToken is not valid.")
    remaining = sorted((a for a in agents if a.sequence > after), key=lambda a: a.sequence)
    size = int(params.get("maxResults") or DEFAULT_PAGE_SIZE)
    page = remaining[:size]
    token = base64.urlsafe_b64encode(f"{AGENTS_TOKEN_PREFIX}{page[-1].sequence}".encode()).decode() if len(remaining) > size else None
    return page, token


# --- preparing, versioning, deleting ---------------------------------------------------------------


def _lambda_exists(arn: str, account: str, region: str) -> bool:
    from moto.awslambda.utils import get_backend

    # arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]; the function must be in the
    # agent's account and region.
    parts = arn.split(":")
    if len(parts) < 7 or parts[3] != region or parts[4] != account:
        return False
    try:
        get_backend(account, region).get_function(parts[6], parts[7] if len(parts) > 7 else None)
        return True
    except Exception:  # moto raises its own not-found exceptions
        return False


def _preparation_failures(agent: _Agent) -> list[str]:
    """Why AWS could not prepare the DRAFT: PrepareAgent accepts it, then the agent goes FAILED."""
    d = agent.definition
    reasons = []
    # Seen from AWS for an agent created without one: "Exception: Agent Instruction cannot be null".
    if not d.get("instruction"):
        reasons.append("Exception: Agent Instruction cannot be null")
    if not d.get("foundationModel"):
        reasons.append("Exception: Agent FoundationModel cannot be null")
    if not d.get("agentResourceRoleArn"):
        reasons.append("Exception: Agent AgentResourceRoleArn cannot be null")
    for group in agent.action_groups.values():
        lambda_arn = (group.get("actionGroupExecutor") or {}).get("lambda")
        if lambda_arn and not _lambda_exists(lambda_arn, agent.account, agent.region):
            reasons.append(f"Lambda function {lambda_arn} of action group {group['actionGroupName']} does not exist or is not accessible.")
    return reasons


def _finish_preparing(agent: _Agent, due: float) -> None:
    reasons = _preparation_failures(agent)
    if reasons:
        agent.status = "FAILED"
        agent.failure_reasons = reasons
        agent.recommended_actions = ["Correct the agent's configuration and prepare the agent again."]
    else:
        agent.status = "PREPARED"
        agent.prepared_at = due


def _new_version(agent: _Agent, operation: str) -> str:
    """CreateAgentAlias / UpdateAgentAlias without routing: snapshot the prepared DRAFT as version N+1."""
    # "Create operation can't be performed on AgentAlias when Agent is in Not Prepared state." is AWS's
    # ValidationException for an alias that needs a version while the agent is not PREPARED.
    if agent.status != "PREPARED":
        raise ValidationException(f"{operation} operation can't be performed on AgentAlias when Agent is in {_words(agent.status)} state.")
    agent.last_version += 1
    number = str(agent.last_version)
    agent.versions[number] = _Version(agent, number)
    # The agent is VERSIONING while AWS makes the version, then PREPARED again.
    agent.status = "VERSIONING"
    agent.pending = _Pending(lambda: setattr(agent, "status", "PREPARED"))
    return number


def _routing(agent: _Agent, params: dict[str, Any], operation: str) -> list[dict[str, Any]]:
    """The alias's routing: the versions it names, or a new version of the DRAFT when it names none."""
    routing = params.get("routingConfiguration") or []
    if not routing:
        return [{"agentVersion": _new_version(agent, operation)}]
    for item in routing:
        version = item.get("agentVersion")
        # Only the test alias routes to DRAFT; an alias names a numbered version.
        if version == DRAFT:
            raise ValidationException("An alias can't be routed to the DRAFT version. Specify a numbered agent version.")
        if version is not None and version not in agent.versions:
            raise ResourceNotFoundException()
    return copy.deepcopy(routing)


def _purge(agent: _Agent) -> None:
    """The end of DeleteAgent: the agent, its action groups, associations, versions, aliases and tags."""
    agent.backend.agents.pop(agent.agent_id, None)
    for arn in agent.arns():
        agent.backend.tagger.delete_all_tags_for_resource(arn)


# --- request handlers: set on AgentsforBedrockResponse by install() ---------------------------------


def _params(self: AgentsforBedrockResponse, operation: str) -> dict[str, Any]:
    """The request's JSON body, URI labels and query parameters (typed as the model says), validated
    against the operation's input shape."""
    body = self.body.decode("utf-8") if isinstance(self.body, bytes) else (self.body or "")
    params = json.loads(body) if body.strip() else {}
    labels = {k: unquote(v) for k, v in (self.uri_match.groupdict() if self.uri_match else {}).items()}
    params.update(labels)
    for name, member in _service_model().operation_model(operation).input_shape.members.items():
        location = member.serialization
        if location.get("location") == "querystring" and self.querystring.get(location["name"]):
            value = self.querystring[location["name"]][0]
            params[name] = int(value) if member.type_name == "integer" and value.lstrip("-").isdigit() else value
    _validate(operation, params)
    return params


def _flag(self: AgentsforBedrockResponse, name: str) -> bool:
    return (self.querystring.get(name) or ["false"])[0].lower() == "true"


def _backend(self: AgentsforBedrockResponse) -> AgentsforBedrockBackend:
    return bedrockagent_backends[self.current_account][self.region]


def _reply(**body: Any) -> str:
    return json.dumps(body)


def _check_role_account(backend: AgentsforBedrockBackend, role_arn: str | None) -> None:
    # Handing Bedrock a role is iam:PassRole, which AWS allows only for roles of the caller's own
    # account: a role of another account is refused whatever the caller's policies say.
    match = re.match(r"arn:[^:]+:iam::(\d{12}):role/", role_arn or "")
    if match and match.group(1) != backend.account_id:
        raise AccessDeniedException("Cross-account pass role is not allowed.")


def create_agent(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateAgent")
    backend = _backend(self)
    _check_role_account(backend, params.get("agentResourceRoleArn"))
    agent = _Agent(backend, {k: params[k] for k in AGENT_FIELDS if params.get(k) is not None}, params.get("clientToken"))
    # AWS accepts a second agent of the same name, then fails it: "Cannot create a new agent as an
    # agent with the same name already exists." (its failureReasons, status FAILED).
    if any(a.name == agent.name for a in _agents(backend)):
        agent.status = "FAILED"
        agent.failure_reasons = ["Cannot create a new agent as an agent with the same name already exists."]
    backend.agents[agent.agent_id] = agent
    if params.get("tags"):
        backend.tagger.tag_resource(agent.agent_arn, TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(agent=agent.to_dict())


def get_agent(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetAgent")
    return _reply(agent=_agent(_backend(self), params["agentId"]).to_dict())


def list_agents(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListAgents")
    agents, next_token = _agents_page(_agents(_backend(self)), params)
    return _reply(**_compact({"agentSummaries": [a.summary() for a in agents], "nextToken": next_token}))


def update_agent(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateAgent")
    backend = _backend(self)
    agent = _agent(backend, params["agentId"])
    _check_role_account(backend, params.get("agentResourceRoleArn"))
    _not_busy(agent, "Update")
    if any(a.name == params["agentName"] and a is not agent for a in _agents(backend)):
        raise ConflictException(f"Cannot update the agent: an agent with the name {params['agentName']} already exists.")
    # UpdateAgent replaces the agent's definition: a field not sent is cleared (or back to its default).
    agent.definition = {k: params[k] for k in AGENT_FIELDS if params.get(k) is not None}
    agent.draft_changed()
    return _reply(agent=agent.to_dict())


def delete_agent(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteAgent")
    agent = _agent(_backend(self), params["agentId"])
    # skipResourceInUseCheck: "By default, this value is false and deletion is stopped if the resource
    # is in use." An agent is in use while an alias (other than the test alias) routes to it.
    if agent.user_aliases() and not _flag(self, "skipResourceInUseCheck"):
        raise ConflictException(f"Agent {agent.agent_id} is in use by agent aliases. Delete the aliases or set skipResourceInUseCheck to true.")
    if agent.status != "DELETING":
        agent.status = "DELETING"
        agent.pending = _Pending(lambda: _purge(agent))
    return _reply(agentId=agent.agent_id, agentStatus="DELETING")


def prepare_agent(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "PrepareAgent")
    agent = _agent(_backend(self), params["agentId"])
    _not_busy(agent, "Prepare")
    # PrepareAgent answers 202 at once; the agent is PREPARING, then PREPARED or FAILED (with
    # failureReasons) once AWS has built the DRAFT.
    agent.status = "PREPARING"
    agent.failure_reasons = []
    agent.recommended_actions = []
    agent.pending = pending = _Pending(lambda: _finish_preparing(agent, pending.due))
    return _reply(agentId=agent.agent_id, agentStatus=agent.status, agentVersion=DRAFT, preparedAt=_now())


# Action groups -------------------------------------------------------------------------------------


def _action_group_fields(params: dict[str, Any]) -> dict[str, Any]:
    fields = {k: params[k] for k in ACTION_GROUP_FIELDS if params.get(k) is not None}
    # The response names the request's parentActionGroupSignature parentActionSignature.
    if params.get("parentActionGroupSignature"):
        fields["parentActionSignature"] = params["parentActionGroupSignature"]
        # "You must leave the description, apiSchema, and actionGroupExecutor fields blank for this
        # action group" (CreateAgentActionGroup, parentActionGroupSignature); a built-in group has
        # no function schema either.
        given = [k for k in ("description", "apiSchema", "actionGroupExecutor", "functionSchema") if params.get(k) is not None]
        if given:
            raise ValidationException(
                f"An action group with parentActionGroupSignature {params['parentActionGroupSignature']} must not specify {', '.join(given)}."
            )
    elif params.get("apiSchema") is not None and params.get("functionSchema") is not None:
        raise ValidationException("An action group takes either an apiSchema or a functionSchema, not both.")
    payload = (params.get("apiSchema") or {}).get("payload")
    if payload is not None:
        problem = _openapi_problem(payload)
        if problem:
            # AWS's wording (as CloudFormation and the console relay it), then why.
            raise ValidationException(
                "Failed to create OpenAPI 3 model from the JSON/YAML object that you provided for action: "
                f"{params.get('actionGroupName')}. {problem}"
            )
    fields.setdefault("actionGroupState", "ENABLED")  # "ActionGroupState: default ENABLED"
    return fields


def _external_ref(value: Any) -> str | None:
    """The first $ref of the document that points outside it (another file, a URL), if any."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return ref
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _external_ref(item)
            if found:
                return found
    return None


def _openapi_problem(payload: str) -> str | None:
    """Why an action group's inline API schema is not an OpenAPI 3 document (JSON or YAML); None if it is one."""
    try:
        document = json.loads(payload)
    except ValueError:
        try:
            document = yaml.safe_load(payload)
        except yaml.YAMLError as error:
            return f"The payload is neither JSON nor YAML: {str(error).splitlines()[0]}"
    if not isinstance(document, dict):
        return "The payload is not a JSON/YAML object."
    version = document.get("openapi")
    if "swagger" in document and version is None:
        return f"Swagger {document['swagger']} is not OpenAPI 3: give an 'openapi: 3.x.y' document."
    if not str(version or "").startswith("3."):
        return "The document has no 'openapi' field of version 3.x.y."
    # Bedrock reads the payload alone: a $ref to another file or a URL cannot be resolved (nor is
    # it fetched here).
    ref = _external_ref(document)
    if ref:
        return f"The $ref {ref} points outside the document; only local references (#/...) can be resolved."
    try:
        validate_openapi(document, cls=get_validator_cls(document))
    except ValidatorDetectError:
        return f"OpenAPI version {version} is not a version of OpenAPI 3 (3.0, 3.1, 3.2)."
    except OpenAPIValidationError as error:
        where = f" (at {error.json_path})" if getattr(error, "json_path", "$") != "$" else ""
        return f"{error.message}{where}"
    except referencing.exceptions.Unresolvable as error:
        return f"The reference {getattr(error, 'ref', None) or error} does not resolve within the document."
    return None


def _unique_group_name(agent: _Agent, name: str, group_id: str | None = None) -> None:
    if any(g["actionGroupName"] == name and g["actionGroupId"] != group_id for g in agent.action_groups.values()):
        raise ConflictException(f"An action group with the name {name} already exists for agent {agent.agent_id}.")


def create_agent_action_group(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateAgentActionGroup")
    agent = _agent(_backend(self), params["agentId"])
    _not_busy(agent, "Create")
    fields = _action_group_fields(params)
    _unique_group_name(agent, fields["actionGroupName"])
    now = _now()
    group = _compact({
        **fields, "agentId": agent.agent_id, "agentVersion": DRAFT, "actionGroupId": _new_id(agent.action_groups),
        "clientToken": params.get("clientToken"), "createdAt": now, "updatedAt": now,
    })
    agent.action_groups[group["actionGroupId"]] = group
    agent.draft_changed()
    return _reply(agentActionGroup=group)


def _action_group(agent: _Agent, version: str, group_id: str) -> dict[str, Any]:
    group = _version_parts(agent, version)[0].get(group_id)
    if not group:
        raise ResourceNotFoundException()
    return group


def get_agent_action_group(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetAgentActionGroup")
    agent = _agent(_backend(self), params["agentId"])
    return _reply(agentActionGroup=_action_group(agent, params["agentVersion"], params["actionGroupId"]))


def update_agent_action_group(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateAgentActionGroup")
    agent = _agent(_backend(self), params["agentId"])
    old = _action_group(agent, DRAFT, params["actionGroupId"])
    _not_busy(agent, "Update")
    fields = _action_group_fields(params)
    _unique_group_name(agent, fields["actionGroupName"], old["actionGroupId"])
    # The update replaces the group's definition; what identifies it stays.
    kept = {k: old[k] for k in ("agentId", "agentVersion", "actionGroupId", "clientToken", "createdAt") if k in old}
    group = {**kept, **fields, "updatedAt": _now()}
    agent.action_groups[old["actionGroupId"]] = group
    agent.draft_changed()
    return _reply(agentActionGroup=group)


def delete_agent_action_group(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteAgentActionGroup")
    agent = _agent(_backend(self), params["agentId"])
    group = _action_group(agent, DRAFT, params["actionGroupId"])
    _not_busy(agent, "Delete")
    # An ENABLED group is in use. AWS: "ActionGroup with name X cannot be deleted when it is Enabled.
    # Either use SkipResourceInUseCheckOnDelete flag or mark it as Disabled." (CloudFormation's
    # rendering of the ValidationException.)
    if group["actionGroupState"] == "ENABLED" and not _flag(self, "skipResourceInUseCheck"):
        raise ValidationException(
            f"ActionGroup with name {group['actionGroupName']} cannot be deleted when it is Enabled. "
            "Either use skipResourceInUseCheck flag or mark it as Disabled."
        )
    del agent.action_groups[group["actionGroupId"]]
    agent.draft_changed()
    return ""


def list_agent_action_groups(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListAgentActionGroups")
    agent = _agent(_backend(self), params["agentId"])
    groups, next_token = _page(list(_version_parts(agent, params["agentVersion"])[0].values()), params)
    summaries = [
        _compact({k: g.get(k) for k in ("actionGroupId", "actionGroupName", "actionGroupState", "description", "updatedAt")})
        for g in groups
    ]
    return _reply(**_compact({"actionGroupSummaries": summaries, "nextToken": next_token}))


# Knowledge-base associations ----------------------------------------------------------------------


def associate_agent_knowledge_base(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "AssociateAgentKnowledgeBase")
    backend = _backend(self)
    agent = _agent(backend, params["agentId"])
    _not_busy(agent, "Associate")
    kb_id = params["knowledgeBaseId"]
    # The knowledge base must exist in the same account and region.
    if kb_id not in backend.knowledge_bases:
        raise ResourceNotFoundException()
    if kb_id in agent.knowledge_bases:
        raise ConflictException(f"Knowledge base {kb_id} is already associated with agent {agent.agent_id}.")
    now = _now()
    association = {
        "agentId": agent.agent_id, "agentVersion": DRAFT, "knowledgeBaseId": kb_id, "description": params["description"],
        "knowledgeBaseState": params.get("knowledgeBaseState") or "ENABLED", "createdAt": now, "updatedAt": now,
    }
    agent.knowledge_bases[kb_id] = association
    agent.draft_changed()
    return _reply(agentKnowledgeBase=association)


def _association(agent: _Agent, version: str, kb_id: str) -> dict[str, Any]:
    association = _version_parts(agent, version)[1].get(kb_id)
    if not association:
        raise ResourceNotFoundException()
    return association


def get_agent_knowledge_base(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetAgentKnowledgeBase")
    agent = _agent(_backend(self), params["agentId"])
    return _reply(agentKnowledgeBase=_association(agent, params["agentVersion"], params["knowledgeBaseId"]))


def update_agent_knowledge_base(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateAgentKnowledgeBase")
    agent = _agent(_backend(self), params["agentId"])
    association = _association(agent, DRAFT, params["knowledgeBaseId"])
    _not_busy(agent, "Update")
    # Both fields are optional here: what is not sent stays.
    for key in ("description", "knowledgeBaseState"):
        if params.get(key) is not None:
            association[key] = params[key]
    association["updatedAt"] = _now()
    agent.draft_changed()
    return _reply(agentKnowledgeBase=association)


def disassociate_agent_knowledge_base(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DisassociateAgentKnowledgeBase")
    agent = _agent(_backend(self), params["agentId"])
    _association(agent, DRAFT, params["knowledgeBaseId"])
    _not_busy(agent, "Disassociate")
    del agent.knowledge_bases[params["knowledgeBaseId"]]
    agent.draft_changed()
    return ""


def list_agent_knowledge_bases(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListAgentKnowledgeBases")
    agent = _agent(_backend(self), params["agentId"])
    associations, next_token = _page(list(_version_parts(agent, params["agentVersion"])[1].values()), params)
    summaries = [{k: a[k] for k in ("knowledgeBaseId", "description", "knowledgeBaseState", "updatedAt")} for a in associations]
    return _reply(**_compact({"agentKnowledgeBaseSummaries": summaries, "nextToken": next_token}))


# Aliases and versions -----------------------------------------------------------------------------


def _alias(agent: _Agent, alias_id: str) -> _Alias:
    alias = agent.aliases.get(alias_id)
    if not alias:
        raise ResourceNotFoundException()
    alias.settle()
    return alias


def _unique_alias_name(agent: _Agent, name: str, alias_id: str | None = None) -> None:
    if any(a.name == name and a.alias_id != alias_id for a in agent.aliases.values()):
        raise ConflictException(f"An alias with the name {name} already exists for agent {agent.agent_id}.")


def _not_test_alias(alias_id: str, operation: str) -> None:
    # The test alias belongs to the agent: it always routes to DRAFT and goes only with the agent.
    if alias_id == TEST_ALIAS_ID:
        raise ValidationException(f"{operation} operation can't be performed on the test alias {TEST_ALIAS_ID}.")


def create_agent_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateAgentAlias")
    backend = _backend(self)
    agent = _agent(backend, params["agentId"])
    _unique_alias_name(agent, params["agentAliasName"])
    routing = _routing(agent, params, "Create")
    alias = _Alias(agent, _new_id(agent.aliases), params["agentAliasName"], params.get("description"), routing, params.get("clientToken"))
    alias.start("CREATING")
    agent.aliases[alias.alias_id] = alias
    if params.get("tags"):
        backend.tagger.tag_resource(alias.arn, TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(agentAlias=alias.to_dict())


def get_agent_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetAgentAlias")
    agent = _agent(_backend(self), params["agentId"])
    return _reply(agentAlias=_alias(agent, params["agentAliasId"]).to_dict())


def update_agent_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateAgentAlias")
    agent = _agent(_backend(self), params["agentId"])
    alias = _alias(agent, params["agentAliasId"])
    _not_test_alias(alias.alias_id, "Update")
    if alias.status != "PREPARED":
        raise ConflictException(f"Update operation can't be performed on AgentAlias when it is in {_words(alias.status)} state.")
    _unique_alias_name(agent, params["agentAliasName"], alias.alias_id)
    # Without routingConfiguration, AWS makes a new version of the DRAFT and routes the alias to it.
    alias.route(_routing(agent, params, "Update"))
    alias.name = params["agentAliasName"]
    alias.description = params.get("description")
    alias.invocation_state = params.get("aliasInvocationState") or alias.invocation_state
    alias.updated_at = _now()
    alias.start("UPDATING")
    return _reply(agentAlias=alias.to_dict())


def delete_agent_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteAgentAlias")
    backend = _backend(self)
    agent = _agent(backend, params["agentId"])
    alias = _alias(agent, params["agentAliasId"])
    _not_test_alias(alias.alias_id, "Delete")
    del agent.aliases[alias.alias_id]
    backend.tagger.delete_all_tags_for_resource(alias.arn)
    return _reply(agentId=agent.agent_id, agentAliasId=alias.alias_id, agentAliasStatus="DELETING")


def list_agent_aliases(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListAgentAliases")
    agent = _agent(_backend(self), params["agentId"])
    aliases, next_token = _page(list(agent.aliases.values()), params)
    return _reply(**_compact({"agentAliasSummaries": [a.summary() for a in aliases], "nextToken": next_token}))


def get_agent_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetAgentVersion")
    agent = _agent(_backend(self), params["agentId"])
    version = agent.versions.get(params["agentVersion"])
    if not version:
        raise ResourceNotFoundException()
    return _reply(agentVersion=_version_dict(agent, version))


def list_agent_versions(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListAgentVersions")
    agent = _agent(_backend(self), params["agentId"])
    draft = _compact({
        "agentName": agent.name, "agentStatus": agent.status, "agentVersion": DRAFT, "createdAt": agent.created_at,
        "updatedAt": agent.updated_at, "description": agent.definition.get("description"),
        "guardrailConfiguration": agent.definition.get("guardrailConfiguration"),
    })
    versions, next_token = _page([draft] + [v.summary() for v in agent.versions.values()], params)
    return _reply(**_compact({"agentVersionSummaries": versions, "nextToken": next_token}))


def delete_agent_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteAgentVersion")
    agent = _agent(_backend(self), params["agentId"])
    number = params["agentVersion"]
    if number not in agent.versions:
        raise ResourceNotFoundException()
    # A version an alias routes to is in use (skipResourceInUseCheck as for DeleteAgent).
    routed = any(r.get("agentVersion") == number for a in agent.user_aliases() for r in a.routing)
    if routed and not _flag(self, "skipResourceInUseCheck"):
        raise ConflictException(f"Version {number} of agent {agent.agent_id} is in use by an agent alias.")
    del agent.versions[number]
    return _reply(agentId=agent.agent_id, agentVersion=number, agentStatus="DELETING")


_HANDLERS = [
    create_agent, get_agent, list_agents, update_agent, delete_agent, prepare_agent,
    create_agent_action_group, get_agent_action_group, update_agent_action_group, delete_agent_action_group, list_agent_action_groups,
    associate_agent_knowledge_base, get_agent_knowledge_base, update_agent_knowledge_base, disassociate_agent_knowledge_base, list_agent_knowledge_bases,
    create_agent_alias, get_agent_alias, update_agent_alias, delete_agent_alias, list_agent_aliases,
    get_agent_version, list_agent_versions, delete_agent_version,
]


# --- what install() patches --------------------------------------------------------------------------


def _wrap_call_action(original: Callable[[AgentsforBedrockResponse], Any]) -> Callable[[AgentsforBedrockResponse], Any]:
    def call_action(self: AgentsforBedrockResponse) -> Any:
        # One request at a time: the server is threaded and the handlers read-modify-write.
        with _lock:
            status, headers, body = original(self)
        operation = self._get_action()
        if status >= 300 or not operation:
            return status, headers, body
        model = _service_model().operation_model(operation)
        # The operation's documented success status (202 for CreateAgent, 204 for deletions, ...).
        status = model.http.get("responseCode", status)
        if body:
            # Timestamps as RFC 3339 strings, for moto's own knowledge-base responses too.
            body = json.dumps(_timestamps_to_rfc3339(json.loads(body), model.output_shape))
            headers["Content-Type"] = "application/json"
        return status, headers, body

    return call_action


def _aws_like_knowledge_base_ids() -> None:
    """moto names a knowledge base <name><8 hex>; AWS's IDs are 10 upper-case letters and digits,
    which AssociateAgentKnowledgeBase's knowledgeBaseId pattern requires."""
    original_init = KnowledgeBase.__init__

    def __init__(self: KnowledgeBase, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.knowledge_base_id = _new_id()
        self.knowledge_base_arn = f"{self.knowledge_base_arn.rsplit('/', 1)[0]}/{self.knowledge_base_id}"

    KnowledgeBase.__init__ = __init__


def _taggable_arns(self: AgentsforBedrockBackend) -> list[str]:
    """TagResource, UntagResource and ListTagsForResource take agent, alias and knowledge-base ARNs."""
    return [arn for agent in _agents(self) for arn in agent.arns()] + [kb.knowledge_base_arn for kb in self.knowledge_bases.values()]


def install() -> None:
    """Patches moto; called once before the server starts."""
    for handler in _HANDLERS:
        setattr(AgentsforBedrockResponse, handler.__name__, handler)
    AgentsforBedrockResponse.call_action = _wrap_call_action(AgentsforBedrockResponse.call_action)
    AgentsforBedrockBackend._list_arns = _taggable_arns
    # moto's own errors (knowledge bases, tags) with the statuses of the API reference.
    moto_exceptions.ResourceNotFoundException.code = 404
    moto_exceptions.ConflictException.code = 409
    _aws_like_knowledge_base_ids()
