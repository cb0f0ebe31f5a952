"""Amazon Bedrock Prompt management, the prompt part of bedrock-agent, which moto lacks entirely.

moto 5.2.1 routes every prompt request already (its dispatcher reads the operations' URIs from the
botocore model), but has no handler for any. This module adds them, on the same response class and
through the same wrapper as the agent operations of ``bedrock_agent_ext`` (input validated against
the model: the name patterns, at most one variant, the ``text``/``chat`` union, the enums; one
request at a time; the documented success status; RFC 3339 timestamps), following the API
reference (https://docs.aws.amazon.com/bedrock/latest/APIReference/, the ``*Prompt*`` actions):

* CreatePrompt (201; ConflictException for a name another prompt of the account has), GetPrompt
  (the DRAFT; ``promptVersion`` DRAFT or a number), UpdatePrompt (the whole prompt: a field not
  sent is cleared; ConflictException for another prompt's name), DeletePrompt (the prompt with its
  versions; with ``promptVersion``, that version only), ListPrompts (the account's prompts, or with
  ``promptIdentifier`` the DRAFT and versions of one), CreatePromptVersion (a snapshot of the DRAFT
  as 1, 2, ...);
* tags on prompts and prompt versions (TagResource and the ``tags`` of CreatePrompt and
  CreatePromptVersion);
* ResourceNotFoundException for a prompt or version that does not exist.

What the API reference leaves open, decided here (the operator must not rely on more):

* a variant's ``templateType`` must match its ``templateConfiguration`` (TEXT takes ``text``, CHAT
  takes ``chat``), and ``defaultVariant`` must name a variant of the prompt: ValidationException,
  in the emulator's own words;
* GetPrompt answers what was sent, without defaults filled in.
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
    DRAFT, ConflictException, ResourceNotFoundException, ValidationException, _backend, _compact, _new_id, _now, _page, _params, _reply,
)

PROMPT_FIELDS = ("name", "description", "customerEncryptionKeyArn", "defaultVariant", "variants")

# Prompts in the order they were created, for ListPrompts.
_prompt_sequence = itertools.count(1)


class _Prompt:
    def __init__(self, backend: AgentsforBedrockBackend, fields: dict[str, Any]):
        self.prompt_id = _new_id(_prompts(backend))
        self.sequence = next(_prompt_sequence)
        self.arn = f"arn:{get_partition(backend.region_name)}:bedrock:{backend.region_name}:{backend.account_id}:prompt/{self.prompt_id}"
        self.fields = fields
        self.created_at = self.updated_at = _now()
        self.versions: dict[str, dict[str, Any]] = {}
        self.last_version = 0

    def to_dict(self) -> dict[str, Any]:
        return _compact({**copy.deepcopy(self.fields), "id": self.prompt_id, "arn": self.arn, "version": DRAFT, "createdAt": self.created_at, "updatedAt": self.updated_at})

    def arns(self) -> list[str]:
        return [self.arn] + [f"{self.arn}:{number}" for number in self.versions]


def _summary(prompt: dict[str, Any]) -> dict[str, Any]:
    return {k: prompt[k] for k in ("name", "description", "id", "arn", "version", "createdAt", "updatedAt") if prompt.get(k) is not None}


def _prompts(backend: AgentsforBedrockBackend) -> dict[str, _Prompt]:
    """The backend's prompts; kept in its __dict__, so that moto's reset forgets them."""
    prompts: dict[str, _Prompt] = backend.__dict__.setdefault("forge_prompts", {})
    return prompts


def _prompt(backend: AgentsforBedrockBackend, identifier: str) -> _Prompt:
    """A prompt by ID or ARN (a version in the ARN is ignored here)."""
    prompt = _prompts(backend).get(identifier.rsplit("/", 1)[-1].split(":")[0])
    if not prompt:
        raise ResourceNotFoundException(f"Prompt {identifier} does not exist.")
    return prompt


def _unique_name(backend: AgentsforBedrockBackend, name: str, prompt_id: str | None = None) -> None:
    if any(p.fields["name"] == name and p.prompt_id != prompt_id for p in _prompts(backend).values()):
        raise ConflictException(f"A prompt with the name {name} already exists.")


def _prompt_fields(params: dict[str, Any]) -> dict[str, Any]:
    fields = {k: copy.deepcopy(params[k]) for k in PROMPT_FIELDS if params.get(k) is not None}
    variants = fields.get("variants") or []
    for i, variant in enumerate(variants):
        key = {"TEXT": "text", "CHAT": "chat"}[variant["templateType"]]
        if key not in (variant.get("templateConfiguration") or {}):
            raise ValidationException(
                f"The templateConfiguration of variant {variant['name']} (variants.{i + 1}) must be {key} for templateType {variant['templateType']}."
            )
    default = fields.get("defaultVariant")
    if default is not None and not any(v["name"] == default for v in variants):
        raise ValidationException(f"The defaultVariant {default} is not a variant of the prompt.")
    return fields


# --- request handlers: set on AgentsforBedrockResponse by install() --------------------------------


def create_prompt(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreatePrompt")
    backend = _backend(self)
    fields = _prompt_fields(params)
    _unique_name(backend, fields["name"])
    prompt = _Prompt(backend, fields)
    _prompts(backend)[prompt.prompt_id] = prompt
    if params.get("tags"):
        backend.tagger.tag_resource(prompt.arn, TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(**prompt.to_dict())


def _version(prompt: _Prompt, number: str) -> dict[str, Any]:
    version = prompt.versions.get(number)
    if not version:
        raise ResourceNotFoundException(f"Version {number} of prompt {prompt.prompt_id} does not exist.")
    return version


def get_prompt(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "GetPrompt")
    prompt = _prompt(_backend(self), params["promptIdentifier"])
    number = params.get("promptVersion") or DRAFT
    return _reply(**(prompt.to_dict() if number == DRAFT else _version(prompt, number)))


def update_prompt(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "UpdatePrompt")
    backend = _backend(self)
    prompt = _prompt(backend, params["promptIdentifier"])
    fields = _prompt_fields(params)
    _unique_name(backend, fields["name"], prompt.prompt_id)
    prompt.fields = fields
    prompt.updated_at = _now()
    return _reply(**prompt.to_dict())


def delete_prompt(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "DeletePrompt")
    backend = _backend(self)
    prompt = _prompt(backend, params["promptIdentifier"])
    number = params.get("promptVersion")
    if number is not None:
        _version(prompt, str(number))
        del prompt.versions[str(number)]
        backend.tagger.delete_all_tags_for_resource(f"{prompt.arn}:{number}")
        return _reply(id=prompt.prompt_id, version=str(number))
    for arn in prompt.arns():
        backend.tagger.delete_all_tags_for_resource(arn)
    del _prompts(backend)[prompt.prompt_id]
    return _reply(id=prompt.prompt_id)


def list_prompts(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "ListPrompts")
    backend = _backend(self)
    if params.get("promptIdentifier"):
        prompt = _prompt(backend, params["promptIdentifier"])
        summaries = [_summary(prompt.to_dict())] + [_summary(v) for v in prompt.versions.values()]
    else:
        summaries = [_summary(p.to_dict()) for p in sorted(_prompts(backend).values(), key=lambda p: p.sequence)]
    page, next_token = _page(summaries, params)
    return _reply(**_compact({"promptSummaries": page, "nextToken": next_token}))


def create_prompt_version(self: AgentsforBedrockResponse) -> str:
    params = _params(self, "CreatePromptVersion")
    backend = _backend(self)
    prompt = _prompt(backend, params["promptIdentifier"])
    prompt.last_version += 1
    number = str(prompt.last_version)
    now = _now()
    prompt.versions[number] = _compact({
        **copy.deepcopy(prompt.fields), "description": params.get("description") or prompt.fields.get("description"),
        "id": prompt.prompt_id, "arn": f"{prompt.arn}:{number}", "version": number, "createdAt": now, "updatedAt": now,
    })
    if params.get("tags"):
        backend.tagger.tag_resource(f"{prompt.arn}:{number}", TaggingService.convert_dict_to_tags_input(params["tags"]))
    return _reply(**prompt.versions[number])


_HANDLERS = [create_prompt, get_prompt, update_prompt, delete_prompt, list_prompts, create_prompt_version]


def install() -> None:
    """Patches moto, after bedrock_agent_ext.install() (whose call_action wrapper serves these too)."""
    for handler in _HANDLERS:
        setattr(AgentsforBedrockResponse, handler.__name__, handler)
    list_arns = AgentsforBedrockBackend._list_arns

    def taggable_arns(self: AgentsforBedrockBackend) -> list[str]:
        return list_arns(self) + [arn for prompt in _prompts(self).values() for arn in prompt.arns()]

    AgentsforBedrockBackend._list_arns = taggable_arns
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    dispatch = DomainDispatcherApplication.__call__

    def by_id(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/prompts/arn:"):
            environ["PATH_INFO"] = _PROMPT_ARN.sub(r"/prompts/\1", path)
        return dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = by_id  # type: ignore[method-assign]


# A prompt named by its ARN, which the SDK URL-encodes into one path segment and the WSGI server
# decodes into several: moto's routes take one segment (the ID).
_PROMPT_ARN = re.compile(r"^/prompts/arn:[^/]+:prompt/([0-9a-zA-Z]{10})(?::[0-9]{1,5})?(?=/|$)")
