"""The conformance app's echo app (/echo.io/, spec: conformance-app.md part C) driven by
Debian's python3-socketio client (5.7.2).

Run with /usr/bin/python3 (the Debian interpreter that has python3-socketio,
python3-websocket and python3-requests; scripts/setup installs them):

    cd tests/e2e/python
    CORIO_CONFORMANCE_APP=../../../build/apps/conformance/corio_conformance \\
        /usr/bin/python3 -m unittest -v

Every wait is bounded (threading.Condition / Event with timeouts); nothing sleeps and hopes.
"""

import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest
import uuid
import warnings

try:
    import engineio
    import socketio
    import socketio.exceptions
    import websocket  # noqa: F401  websocket-client: python-engineio's websocket transport
    import requests  # noqa: F401  python-engineio's polling transport
except ImportError as missing:
    raise ImportError(
        f"{sys.executable} cannot import {missing.name!r}: the Python end-to-end tests need "
        "Debian's python3-socketio, python3-engineio, python3-websocket and python3-requests, run with "
        "/usr/bin/python3. Run scripts/setup (it installs them) and try again."
    ) from missing

ECHO_PATH = "echo.io"
MAX_PAYLOAD = 1_000_000
STARTUP_S = 10.0
WAIT_S = 5.0
REFUSAL_WAIT_S = 2.0
ADMIN_AUTH = {"token": "secret"}


def setUpModule():
    # python-engineio 4.3.4 leaves its HTTP and websocket sockets to the garbage collector.
    warnings.filterwarnings("ignore", category=ResourceWarning)


