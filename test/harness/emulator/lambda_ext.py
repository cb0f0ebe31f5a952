"""Lambda behaviours of AWS that moto lacks (state transitions, StatementId conflicts, principal validation).

Each behaviour is a small patch of moto's Lambda classes; the "simple" backend the test bed uses
(``LambdaSimpleBackend``) inherits them from ``LambdaBackend``. ``install()`` applies them all:

- the function state machine: Pending after CreateFunction, LastUpdateStatus InProgress after an
  update, each for ``MOTO_LAMBDA_DELAY_SECONDS`` (default 0.3), computed from timestamps whenever
  a configuration is read; updates, PublishVersion and Invoke are refused meanwhile; PublishVersion
  with nothing changed since the newest version answers that version;
- a RevisionId that changes with each update and with TagResource / UntagResource, and
  LastModified that follows updates; a resource-based policy with a RevisionId of its own, which
  AddPermission and RemovePermission change (moto's RemovePermission left it, and refused any
  RevisionId given to it) and which does not change the function's (see ``_install_revisions()``);
- ListFunctions pages as AWS does (moto returns every function at once): ``MaxItems`` 1-10000,
  at most 50 functions per page whatever it says, ``Marker`` / ``NextMarker``;
- AddPermission: duplicate statement IDs, invalid principals, principals and conditions stored
  the way AWS stores them;
- code in S3: a missing bucket, key or object version is refused, and S3ObjectVersion is honoured;
- the execution role: it must exist and trust lambda.amazonaws.com, and (with
  ``MOTO_IAM_PROPAGATION_SECONDS`` > 0) be old enough for IAM to have propagated it;
- configuration fields moto ignores on update (ephemeral storage, tracing, dead-letter target,
  KMS key, file systems, architectures, an image's overrides) or always answers the same for
  (SnapStart), and a reserved concurrency of 0;
- what Lambda refuses that its API model does not say, from ``src/aws/lambda/lambda-rules.json``
  (which the operator reads too): a runtime past its block-create date (CreateFunction) or
  block-update date (updates), reserved environment keys, environment variables over 4 KB, and
  ZipFile bytes that are not a zip; and an execution role of another account, with AWS's 403.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import fnmatch
import functools
import io
import json
import os
import re
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from moto.awslambda.exceptions import (
    CrossAccountNotAllowed,
    InvalidParameterValueException,
    InvalidRoleFormat,
    LambdaClientError,
    PreconditionFailedException,
)
from moto.awslambda.models import ImageConfig, LambdaBackend, LambdaFunction, LambdaStorage, _s3_content
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.utils import iso_8601_datetime_with_nanoseconds, utcnow
from moto.iam.exceptions import NotFoundException as IAMNotFoundException
from moto.iam.models import IAMBackend, Role, iam_backends
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

# Attributes this module keeps on moto's objects.
CREATED_AT = "_forge_created_at"  # time.time() of CreateFunction
UPDATED_AT = "_forge_updated_at"  # time.time() of the last configuration or code update
REVISION_ID = "_forge_revision_id"
EXTRA_CONFIG = "_forge_extra_config"  # configuration fields moto does not keep itself
TRUST_UPDATED_AT = "_forge_trust_updated_at"  # utcnow() of a role's last UpdateAssumeRolePolicy

PENDING = "Pending"
IN_PROGRESS = "InProgress"

# What Lambda refuses that its API model does not say: shared with the operator (src/kinds/lambda/).
LAMBDA_RULES_PATH = Path(__file__).resolve().parents[3] / "src" / "aws" / "lambda" / "lambda-rules.json"
LAMBDA_RULES: dict[str, Any] = json.loads(LAMBDA_RULES_PATH.read_text(encoding="utf-8"))
DEPRECATED_RUNTIMES: dict[str, dict[str, str]] = {r["identifier"]: r for r in LAMBDA_RULES["deprecatedRuntimes"]}
RESERVED_KEYS: list[str] = LAMBDA_RULES["environment"]["reservedKeys"]
ENVIRONMENT_MAX_BYTES: int = LAMBDA_RULES["environment"]["maxBytes"]


def install() -> None:
    """Patches moto; called once before the server starts."""
    _install_state_machine()
    _install_permission_checks()
    _install_code_and_role_checks()
    _install_configuration_fields()
    _install_revisions()
    _install_list_functions()
    # An execution role of another account: moto's CrossAccountNotAllowed has AWS's code and
    # message but answers 400; Lambda answers 403.
    CrossAccountNotAllowed.code = 403


# --- errors, as AWS words them -------------------------------------------------------------------


class ResourceConflictException(LambdaClientError):
    code = 409

    def __init__(self, message: str):
        super().__init__("ResourceConflictException", message)


def _cannot_be_assumed() -> InvalidParameterValueException:
    return InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")


def _runtime_refused(runtime: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(
        f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. "
        "We recommend you use a supported runtime while creating or updating functions."
    )


def _s3_error(code: str, message: str) -> InvalidParameterValueException:
    return InvalidParameterValueException(f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}")


def _patch(cls: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replaces cls.name by make(original), keeping the original's name and docstring."""
    original = getattr(cls, name)
    setattr(cls, name, functools.wraps(original)(make(original)))


