#!/usr/bin/env python3
"""Benchmark: `hisf check` and sslyze over the same lab hosts, in one run.

Reports wall time, connections per host (counted at the server, from the
Postfix log of tests/lab/lab.sh) and whether the two agree on which TLS
versions each host accepts. Loopback only.

    python3 benches/check_vs_sslyze.py        # starts the lab if needed

Needs: the lab (tests/lab/lab.sh), sslyze in target/py (tests/run-all.sh
installs it), and a release build (built here).
"""
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(ROOT, "target", "lab")
LOG = os.path.join(LAB, "postfix.log")
PY = os.path.join(ROOT, "target", "py", "bin", "python")

# (name, ip, port, starttls)
HOSTS = [
    ("mx-modern.lab.test", "127.0.0.11", 25, True),
    ("mx-legacy.lab.test", "127.0.0.12", 25, True),
    ("mx-tls11.lab.test", "127.0.0.13", 25, True),
    ("mx-tls13.lab.test", "127.0.0.14", 25, True),
    ("mx-plain.lab.test", "127.0.0.15", 25, True),
    ("mail-submit.lab.test", "127.0.0.16", 587, True),
    ("mx-expired.lab.test", "127.0.0.17", 25, True),
    ("mx-selfsigned.lab.test", "127.0.0.18", 25, True),
    ("mx-wrongname.lab.test", "127.0.0.19", 25, True),
    ("mx-454.lab.test", "127.0.0.20", 25, True),
    ("mail-submit.lab.test", "127.0.0.16", 465, False),
]


def log_size():
    try:
        return os.path.getsize(LOG)
    except OSError:
        return 0


def connections(since):
    with open(LOG, "rb") as f:
        f.seek(since)
        text = f.read().decode("utf-8", "replace")
    c = Counter()
    for m in re.finditer(r" lab/([0-9.]+:[0-9]+)/smtpd\[\d+\]: connect from ", text):
        c[m.group(1)] += 1
    return c


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t, p


def main():
    started_lab = False
    if not os.path.exists(os.path.join(LAB, "dnsmasq.pid")):
        subprocess.run(["bash", os.path.join(ROOT, "tests/lab/lab.sh"), "start"], check=True)
        started_lab = True
    try:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        hisf = os.path.join(ROOT, "target", "release", "hisf")
        targets = [f"{'smtp' if st else 'smtps'}://{n}:{p}" for n, _, p, st in HOSTS]

        before = log_size()
        hisf_secs, p = timed([hisf, "check", "--format", "json", "--resolver", "127.0.0.1:5353",
                              "--allow-private-targets", "--ca-file", os.path.join(LAB, "pki", "ca.crt"),
                              "--timeout", "5"] + targets)
        time.sleep(0.5)  # let Postfix flush its log
        hisf_conn = connections(before)
        hisf_out = json.loads(p.stdout)

        before = log_size()
        starttls = [f"{n}:{p}{{{ip}}}" for n, ip, p, st in HOSTS if st]
        implicit = [f"{n}:{p}{{{ip}}}" for n, ip, p, st in HOSTS if not st]
        versions = ["--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3"]
        out1, out2 = os.path.join(LAB, "bench-sslyze-1.json"), os.path.join(LAB, "bench-sslyze-2.json")
        s1, _ = timed([PY, "-m", "sslyze", "--quiet", "--starttls", "smtp"] + versions + [f"--json_out={out1}"] + starttls)
        s2, _ = timed([PY, "-m", "sslyze", "--quiet"] + versions + [f"--json_out={out2}"] + implicit)
        sslyze_secs = s1 + s2
        time.sleep(0.5)
        sslyze_conn = connections(before)
        scans = []
        for f in (out1, out2):
            with open(f) as fh:
                scans += json.load(fh)["server_scan_results"]
    finally:
        if started_lab:
            subprocess.run(["bash", os.path.join(ROOT, "tests/lab/lab.sh"), "stop"])

    def sslyze_view(name, port):
        for s in scans:
            loc = s["server_location"]
            if loc["hostname"] == name and loc["port"] == port:
                r = s.get("scan_result") or {}
                def acc(k):
                    res = (r.get(k) or {}).get("result")
                    return bool(res and res["accepted_cipher_suites"])
                if s["scan_status"] != "COMPLETED":
                    return None
                return (acc("tls_1_0_cipher_suites"), acc("tls_1_1_cipher_suites"),
                        acc("tls_1_3_cipher_suites"), acc("tls_1_2_cipher_suites") or acc("tls_1_3_cipher_suites"))
        return None

    rows, agree, compared = [], 0, 0
    for (name, ip, port, st), r in zip(HOSTS, hisf_out["results"]):
        h = r["hosts"][0]
        best = (h["tls"] or {}).get("version", "-")
        mine = (h["legacy"]["tls1_0"] == "accepted", h["legacy"]["tls1_1"] == "accepted",
                best == "TLSv1.3", best != "-")
        theirs = sslyze_view(name, port)
        if theirs is not None and best != "-" or (theirs is not None and any(theirs)):
            compared += 1
            agree += mine == theirs
        key = f"{ip}:{port}"
        rows.append((key, name, r["verdict"], hisf_conn.get(key, 0), sslyze_conn.get(key, 0),
                     "n/a" if theirs is None else ("yes" if mine == theirs else "NO")))

    print(f"{'listener':<17} {'host':<23} {'hisf verdict':<14} {'hisf conns':>10} {'sslyze conns':>12}  versions agree")
    for row in rows:
        print(f"{row[0]:<17} {row[1]:<23} {row[2]:<14} {row[3]:>10} {row[4]:>12}  {row[5]}")
    print()
    print(f"hisf check : {hisf_secs:7.3f} s wall, max {max(hisf_conn.values())} connections per host, "
          f"{sum(hisf_conn.values())} in all")
    print(f"sslyze     : {sslyze_secs:7.3f} s wall, max {max(sslyze_conn.values())} connections per host, "
          f"{sum(sslyze_conn.values())} in all")
    print(f"ratio      : hisf is {sslyze_secs / hisf_secs:.1f}x faster; TLS versions agree on {agree}/{compared} "
          f"hosts both could test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
