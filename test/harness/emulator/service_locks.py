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

IAM's reads share its lock (a reader-writer lock that lets a waiting write go first): a page of
1,000 roles takes a second or more, and real IAM answers a GetRole meanwhile. The two role listings
(``SELF_LOCKING``) hold it only while they pick and copy their page (``iam_ext._detached``), not
while the page is turned into XML: a write waited behind each page in flight, and every read behind
that write, so at 10,000 roles a role applied waited a quarter of a second per IAM call.
"""

import io
import re
import threading
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator
from urllib.parse import parse_qs


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


# The signing names of the services the operator calls (bedrock-agent signs as "bedrock").
LOCKS = {name: ReadWriteLock() for name in ("bedrock", "bedrock-agentcore", "iam", "lambda", "s3", "sts")}

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


def _iam_action(environ: dict[str, Any]) -> str:
    """The Action of a query-protocol request; the body is put back for moto to read."""
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return action[0]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return (parse_qs(body.decode("utf-8", "replace")).get("Action") or [""])[0]


# IAM actions whose handlers take the IAM lock themselves, for part of the request.
SELF_LOCKING = frozenset({"GetAccountAuthorizationDetails", "ListRoles"})


def locks_for(environ: dict[str, Any]) -> dict[str, str]:
    """The locks a request holds, each "read" or "write"."""
    service = service_of(environ)
    if service not in LOCKS:
        return {name: "write" for name in LOCKS}
    if service == "iam":
        action = _iam_action(environ)
        if action in SELF_LOCKING:
            return {}
        return {"iam": "read" if action.startswith(("Get", "List")) else "write"}
    held = {service: "write"}
    for other in READS_TOO.get(service, ()):
        held[other] = "read"
    if environ.get("REQUEST_METHOD", "GET") != "GET":
        for other in WRITES_READ_TOO.get(service, ()):
            held[other] = "read"
    return held


@contextmanager
def holding(held: dict[str, str]) -> Iterator[None]:
    """Holds the locks, taken in sorted order."""
    with ExitStack() as stack:
        for name in sorted(held):
            lock = LOCKS[name]
            stack.enter_context(lock.reading() if held[name] == "read" else lock.writing())
        yield


# moto's request recorder appends each request to a file in two writes; requests of different
# services now record at the same time.
RECORDER = threading.Lock()
