"""Which requests of the emulator may run at the same time.

moto's backends are not thread-safe: IAM's get_role iterates the roles while another request adds
one ("dictionary changed size during iteration", answered as an HTML 500). One lock for every
request made that impossible, but a page of 1,000 roles (a second or more) then held every other
service's requests: at 10,000 resources, Agents waited behind the role listings and converged
five times slower than before. So a request holds the lock of the service it is signed for, and
of each service whose backend that service's operations read: Lambda's writes read the role (IAM)
and the code's object (S3), STS reads IAM, AgentCore reads Bedrock's knowledge bases. A request
that names no service this module knows (moto's own /moto-api/ endpoints: reset, the recorder)
holds every lock. Locks are always taken in the same order, so no two requests wait for each other.
"""

import re
import threading
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator

# The signing names of the services the operator calls (bedrock-agent signs as "bedrock").
LOCKS = {name: threading.Lock() for name in ("bedrock", "bedrock-agentcore", "iam", "lambda", "s3", "sts")}

READS_TOO = {
    "bedrock-agentcore": ("bedrock",),
    "sts": ("iam",),
}
# Only writes: a Lambda read never looks at the role or the code's object.
WRITES_READ_TOO = {"lambda": ("iam", "s3")}

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def service_of(environ: dict[str, Any]) -> str | None:
    """The service a request is signed for, from its Authorization header."""
    match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def names_for(environ: dict[str, Any]) -> list[str]:
    service = service_of(environ)
    if service not in LOCKS:
        return sorted(LOCKS)
    names = {service, *READS_TOO.get(service, ())}
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        names.update(WRITES_READ_TOO.get(service, ()))
    return sorted(names)


@contextmanager
def holding(names: list[str]) -> Iterator[None]:
    """Holds the named locks, taken in sorted order."""
    with ExitStack() as stack:
        for name in sorted(names):
            stack.enter_context(LOCKS[name])
        yield


# moto's request recorder appends each request to a file in two writes; requests of different
# services now record at the same time.
RECORDER = threading.Lock()