class App:
    """The conformance app on a free port; its output is kept to explain failures. `args` are
    extra command-line arguments; `scheme` is the URL's ("https" with --tls-cert)."""

    def __init__(self, args=(), scheme="http"):
        path = os.environ.get("CORIO_CONFORMANCE_APP")
        if not path:
            raise RuntimeError(
                "conformance app unknown: set CORIO_CONFORMANCE_APP=<path to corio_conformance> "
                "(ctest does)"
            )
        if not os.path.exists(path):
            raise RuntimeError(f"conformance app not found at {path}: build it first (scripts/build)")
        self.tail = collections.deque(maxlen=50)
        self.proc = subprocess.Popen(
            [path, "--port", "0", "--host", "127.0.0.1", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, killed as a whole
        )
        listening = threading.Event()
        self.port = None

        def read(stream, name):
            for line in stream:
                line = line.rstrip("\n")
                self.tail.append(f"[{name}] {line}")
                m = re.match(r"^listening on (.+):(\d+)\s*$", line)
                if name == "stdout" and m and self.port is None:
                    self.port = int(m.group(2))
                    listening.set()

        for stream, name in ((self.proc.stdout, "stdout"), (self.proc.stderr, "stderr")):
            threading.Thread(target=read, args=(stream, name), daemon=True).start()
        if not listening.wait(STARTUP_S):
            self.stop()
            raise RuntimeError(
                f"no 'listening on' line from {path} within {STARTUP_S} s; output:\n" + self.output()
            )
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def output(self):
        return "\n".join(self.tail)

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(3)
            except ProcessLookupError:
                pass
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


class InOrderEngineIOClient(engineio.Client):
    """Debian's python-engineio 4.3 hands each message to python-socketio in a thread of its
    own, so a binary packet's attachment can be decoded before its header, as a packet of its
    own ("invalid literal for int()", an ack never seen). Here the reading thread hands the
    messages over one by one, in arrival order."""

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderSocketIOClient(socketio.Client):
    """socketio.Client on InOrderEngineIOClient, with each event's handler in a thread of its
    own as before: a handler that waits for the server (a question answered by a call) does not
    stop the reading."""

    def _engineio_client_class(self):
        return InOrderEngineIOClient

    def _handle_event(self, namespace, id, data):
        self.start_background_task(super()._handle_event, namespace, id, data)


class Client:
    """A socketio.Client (reconnection off) recording every event of the given namespaces,
    in arrival order, as (namespace, event, args)."""

    def __init__(self, app, namespaces=("/",), transports=None, auth=None, answer=None, connect=True,
                 http_session=None):
        self.sio = InOrderSocketIOClient(reconnection=False, request_timeout=WAIT_S, http_session=http_session)
        self.log = []
        self._cond = threading.Condition()
        self.namespaces = list(namespaces)
        for nsp in self.namespaces:
            self._record(nsp)
        if answer is not None:
            self.sio.on("question", answer, namespace="/")
        self.app = app
        self.transports = transports
        self.auth = auth
        if connect:
            self.connect()

    def _record(self, nsp):
        def push(event, *args):
            with self._cond:
                self.log.append((nsp, event, args))
                self._cond.notify_all()

        self.sio.on("connect", lambda: push("connect"), namespace=nsp)
        self.sio.on("disconnect", lambda: push("disconnect"), namespace=nsp)
        self.sio.on("connect_error", lambda *data: push("connect_error", *data), namespace=nsp)
        self.sio.on("*", push, namespace=nsp)

    def connect(self, wait_timeout=WAIT_S):
        self.sio.connect(
            self.app.url,
            socketio_path=ECHO_PATH,
            transports=self.transports,
            namespaces=self.namespaces,
            auth=self.auth,
            wait_timeout=wait_timeout,
        )

    def refused(self):
        """Connects expecting a refusal. python-socketio's connect() keeps waiting for
        `wait_timeout` after the CONNECT_ERROR, so a short one keeps this fast."""
        try:
            self.connect(wait_timeout=REFUSAL_WAIT_S)
        except socketio.exceptions.ConnectionError as refused:
            return refused
        raise AssertionError(f"{self.namespaces} connected but must be refused")

    def events(self, event, nsp="/"):
        with self._cond:
            return [args for (n, e, args) in self.log if n == nsp and e == event]

    def names(self, nsp="/"):
        with self._cond:
            return [e for (n, e, _) in self.log if n == nsp]

    def wait_for(self, event, nsp="/", count=1, timeout=WAIT_S):
        """The argument tuples of the first `count` `event`s on `nsp`, waiting at most `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [args for (n, e, args) in self.log if n == nsp and e == event]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out after {timeout} s waiting for {count} '{event}' on {nsp} "
                        f"(got {len(found)}; events: {[e for (_, e, _) in self.log][-10:]})"
                    )
                self._cond.wait(left)

    def call(self, event, *args, nsp="/", timeout=WAIT_S):
        """Emits with an ack and returns the ack's arguments as a list (python-socketio's call()
        returns one value, a tuple or None; this undoes that)."""
        done = threading.Event()
        answer = []

        def callback(*data):
            answer.extend(data)
            done.set()

        self.sio.emit(event, data=tuple(args), namespace=nsp, callback=callback)
        if not done.wait(timeout):
            raise AssertionError(f"no ack for '{event}' on {nsp} within {timeout} s")
        return answer

    def close(self):
        try:
            self.sio.disconnect()
        except Exception:  # already gone: nothing to clean up
            pass


def eventually(what, probe, accept, timeout=WAIT_S):
    """Calls probe() until accept(value) holds, at most for `timeout`, 50 ms apart: for server
    state that changes asynchronously (a disconnect reaching the server)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if accept(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last value {value!r}")
        time.sleep(0.05)


class EchoAppTestCase(unittest.TestCase):
    """Starts one app per test class; clients made with client() are closed after each test."""

    @classmethod
    def setUpClass(cls):
        cls.app = App()

    @classmethod
    def tearDownClass(cls):
        cls.app.stop()

    def setUp(self):
        self._clients = []

    def tearDown(self):
        for c in self._clients:
            c.close()

    def client(self, **kwargs):
        c = Client(self.app, connect=False, **kwargs)
        self._clients.append(c)
        c.connect()
        return c

    def assertEcho(self, c, *args, nsp="/"):
        self.assertEqual(c.call("echo", *args, nsp=nsp), list(args))


NESTED = {"z": 1, "a": [1, "two", {"three": [3, True, None]}], "m": {"é": "ü ✓", "n": -1.5}}
TRANSPORTS = {"polling, then upgrade": None, "websocket only": ["websocket"], "polling only": ["polling"]}


class ConnectTest(EchoAppTestCase):
    def test_connect_and_welcome(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(transports=name):
                c = self.client(transports=transports)
                welcome = c.wait_for("welcome")[0]
                sid = c.sio.get_sid("/")
                self.assertEqual(welcome, ({"sid": sid},))
                self.assertEqual(c.names()[:2], ["connect", "welcome"], "welcome right after connect")
                want = "polling" if transports == ["polling"] else "websocket"
                self.assertEqual(c.sio.transport(), want)
                c.close()

    def test_default_transport_upgrades(self):
        c = self.client()
        # python-engineio upgrades during connect() when the server offers websocket.
        self.assertEqual(c.sio.transport(), "websocket")
        self.assertEcho(c, "after upgrade", b"\x01\x02")

    def test_refused_with_bad_token(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(transports=name):
                c = Client(self.app, transports=transports, auth={"token": "bad"}, connect=False)
                self._clients.append(c)
                c.refused()
                self.assertEqual(c.events("connect_error"), [({"message": "unauthorized"},)])
                self.assertEqual(c.events("welcome"), [])
                self.assertFalse(c.sio.connected)

    def test_unknown_namespace_is_refused(self):
        c = Client(self.app, namespaces=["/nowhere"], connect=False)
        self._clients.append(c)
        c.refused()
        self.assertEqual(len(c.events("connect_error", nsp="/nowhere")), 1)


class EchoTest(EchoAppTestCase):
    def test_echo(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(transports=name):
                c = self.client(transports=transports)
                self.assertEcho(c)
                self.assertEcho(c, "hello")
                self.assertEcho(c, NESTED, [NESTED], "s", 2, None, True)
                self.assertEcho(c, b"\x00\x01\xff")
                self.assertEcho(c, {"bin": b"abc", "list": [b"", b"\x02", {"deep": b"\x03"}]}, "t", [b"\x04"])
                self.assertEcho(c, *[bytes([i]) * (i + 1) for i in range(10)])
                self.assertEcho(c, b"", {"e": b""})
                self.assertEcho(c, os.urandom(100_000))
                c.close()

    def test_doubles_and_deep_data(self):
        # Doubles Boost.JSON 1.81 misread (-2.5e-300 came back as -2.5000000000000003e-300),
        # subnormals and the ends of the range: each must come back as the same double. Corio
        # writes integral doubles as JavaScript does (1e+16 as 10000000000000000), which Python
        # reads as an int, so they are compared as floats, by repr.
        doubles = [-2.5e-300, 2.5e-300, -1.23456789e-300, 4.37936164503e-142, 0.1, 0.30000000000000004,
                   1 / 3, 5e-324, -5e-324, 1e-320, 2.2250738585072014e-308, 1.7976931348623157e308,
                   1e21, 1e16, 1.2345678901234568e20, 1e-7, 6.02214076e23]
        # python-socketio's binary check recurses with two Python frames per level, which the
        # default recursion limit (1000) stops near 480 levels; 300 keep a margin. The
        # JavaScript test goes to Corio's limit, 1000.
        deep = "leaf"
        for level in reversed(range(300)):
            deep = [deep] if level % 2 == 0 else {"k": deep}
        for name, transports in (("websocket", ["websocket"]), ("polling", ["polling"])):
            with self.subTest(transports=name):
                c = self.client(transports=transports)
                answer = c.call("echo", doubles, deep)
                self.assertEqual([repr(float(x)) for x in answer[0]], [repr(x) for x in doubles])
                self.assertEqual(answer[1], deep)
                c.close()

    def test_call_returns_the_ack(self):
        c = self.client()
        # python-socketio's call(): one ack argument comes back as itself, several as a tuple.
        self.assertEqual(c.sio.call("echo", "one", timeout=WAIT_S), "one")
        self.assertEqual(c.sio.call("echo", ("a", 1, b"\x05"), timeout=WAIT_S), ("a", 1, b"\x05"))
        self.assertEqual(c.sio.call("echo", [NESTED], timeout=WAIT_S), [NESTED])
        self.assertIsNone(c.sio.call("echo", timeout=WAIT_S))
        self.assertIs(c.sio.call("join", "room-x", timeout=WAIT_S), True)

    def test_rapid_echoes_in_order(self):
        c = self.client(transports=["websocket"])
        # python-engineio hands each message to a thread of its own, so the
        # callbacks may run out of the order the acks came in; what this test
        # checks is the order on the wire, so messages are handled as read.
        trigger = c.sio.eio._trigger_event
        c.sio.eio._trigger_event = lambda event, *args, **kwargs: trigger(event, *args, **{**kwargs, "run_async": False})
        n = 1000
        got = []
        done = threading.Event()

        def make(i):
            def callback(*data):
                got.append(data)
                if len(got) == n:
                    done.set()

            return callback

        for i in range(n):
            c.sio.emit("echo", data=(i,), callback=make(i))
        self.assertTrue(done.wait(30), f"{len(got)} of {n} acks")
        self.assertEqual(got, [(i,) for i in range(n)])

    def test_dynamic_namespace(self):
        c = self.client(namespaces=["/dyn-py"])
        self.assertEcho(c, "dyn", {"b": b"\x09"}, nsp="/dyn-py")
        self.assertEqual(c.events("welcome", nsp="/dyn-py"), [])


class RoomsTest(EchoAppTestCase):
    def test_to_room_reaches_members_but_not_the_sender(self):
        room = f"room-{uuid.uuid4().hex[:8]}"
        a = self.client(transports=["websocket"])
        b = self.client(transports=["polling"])
        self.assertEqual(a.call("join", room), [True])
        self.assertEqual(b.call("join", room), [True])
        self.assertEqual(b.call("join", room + "-marker"), [True])

        self.assertEqual(a.call("to_room", room, "news", {"n": 1, "bin": b"\x01"}, "two"), [True])
        self.assertEqual(b.wait_for("news")[0], ({"n": 1, "bin": b"\x01"}, "two"))
        # a's own copy would have arrived before its to_room ack.
        self.assertEqual(a.events("news"), [])

        rooms = b.call("rooms")[0]
        self.assertEqual(sorted(rooms), sorted([b.sio.get_sid("/"), room, room + "-marker"]))

        self.assertEqual(b.call("leave", room), [True])
        self.assertEqual(a.call("to_room", room, "news", "late"), [True])
        self.assertEqual(a.call("to_room", room + "-marker", "marker"), [True])
        b.wait_for("marker")
        self.assertEqual(len(b.events("news")), 1, "b left the room: no second news")


class AskTest(EchoAppTestCase):
    def test_question_handler_return_value_answers(self):
        questions = []

        def answer(*args):
            questions.append(args)
            return {"reply": args[0]}

        c = self.client(answer=answer)
        self.assertEqual(c.call("ask", "q1", 2), [{"reply": "q1"}])
        self.assertEqual(questions, [("q1", 2)])

    def test_binary_question_and_answer(self):
        c = self.client(answer=lambda *args: args[0])
        self.assertEqual(c.call("ask", b"\x01\x02\x03", "x"), [b"\x01\x02\x03"])
        self.assertEqual(c.call("ask", {"b": b"\x04"}), [{"b": b"\x04"}])

    def test_other_events_are_served_while_ask_waits(self):
        # A natural client: its question handler calls the server before answering.
        holder = {}

        def answer(*args):
            return holder["client"].sio.call("echo", f"echoed {args[0]}", timeout=WAIT_S)

        holder["client"] = c = self.client(answer=answer)
        start = time.monotonic()
        self.assertEqual(c.call("ask", "q", timeout=8), ["echoed q"])
        self.assertLess(time.monotonic() - start, 2.0)

    def test_unanswered_question_times_out(self):
        asked = threading.Event()
        release = threading.Event()

        def silent(*args):
            asked.set()
            # python-socketio acks as soon as the handler returns: hold the answer back until
            # the server has given up (bounded), then let it go late.
            release.wait(10)
            return "too late"

        c = self.client(answer=silent)
        start = time.monotonic()
        try:
            self.assertEqual(c.call("ask", "silence", timeout=8), [{"error": "timeout"}])
        finally:
            release.set()
        self.assertTrue(asked.is_set())
        self.assertGreaterEqual(time.monotonic() - start, 4.75)
        # The late answer is ignored and the connection keeps working.
        self.assertEcho(c, "after the late answer")


class AdminTest(EchoAppTestCase):
    def count(self, admin):
        return admin.call("count", nsp="/admin")[0]

    def test_count_and_namespaces(self):
        admin = self.client(namespaces=["/", "/admin"], auth=ADMIN_AUTH)
        self.assertEqual(sorted(admin.sio.namespaces), ["/", "/admin"])
        self.assertEqual(admin.events("welcome"), [({"sid": admin.sio.get_sid("/")},)])
        self.assertEqual(admin.events("welcome", nsp="/admin"), [])
        eventually("count 1", lambda: self.count(admin), lambda n: n == 1)
        others = [self.client(transports=["websocket"]), self.client(transports=["polling"])]
        self.assertEqual(self.count(admin), 3)
        others[0].close()
        eventually("count 2 after a disconnect", lambda: self.count(admin), lambda n: n == 2)
        # Both namespaces share the one connection: / still echoes.
        self.assertEcho(admin, "still", b"\x01")

    def test_rooms(self):
        admin = self.client(namespaces=["/admin"], auth=ADMIN_AUTH)
        c = self.client()
        eventually("no named room", lambda: admin.call("rooms", nsp="/admin")[0], lambda r: r == [])
        c.call("join", "py-room")
        self.assertEqual(admin.call("rooms", nsp="/admin"), [["py-room"]])
        c.close()
        eventually("py-room gone", lambda: admin.call("rooms", nsp="/admin")[0], lambda r: r == [])

    def test_wrong_auth_is_refused(self):
        for auth in (None, {"token": "wrong"}):
            with self.subTest(auth=auth):
                c = Client(self.app, namespaces=["/admin"], auth=auth, connect=False)
                self._clients.append(c)
                c.refused()
                self.assertEqual(c.events("connect_error", nsp="/admin"), [({"message": "unauthorized"},)])


class DisconnectTest(EchoAppTestCase):
    def test_disconnect_me(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(transports=name):
                c = self.client(transports=transports)
                c.sio.emit("disconnect_me")
                c.wait_for("disconnect")
                self.assertFalse(c.sio.connected)
                # The client closes the Engine.IO connection once no namespace is left.
                eventually(
                    "the Engine.IO connection to close", lambda: c.sio.eio.state, lambda s: s != "connected"
                )

    def test_payload_limit(self):
        big = os.urandom((MAX_PAYLOAD - 10_000) // 2).hex()
        for name, transports in (("websocket", ["websocket"]), ("polling", ["polling"])):
            with self.subTest(transports=name):
                bystander = self.client(transports=["websocket"])
                c = self.client(transports=transports)
                self.assertEqual(c.call("echo", big, timeout=15), [big])

                c.sio.emit("echo", "x" * (MAX_PAYLOAD + 1))
                if name == "websocket":
                    c.wait_for("disconnect", timeout=10)
                # python-engineio 4.3.4 drops a polling session whose POST fails without calling
                # the disconnect handler: its Engine.IO state is what shows the close.
                eventually(
                    "the over-limit client's connection to close",
                    lambda: c.sio.eio.state,
                    lambda s: s != "connected",
                    timeout=10,
                )
                self.assertEcho(bystander, "still served")
                self.assertEqual(bystander.events("disconnect"), [])
                fresh = self.client(transports=transports)
                self.assertEcho(fresh, "new client")


if __name__ == "__main__":
    unittest.main(verbosity=2)
