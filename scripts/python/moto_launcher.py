"""moto's server for StepConf: Step Functions' state machines created through CloudFormation are routed to the
backend of the account and region they name, and executions are not deep-copied (they hold the emulator's
connections), so moto's engine runs the generated state machines against the Lambda emulator (MOTO_PORT). Two fixes (moto 5.2):
- its StartExecution deep-copies the state machine, executions included, and an execution (running or done) holds
  a thread lock that cannot be copied, so the second execution of a server fails with HTTP 500. The copy only
  needs the definition: executions are shared instead of copied;
- CloudFormation creates state machines in the plain Step Functions backend, while StartExecution looks in the
  executing one once `execute_state_machine` is on, so a stack's state machines "do not exist". The three
  CloudFormation handlers of `StateMachine` are rebound to the backend the API uses.
And one fidelity fix: DynamoDB applies each item write atomically (a conditional update tests and writes in one
step), while moto's threaded server lets two requests interleave, so racing configurators could lose a write that
DynamoDB would keep. Item reads and writes are serialized (`atomic_items`).

    moto_launcher.py -H HOST -p PORT     moto's own server, as `moto_server` takes its options
    moto_launcher.py --ephemeral         a threaded server on a free loopback port: prints the port, stops when
                                         stdin closes (benchmarks)
"""
import sys, types


def atomic_items():
    """Serializes moto's DynamoDB item operations, as DynamoDB applies each one atomically."""
    try:
        import functools, threading
        from moto.dynamodb.models import DynamoDBBackend
    except ImportError:
        return
    lock = threading.RLock()
    for name in ("get_item", "put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_stepconf_atomic", False):
            continue
        def locked(original=original):
            @functools.wraps(original)
            def call(self, *args, **kwargs):
                with lock:
                    return original(self, *args, **kwargs)
            call._stepconf_atomic = True
            return call
        setattr(DynamoDBBackend, name, locked())


def patch():
    atomic_items()
    try:
        from moto.stepfunctions.parser.backend.execution import Execution
        Execution.__deepcopy__ = lambda self, memo: self
    except ImportError:
        pass
    try:
        import moto.stepfunctions.models as sfn
        from moto.stepfunctions.responses import get_backend
        class Routed:
            def __getitem__(self, account):
                return RoutedAccount(account)
        class RoutedAccount:
            def __init__(self, account):
                self.account = account
            def __getitem__(self, region):
                return get_backend(self.account, region)
        for name in ("create_from_cloudformation_json", "delete_from_cloudformation_json", "update_from_cloudformation_json"):
            f = getattr(sfn.StateMachine, name).__func__
            scope = dict(f.__globals__, stepfunctions_backends=Routed())
            setattr(sfn.StateMachine, name, classmethod(types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__, f.__closure__)))
    except (ImportError, AttributeError):
        pass


def serve_ephemeral():
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    patch()
    if sys.argv[1:] == ["--ephemeral"]:
        serve_ephemeral()
    else:
        from moto.server import main
        main(sys.argv[1:])
