"""The conformance app serving HTTPS and WSS itself (--tls-cert/--tls-key, spec part E), driven
by Debian's python3-socketio client through a requests session that trusts only a CA this test
makes with the openssl command line (Debian's openssl package). python-engineio verifies the
polling requests with requests' `verify` and the websocket with websocket-client's `ca_certs`,
both from the session.

    cd tests/e2e/python
    CORIO_CONFORMANCE_APP=../../../build/apps/conformance/corio_conformance \\
        /usr/bin/python3 -m unittest -v test_tls
"""

import os
import shutil
import subprocess
import tempfile
import unittest

import requests
import socketio.exceptions

from test_echo_app import NESTED, WAIT_S, App, Client, eventually

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


class TlsTest(unittest.TestCase):
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

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def session(self, verify):
        s = requests.Session()
        s.verify = verify
        # Otherwise REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE from the environment (set on many
        # machines) would override the session's CA for every request.
        s.trust_env = False
        return s

    def client(self, transports, verify=None, connect=True):
        c = Client(self.app, transports=transports, connect=False,
                   http_session=self.session(verify or self.ca.ca_file))
        self.clients.append(c)
        if connect:
            c.connect()
        return c

    def test_echo_over_each_transport(self):
        for name, transports in TRANSPORTS.items():
            with self.subTest(name):
                c = self.client(transports)
                (welcome,) = c.wait_for("welcome")[0]
                self.assertEqual(welcome["sid"], c.sio.get_sid("/"))
                self.assertEqual(c.call("echo", "text", 42, NESTED, b"\x00\x01\xff"),
                                 ["text", 42, NESTED, b"\x00\x01\xff"])
                big = "x" * 100_000  # several TLS records
                self.assertEqual(c.call("echo", big), [big])
                final = "polling" if transports == ["polling"] else "websocket"
                eventually(f"the {final} transport", c.sio.transport, lambda t: t == final)
                self.assertEqual(c.call("echo", "after"), ["after"])
                c.close()

    def test_a_client_that_does_not_trust_the_certificate_is_refused(self):
        for transports in (["polling"], ["websocket"]):
            with self.subTest(transports[0]):
                # requests' own CA bundle (verify=True): the test's CA is not in it.
                c = self.client(transports, verify=True, connect=False)
                with self.assertRaises(socketio.exceptions.ConnectionError):
                    c.connect(wait_timeout=WAIT_S)


if __name__ == "__main__":
    unittest.main()
