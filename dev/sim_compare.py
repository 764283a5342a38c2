#!/usr/bin/env python3
# Compares two marin-sim binaries answer by answer: starts both with the same
# seed/scale/day/flags, sends each the same fixed sequence of requests (every
# listing kind and single object, statistics variants, errors, /_sim/
# endpoints, pagination faults, epochs) and diffs status, headers and body
# byte for byte. Used to prove a refactoring of sim/ changed no answer.
#
#   dev/sim_compare.py OLD_MARIN_SIM NEW_MARIN_SIM [-- extra marin-sim flags]
import http.client
import json
import subprocess
import sys

KEY = "sim-key"


def start(binary, flags):
    p = subprocess.Popen([binary, "--port", "0", "--seed", "7", "--scale", "small",
                          "--today", "2026-03-15", *flags],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    port = int(line.rsplit(":", 1)[1])
    return p, port


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.log = []

    def get(self, target, method="GET", key=True):
        if key:
            target += ("&" if "?" in target else "?") + "key=" + KEY
        self.conn.request(method, target, headers={"Host": "sim.test:1"})
        r = self.conn.getresponse()
        body = r.read()
        hdrs = sorted((k, v) for k, v in r.getheaders()
                      if k.lower() not in ("date", "server", "connection", "keep-alive"))
        self.log.append(f"== {method} {target}\n{r.status} {hdrs}\n".encode() + body + b"\n")
        return r.status, body


def ids(client, target):
    status, body = client.get(target + ("&" if "?" in target else "?") + "limit=300")
    if status != 200:
        return []
    data = json.loads(body)["data"]
    return [str(d.get("id")) for d in data if isinstance(d, dict) and "id" in d]


STATS_VARIANTS = ["", "?aggregate=day", "?aggregate=month", "?aggregate=period", "?level=ad",
                  "?level=adset&aggregate=day", "?level=campaign&aggregate=month",
                  "?level=client", "?level=channel_connect", "?start_date=1767225600&end_date=1772323200",
                  "?start_date=1772323200&end_date=1767225600", "?start_date=abc", "?end_date=-1",
                  "?aggregate=week", "?level=bogus", "?limit=2&page=2&aggregate=day&level=ad"]
PAGING = ["", "?limit=1", "?limit=2&page=2", "?limit=300", "?limit=301", "?limit=0", "?page=0",
          "?limit=abc", "?limit=1.5", "?page=", "?page=999", "?limit=3&page=2&foo=bar%20baz",
          "?limit=99999999999999999999999"]


def walk(c, deep=True):
    """Every listing kind, single objects and statistics; returns nothing."""
    for p in PAGING:
        for top in ("/accounts", "/advertisers", "/users", "/campaigns", "/clients"):
            c.get(top + p)
    accounts = ids(c, "/accounts")
    for a in accounts[: 4 if deep else 2]:
        c.get(f"/accounts/{a}")
        for child in ("objects", "funding-instruments", "lead-forms", "audiences", "targeting-clusters"):
            c.get(f"/accounts/{a}/{child}?limit=2")
            kids = ids(c, f"/accounts/{a}/{child}")
            if child == "targeting-clusters":
                for k in kids[:2]:
                    c.get(f"/accounts/{a}/{child}/{k}")
                c.get(f"/accounts/{a}/{child}/1")
    for adv in ids(c, "/advertisers")[:3]:
        c.get(f"/advertisers/{adv}")
    for u in ids(c, "/users")[:3]:
        c.get(f"/users/{u}")
    mps = ids(c, "/clients")
    for mp in mps[: 3 if deep else 1]:
        c.get(f"/clients/{mp}")
        c.get(f"/clients/IO-{mp}")
        c.get(f"/clients/{mp}/users?limit=2&page=1")
        ids(c, f"/clients/{mp}/users")
        for sv in STATS_VARIANTS:
            c.get(f"/clients/{mp}/statistics{sv}")
        camps = ids(c, f"/clients/{mp}/campaigns")
        for camp in camps[: 4 if deep else 2]:
            base = f"/clients/{mp}/campaigns/{camp}"
            c.get(base)
            for sv in STATS_VARIANTS[: 8 if deep else 3]:
                c.get(f"{base}/statistics{sv}")
            ads = ids(c, f"{base}/ads")
            for ad in ads[:2]:
                c.get(f"{base}/ads/{ad}/statistics?aggregate=day")
                c.get(f"{base}/ads/{ad}/statistics?level=ad")
            sets = ids(c, f"{base}/adsets")
            for s in sets[:2]:
                c.get(f"{base}/adsets/{s}")
                c.get(f"{base}/adsets/{s}/statistics?aggregate=day")
                sads = ids(c, f"{base}/adsets/{s}/ads")
                for ad in sads[:2]:
                    c.get(f"{base}/adsets/{s}/ads/{ad}")
                c.get(f"{base}/adsets/{s}/ads/1")
                c.get(f"{base}/adsets/{s}/bogus")
            c.get(f"{base}/adsets/1")
            c.get(f"{base}/ads/1/statistics")
            c.get(f"{base}/bogus")
    # Errors and odd paths.
    first_campaigns = ids(c, f"/clients/{mps[0]}/campaigns") if mps else []
    if len(mps) > 1 and first_campaigns:  # a campaign under the wrong media plan
        c.get(f"/clients/{mps[1]}/campaigns/{first_campaigns[0]}")
    for t in ("/", "/nope", "/accounts/1", "/accounts/x/objects", "/accounts/1/nope", "/advertisers/1",
              "/advertisers/1/x", "/users/1", "/clients/1", "/clients/IO-1", "/clients/1/users",
              "/clients/1/campaigns", "/clients/1/statistics", "/clients/1/nope",
              "/clients/1/campaigns/1/adsets/1/ads/1/extra", "/campaigns/1", "/accounts/",
              "/clients//campaigns", "/accounts?limit=1&limit=2", "/accounts?x=%zz",
              "/_sim/nope", "/_sim/counters/nope"):
        c.get(t)
    c.get("/accounts", key=False)
    c.get("/accounts?key=wrong", key=False)
    c.get("/_sim/state", key=False)
    c.get("/accounts", method="POST")
    c.get("/accounts", method="DELETE")
    c.get("/_sim/epoch", method="DELETE")
    c.get("/_sim/expected")
    c.get("/_sim/expected?table=nope")
    c.get("/_sim/expected?table=ads&stats_from=bad")


def run(binary, flags):
    p, port = start(binary, flags)
    c = Client(port)
    try:
        c.get("/_sim/state")
        c.get("/_sim/variants")
        c.get("/_sim/faults")
        walk(c)
        mps = ids(c, "/clients")
        accounts = ids(c, "/accounts")
        variants = [
            "inapplicable_listings=404", "inapplicable_listings=400&campaign_ads=twitter-only",
            "stats_keys=none", "stats_keys=no-date&stats_days=account", "stats_keys=no-ids&stats_window=seconds",
            "next_style=full", "next_style=bare", f"deny_prefix=/clients/{mps[0]}",
            f"deny_prefix=/accounts/{accounts[0]}", "reset=1&next_style=reference",
        ]
        for v in variants:
            c.get("/_sim/variants?" + v)
            walk(c, deep=False)
        for bad in ("nope=1", "stats_keys=odd", "deny_prefix=x"):
            c.get("/_sim/variants?" + bad)
        c.get("/_sim/variants?reset=1")
        faults = [
            "prepeat=0.5&repeat_count=2", "ptotal_drift=0.5", "pnext_loop=0.5",
            "next_host=other.test:9", f"fail_prefix=/clients/{mps[0]}&fail_from_page=2&fail_status=503",
            "fail_prefix=/accounts&fail_status=429", "reset=1&prepeat=1&ptotal_drift=1&pnext_loop=1",
        ]
        for f in faults:
            c.get("/_sim/faults?" + f)
            walk(c, deep=False)
        for bad in ("nope=1", "p429=2", "p500=x", "repeat_count=0", "repeat_count=301",
                    "fail_status=200", "fail_prefix=x", "next_host=nocolon", "next_host=a:b",
                    "latency_ms=-1", "fail_from_page=0"):
            c.get("/_sim/faults?" + bad)
        c.get("/_sim/faults?reset=1")
        for table in ("accounts", "advertisers", "media_plans", "campaigns", "ad_sets", "ads", "users",
                      "media_plan_users", "funding_instruments", "publisher_objects", "lead_forms",
                      "audiences", "targeting_clusters", "ad_stats_daily"):
            c.get(f"/_sim/expected?table={table}")
        c.get("/_sim/expected?table=ad_stats_daily&stats_from=2026-03-01")
        c.get("/_sim/variants?campaign_ads=twitter-only")
        c.get("/_sim/expected?table=ads")
        c.get("/_sim/variants?reset=1")
        for epoch in range(3):
            c.get("/_sim/epoch", method="POST")
            c.get("/_sim/state")
            walk(c, deep=(epoch == 2))
            for table in ("campaigns", "ad_sets", "ads", "users", "media_plan_users", "targeting_clusters"):
                c.get(f"/_sim/expected?table={table}")
        c.get("/_sim/epoch")
        c.get("/_sim/counters")
        c.get("/_sim/counters/reset", method="POST")
        c.get("/_sim/counters")
    finally:
        p.terminate()
        p.wait(timeout=30)
    return c.log


def main():
    old, new = sys.argv[1], sys.argv[2]
    flags = sys.argv[4:] if len(sys.argv) > 3 and sys.argv[3] == "--" else []
    a = run(old, flags)
    b = run(new, flags)
    size = sum(len(x) for x in a)
    if len(a) != len(b):
        print(f"DIFFERENT: {len(a)} vs {len(b)} requests")
        return 1
    bad = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    for i in bad[:5]:
        print(f"DIFFERENT at request {i}:\n--- old\n{a[i][:2000]!r}\n--- new\n{b[i][:2000]!r}")
    print(f"{len(a)} requests, {size} bytes, {len(bad)} different")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
