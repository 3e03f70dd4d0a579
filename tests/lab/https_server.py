#!/usr/bin/env python3
"""MTA-STS policy host for the test lab: HTTPS on ADDRESS:443 serving one
policy at /.well-known/mta-sts.txt (RFC 8461 §3.3); anything else is 404.

    https_server.py ADDRESS CERT_AND_KEY_PEM POLICY_FILE
"""
import http.server
import ssl
import sys

address, pem, policy_file = sys.argv[1:4]
with open(policy_file, "rb") as f:
    POLICY = f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/.well-known/mta-sts.txt":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(POLICY)))
        self.end_headers()
        self.wfile.write(POLICY)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


server = http.server.ThreadingHTTPServer((address, 443), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(pem)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
