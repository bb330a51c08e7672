"""``python -m tests.lti.loopback --port N``: serve the loopback LMS on 127.0.0.1.

A thread per request (the standard library's WSGI server with ThreadingMixIn): a
launch in the browser and a service request from the tool may overlap, and the
state is one process's memory. Prints "Listening at" once the socket is bound.
"""

import argparse
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("platform: " + (format % args) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    from django.core.wsgi import get_wsgi_application

    from tests.lti.loopback import app

    app.BASE_URL = f"http://127.0.0.1:{port}"
    app.state_reset({})
    server = make_server(
        "127.0.0.1",
        port,
        get_wsgi_application(),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    print(f"Listening at: {app.BASE_URL}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