# --- the function state machine ------------------------------------------------------------------


def _delay_seconds() -> float:
    return float(os.environ.get("MOTO_LAMBDA_DELAY_SECONDS", "0.3"))


def _phase(fn: LambdaFunction) -> str | None:
    """PENDING while the function is being created, IN_PROGRESS while an update is applied, else None."""
    now = time.time()
    created_at = getattr(fn, CREATED_AT, 0.0)
    updated_at = getattr(fn, UPDATED_AT, None)
    if now - created_at < _delay_seconds():
        return PENDING
    if updated_at is not None and now - updated_at < _delay_seconds():
        return IN_PROGRESS
    return None


def _refuse_while_busy(fn: LambdaFunction) -> None:
    # AWS refuses changes to a function that is still being created or updated, with a 409.
    phase = _phase(fn)
    if phase == PENDING:
        raise ResourceConflictException(
            "The operation cannot be performed at this time. The function is currently in the following state: Pending"
        )
    if phase == IN_PROGRESS:
        raise ResourceConflictException(
            f"The operation cannot be performed at this time. An update is in progress for resource: {fn.function_arn}"
        )


def _mark_updated(fn: LambdaFunction) -> None:
    # Every configuration or code update starts an update (LastUpdateStatus InProgress), gives the
    # function a new RevisionId and sets LastModified.
    setattr(fn, UPDATED_AT, time.time())
    setattr(fn, REVISION_ID, str(uuid.uuid4()))
    fn.last_modified = iso_8601_datetime_with_nanoseconds()


