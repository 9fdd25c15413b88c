#!/usr/bin/env python3
"""Generate a mixed NDJSON input for measuring batch runs (`normalog normalize`).

Records cycle through Zoom.Activity, Zoom.Operation and Zendesk.Audit shapes; about 1% are
records no schema accepts. Deterministic for a given count. This is a quick stand-in for
`normalog gen` (built on another branch).

    python3 benches/gen_batch.py 1000000 > mixed.ndjson
"""
import json
import sys


def record(i):
    if i % 100 == 99:
        return {"note": "no schema accepts this", "n": i}
    day = 1 + i % 28
    ts = f"2023-07-{day:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z"
    k = i % 3
    if k == 0:
        return {
            "email": f"user{i % 5000}@example.com",
            "time": ts,
            "type": "Sign in" if i % 2 else "Sign out",
            "ip_address": f"10.{i % 256}.{(i // 256) % 256}.{(i * 13) % 256}",
            "client_type": "Browser",
            "version": f"5.{i % 17}.{i % 5}",
        }
    if k == 1:
        return {
            "time": ts,
            "operator": f"admin{i % 300}@example.org",
            "category_type": "User",
            "action": "Update",
            "operation_detail": f"Update user user{i % 5000}@example.com settings: feature {i % 40}",
        }
    return {
        "action": "update",
        "actor_id": 1000 + i % 800,
        "actor_name": f"Agent {i % 800}",
        "change_description": f"Role changed from agent to admin for ticket {i}",
        "created_at": ts,
        "id": i,
        "ip_address": f"192.0.2.{i % 256}",
        "source_id": i % 9000,
        "source_label": f"Ticket {i}",
        "source_type": "ticket",
        "url": f"https://acme.zendesk.com/api/v2/audit_logs/{i}.json",
    }


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = sys.stdout
    for i in range(n):
        out.write(json.dumps(record(i), separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
