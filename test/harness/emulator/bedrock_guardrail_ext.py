"""Amazon Bedrock guardrails (the ``bedrock`` control-plane API), which moto 5.2.1 lacks entirely.

moto's server already sends every ``/guardrails`` request to BedrockResponse (its dispatcher finds
the operation in the botocore model of ``bedrock``), which has no handler for any. This module adds
them, following the API reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/, the
``*Guardrail*`` actions of Amazon Bedrock):

* CreateGuardrail (202; the guardrail is ``CREATING``, then ``READY``), GetGuardrail (DRAFT or a
  numbered version), UpdateGuardrail (202; replaces the whole draft: a policy it is not sent is
  removed; ``UPDATING``, then ``READY``), DeleteGuardrail (the guardrail with its versions, or one
  version), ListGuardrails (every guardrail's DRAFT, or the versions of one), CreateGuardrailVersion
  (a snapshot of the draft, numbered 1, 2, ...);
* tags on guardrail ARNs: TagResource, UntagResource, ListTagsForResource and CreateGuardrail's
  ``tags`` (moto's own tagging, with the guardrails' ARNs added to what it may tag);
* input validated against the botocore model (required members, lengths, patterns, enums), and
  what the model does not say but the API reference and the user guide do: at least one policy; a
  contextual grounding threshold of 0 to 0.99; a PROMPT_ATTACK filter's outputStrength NONE; one
  entry per filter type, PII type, topic, word and regex name; a name no other guardrail has
  (ConflictException); ResourceNotFoundException for an unknown guardrail or version; a change while
  the guardrail is CREATING or UPDATING is a ConflictException;
* what GetGuardrail fills in that the request left out, as AWS documents the defaults: each entry's
  inputAction and outputAction (BLOCK, or the entry's action for sensitive information), its
  inputEnabled and outputEnabled (true), a content filter's modalities (TEXT), a grounding filter's
  action (BLOCK) and enabled (true), a topic's examples (none). A KMS key given by ID comes back as
  its ARN.

The transitions AWS makes in the background happen after $MOTO_BEDROCK_AGENT_DELAY_SECONDS, on the
next read, as for agents (bedrock_agent_ext). The guardrails live on moto's BedrockBackend, so that
moto's reset forgets them with everything else.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import string
import threading
from typing import Any, Callable

import botocore.session
from moto.bedrock import exceptions as moto_exceptions
from moto.bedrock.models import BedrockBackend, bedrock_backends
from moto.bedrock.responses import BedrockResponse
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from bedrock_agent_ext import ConflictException, ResourceNotFoundException, ValidationException, _constraint_errors, _delay, _now, _rfc3339

DRAFT = "DRAFT"
BUSY = {"CREATING", "UPDATING", "VERSIONING", "DELETING"}
POLICIES = ("contentPolicyConfig", "sensitiveInformationPolicyConfig", "contextualGroundingPolicyConfig", "topicPolicyConfig", "wordPolicyConfig")
FIELDS = ("name", "description", "blockedInputMessaging", "blockedOutputsMessaging", "kmsKeyId", *POLICIES)
OPERATIONS = {"CreateGuardrail", "GetGuardrail", "UpdateGuardrail", "DeleteGuardrail", "ListGuardrails", "CreateGuardrailVersion",
              "TagResource", "UntagResource", "ListTagsForResource"}

_lock = threading.Lock()


@functools.cache
def _model() -> Any:
    return botocore.session.get_session().get_service_model("bedrock")


def _validate(operation: str, params: dict[str, Any]) -> None:
    errors: list[str] = []
    _constraint_errors(params, _model().operation_model(operation).input_shape, "", errors)
    if errors:
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        raise ValidationException(f"{count}: {'; '.join(errors)}")


def _new_id(taken: Any) -> str:
    """A guardrail ID as AWS makes them: 12 lower-case letters and digits."""
    while True:
        new = "".join(mock_random.choice(string.ascii_lowercase + string.digits) for _ in range(12))
        if new not in taken:
            return new


class _Guardrail:
    def __init__(self, backend: BedrockBackend, guardrail_id: str, config: dict[str, Any]):
        self.id = guardrail_id
        self.arn = f"arn:{get_partition(backend.region_name)}:bedrock:{backend.region_name}:{backend.account_id}:guardrail/{guardrail_id}"
        self.config = config
        self.status = "CREATING"
        self.created = self.updated = _now()
        self.versions: dict[str, dict[str, Any]] = {}
        self.region, self.account = backend.region_name, backend.account_id
        self._due: float | None = _now() + _delay()

    @property
    def name(self) -> str:
        return self.config["name"]

    def settle(self) -> None:
        """The background work AWS finishes: CREATING and UPDATING become READY."""
        if self._due is not None and _now() >= self._due:
            self.status, self._due = "READY", None

    def change(self, config: dict[str, Any]) -> None:
        self.config, self.status, self.updated, self._due = config, "UPDATING", _now(), _now() + _delay()

    def describe(self, version: str) -> dict[str, Any]:
        config = self.config if version == DRAFT else self.versions[version]["config"]
        shown = {
            "name": config["name"], "guardrailId": self.id, "guardrailArn": self.arn, "version": version,
            "status": self.status if version == DRAFT else "READY",
            "blockedInputMessaging": config["blockedInputMessaging"], "blockedOutputsMessaging": config["blockedOutputsMessaging"],
            "createdAt": _rfc3339(self.created), "updatedAt": _rfc3339(self.updated if version == DRAFT else self.versions[version]["created"]),
        }
        if version != DRAFT and self.versions[version].get("description"):
            shown["description"] = self.versions[version]["description"]
        elif config.get("description"):
            shown["description"] = config["description"]
        if config.get("kmsKeyId"):
            shown["kmsKeyArn"] = _key_arn(config["kmsKeyId"], self.region, self.account)
        shown.update(_policies(config))
        return shown

    def summary(self, version: str = DRAFT) -> dict[str, Any]:
        d = self.describe(version)
        return {k: d[k] for k in ("name", "description", "status", "createdAt", "updatedAt") if k in d} | {"id": self.id, "arn": self.arn, "version": version}


def _key_arn(key: str, region: str, account: str) -> str:
    if key.startswith("arn:"):
        return key
    return f"arn:aws:kms:{region}:{account}:{key if key.startswith('alias/') else 'key/' + key}"


def _with_defaults(entry: dict[str, Any], action: str | None = None, **extra: Any) -> dict[str, Any]:
    filled = {"inputAction": action or "BLOCK", "outputAction": action or "BLOCK", "inputEnabled": True, "outputEnabled": True, **extra}
    return filled | entry


def _policies(config: dict[str, Any]) -> dict[str, Any]:
    """GetGuardrail's policies from the request's configs, with what AWS fills in."""
    out: dict[str, Any] = {}
    if c := config.get("contentPolicyConfig"):
        out["contentPolicy"] = {"filters": [_with_defaults(f, inputModalities=["TEXT"], outputModalities=["TEXT"]) for f in c["filtersConfig"]],
                                "tier": {"tierName": (c.get("tierConfig") or {}).get("tierName", "CLASSIC")}}
    if c := config.get("topicPolicyConfig"):
        out["topicPolicy"] = {"topics": [_with_defaults(t, examples=[]) for t in c["topicsConfig"]],
                              "tier": {"tierName": (c.get("tierConfig") or {}).get("tierName", "CLASSIC")}}
    if c := config.get("wordPolicyConfig"):
        out["wordPolicy"] = {"words": [_with_defaults(w) for w in c.get("wordsConfig") or []],
                             "managedWordLists": [_with_defaults(m) for m in c.get("managedWordListsConfig") or []]}
    if c := config.get("sensitiveInformationPolicyConfig"):
        out["sensitiveInformationPolicy"] = {"piiEntities": [_with_defaults(p, p["action"]) for p in c.get("piiEntitiesConfig") or []],
                                             "regexes": [_with_defaults(r, r["action"]) for r in c.get("regexesConfig") or []]}
    if c := config.get("contextualGroundingPolicyConfig"):
        out["contextualGroundingPolicy"] = {"filters": [{"action": "BLOCK", "enabled": True} | f for f in c["filtersConfig"]]}
    return out


def _check_config(config: dict[str, Any]) -> None:
    """What AWS refuses beyond the model."""
    if not any(config.get(p) for p in POLICIES):
        raise ValidationException("At least one policy must be configured for the guardrail: a content, denied topic, word, "
                                  "sensitive information or contextual grounding policy.")
    lists = [
        ("contentPolicyConfig.filtersConfig", (config.get("contentPolicyConfig") or {}).get("filtersConfig"), "type"),
        ("topicPolicyConfig.topicsConfig", (config.get("topicPolicyConfig") or {}).get("topicsConfig"), "name"),
        ("wordPolicyConfig.wordsConfig", (config.get("wordPolicyConfig") or {}).get("wordsConfig"), "text"),
        ("wordPolicyConfig.managedWordListsConfig", (config.get("wordPolicyConfig") or {}).get("managedWordListsConfig"), "type"),
        ("sensitiveInformationPolicyConfig.piiEntitiesConfig", (config.get("sensitiveInformationPolicyConfig") or {}).get("piiEntitiesConfig"), "type"),
        ("sensitiveInformationPolicyConfig.regexesConfig", (config.get("sensitiveInformationPolicyConfig") or {}).get("regexesConfig"), "name"),
        ("contextualGroundingPolicyConfig.filtersConfig", (config.get("contextualGroundingPolicyConfig") or {}).get("filtersConfig"), "type"),
    ]
    for path, items, key in lists:
        seen = [i[key] for i in items or []]
        if len(seen) != len(set(seen)):
            raise ValidationException(f"{path} has more than one entry with the same {key}.")
    word_policy = config.get("wordPolicyConfig")
    if word_policy is not None and not word_policy.get("wordsConfig") and not word_policy.get("managedWordListsConfig"):
        raise ValidationException("wordPolicyConfig needs wordsConfig or managedWordListsConfig.")
    pii = config.get("sensitiveInformationPolicyConfig")
    if pii is not None and not pii.get("piiEntitiesConfig") and not pii.get("regexesConfig"):
        raise ValidationException("sensitiveInformationPolicyConfig needs piiEntitiesConfig or regexesConfig.")
    for f in (config.get("contextualGroundingPolicyConfig") or {}).get("filtersConfig") or []:
        if not 0 <= f["threshold"] <= 0.99:
            raise ValidationException(f"The threshold of the {f['type']} filter must be between 0 and 0.99.")
    for f in (config.get("contentPolicyConfig") or {}).get("filtersConfig") or []:
        if f["type"] == "PROMPT_ATTACK" and f["outputStrength"] != "NONE":
            raise ValidationException("The outputStrength of a PROMPT_ATTACK filter must be NONE: prompt attacks are filtered on input only.")
    for r in (config.get("sensitiveInformationPolicyConfig") or {}).get("regexesConfig") or []:
        try:
            re.compile(r["pattern"])
        except re.error as e:
            raise ValidationException(f"The pattern of regex {r['name']} is not a valid regular expression: {e}") from e


# --- state ---------------------------------------------------------------------------------------


def _backend(self: BedrockResponse) -> BedrockBackend:
    return bedrock_backends[self.current_account][self.region]


def _guardrails(backend: BedrockBackend) -> dict[str, _Guardrail]:
    guardrails = backend.__dict__.setdefault("forge_guardrails", {})
    for g in guardrails.values():
        g.settle()
    return guardrails


def _identifier(self: BedrockResponse) -> str:
    """The guardrail the URI names (its ID; an ARN was turned into its ID on the way in)."""
    return self.path.split("?")[0].rstrip("/").split("/")[2]


def _guardrail(backend: BedrockBackend, identifier: str) -> _Guardrail:
    guardrail = _guardrails(backend).get(identifier.rsplit("/", 1)[-1])
    if not guardrail:
        raise ResourceNotFoundException(f"Guardrail {identifier} was not found.")
    return guardrail


def _params(self: BedrockResponse, operation: str) -> dict[str, Any]:
    body = self.body.decode("utf-8") if isinstance(self.body, bytes) else (self.body or "")
    params = json.loads(body) if body.strip() else {}
    shape = _model().operation_model(operation).input_shape
    for name, member in shape.members.items():
        location = member.serialization
        if location.get("location") == "uri":
            params[name] = _identifier(self)
        elif location.get("location") == "querystring" and self.querystring.get(location["name"]):
            value = self.querystring[location["name"]][0]
            params[name] = int(value) if member.type_name == "integer" and value.lstrip("-").isdigit() else value
    _validate(operation, params)
    return params


def _config(params: dict[str, Any]) -> dict[str, Any]:
    config = {k: copy.deepcopy(params[k]) for k in FIELDS if params.get(k) is not None}
    _check_config(config)
    return config


def _unique_name(backend: BedrockBackend, name: str, guardrail_id: str | None = None) -> None:
    if any(g.name == name and g.id != guardrail_id for g in _guardrails(backend).values()):
        raise ConflictException(f"A guardrail with the name {name} already exists.")


def _not_busy(guardrail: _Guardrail, operation: str) -> None:
    if guardrail.status in BUSY:
        raise ConflictException(f"{operation} can't be performed on the guardrail while it is {guardrail.status}. Retry once it is READY.")


# --- request handlers: set on BedrockResponse by install() ----------------------------------------


def create_guardrail(self: BedrockResponse) -> str:
    params = _params(self, "CreateGuardrail")
    backend = _backend(self)
    config = _config(params)
    _unique_name(backend, config["name"])
    guardrail = _Guardrail(backend, _new_id(_guardrails(backend)), config)
    _guardrails(backend)[guardrail.id] = guardrail
    if params.get("tags"):
        backend.tagger.tag_resource(guardrail.arn, [{"Key": t["key"], "Value": t["value"]} for t in params["tags"]])
    return json.dumps({"guardrailId": guardrail.id, "guardrailArn": guardrail.arn, "version": DRAFT, "createdAt": _rfc3339(guardrail.created)})


def get_guardrail(self: BedrockResponse) -> str:
    params = _params(self, "GetGuardrail")
    guardrail = _guardrail(_backend(self), params["guardrailIdentifier"])
    version = params.get("guardrailVersion") or DRAFT
    if version != DRAFT and version not in guardrail.versions:
        raise ResourceNotFoundException(f"Version {version} of guardrail {guardrail.id} was not found.")
    return json.dumps(guardrail.describe(version))


def update_guardrail(self: BedrockResponse) -> str:
    params = _params(self, "UpdateGuardrail")
    backend = _backend(self)
    guardrail = _guardrail(backend, params["guardrailIdentifier"])
    config = _config(params)
    _not_busy(guardrail, "UpdateGuardrail")
    _unique_name(backend, config["name"], guardrail.id)
    guardrail.change(config)
    return json.dumps({"guardrailId": guardrail.id, "guardrailArn": guardrail.arn, "version": DRAFT, "updatedAt": _rfc3339(guardrail.updated)})


def delete_guardrail(self: BedrockResponse) -> str:
    params = _params(self, "DeleteGuardrail")
    backend = _backend(self)
    guardrail = _guardrail(backend, params["guardrailIdentifier"])
    version = params.get("guardrailVersion")
    if version and version != DRAFT:
        if version not in guardrail.versions:
            raise ResourceNotFoundException(f"Version {version} of guardrail {guardrail.id} was not found.")
        del guardrail.versions[version]
        return "{}"
    _not_busy(guardrail, "DeleteGuardrail")
    del _guardrails(backend)[guardrail.id]
    backend.tagger.delete_all_tags_for_resource(guardrail.arn)
    return "{}"


def list_guardrails(self: BedrockResponse) -> str:
    params = _params(self, "ListGuardrails")
    guardrails = sorted(_guardrails(_backend(self)).values(), key=lambda g: g.created)
    if params.get("guardrailIdentifier"):
        g = _guardrail(_backend(self), params["guardrailIdentifier"])
        items = [g.summary()] + [g.summary(v) for v in sorted(g.versions, key=int)]
    else:
        items = [g.summary() for g in guardrails]
    start = int(params.get("nextToken") or 0)
    size = params.get("maxResults") or 100
    page = items[start:start + size]
    body: dict[str, Any] = {"guardrails": page}
    if start + size < len(items):
        body["nextToken"] = str(start + size)
    return json.dumps(body)


def create_guardrail_version(self: BedrockResponse) -> str:
    params = _params(self, "CreateGuardrailVersion")
    guardrail = _guardrail(_backend(self), params["guardrailIdentifier"])
    _not_busy(guardrail, "CreateGuardrailVersion")
    version = str(max((int(v) for v in guardrail.versions), default=0) + 1)
    guardrail.versions[version] = {"config": copy.deepcopy(guardrail.config), "created": _now(), "description": params.get("description")}
    return json.dumps({"guardrailId": guardrail.id, "version": version})


_HANDLERS: list[Callable[[BedrockResponse], str]] = [
    create_guardrail, get_guardrail, update_guardrail, delete_guardrail, list_guardrails, create_guardrail_version,
]


def _wrap_call_action(original: Callable[[BedrockResponse], Any]) -> Callable[[BedrockResponse], Any]:
    def call_action(self: BedrockResponse) -> Any:
        operation = self._get_action()
        if operation not in OPERATIONS:
            return original(self)
        # One request at a time: the server is threaded and the handlers read-modify-write.
        with _lock:
            status, headers, body = original(self)
        if status >= 300:
            return status, headers, body
        # The operation's documented success status (202 for CreateGuardrail, ...), and a JSON body.
        status = _model().operation_model(operation).http.get("responseCode", status)
        headers["Content-Type"] = "application/json"
        return status, headers, body or "{}"

    return call_action


# A guardrail named by its ARN, which the SDK URL-encodes into one path segment and the WSGI
# server decodes into several: the handlers take one segment (the ID).
_GUARDRAIL_ARN = re.compile(r"^/guardrails/arn:[^/]+:guardrail/([0-9a-z]+)(?=/|$)")


def install() -> None:
    """Patches moto; called once before the server starts."""
    for handler in _HANDLERS:
        setattr(BedrockResponse, handler.__name__, handler)
    BedrockResponse.call_action = _wrap_call_action(BedrockResponse.call_action)
    list_arns = BedrockBackend._list_arns

    def taggable_arns(self: BedrockBackend) -> list[str]:
        return list_arns(self) + [g.arn for g in _guardrails(self).values()]

    BedrockBackend._list_arns = taggable_arns
    # moto's own tagging errors with the status of the API reference (404 for an unknown resource).
    moto_exceptions.ResourceNotFoundException.code = 404
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    dispatch = DomainDispatcherApplication.__call__

    def by_id(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/guardrails/arn:"):
            environ["PATH_INFO"] = _GUARDRAIL_ARN.sub(r"/guardrails/\1", path)
        return dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = by_id  # type: ignore[method-assign]
