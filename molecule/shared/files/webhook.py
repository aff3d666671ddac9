"""Appends the body of every POST to a file, one line per request."""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

HOST, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(LOG, "ab") as out:
            out.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.end_headers()


HTTPServer((HOST, PORT), Handler).serve_forever()
