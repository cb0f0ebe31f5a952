"""Lambda's code signing configurations, which moto lacks, and a function's link to one.

moto 5.2.1 keeps a function's ``CodeSigningConfigArn`` from CreateFunction and answers
GetFunctionCodeSigningConfig with it, but has no code signing configuration itself and no way to
change the link. This module adds, in the wire format of the Lambda API reference:

* CreateCodeSigningConfig, GetCodeSigningConfig, DeleteCodeSigningConfig (refused while a function
  uses it, ResourceConflictException), ListCodeSigningConfigs;
* PutFunctionCodeSigningConfig and DeleteFunctionCodeSigningConfig; CreateFunction and
  PutFunctionCodeSigningConfig refuse a configuration that does not exist
  (CodeSigningConfigNotFoundException, 404).

What it decides where the reference is silent: GetFunctionCodeSigningConfig of a function without
one answers ``CodeSigningConfigArn: ""`` (both members are required in the model). Signatures are
not verified: code is deployed as under ``UntrustedArtifactOnDeployment: Warn`` whatever the policy.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import unquote

import moto.awslambda.urls as lambda_urls
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaBackend
from moto.awslambda.responses import LambdaResponse
from moto.core.utils import iso_8601_datetime_with_nanoseconds
from moto.utilities.utils import get_partition

CONFIGS = "_forge_code_signing_configs"


class CodeSigningConfigNotFound(LambdaClientError):
    code = 404

    def __init__(self, arn: str):
        super().__init__("CodeSigningConfigNotFoundException", f"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}.")


class ConfigInUse(LambdaClientError):
    code = 409

    def __init__(self, arn: str):
        super().__init__("ResourceConflictException", f"The code signing configuration {arn} is used by one or more functions: remove it from them first.")


def _configs(backend: LambdaBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, CONFIGS):
        setattr(backend, CONFIGS, {})
    return getattr(backend, CONFIGS)


def _config(backend: LambdaBackend, arn: str) -> dict[str, Any]:
    found = _configs(backend).get(arn)
    if found is None:
        raise CodeSigningConfigNotFound(arn)
    return found


def _arn_in_path(response: LambdaResponse) -> str:
    return unquote(response.path.split("/code-signing-configs/", 1)[1].rstrip("/"))


def _function_name(response: LambdaResponse) -> str:
    return unquote(response.path.rstrip("/").split("/")[-2])


def create_code_signing_config(self: LambdaResponse) -> Any:
    body = self.json_body
    config_id = f"csc-{secrets.token_hex(9)[:17]}"
    arn = f"arn:{get_partition(self.region)}:lambda:{self.region}:{self.current_account}:code-signing-config:{config_id}"
    config = {
        "CodeSigningConfigId": config_id, "CodeSigningConfigArn": arn, "Description": body.get("Description", ""),
        "AllowedPublishers": body["AllowedPublishers"],
        "CodeSigningPolicies": body.get("CodeSigningPolicies") or {"UntrustedArtifactOnDeployment": "Warn"},
        "LastModified": iso_8601_datetime_with_nanoseconds(),
    }
    _configs(self.backend)[arn] = config
    return 201, {}, json.dumps({"CodeSigningConfig": config})


def get_code_signing_config(self: LambdaResponse) -> Any:
    return 200, {}, json.dumps({"CodeSigningConfig": _config(self.backend, _arn_in_path(self))})


def delete_code_signing_config(self: LambdaResponse) -> Any:
    arn = _arn_in_path(self)
    _config(self.backend, arn)
    if any(getattr(fn, "code_signing_config_arn", None) == arn for fn in self.backend.list_functions()):
        raise ConfigInUse(arn)
    del _configs(self.backend)[arn]
    return 204, {}, ""


def list_code_signing_configs(self: LambdaResponse) -> Any:
    return 200, {}, json.dumps({"CodeSigningConfigs": list(_configs(self.backend).values())})


def put_function_code_signing_config(self: LambdaResponse) -> Any:
    name = _function_name(self)
    arn = self.json_body["CodeSigningConfigArn"]
    _config(self.backend, arn)
    fn = self.backend.get_function(name)
    fn.code_signing_config_arn = arn
    return 200, {}, json.dumps({"CodeSigningConfigArn": arn, "FunctionName": fn.function_name})


def get_function_code_signing_config(self: LambdaResponse) -> Any:
    fn = self.backend.get_function(_function_name(self))
    return 200, {}, json.dumps({"CodeSigningConfigArn": getattr(fn, "code_signing_config_arn", None) or "", "FunctionName": fn.function_name})


def delete_function_code_signing_config(self: LambdaResponse) -> Any:
    self.backend.get_function(_function_name(self)).code_signing_config_arn = None
    return 204, {}, ""


def install() -> None:
    """Patches moto; called once before the server starts (before its URL map is built)."""
    lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/code-signing-configs/?$"] = LambdaResponse.dispatch
    lambda_urls.url_paths[r"{0}/(?P<api_version>[^/]+)/code-signing-configs/(?P<arn>.+)$"] = LambdaResponse.dispatch
    for handler in (
        create_code_signing_config, get_code_signing_config, delete_code_signing_config, list_code_signing_configs,
        put_function_code_signing_config, get_function_code_signing_config, delete_function_code_signing_config,
    ):
        setattr(LambdaResponse, handler.__name__, handler)

    # CreateFunction refuses a configuration that does not exist.
    original_create = LambdaBackend.create_function

    def create_function(self: LambdaBackend, spec: dict[str, Any]) -> Any:
        if spec.get("CodeSigningConfigArn"):
            _config(self, spec["CodeSigningConfigArn"])
        return original_create(self, spec)

    LambdaBackend.create_function = create_function  # type: ignore[method-assign]
