"""Writes N varied hisf config files (MFD and MailGateway, YAML and JSON) for benchmarks."""
import json
import os
import random
import sys


def to_yaml(v, indent=0):
    """Block-style YAML for dicts, lists and scalars (enough for these documents)."""
    pad = "  " * indent
    if isinstance(v, dict):
        lines = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{k}:\n{to_yaml(x, indent + 1)}")
            else:
                lines.append(f"{pad}{k}: {json.dumps(x)}")
        return "\n".join(lines)
    if isinstance(v, list):
        return "\n".join(f"{pad}- " + to_yaml(x, indent + 1).lstrip() for x in v)
    return pad + json.dumps(v)


out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2019)
versions = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
for i in range(n):
    if i % 2 == 0:
        doc = {
            "apiVersion": "hisf/v1", "kind": "MFD",
            "metadata": {"name": f"mfd-{i}", "organisation": f"Practice {i % 700}"},
            "spec": {
                "model": "Example MFD", "acquired": f"20{rnd.randint(10, 25):02d}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
                "scan_to_email": {"enabled": True, "smtp": {
                    "host": "relay.example.health.nz", "port": 465,
                    "security": rnd.choice(["implicit_tls", "starttls_required", "opportunistic"]),
                    "min_tls_version": rnd.choice(versions), "verify_certificate": rnd.random() < 0.8,
                    "auth": rnd.choice(["oauth2", "basic", "none"])}},
                "admin": {"default_password": rnd.random() < 0.1},
                "storage": {"encrypted": True, "image_overwrite": rnd.random() < 0.9},
                "services": {"telnet": False, "ftp": rnd.random() < 0.1, "http_admin": False, "snmp": "v3"},
                "firmware": {"version": "1.0", "supported": True, "current": rnd.random() < 0.7},
                "fax": {"analogue": {"enabled": rnd.random() < 0.3}, "pc_fax_receive": False},
            },
        }
    else:
        doc = {
            "apiVersion": "hisf/v1", "kind": "MailGateway", "metadata": {"name": f"gw-{i}"},
            "spec": {
                "inbound": {"tls": {"mode": "opportunistic", "min_version": rnd.choice(versions),
                                    "ciphers": ["ECDHE-RSA-AES128-GCM-SHA256", rnd.choice(["AES128-SHA", "ECDHE-RSA-CHACHA20-POLY1305"])]},
                            "relay": {"open": False, "networks": ["10.0.0.0/8"]}},
                "outbound": {"tls": {"mode": rnd.choice(["opportunistic", "none"]), "min_version": "TLSv1.2"}},
                "submission": [{"port": 587, "security": "starttls_required", "min_version": "TLSv1.2", "auth_required": True}],
            },
        }
    sub = f"{out}/org{i % 100:03d}"
    os.makedirs(sub, exist_ok=True)
    if i % 4 < 2:
        with open(f"{sub}/c{i:05d}.yaml", "w") as f:
            f.write(to_yaml(doc) + "\n")
    else:
        with open(f"{sub}/c{i:05d}.json", "w") as f:
            json.dump(doc, f, indent=2)
