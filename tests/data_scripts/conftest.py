"""A local HTTP server with Range support, bounded to the test session's loopback interface."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Files:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)


def _handler(store: _Files):
    class Handler(BaseHTTPRequestHandler):
        timeout = 5  # a stuck client cannot hold the server

        def log_message(self, *args):  # keep pytest output clean
            pass

        def do_GET(self):
            store.requests.append((self.path, self.headers.get("Range")))
            if self.path == "/redirect/file.bin":
                self.send_response(302)
                self.send_header("Location", "/file.bin")
                self.end_headers()
                return
            name = self.path.lstrip("/")
            ignore_range = name.startswith("norange/")
            data = store.files.get(name.removeprefix("norange/"))
            if data is None:
                self.send_error(404)
                return
            rng = None if ignore_range else self.headers.get("Range")
            if rng:
                start = int(rng.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = data[start:]
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                body = data
                self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def http_files():
    """(base_url, store): put bytes into ``store.files[name]``; GET base_url + name."""
    store = _Files()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(store))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", store
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