def _state_fields(fn: LambdaFunction, on_create: bool) -> dict[str, Any]:
    """State and LastUpdateStatus (with reasons) as AWS reports them now."""
    phase = _phase(fn)
    if phase == PENDING:
        # A function being created reports State Pending and no LastUpdateStatus yet.
        return {"State": "Pending", "StateReason": "The function is being created.", "StateReasonCode": "Creating"}
    fields: dict[str, Any] = {"State": "Active"}
    if phase == IN_PROGRESS:
        fields.update(
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
    elif not on_create:
        fields["LastUpdateStatus"] = "Successful"
    return fields


def _install_state_machine() -> None:
    def make_init(original: Callable[..., Any]) -> Callable[..., Any]:
        def __init__(self: LambdaFunction, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            setattr(self, CREATED_AT, time.time())
            setattr(self, UPDATED_AT, None)
            setattr(self, REVISION_ID, str(uuid.uuid4()))
            spec = kwargs.get("spec", args[1] if len(args) > 1 else {})
            _apply_extra_configuration(self, spec)
            s3_key = _check_s3_code(self.account_id, self.partition, spec.get("Code") or {})
            if s3_key is not None:
                _use_s3_object(self, s3_key)

        return __init__

    def make_get_configuration(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
            config = original(self, on_create)
            for key in ("State", "StateReason", "StateReasonCode", "LastUpdateStatus"):
                config.pop(key, None)
            config.update(_state_fields(self, on_create))
            config.update(getattr(self, EXTRA_CONFIG, {}))
            if str(self.version) != "$LATEST" and config.get("SnapStart", {}).get("ApplyOn") == "PublishedVersions":
                config["SnapStart"] = {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
            config["RevisionId"] = getattr(self, REVISION_ID, "")
            return config

        return get_configuration

    _patch(LambdaFunction, "__init__", make_init)
    _patch(LambdaFunction, "get_configuration", make_get_configuration)

    def make_update_configuration(original: Callable[..., Any]) -> Callable[..., Any]:
        def update_function_configuration(self: LambdaBackend, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
            fn = self.get_function(function_name, qualifier)
            _refuse_while_busy(fn)
            # The runtime the function will have: a blocked one is refused, unless this update
            # moves the function off it.
            _check_runtime(body.get("Runtime", fn.run_time), creating=False)
            if "Environment" in body:
                _check_environment(body["Environment"])
            if "Role" in body:
                _check_execution_role(self.account_id, get_partition(self.region_name), body["Role"])
            original(self, function_name, qualifier, body)
            _apply_extra_configuration(fn, body)
            _mark_updated(fn)
            return fn.get_configuration()

        return update_function_configuration

    def make_update_code(original: Callable[..., Any]) -> Callable[..., Any]:
        def update_function_code(self: LambdaBackend, function_name: str, qualifier: str, body: dict[str, Any]) -> Any:
            fn = self.get_function(function_name, qualifier)
            _refuse_while_busy(fn)
            _check_runtime(fn.run_time, creating=False)
            _check_zip_file(body)
            s3_key = _check_s3_code(self.account_id, get_partition(self.region_name), body)
            if body.get("DryRun"):
                return fn.get_configuration()
            if "Architectures" in body:
                fn.architectures = body["Architectures"]  # moto only reads them on create
            result = original(self, function_name, qualifier, body)
            if s3_key is not None:
                _use_s3_object(fn, s3_key)
            _mark_updated(fn)
            return result if body.get("Publish") else fn.get_configuration()

        return update_function_code

    _patch(LambdaBackend, "update_function_configuration", make_update_configuration)
    _patch(LambdaBackend, "update_function_code", make_update_code)

    # PublishVersion is refused while the function is busy. Patched at the API handler, because moto
    # itself publishes from within CreateFunction and UpdateFunctionCode when asked to (Publish).
    def make_publish_version(original: Callable[..., Any]) -> Callable[..., Any]:
        def publish_version(self: LambdaResponse) -> Any:
            _refuse_while_busy(self.backend.get_function(unquote(self.path.split("/")[-2]), None))
            return original(self)

        return publish_version

    _patch(LambdaResponse, "publish_version", make_publish_version)

    # "Lambda doesn't publish a version if the function's configuration and code haven't changed
    # since the last version" (API reference, PublishVersion): moto forgets the change it published
    # only when an earlier version existed, so the second call after the first version made a twin.
    def make_storage_publish(original: Callable[..., Any]) -> Callable[..., Any]:
        def publish_version(self: LambdaStorage, name_or_arn: str, description: str = "") -> Any:
            published = original(self, name_or_arn, description)
            if published is not None:
                self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn).code_or_config_updated = False
            return published

        return publish_version

    _patch(LambdaStorage, "publish_version", make_storage_publish)

    # Invoke fails while the function is Pending (not while an update is in progress: invocations
    # then run the previous code and configuration).
    def make_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(self: LambdaBackend, function_name: str, qualifier: str | None, *args: Any, **kwargs: Any) -> Any:
            fn = self.get_function(function_name, qualifier)
            if _phase(fn) == PENDING:
                _refuse_while_busy(fn)
            return original(self, function_name, qualifier, *args, **kwargs)

        return invoke

    for backend_class in (LambdaBackend, LambdaSimpleBackend):
        if "invoke" in vars(backend_class):
            _patch(backend_class, "invoke", make_invoke)


# --- AddPermission ------------------------------------------------------------------------------

ACCOUNT_ID = re.compile(r"\d{12}")
# An IAM principal ARN: an account's root, a user or a role (with an optional path).
IAM_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)")
# A service principal: lambda.amazonaws.com, bedrock.amazonaws.com, s3.amazonaws.com.cn, alexa-appkit.amazon.com ...
SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com)", re.IGNORECASE)


def _principal_is_valid(principal: Any) -> bool:
    return isinstance(principal, str) and (
        principal == "*"
        or ACCOUNT_ID.fullmatch(principal) is not None
        or IAM_PRINCIPAL_ARN.fullmatch(principal) is not None
        or SERVICE_PRINCIPAL.fullmatch(principal) is not None
    )


def _install_permission_checks() -> None:
    def make_add_permission(original: Callable[..., Any]) -> Callable[..., Any]:
        def add_permission(self: LambdaBackend, function_name: str, qualifier: str, raw: str) -> Any:
            request = json.loads(raw)
            # AWS validates the principal: "*", an account ID, an IAM ARN or a service principal.
            if not _principal_is_valid(request.get("Principal")):
                raise InvalidParameterValueException("The provided principal was invalid. Please check the principal and try again.")
            # A statement ID is unique within the function's policy.
            sid = request.get("StatementId")
            fn = self.get_function(function_name, qualifier)
            if sid is not None and any(s.get("Sid") == sid for s in fn.policy.statements):
                raise ResourceConflictException(
                    f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )
            return original(self, function_name, qualifier, raw)

        return add_permission

    _patch(LambdaBackend, "add_permission", make_add_permission)

    # AWS stores principals as policy principals: an account ID as its root ARN and IAM ARNs under
    # "AWS", service principals under "Service", "*" as it is (moto keeps account IDs and ARNs as bare strings).
    def make_principal_formatter(original: Callable[..., Any]) -> Callable[..., Any]:
        def principal_formatter(self: Policy, obj: Any) -> Any:
            if isinstance(obj, str):
                partition = getattr(self.parent, "partition", "aws")
                if ACCOUNT_ID.fullmatch(obj):
                    return {"AWS": f"arn:{partition}:iam::{obj}:root"}
                if obj.startswith("arn:"):
                    return {"AWS": obj}
                if SERVICE_PRINCIPAL.fullmatch(obj):
                    return {"Service": obj}
            return original(self, obj)

        return principal_formatter

    _patch(Policy, "principal_formatter", make_principal_formatter)

    # AWS merges every condition of AddPermission into one Condition block (moto lets SourceAccount
    # overwrite PrincipalOrgID, both being StringEquals) and stores FunctionUrlAuthType as the
    # condition lambda:FunctionUrlAuthType (moto keeps it as a field of the statement).
    def condition_merge(self: Policy, obj: dict[str, Any]) -> None:
        parts = [obj.pop("Condition", None), obj.pop("SourceArn", None), obj.pop("SourceAccount", None)]
        auth_type = obj.pop("FunctionUrlAuthType", None)
        if auth_type is not None:
            parts.append({"StringEquals": {"lambda:FunctionUrlAuthType": auth_type}})
        if obj.pop("InvokedViaFunctionUrl", None):
            parts.append({"Bool": {"lambda:InvokedViaFunctionUrl": "true"}})
        merged: dict[str, dict[str, Any]] = {}
        for part in parts:
            for operator, keys in (part or {}).items():
                merged.setdefault(operator, {}).update(keys)
        if merged:
            obj["Condition"] = merged

    Policy.condition_merge = condition_merge  # type: ignore[method-assign]


# --- code in S3 and the execution role ----------------------------------------------------------


def _check_s3_code(account_id: str, partition: str, code: dict[str, Any]) -> Any:
    """The S3 object that code names (None when it names none); raises AWS's error when it is missing."""
    if "S3Bucket" not in code or "S3Key" not in code:
        return None
    s3 = s3_backends[account_id][partition]
    # Lambda reads the code from S3 when the function is created or updated: the bucket, the key
    # and (if given) the object version must exist.
    try:
        s3.get_bucket(code["S3Bucket"])
    except MissingBucket:
        raise _s3_error("NoSuchBucket", "The specified bucket does not exist")
    version = code.get("S3ObjectVersion")
    key = s3.get_object(code["S3Bucket"], code["S3Key"], version_id=version)
    if key is None and version and s3.get_object(code["S3Bucket"], code["S3Key"]) is not None:
        raise _s3_error("NoSuchVersion", "The specified version does not exist.")
    if key is None:
        raise _s3_error("NoSuchKey", "The specified key does not exist.")
    return key


def _use_s3_object(fn: LambdaFunction, key: Any) -> None:
    # The code is the object version asked for (moto always reads the latest version).
    fn.code_bytes, fn.code_size, fn.code_sha_256, fn.code_digest = _s3_content(key)


def _propagation_seconds() -> float:
    return float(os.environ.get("MOTO_IAM_PROPAGATION_SECONDS", "0"))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names_lambda(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    return any(str(p).lower() == "lambda.amazonaws.com" for p in _as_list(principal.get("Service")))


def _allows_assume_role(action: Any) -> bool:
    return any(fnmatch.fnmatchcase("sts:assumerole", str(a).lower()) for a in _as_list(action))


def _trust_policy_allows_lambda(document: str) -> bool:
    """Whether a role's trust policy lets lambda.amazonaws.com call sts:AssumeRole (conditions are not evaluated)."""
    try:
        policy = json.loads(document)
    except ValueError:
        policy = json.loads(unquote(document))
    statements = _as_list(policy.get("Statement"))

    def applies(s: dict[str, Any]) -> bool:
        return "NotPrincipal" not in s and "NotAction" not in s and _names_lambda(s.get("Principal")) and _allows_assume_role(s.get("Action"))

    allowed = any(s.get("Effect") == "Allow" and applies(s) for s in statements)
    denied = any(s.get("Effect") == "Deny" and "Condition" not in s and applies(s) for s in statements)
    return allowed and not denied


def _recently_changed(role: Role) -> bool:
    # IAM is eventually consistent: Lambda cannot assume a role created (or whose trust policy
    # changed) moments ago. Emulated for MOTO_IAM_PROPAGATION_SECONDS after the change.
    seconds = _propagation_seconds()
    if seconds <= 0:
        return False
    changed = max(role.create_date, getattr(role, TRUST_UPDATED_AT, role.create_date))
    return (utcnow() - changed).total_seconds() < seconds


def _check_execution_role(account_id: str, partition: str, role_arn: str) -> None:
    # Lambda assumes the execution role when the function is created or its role changes: the role
    # must exist, trust lambda.amazonaws.com, and be known to IAM everywhere already.
    match = re.match(InvalidRoleFormat.pattern, role_arn)
    if not match:
        raise InvalidRoleFormat(role_arn)
    if match.group(2) != account_id:
        raise CrossAccountNotAllowed()  # 403 AccessDeniedException (see install())
    try:
        role = iam_backends[account_id][partition].get_role_by_arn(role_arn)
    except IAMNotFoundException:
        raise _cannot_be_assumed()
    if not _trust_policy_allows_lambda(role.assume_role_policy_document) or _recently_changed(role):
        raise _cannot_be_assumed()


def _install_code_and_role_checks() -> None:
    def make_create_function(original: Callable[..., Any]) -> Callable[..., Any]:
        def create_function(self: LambdaBackend, spec: dict[str, Any]) -> Any:
            # Checked before moto builds the function (which reads the code, see the patched __init__).
            _check_runtime(spec.get("Runtime"), creating=True)
            _check_environment(spec.get("Environment"))
            _check_zip_file(spec.get("Code") or {})
            if "Role" in spec:
                _check_execution_role(self.account_id, get_partition(self.region_name), spec["Role"])
            _check_s3_code(self.account_id, get_partition(self.region_name), spec.get("Code") or {})
            return original(self, spec)

        return create_function

    _patch(LambdaBackend, "create_function", make_create_function)

    def make_update_assume_role_policy(original: Callable[..., Any]) -> Callable[..., Any]:
        def update_assume_role_policy(self: IAMBackend, role_name: str, policy_document: str) -> None:
            original(self, role_name, policy_document)
            setattr(self.get_role(role_name), TRUST_UPDATED_AT, utcnow())

        return update_assume_role_policy

    _patch(IAMBackend, "update_assume_role_policy", make_update_assume_role_policy)


# --- what Lambda refuses that its API model does not say (lambda-rules.json) ---------------------


def _today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def _check_runtime(runtime: str | None, creating: bool) -> None:
    # A deprecated runtime stays usable until its block dates: new functions until "Block function
    # create", updates of existing ones until "Block function update".
    entry = DEPRECATED_RUNTIMES.get(runtime or "")
    if entry is not None and entry["blockCreate" if creating else "blockUpdate"] <= _today():
        raise _runtime_refused(entry["identifier"])


def _check_environment(environment: Any) -> None:
    variables = (environment or {}).get("Variables") or {}
    reserved = [key for key in variables if key in RESERVED_KEYS]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you have provided "
            f"contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    # Lambda measures the JSON of the variables map, as compact as it gets, in bytes.
    measured = json.dumps(variables, separators=(",", ":"), ensure_ascii=False)
    if len(measured.encode("utf-8")) > ENVIRONMENT_MAX_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you have provided "
            f"exceeded the 4KB limit. String measured: {measured}"
        )


def _check_zip_file(code: dict[str, Any]) -> None:
    # ZipFile is the base64 of the archive; Lambda unzips it when it stores the function.
    if code.get("ZipFile") is None:
        return
    try:
        data = base64.b64decode(code["ZipFile"], validate=True)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            damaged = archive.testzip()
    except (binascii.Error, ValueError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        damaged = "archive"
    if damaged is not None:
        raise InvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.")


# --- configuration fields moto ignores ----------------------------------------------------------

# Fields moto neither stores nor returns; AWS returns them once set, and an empty value removes them.
EXTRA_FIELDS: dict[str, Callable[[Any], bool]] = {
    "DeadLetterConfig": lambda v: bool(v and v.get("TargetArn")),
    "KMSKeyArn": bool,
    "FileSystemConfigs": bool,
}


def _apply_extra_configuration(fn: LambdaFunction, body: dict[str, Any]) -> None:
    """Stores what CreateFunction or UpdateFunctionConfiguration sets that moto would drop."""
    extra: dict[str, Any] = dict(getattr(fn, EXTRA_CONFIG, None) or {})  # a copy: published versions share the old one
    for field, is_set in EXTRA_FIELDS.items():
        if field in body:
            if is_set(body[field]):
                extra[field] = body[field]
            else:
                extra.pop(field, None)
    # moto answers SnapStart None always; a published version of a function that applies it on
    # published versions is optimized ("On"), $LATEST never is. (AWS refuses SnapStart on runtimes
    # that lack it; which those are is not published as data, so the emulator does not check.)
    if "SnapStart" in body:
        apply_on = (body["SnapStart"] or {}).get("ApplyOn", "None")
        if apply_on == "None":
            extra.pop("SnapStart", None)
        else:
            extra["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "Off"}
    setattr(fn, EXTRA_CONFIG, extra)
    # moto keeps an image function's overrides from CreateFunction only.
    if "ImageConfig" in body and fn.package_type == "Image":
        fn.image_config = ImageConfig(body["ImageConfig"] or {})
    # moto reads these two on create only.
    if "EphemeralStorage" in body:
        fn.ephemeral_storage = body["EphemeralStorage"]["Size"]
    if "TracingConfig" in body:
        fn.tracing_config = body["TracingConfig"]


def _install_configuration_fields() -> None:
    # GetFunction reports a reserved concurrency of 0 too (moto leaves out any falsy value).
    def make_get_code(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_code(self: LambdaFunction) -> dict[str, Any]:
            response = original(self)
            if self.reserved_concurrency is not None and "Concurrency" not in response:
                response["Concurrency"] = {"ReservedConcurrentExecutions": int(self.reserved_concurrency)}
            return response

        return get_code

    _patch(LambdaFunction, "get_code", make_get_code)


# --- RevisionId: tags and the resource-based policy ----------------------------------------------
#
# The API reference says of FunctionConfiguration.RevisionId only "The latest updated revision of
# the function or alias", of GetPolicy's "A unique identifier for the current revision of the
# policy", and of AddPermission's and RemovePermission's RevisionId "Update the policy only if the
# revision ID matches the ID that's specified". What AWS does was recorded by LocalStack's tests
# run against AWS (github.com/localstack/localstack, tests/aws/services/lambda_/test_lambda_api.py
# and its .snapshot.json):
#
# - TestLambdaTags::test_tag_lifecycle (validated 2025-11-25): GetFunction after each TagResource
#   and UntagResource shows a new RevisionId, with LastUpdateStatus Successful (no update runs);
# - TestLambdaRevisions::test_function_revisions_permissions (validated 2024-04-10): then,
#   AddPermission and RemovePermission changed the function's RevisionId and GetPolicy's
#   RevisionId was the function's, and a wrong RevisionId said "Call the GetFunction/GetAlias API
#   to retrieve the latest Revision Id". Recorded again 2025-11-25, AWS's answer had become "...
#   Call the GetPolicy API to retrieve the latest Revision Id" and the test failed at the next step
#   (AddPermission with the function's RevisionId), so LocalStack skips it since ("The API on AWS
#   has changed significantly"): the policy has its own revision now, and whether a permission
#   still changes the function's RevisionId is not known.
#
# - TestLambdaRevisions::test_function_revisions_basic and ..._version_and_alias (validated
#   2025-11-25): the RevisionId also changes when a new function becomes Active, when an update
#   completes (InProgress to Successful) and, for $LATEST, with PublishVersion. This emulator does
#   not model those: test/integration/emulator-lambda.test.ts expects the RevisionId an update
#   returned to stay once it completes.
#
# So here: TagResource and UntagResource give the function a new RevisionId; AddPermission and
# RemovePermission give the policy a new RevisionId and leave the function's alone, so that a
# client cannot come to rely on the function's RevisionId to notice a changed policy, which AWS
# does not promise.

POLICY_REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"
)


def _install_revisions() -> None:
    def make_tagging(original: Callable[..., Any]) -> Callable[..., Any]:
        def tagging(self: LambdaBackend, resource_arn: str, *args: Any, **kwargs: Any) -> None:
            original(self, resource_arn, *args, **kwargs)
            resource = self._get_resource_by_arn(resource_arn)
            if isinstance(resource, LambdaFunction):
                setattr(resource, REVISION_ID, str(uuid.uuid4()))

        return tagging

    _patch(LambdaBackend, "tag_resource", make_tagging)
    _patch(LambdaBackend, "untag_resource", make_tagging)

    def make_add_statement(original: Callable[..., Any]) -> Callable[..., Any]:
        def add_statement(self: Policy, raw: str, qualifier: str | None = None) -> Any:
            revision = json.loads(raw).get("RevisionId")
            if revision and revision != self.revision:
                raise PreconditionFailedException(POLICY_REVISION_MISMATCH)
            return original(self, raw, qualifier)

        return add_statement

    def make_del_statement(original: Callable[..., Any]) -> Callable[..., Any]:
        def del_statement(self: Policy, sid: str, revision: Any = "") -> None:
            # moto's handler passes the query parameter's list of values.
            revision = (revision[0] if revision else "") if isinstance(revision, list) else (revision or "")
            if revision and revision != self.revision:
                raise PreconditionFailedException(POLICY_REVISION_MISMATCH)
            original(self, sid)
            self.revision = str(uuid.uuid4())

        return del_statement

    _patch(Policy, "add_statement", make_add_statement)
    _patch(Policy, "del_statement", make_del_statement)


# --- ListFunctions -------------------------------------------------------------------------------
#
# "Lambda returns up to 50 functions per call"; MaxItems (model: 1-10000) "Note that ListFunctions
# returns a maximum of 50 items in each response, even if you set the number higher"; FunctionVersion
# is ALL or absent. The order is not documented: here by name (then $LATEST before the versions in
# number order), and NextMarker names the last function returned, so that a function deleted or
# created between two pages neither shifts nor repeats the others. A Marker the emulator did not
# give is an InvalidParameterValueException (AWS's answer to that is not documented).
#
# AWS's ListFunctions leaves out State, StateReason(Code), LastUpdateStatus(Reason, ReasonCode) and
# RuntimeVersionConfig ("To get the additional fields ... use GetFunction"); this emulator still
# returns them, because test/integration/emulator-lambda.test.ts reads State from ListFunctions.

LIST_FUNCTIONS_PAGE = 50
LIST_FUNCTIONS_MAX_ITEMS = (1, 10000)
FUNCTION_VERSIONS = ("ALL",)
MARKER_PREFIX = "forge1:ListFunctions:"


class ValidationException(LambdaClientError):
    def __init__(self, errors: list[str]):
        count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
        super().__init__("ValidationException", f"{count}: {'; '.join(errors)}")


def _function_key(fn: LambdaFunction) -> tuple[str, int]:
    version = str(fn.version)
    return fn.function_name, (int(version) if version.isdigit() else 0)


def _functions_marker(key: tuple[str, int]) -> str:
    return base64.urlsafe_b64encode(f"{MARKER_PREFIX}{key[1]}:{key[0]}".encode()).decode()


def _functions_after(marker: str) -> tuple[str, int]:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        if not text.startswith(MARKER_PREFIX):
            raise ValueError(marker)
        version, _, name = text[len(MARKER_PREFIX):].partition(":")
        return name, int(version)
    except (binascii.Error, UnicodeError, ValueError):
        raise InvalidParameterValueException("The marker is not valid.")


def _install_list_functions() -> None:
    def list_functions(self: LambdaResponse) -> str:
        query = self.querystring
        version = (query.get("FunctionVersion") or [None])[0]
        max_items = (query.get("MaxItems") or [None])[0]
        marker = (query.get("Marker") or [None])[0]
        errors = []
        if version is not None and version not in FUNCTION_VERSIONS:
            errors.append(f"Value '{version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(FUNCTION_VERSIONS)}]")
        if max_items is not None:
            low, high = LIST_FUNCTIONS_MAX_ITEMS
            if not max_items.lstrip("-").isdigit():
                errors.append(f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must be a number")
            elif int(max_items) < low:
                errors.append(f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to {low}")
            elif int(max_items) > high:
                errors.append(f"Value '{max_items}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to {high}")
        if errors:
            raise ValidationException(errors)
        after = _functions_after(marker) if marker else None
        functions = sorted(self.backend.list_functions(version), key=_function_key)
        remaining = [fn for fn in functions if after is None or _function_key(fn) > after]
        size = min(int(max_items) if max_items is not None else LIST_FUNCTIONS_PAGE, LIST_FUNCTIONS_PAGE)
        page = remaining[:size]
        result: dict[str, Any] = {"Functions": [fn.get_configuration() for fn in page]}
        if len(remaining) > size:
            result["NextMarker"] = _functions_marker(_function_key(page[-1]))
        return json.dumps(result)

    LambdaResponse.list_functions = list_functions  # type: ignore[method-assign]
