#!/usr/bin/env python3
"""The smallest webhook receiver for wf alerts: prints each alert it is POSTed, one line each.

  python3 receiver.py [PORT]        (default 8765; listens on 127.0.0.1 only)

Point wf-run at it with --alert-webhook http://127.0.0.1:PORT/alerts. Answers 204 to a JSON
object, 400 to anything else. Stop it with Ctrl-C.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            alert = json.loads(body)
            line = "{time} {severity:8} {workflow}/{task} [{kind}] {message}".format(**alert)
        except (ValueError, KeyError, TypeError):
            self.send_response(400)
            self.end_headers()
            return
        print(line, flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    print(f"listening on http://127.0.0.1:{port}/", file=sys.stderr, flush=True)
    try:
        HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    except KeyboardInterrupt:
        pass
