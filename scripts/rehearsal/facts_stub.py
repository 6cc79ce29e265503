"""A stand-in for the API Ninjas facts API (the one dependency outside AWS), for the AWS-path
rehearsal: serves GET /v1/facts on 127.0.0.1, answers only the expected X-Api-Key, and
appends every key it is shown to a file, so the rehearsal can prove that the key a learner
stored in SSM reached the generator. Stops after --seconds.

    python3 facts_stub.py --port-file F --keys-file K --expect KEY --seconds N
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--keys-file", required=True)
    parser.add_argument("--expect", required=True)
    parser.add_argument("--seconds", type=int, default=1800)
    args = parser.parse_args()

    class Facts(BaseHTTPRequestHandler):
        def do_GET(self):
            key = self.headers.get("X-Api-Key", "")
            with open(args.keys_file, "a", encoding="utf-8") as keys:
                keys.write(key + "\n")
            if self.path.split("?")[0] != "/v1/facts":
                self.send_error(404)
                return
            if key != args.expect:
                self.send_error(401)
                return
            body = json.dumps([{"fact": "Rehearsals find what reading the README misses."}]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Facts)
    with open(args.port_file, "w", encoding="utf-8") as port_file:
        port_file.write(str(server.server_address[1]))
    threading.Timer(args.seconds, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
