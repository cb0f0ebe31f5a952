"""The Amazon Bedrock Flows part of bedrock-agent, which moto lacks entirely.

moto 5.2.1 routes every flow request already (its dispatcher reads the operations' URIs from the
botocore model), but has no handler for any. This module adds them, on the same response class and
through the same wrapper as the agent operations of ``bedrock_agent_ext`` (input validated against
the model, one request at a time, the documented success status, RFC 3339 timestamps), following
the API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/, the ``*Flow*`` actions):

* CreateFlow, GetFlow (``includedData=METADATA_ONLY`` leaves the definition out), UpdateFlow (the
  whole flow: a field not sent is cleared), DeleteFlow, ListFlows;
* PrepareFlow answers 202 with ``Preparing``; the flow is ``Prepared``, or ``Failed`` with GetFlow's
  ``validations``, after $MOTO_BEDROCK_AGENT_DELAY_SECONDS (a transition recorded with its due time
  and made on the next read, as for agents). Any change to the flow makes it ``NotPrepared``;
* ValidateFlowDefinition, with the same checks as PrepareFlow;
* versions (CreateFlowVersion snapshots the prepared DRAFT as 1, 2, ...; Get, List, Delete) and
  aliases (Create, Get, Update, Delete, List), each routed to exactly one version or DRAFT; the test
  alias TSTALIASID (routed to DRAFT) comes with every flow and is listed with the others;
* tags on flows and flow aliases (TagResource and the ``tags`` of CreateFlow and CreateFlowAlias).

What the API reference leaves open, decided here (the operator must not rely on more):

* the validations' wording: AWS documents the types (``FlowValidationType``) and their details, not
  the messages, so these are the emulator's own. The checks: a flow needs an Input and an Output
  node; a node's configuration key must match its type; a connection must name existing nodes,
  outputs and inputs (data) or conditions (conditional), and not repeat another; every input of a
  node is fed by exactly one connection; every node is reachable from the Input node; no cycle; a
  Condition node has a ``default`` branch; the inputs and outputs the user guide prescribes for
  each node type (``document`` of Input and Output, ``modelCompletion`` of Prompt, ...);
* CreateFlowVersion refuses a flow that is not ``Prepared`` (ValidationException), and any change
  while it is ``Preparing`` is a ConflictException, as for agents;
* DeleteFlow refuses a flow an alias other than TSTALIASID routes to, and DeleteFlowVersion a version
  an alias routes to, unless ``skipResourceInUseCheck`` (ConflictException);
* the flow's role must be of the caller's account (iam:PassRole), as for agents.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

from moto.bedrockagent.models import AgentsforBedrockBackend
from moto.bedrockagent.responses import AgentsforBedrockResponse
from moto.utilities.tagging_service import TaggingService
from moto.utilities.utils import get_partition

from bedrock_agent_ext import (
    DRAFT, TEST_ALIAS_ID, ConflictException, ResourceNotFoundException, ValidationException, _backend, _check_role_account, _compact,
    _flag, _new_id, _now, _page, _params, _Pending, _reply,
)

FLOW_FIELDS = ("name", "description", "executionRoleArn", "customerEncryptionKeyArn", "definition")
ALIAS_FIELDS = ("name", "description", "routingConfiguration", "concurrencyConfiguration")

# The inputs and outputs the user guide prescribes, by node type ("Node types in Amazon Bedrock
# Flows"): (inputs every such node has, inputs it may have or None for any names, outputs it has,
# or None for any). Condition nodes have no outputs; their branches are conditional connections.
_IO: dict[str, tuple[set[str], set[str] | None, set[str] | None]] = {
    "Input": (set(), set(), {"document"}),
    "Output": ({"document"}, {"document"}, set()),
    "Condition": (set(), None, set()),
    "Iterator": ({"array"}, {"array"}, {"arrayItem", "arraySize"}),
    "Collector": ({"arrayItem", "arraySize"}, {"arrayItem", "arraySize"}, {"collectedArray"}),
    "Prompt": (set(), None, {"modelCompletion"}),
    "KnowledgeBase": ({"retrievalQuery"}, {"retrievalQuery"}, {"retrievalResults", "outputText"}),
    "Agent": ({"agentInputText"}, {"agentInputText", "promptAttributes", "sessionAttributes"}, {"agentResponse"}),
    "LambdaFunction": (set(), None, {"functionResponse"}),
    "InlineCode": (set(), None, {"response"}),
    "Lex": ({"inputText"}, {"inputText", "requestAttributes", "sessionAttributes"}, {"predictedIntent"}),
    "Storage": ({"content", "objectKey"}, {"content", "objectKey"}, {"s3Uri"}),
    "Retrieval": ({"objectKey"}, {"objectKey"}, {"s3Content"}),
}

# Flows in the order they were created, for ListFlows.
_flow_sequence = itertools.count(1)


def _config_key(node_type: str) -> str:
    """A node's configuration key: its type in lower camel case (LambdaFunction -> lambdaFunction)."""
    return node_type[:1].lower() + node_type[1:]


