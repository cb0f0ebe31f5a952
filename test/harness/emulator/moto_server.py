"""The test bed's AWS emulator: moto in server mode on 127.0.0.1.

Prints ``MOTO_PORT=<port>`` on stdout once it accepts connections, and exits on SIGTERM or SIGINT,
or when its stdin closes (so it never outlives the process that started it; a stdin of /dev/null
therefore means: exit at once).

Everything this project changes in moto's behaviour is in ``configure_moto``.
"""

import functools
import logging
import os
import signal
import sys

# Read by moto when it creates a backend; set before moto is imported.
# AWS managed policies (arn:aws:iam::aws:policy/...) exist, as in a real account.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
# Lambda code given as S3Bucket/S3Key must exist in the emulated S3, as in a real account.
os.environ.setdefault("VALIDATE_LAMBDA_S3", "true")

from moto.core.config import default_user_config  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402


def serve_faster() -> None:
    """Takes moto's server plumbing off the path of every request (profiled with py-spy while
    1,000 roles converged: this plumbing cost more than the AWS operations themselves)."""
    from moto import backends

    # A thread turning a page of 1,000 roles into XML keeps the interpreter lock for 5 ms (Python's
    # default) each time a request thread gives it up for I/O, so a GetRole answered meanwhile
    # waited that long per socket read or write: 70 ms where it takes 10 on its own.
    sys.setswitchinterval(0.0005)
    # moto's dispatcher lists its package directory (and stats each entry) on every request to
    # match the Host header; the directory does not change while it runs.
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = functools.cache(lambda: modules)
    # One log line per request, written under a lock by every request thread; the recorder keeps
    # each call already.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # moto's backends are not thread-safe: each request holds the locks of the backends it may
    # touch (service_locks.py). The fault and authorizer wrappers, installed after this, stay
    # outside them, so a request a fault holds holds no other.
    from moto.moto_api._internal.recorder.models import Recorder
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    import service_locks

    dispatch = DomainDispatcherApplication.__call__

    def locked(self, environ, start_response):  # type: ignore[no-untyped-def]
        with service_locks.holding(service_locks.locks_for(environ)):
            return dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = locked  # type: ignore[method-assign]

    record = Recorder._record_request

    def record_one_at_a_time(self, request, body=None):  # type: ignore[no-untyped-def]
        with service_locks.RECORDER:
            return record(self, request, body)

    Recorder._record_request = record_one_at_a_time  # type: ignore[method-assign]


def configure_moto() -> None:
    """Adjusts moto before the server starts."""
    # What moto lacks or does differently from AWS, each in a module of its own beside this file.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    serve_faster()
    # Lambda functions are stored and described without Docker; Invoke returns a canned
    # result instead of running the code (moto's "simple" Lambda backend).
    default_user_config["lambda"]["use_docker"] = False
    import agentcore_ext  # noqa: E402
    import authorizer_ext  # noqa: E402
    import bedrock_agent_ext  # noqa: E402
    import bedrock_flow_ext  # noqa: E402
    import bedrock_prompt_ext  # noqa: E402
    import bedrock_guardrail_ext  # noqa: E402
    import faults_ext  # noqa: E402
    import iam_ext  # noqa: E402
    import lambda_code_signing_ext  # noqa: E402
    import lambda_ext  # noqa: E402

    bedrock_agent_ext.install()
    bedrock_flow_ext.install()
    bedrock_prompt_ext.install()
    bedrock_guardrail_ext.install()
    agentcore_ext.install()
    iam_ext.install()
    lambda_ext.install()
    lambda_code_signing_ext.install()
    faults_ext.install()
    authorizer_ext.install()


def run_until_stop_requested() -> None:
    """Returns when stdin reaches end of file; exits at once on SIGTERM or SIGINT."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: os._exit(0))
    while os.read(sys.stdin.fileno(), 4096):
        pass


def main() -> None:
    configure_moto()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    print(f"MOTO_PORT={port}", flush=True)
    run_until_stop_requested()
    # No graceful shutdown: moto keeps nothing worth saving, and its server thread is a daemon.
    os._exit(0)


if __name__ == "__main__":
    main()
