"""Traffic from Debian's python3-socketio client for capture.mjs: the echo app at URL
(/echo.io/), over polling, WebSocket and the upgrade. Usage: python_client.py URL.
Every call is bounded (call() has a timeout); exits non-zero on a failure."""

import sys

import socketio

SAMPLES = [
    "hello",
    "héllo ✓ 😀",
    0,
    -1.5,
    1e21,
    2**53 + 2,
    True,
    None,
    [1, [2, [3]]],
    {"a": {"b": [None, False]}, "c": "d\"e"},
    b"\x00\x01\xfe\xff",
    {"bin": b"binary", "list": [b"", b"x"]},
]


def session(url, transports):
    client = socketio.Client(reconnection=False)
    client.on("question", lambda *args: args[0] if args else "answer")
    client.connect(url, socketio_path="echo.io", transports=transports, auth={"token": "python"},
                   namespaces=["/", "/dyn-py"], wait_timeout=5)
    for sample in SAMPLES:
        client.call("echo", sample, timeout=5)
    client.call("echo", ("several", 1, b"three"), timeout=5)
    client.call("join", "py-room", timeout=5)
    client.call("to_room", ("py-room", "relay", {"x": 1}), timeout=5)
    client.call("rooms", timeout=5)
    client.call("ask", ("what?", b"\x09\x08"), timeout=5)
    client.call("echo", {"dynamic": True}, namespace="/dyn-py", timeout=5)
    client.emit("echo", "no ack wanted")
    client.disconnect()


def main():
    url = sys.argv[1]
    for transports in (["polling"], ["websocket"], ["polling", "websocket"]):
        session(url, transports)


if __name__ == "__main__":
    main()
