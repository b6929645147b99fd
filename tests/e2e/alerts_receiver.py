#!/usr/bin/env python3
"""A webhook receiver for the alert tests: records every POST on loopback.

  alerts_receiver.py --port-file F --out BODIES [--log REQUESTS] [--fail-first N] [--fail-status S]
                     [--hang] [--max-seconds T]

Binds 127.0.0.1 on a free port and writes the port to F once it listens. Each POST body is
appended to BODIES as one line (only those answered 2xx); REQUESTS gets one JSON line per request
(path, status, Authorization header). The first N POSTs are answered with status S (default 500);
with --hang no request is ever answered. Stops by itself after --max-seconds (default 120).
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--log")
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--fail-status", type=int, default=500)
    ap.add_argument("--hang", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                seen[0] += 1
                n = seen[0]
            if args.hang:
                time.sleep(args.max_seconds)
                return
            status = args.fail_status if n <= args.fail_first else 200
            with lock:
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(json.dumps({"path": self.path, "status": status,
                                            "authorization": self.headers.get("Authorization", ""),
                                            "content_type": self.headers.get("Content-Type", "")}) + "\n")
                if status < 300:
                    with open(args.out, "ab") as f:
                        f.write(body.replace(b"\n", b" ") + b"\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    threading.Timer(args.max_seconds, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
