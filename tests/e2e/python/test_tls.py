"""The conformance app serving HTTPS and WSS itself (--tls-cert/--tls-key, spec part E), driven
by Debian's python3-socketio clients, trusting only a CA this test makes with the openssl command
line (Debian's openssl package):

- the asyncio client (socketio.AsyncClient, on python3-aiohttp) over every transport, through an
  aiohttp session whose SSL context trusts that CA;
- the threaded client (socketio.Client) over HTTPS polling, through a requests session that
  trusts it. Not over WSS: python-engineio's threaded client reads and writes its websocket's
  SSL socket from two threads at once, which Python's ssl module does not support, and the
  connection then dies now and then without a close frame (python-socketio#1568,
  python-engineio#461). Polling gives each request a connection of its own.

    cd tests/e2e/python
    CORIO_CONFORMANCE_APP=../../../build/apps/conformance/corio_conformance \\
        /usr/bin/python3 -m unittest -v test_tls
"""

import asyncio
import os
import shutil
import ssl
import subprocess
import tempfile
import unittest
import warnings

import requests
import socketio
import socketio.exceptions

from test_echo_app import ECHO_PATH, NESTED, WAIT_S, App, Client

try:
    import aiohttp  # python-engineio's asyncio client's transports
except ImportError as missing:
    raise ImportError("the TLS tests need Debian's python3-aiohttp, run with /usr/bin/python3: "
                      "run scripts/setup (it installs it) and try again") from missing

def setUpModule():
    # python-engineio 4.3.4 leaves its sessions and sockets to the garbage collector.
    warnings.filterwarnings("ignore", category=ResourceWarning)


NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def openssl(args, cwd):
    try:
        subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)
    except FileNotFoundError as e:
        raise RuntimeError("openssl not found: the TLS tests need Debian's openssl package") from e


class TestCa:
    """A CA made for this run, and one server certificate for 127.0.0.1 it signed."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="corio-e2e-tls-")
        openssl(["req", "-x509", *NEW_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                 "-subj", "/CN=Corio e2e CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"], self.dir)
        with open(os.path.join(self.dir, "server.ext"), "w") as ext:
            ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                      "extendedKeyUsage=serverAuth\nauthorityKeyIdentifier=keyid\n")
        openssl(["req", *NEW_KEY, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=python"], self.dir)
        openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "2",
                 "-days", "2", "-extfile", "server.ext", "-out", "server.crt"], self.dir)
        self.ca_file = os.path.join(self.dir, "ca.crt")
        self.cert = os.path.join(self.dir, "server.crt")
        self.key = os.path.join(self.dir, "server.key")

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


TRANSPORTS = {"polling only (HTTPS)": ["polling"], "websocket only (WSS)": ["websocket"],
              "polling, then the upgrade to WSS": None}
SAMPLE = ("text", 42, NESTED, b"\x00\x01\xff")
BIG = "x" * 100_000  # several TLS records


class AsyncClient:
    """socketio.AsyncClient (reconnection off) over an aiohttp session that trusts `ca_file`
    (None: aiohttp's defaults, the system's CAs), with the echo app's welcome kept."""

    def __init__(self, app, transports, ca_file):
        self.app = app
        self.transports = transports
        self.ca_file = ca_file
        self.sio = None
        self.welcome = None

    async def connect(self):
        session = None
        if self.ca_file:
            trusted = ssl.create_default_context(cafile=self.ca_file)
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusted))
        self.sio = socketio.AsyncClient(reconnection=False, request_timeout=WAIT_S, http_session=session)
        self.welcome = asyncio.get_running_loop().create_future()

        def welcomed(data):
            if not self.welcome.done():
                self.welcome.set_result(data)

        self.sio.on("welcome", welcomed)
        try:
            await self.sio.connect(self.app.url, socketio_path=ECHO_PATH, transports=self.transports,
                                   wait_timeout=WAIT_S)
        except BaseException:
            if session:
                await session.close()
            raise

    async def call(self, event, *args):
        """Emits with an ack; returns the ack's arguments as a list."""
        answer = asyncio.get_running_loop().create_future()
        await self.sio.emit(event, data=args, callback=lambda *data: answer.set_result(list(data)))
        try:
            return await asyncio.wait_for(answer, WAIT_S)
        except asyncio.TimeoutError:
            raise AssertionError(f"no ack for '{event}' within {WAIT_S} s") from None

    async def close(self):
        if self.sio and self.sio.connected:
            await self.sio.disconnect()  # closes the aiohttp session too


async def async_eventually(what, probe, accept, timeout=WAIT_S):
    """eventually() for the asyncio tests: probes 50 ms apart without blocking the loop."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = probe()
        if accept(value):
            return value
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last value {value!r}")
        await asyncio.sleep(0.05)


class TlsTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = TestCa()
        try:
            cls.app = App(args=("--tls-cert", cls.ca.cert, "--tls-key", cls.ca.key), scheme="https")
        except Exception:
            cls.ca.remove()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.app.stop()
        cls.ca.remove()

    async def asyncSetUp(self):
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def async_client(self, transports, ca_file, connect=True):
        c = AsyncClient(self.app, transports, ca_file)
        self.clients.append(c)
        if connect:
            await c.connect()
        return c

    def threaded_client(self, transports, verify, connect=True):
        session = requests.Session()
        session.verify = verify
        # Otherwise REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE from the environment (set on many
        # machines) would override the session's CA for every request.
        session.trust_env = False
        c = Client(self.app, transports=transports, connect=False, http_session=session)
        self.addCleanup(c.close)
        if connect:
            c.connect()
        return c

    async def test_echo_over_each_transport(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(name):
                c = await self.async_client(transports, self.ca.ca_file)
                welcome = await asyncio.wait_for(c.welcome, WAIT_S)
                self.assertEqual(welcome["sid"], c.sio.get_sid("/"))
                self.assertEqual(await c.call("echo", *SAMPLE), list(SAMPLE))
                self.assertEqual(await c.call("echo", BIG), [BIG])
                final = "polling" if transports == ["polling"] else "websocket"
                await async_eventually(f"the {final} transport", c.sio.transport, lambda t: t == final)
                self.assertEqual(await c.call("echo", "after"), ["after"])
                await c.close()

    def test_echo_over_https_polling_with_the_threaded_client(self):
        c = self.threaded_client(["polling"], self.ca.ca_file)
        (welcome,) = c.wait_for("welcome")[0]
        self.assertEqual(welcome["sid"], c.sio.get_sid("/"))
        self.assertEqual(c.call("echo", *SAMPLE), list(SAMPLE))
        self.assertEqual(c.call("echo", BIG), [BIG])
        self.assertEqual(c.sio.transport(), "polling")

    async def test_a_client_that_does_not_trust_the_certificate_is_refused(self):
        for transports in (["polling"], ["websocket"]):
            with self.subTest(f"asyncio client, {transports[0]}"):
                # aiohttp's default context: the system's CAs, without the test's.
                c = await self.async_client(transports, ca_file=None, connect=False)
                with self.assertRaises(socketio.exceptions.ConnectionError):
                    await c.connect()
        with self.subTest("threaded client, polling"):
            # requests' own CA bundle (verify=True): the test's CA is not in it.
            c = self.threaded_client(["polling"], verify=True, connect=False)
            with self.assertRaises(socketio.exceptions.ConnectionError):
                c.connect(wait_timeout=WAIT_S)


if __name__ == "__main__":
    unittest.main()