# --- validations ---------------------------------------------------------------------------------


def _validation(kind: str, message: str, **details: Any) -> dict[str, Any]:
    return {"message": message, "severity": "Error", "type": kind, "details": {_config_key(kind): details}}


def validations(definition: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What PrepareFlow and ValidateFlowDefinition find wrong with a definition, as FlowValidation items."""
    definition = definition or {}
    nodes = {n["name"]: n for n in definition.get("nodes") or []}
    connections = definition.get("connections") or []
    found: list[dict[str, Any]] = []
    inputs_of = {name: {i["name"] for i in n.get("inputs") or []} for name, n in nodes.items()}
    outputs_of = {name: {o["name"] for o in n.get("outputs") or []} for name, n in nodes.items()}

    starts = [name for name, n in nodes.items() if n["type"] == "Input"]
    if not starts:
        found.append(_validation("MissingStartingNodes", "The flow has no Input node: a flow begins with one."))
    if not any(n["type"] == "Output" for n in nodes.values()):
        found.append(_validation("MissingEndingNodes", "The flow has no Output node: every branch ends in one."))

    for name, node in nodes.items():
        configuration = node.get("configuration") or {}
        if _config_key(node["type"]) not in configuration:
            found.append(_validation("MissingNodeConfiguration", f"Node {name} of type {node['type']} has no {_config_key(node['type'])} configuration.", node=name))
        required, allowed, outputs = _IO.get(node["type"], (set(), None, None))
        for missing in sorted(required - inputs_of[name]):
            found.append(_validation("MissingNodeInput", f"Node {name} lacks its input {missing}.", node=name, input=missing))
        for unknown in sorted(inputs_of[name] - allowed) if allowed is not None else []:
            found.append(_validation("UnknownNodeInput", f"Node {name} of type {node['type']} has no input {unknown}.", node=name, input=unknown))
        if outputs is not None:
            if node["type"] not in ("Output", "Condition") and not outputs_of[name] & outputs:
                missing = sorted(outputs)[0]
                found.append(_validation("MissingNodeOutput", f"Node {name} lacks its output {missing}.", node=name, output=missing))
            for unknown in sorted(outputs_of[name] - outputs):
                found.append(_validation("UnknownNodeOutput", f"Node {name} of type {node['type']} has no output {unknown}.", node=name, output=unknown))

    fed: dict[tuple[str, str], int] = {}
    edges: dict[str, set[str]] = {name: set() for name in nodes}
    seen_pairs: set[tuple[str, str, str]] = set()
    for c in connections:
        name, source, target = c["name"], c["source"], c["target"]
        if source not in nodes:
            found.append(_validation("UnknownConnectionSource", f"Connection {name} starts at {source}, which is not a node of the flow.", connection=name))
        if target not in nodes:
            found.append(_validation("UnknownConnectionTarget", f"Connection {name} ends at {target}, which is not a node of the flow.", connection=name))
        if source not in nodes or target not in nodes:
            continue
        configuration = c.get("configuration") or {}
        key = (source, target, repr(sorted(configuration.get("data", configuration.get("conditional", {})).items())))
        if key in seen_pairs:
            found.append(_validation("DuplicateConnections", f"Connection {name} repeats another from {source} to {target}.", source=source, target=target))
        seen_pairs.add(key)
        edges[source].add(target)
        if c["type"] == "Data":
            data = configuration.get("data")
            if not data:
                found.append(_validation("MissingConnectionConfiguration", f"Data connection {name} names no sourceOutput and targetInput.", connection=name))
                continue
            if data["sourceOutput"] not in outputs_of[source]:
                found.append(_validation("UnknownConnectionSourceOutput", f"Connection {name}: node {source} has no output {data['sourceOutput']}.", connection=name))
            if data["targetInput"] not in inputs_of[target]:
                found.append(_validation("UnknownConnectionTargetInput", f"Connection {name}: node {target} has no input {data['targetInput']}.", connection=name))
            else:
                fed[(target, data["targetInput"])] = fed.get((target, data["targetInput"]), 0) + 1
        else:
            condition = (configuration.get("conditional") or {}).get("condition")
            conditions = {x["name"] for x in (nodes[source].get("configuration") or {}).get("condition", {}).get("conditions") or []}
            if nodes[source]["type"] != "Condition" or (condition != "default" and condition not in conditions):
                found.append(_validation("UnknownConnectionCondition", f"Connection {name} names condition {condition}, which node {source} does not have.", connection=name))

    for name, node in nodes.items():
        for input_name in sorted(inputs_of[name]):
            count = fed.get((name, input_name), 0)
            if count == 0:
                found.append(_validation("UnfulfilledNodeInput", f"Input {input_name} of node {name} has no connection.", node=name, input=input_name))
            elif count > 1:
                found.append(_validation("MultipleNodeInputConnections", f"Input {input_name} of node {name} has {count} connections.", node=name, input=input_name))
        if node["type"] == "Condition" and not any(
            c["source"] == name and ((c.get("configuration") or {}).get("conditional") or {}).get("condition") == "default" for c in connections
        ):
            found.append(_validation("MissingDefaultCondition", f"Condition node {name} has no default branch.", node=name))

    reached = set(starts)
    frontier = list(starts)
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    for name in nodes:
        if starts and name not in reached:
            found.append(_validation("UnreachableNode", f"Node {name} cannot be reached from the Input node.", node=name))
    cycle = _cycle(edges)
    if cycle:
        connection = next(c["name"] for c in connections if c["source"] == cycle[0] and c["target"] == cycle[1])
        found.append(_validation("CyclicConnection", f"Connection {connection} closes a cycle: {' -> '.join(cycle)}.", connection=connection))
    return found


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Some cycle of the graph (its last edge first), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [path[-1], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


# --- the model -----------------------------------------------------------------------------------


class _FlowAlias:
    def __init__(self, flow: "_Flow", alias_id: str, fields: dict[str, Any]):
        self.flow = flow
        self.alias_id = alias_id
        self.arn = f"{flow.arn}/alias/{alias_id}"
        self.fields = fields
        self.created_at = self.updated_at = _now()

    def to_dict(self) -> dict[str, Any]:
        return _compact({
            **self.fields, "flowId": self.flow.flow_id, "id": self.alias_id, "arn": self.arn,
            "createdAt": self.created_at, "updatedAt": self.updated_at,
        })

    def routes_to(self, version: str) -> bool:
        return any(r.get("flowVersion") == version for r in self.fields["routingConfiguration"])


class _Flow:
    def __init__(self, backend: AgentsforBedrockBackend, fields: dict[str, Any]):
        self.backend = backend
        self.flow_id = _new_id(_flows(backend))
        self.sequence = next(_flow_sequence)
        self.arn = f"arn:{get_partition(backend.region_name)}:bedrock:{backend.region_name}:{backend.account_id}:flow/{self.flow_id}"
        self.fields = fields
        self.status = "NotPrepared"
        self.validations: list[dict[str, Any]] = []
        self.created_at = self.updated_at = _now()
        self.pending: _Pending | None = None
        self.versions: dict[str, dict[str, Any]] = {}
        self.last_version = 0
        self.aliases = {TEST_ALIAS_ID: _FlowAlias(self, TEST_ALIAS_ID, {
            "name": "TSTALIASID", "description": "Test Alias", "routingConfiguration": [{"flowVersion": DRAFT}],
        })}

    def settle(self) -> None:
        if self.pending and _now() >= self.pending.due:
            pending, self.pending = self.pending, None
            pending.finish()

    def changed(self) -> None:
        self.status = "NotPrepared"
        self.validations = []
        self.updated_at = _now()

    def user_aliases(self) -> list[_FlowAlias]:
        return [a for a in self.aliases.values() if a.alias_id != TEST_ALIAS_ID]

    def arns(self) -> list[str]:
        return [self.arn] + [a.arn for a in self.aliases.values()]

    def to_dict(self, with_definition: bool = True) -> dict[str, Any]:
        fields = self.fields if with_definition else {k: v for k, v in self.fields.items() if k != "definition"}
        return _compact({
            **fields, "id": self.flow_id, "arn": self.arn, "status": self.status, "version": DRAFT,
            "createdAt": self.created_at, "updatedAt": self.updated_at,
        })

    def summary(self) -> dict[str, Any]:
        return _compact({
            "name": self.fields["name"], "description": self.fields.get("description"), "id": self.flow_id, "arn": self.arn,
            "status": self.status, "createdAt": self.created_at, "updatedAt": self.updated_at, "version": DRAFT,
        })


def _flows(backend: AgentsforBedrockBackend) -> dict[str, _Flow]:
    """The backend's flows; kept in its __dict__, so that moto's reset forgets them."""
    flows: dict[str, _Flow] = backend.__dict__.setdefault("forge_flows", {})
    for flow in flows.values():
        flow.settle()
    return flows


def _flow(backend: AgentsforBedrockBackend, identifier: str) -> _Flow:
    """A flow by ID or ARN."""
    flow = _flows(backend).get(identifier.rsplit("/", 1)[-1])
    if not flow:
        raise ResourceNotFoundException()
    return flow


def _not_preparing(flow: _Flow, operation: str) -> None:
    if flow.status == "Preparing":
        raise ConflictException(f"{operation} operation can't be performed on Flow when it is in Preparing state. Retry the request when the flow is in a valid state.")


def _flow_fields(params: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(params[k]) for k in FLOW_FIELDS if params.get(k) is not None}


def _finish_preparing(flow: _Flow) -> None:
    found = validations(flow.fields.get("definition"))
    flow.validations = found
    flow.status = "Failed" if found else "Prepared"


# --- request handlers: set on AgentsforBedrockResponse by install() --------------------------------


def create_flow(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateFlow")
    backend = _backend(self)
    _check_role_account(backend, params.get("executionRoleArn"))
    flow = _Flow(backend, _flow_fields(params))
    _flows(backend)[flow.flow_id] = flow
    if params.get("tags"):
        backend.tagger.tag_resource(flow.arn, TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(**flow.to_dict())


def get_flow(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetFlow")
    flow = _flow(_backend(self), params["flowIdentifier"])
    with_definition = params.get("includedData") != "METADATA_ONLY"
    return _reply(**_compact({**flow.to_dict(with_definition), "validations": flow.validations or None}))


def update_flow(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateFlow")
    backend = _backend(self)
    flow = _flow(backend, params["flowIdentifier"])
    _check_role_account(backend, params.get("executionRoleArn"))
    _not_preparing(flow, "Update")
    flow.fields = _flow_fields(params)
    flow.changed()
    return _reply(**flow.to_dict())


def delete_flow(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteFlow")
    backend = _backend(self)
    flow = _flow(backend, params["flowIdentifier"])
    if flow.user_aliases() and not _flag(self, "skipResourceInUseCheck"):
        raise ConflictException(f"Flow {flow.flow_id} is in use by flow aliases. Delete the aliases or set skipResourceInUseCheck to true.")
    del _flows(backend)[flow.flow_id]
    for arn in flow.arns():
        backend.tagger.delete_all_tags_for_resource(arn)
    return _reply(id=flow.flow_id)


def list_flows(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListFlows")
    flows = sorted(_flows(_backend(self)).values(), key=lambda f: f.sequence)
    page, next_token = _page(flows, params)
    return _reply(**_compact({"flowSummaries": [f.summary() for f in page], "nextToken": next_token}))


def prepare_flow(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "PrepareFlow")
    flow = _flow(_backend(self), params["flowIdentifier"])
    _not_preparing(flow, "Prepare")
    flow.status = "Preparing"
    flow.validations = []
    flow.pending = _Pending(lambda: _finish_preparing(flow))
    return _reply(id=flow.flow_id, status=flow.status)


def validate_flow_definition(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ValidateFlowDefinition")
    return _reply(validations=validations(params["definition"]))


def create_flow_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateFlowVersion")
    flow = _flow(_backend(self), params["flowIdentifier"])
    if flow.status != "Prepared":
        raise ValidationException(f"Create operation can't be performed on FlowVersion when Flow is in {flow.status} state. Prepare the flow first.")
    flow.last_version += 1
    number = str(flow.last_version)
    flow.versions[number] = _compact({
        **copy.deepcopy(flow.fields), "description": params.get("description") or flow.fields.get("description"),
        "id": flow.flow_id, "arn": flow.arn, "status": "Prepared", "createdAt": _now(), "version": number,
    })
    return _reply(**flow.versions[number])


def _version(flow: _Flow, number: str) -> dict[str, Any]:
    version = flow.versions.get(number)
    if not version:
        raise ResourceNotFoundException()
    return version


def get_flow_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetFlowVersion")
    version = _version(_flow(_backend(self), params["flowIdentifier"]), params["flowVersion"])
    if params.get("includedData") == "METADATA_ONLY":
        version = {k: v for k, v in version.items() if k != "definition"}
    return _reply(**version)


def list_flow_versions(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListFlowVersions")
    flow = _flow(_backend(self), params["flowIdentifier"])
    summaries = [{k: v[k] for k in ("id", "arn", "status", "createdAt", "version")} for v in flow.versions.values()]
    page, next_token = _page(summaries, params)
    return _reply(**_compact({"flowVersionSummaries": page, "nextToken": next_token}))


def delete_flow_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteFlowVersion")
    flow = _flow(_backend(self), params["flowIdentifier"])
    number = params["flowVersion"]
    _version(flow, number)
    if any(a.routes_to(number) for a in flow.user_aliases()) and not _flag(self, "skipResourceInUseCheck"):
        raise ConflictException(f"Version {number} of flow {flow.flow_id} is in use by a flow alias.")
    del flow.versions[number]
    return _reply(id=flow.flow_id, version=number)


def _routing(flow: _Flow, params: dict[str, Any]) -> list[dict[str, Any]]:
    routing = copy.deepcopy(params["routingConfiguration"])
    for item in routing:
        version = item.get("flowVersion")
        if version is not None and version != DRAFT and version not in flow.versions:
            raise ResourceNotFoundException()
    return routing


def _unique_alias_name(flow: _Flow, name: str, alias_id: str | None = None) -> None:
    if any(a.fields["name"] == name and a.alias_id != alias_id for a in flow.aliases.values()):
        raise ConflictException(f"An alias with the name {name} already exists for flow {flow.flow_id}.")


def _alias(flow: _Flow, identifier: str, operation: str | None = None) -> _FlowAlias:
    alias = flow.aliases.get(identifier.rsplit("/", 1)[-1])
    if not alias:
        raise ResourceNotFoundException()
    if operation and alias.alias_id == TEST_ALIAS_ID:
        raise ValidationException(f"{operation} operation can't be performed on the test alias {TEST_ALIAS_ID}.")
    return alias


def create_flow_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreateFlowAlias")
    backend = _backend(self)
    flow = _flow(backend, params["flowIdentifier"])
    _unique_alias_name(flow, params["name"])
    fields = {k: copy.deepcopy(params[k]) for k in ALIAS_FIELDS if params.get(k) is not None}
    fields["routingConfiguration"] = _routing(flow, params)
    alias = _FlowAlias(flow, _new_id(flow.aliases), fields)
    flow.aliases[alias.alias_id] = alias
    if params.get("tags"):
        backend.tagger.tag_resource(alias.arn, TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(**alias.to_dict())


def get_flow_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetFlowAlias")
    flow = _flow(_backend(self), params["flowIdentifier"])
    return _reply(**_alias(flow, params["aliasIdentifier"]).to_dict())


def update_flow_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdateFlowAlias")
    flow = _flow(_backend(self), params["flowIdentifier"])
    alias = _alias(flow, params["aliasIdentifier"], "Update")
    _unique_alias_name(flow, params["name"], alias.alias_id)
    fields = {k: copy.deepcopy(params[k]) for k in ALIAS_FIELDS if params.get(k) is not None}
    fields["routingConfiguration"] = _routing(flow, params)
    alias.fields = fields
    alias.updated_at = _now()
    return _reply(**alias.to_dict())


def delete_flow_alias(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeleteFlowAlias")
    backend = _backend(self)
    flow = _flow(backend, params["flowIdentifier"])
    alias = _alias(flow, params["aliasIdentifier"], "Delete")
    del flow.aliases[alias.alias_id]
    backend.tagger.delete_all_tags_for_resource(alias.arn)
    return _reply(flowId=flow.flow_id, id=alias.alias_id)


def list_flow_aliases(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListFlowAliases")
    flow = _flow(_backend(self), params["flowIdentifier"])
    page, next_token = _page([a.to_dict() for a in flow.aliases.values()], params)
    return _reply(**_compact({"flowAliasSummaries": page, "nextToken": next_token}))


_HANDLERS = [
    create_flow, get_flow, update_flow, delete_flow, list_flows, prepare_flow, validate_flow_definition,
    create_flow_version, get_flow_version, list_flow_versions, delete_flow_version,
    create_flow_alias, get_flow_alias, update_flow_alias, delete_flow_alias, list_flow_aliases,
]


def install() -> None:
    """Patches moto, after bedrock_agent_ext.install() (whose call_action wrapper serves these too)."""
    for handler in _HANDLERS:
        setattr(AgentsforBedrockResponse, handler.__name__, handler)
    list_arns = AgentsforBedrockBackend._list_arns

    def taggable_arns(self: AgentsforBedrockBackend) -> list[str]:
        return list_arns(self) + [arn for flow in _flows(self).values() for arn in flow.arns()]

    AgentsforBedrockBackend._list_arns = taggable_arns
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    dispatch = DomainDispatcherApplication.__call__

    def by_id(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        environ["PATH_INFO"] = _ids_for_arns(environ.get("PATH_INFO", ""))
        return dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = by_id  # type: ignore[method-assign]


# A flow or flow alias named by its ARN, which the SDK URL-encodes into one path segment and the
# WSGI server decodes into several: moto's routes take one segment (the ID).
_FLOW_ARN = re.compile(r"^/flows/arn:[^/]+:flow/([0-9a-zA-Z]{10})(?=/|$)")
_ALIAS_ARN = re.compile(r"/aliases/arn:[^/]+:flow/[0-9a-zA-Z]{10}/alias/((?:TSTALIASID|[0-9a-zA-Z]{10}))$")


def _ids_for_arns(path: str) -> str:
    return _ALIAS_ARN.sub(r"/aliases/\1", _FLOW_ARN.sub(r"/flows/\1", path)) if path.startswith("/flows/arn:") or "/aliases/arn:" in path else path
