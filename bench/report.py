#!/usr/bin/env python3
"""Turns the CSV files bench/run measured into bench/results/results.md, the
derived CSV files (latency.csv, targets.csv) and the data files the charts
read (*.dat, see charts.gnuplot). Standard library only.

    python3 bench/report.py bench/results
"""
import csv
import os
import sys

res = sys.argv[1] if len(sys.argv) > 1 else "bench/results"


def read_csv(name):
    path = os.path.join(res, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


runs = read_csv("runs.csv")
by = {r["label"]: r for r in runs}
ceiling = {r["what"]: r for r in read_csv("ceiling.csv")}.get("copy_load")
simc = read_csv("sim_ceiling.csv")
env = {r["key"]: r["value"] for r in read_csv("environment.csv")}


def ok(r):
    return r is not None and r["exit"] == "0" and r["outcome"] == "succeeded"


def cpu(r):
    return (num(r["sync_user_s"], 0) + num(r["sync_sys_s"], 0)) if r else None


def mib(kb):
    return None if kb is None else kb / 1024.0


def fmt(v, digits=1, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float) and abs(v - round(v)) < 1e-9 and digits == 0:
        v = int(round(v))
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    return f"{v:,}{unit}"


def rows_written(r):
    return sum(int(num(r[k], 0)) for k in ("inserted", "changed", "removed"))


def pct(a, b):
    return None if a is None or not b else 100.0 * a / b


# ------------------------------------------------------------------ targets
targets = []  # (name, measured, threshold, result)


def target(name, measured, threshold, passed, why=None):
    if passed is None:
        result = "NOT RUN" if why is None else f"FAIL ({why})"
    else:
        result = "PASS" if passed else "FAIL"
    targets.append((name, measured, threshold, result))


first = by.get("first_full")
sync_rps = copy_rps = None
if ok(first) and ceiling:
    rows = num(first["mirror_rows"])
    sync_rps = rows / num(first["wall_s"])
    copy_rps = num(ceiling["rows"]) / num(ceiling["wall_s"])
    ratio = sync_rps / copy_rps
    target("first full load rows/s vs plain COPY (medium)",
           f"{sync_rps:,.0f} / {copy_rps:,.0f} rows/s = {ratio:.1%}", ">= 50%", ratio >= 0.5)
else:
    target("first full load rows/s vs plain COPY (medium)", "n/a", ">= 50%", None,
           "first load failed" if first else None)

noop = by.get("noop_full")
if ok(first) and ok(noop):
    r = num(noop["wall_s"]) / num(first["wall_s"])
    target("no-change full resync: wall vs first load", f"{noop['wall_s']} s / {first['wall_s']} s = {r:.1%}",
           "<= 20%", r <= 0.20)
    tw = int(num(noop["tuples_written"], -1))
    target("no-change full resync: data rows written (n_tup_ins+upd+del)", f"{tw:,}", "= 0", tw == 0)
    w = num(noop["wal_bytes"]) / num(first["wal_bytes"])
    target("no-change full resync: WAL vs first load",
           f"{int(num(noop['wal_bytes'])):,} / {int(num(first['wal_bytes'])):,} B = {w:.2%}", "< 1%", w < 0.01)
else:
    for n, t in (("no-change full resync: wall vs first load", "<= 20%"),
                 ("no-change full resync: data rows written (n_tup_ins+upd+del)", "= 0"),
                 ("no-change full resync: WAL vs first load", "< 1%")):
        target(n, "n/a", t, None, "run failed" if noop else None)

inc = by.get("epoch_incremental")
full_ref = by.get("epoch_full") if ok(by.get("epoch_full")) else first
if ok(inc) and ok(full_ref):
    r = num(inc["requests"]) / num(full_ref["requests"])
    target("incremental after one epoch: requests vs a full run",
           f"{int(num(inc['requests'])):,} / {int(num(full_ref['requests'])):,} ({full_ref['label']}) = {r:.1%}",
           "<= 30%", r <= 0.30)
else:
    target("incremental after one epoch: requests vs a full run", "n/a", "<= 30%", None,
           "run failed" if inc else None)

latency_rows = []
for r in runs:
    if r["label"].startswith("lat"):
        n = int(num(r["in_flight"]))
        lat = num(r["latency_ms"])
        req = num(r["requests"])
        bound = req * lat / 1000.0 / n if req is not None else None
        wall = num(r["wall_s"])
        latency_rows.append({"label": r["label"], "in_flight": n, "latency_ms": int(lat), "requests": req,
                             "wall_s": wall, "lower_bound_s": bound,
                             "ratio": wall / bound if bound else None, "ok": ok(r)})
with open(os.path.join(res, "latency.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["in_flight", "latency_ms", "requests", "wall_s", "lower_bound_s", "wall_over_bound", "succeeded"])
    for l in latency_rows:
        w.writerow([l["in_flight"], l["latency_ms"], fmt(l["requests"], 0).replace(",", ""), l["wall_s"],
                    "" if l["lower_bound_s"] is None else f"{l['lower_bound_s']:.3f}",
                    "" if l["ratio"] is None else f"{l['ratio']:.3f}", int(l["ok"])])
l32 = next((l for l in latency_rows if l["in_flight"] == 32 and l["latency_ms"] == 50), None)
if l32 and l32["ok"]:
    target("50 ms latency, 32 in flight (small): wall vs requests x latency / 32",
           f"{l32['wall_s']:.2f} s / {l32['lower_bound_s']:.2f} s = {l32['ratio']:.2f} x", "<= 1.25 x",
           l32["ratio"] <= 1.25)
else:
    target("50 ms latency, 32 in flight (small): wall vs requests x latency / 32", "n/a", "<= 1.25 x", None,
           "run failed" if l32 else None)

rss = {}
for r in runs:
    kb = num(r["peak_rss_kb"])
    if kb is not None:
        rss[r["scale"]] = max(rss.get(r["scale"], 0), kb)
med = rss.get("medium")
if med is not None:
    target("peak RSS at medium (largest of the medium runs)", f"{mib(med):.1f} MiB", "< 150 MiB",
           mib(med) < 150 and all(ok(r) for r in runs if r["scale"] == "medium"))
else:
    target("peak RSS at medium (largest of the medium runs)", "n/a", "< 150 MiB", None)
lg = by.get("large_full")
if lg and med is not None and num(lg["peak_rss_kb"]) is not None:
    r = num(lg["peak_rss_kb"]) / med
    target("peak RSS at large vs medium", f"{mib(num(lg['peak_rss_kb'])):.1f} / {mib(med):.1f} MiB = +{r - 1:.1%}",
           "< +20%", r < 1.2 if ok(lg) else None, None if ok(lg) else "large run failed")
else:
    target("peak RSS at large vs medium", "n/a (bench/run --with-large)", "< +20%", None)

with open(os.path.join(res, "targets.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["target", "measured", "threshold", "result"])
    w.writerows(targets)

# ------------------------------------------------------------- chart data
def write_dat(name, lines):
    with open(os.path.join(res, name), "w") as f:
        f.write("\n".join(lines) + "\n")


tp = []
if sync_rps:
    tp.append(f'"marin-sync first load" {sync_rps:.0f}')
if copy_rps:
    tp.append(f'"plain COPY (PostgreSQL)" {copy_rps:.0f}')
for s in simc:
    if num(s["rows_per_s"]):
        tp.append(f'"marin-sim {s["listing"]}" {num(s["rows_per_s"]):.0f}')
write_dat("throughput.dat", tp or ['"none" 0'])
write_dat("latency.dat", [f"{l['in_flight']} {l['wall_s']:.3f} {l['lower_bound_s']:.3f}"
                          for l in latency_rows if l["latency_ms"] == 50 and l["lower_bound_s"]] or ["1 0 0"])
write_dat("cpu.dat", [f'"{r["label"]}" {cpu(r) or 0:.2f} {num(r["sim_cpu_s"], 0):.2f} {num(r["pg_cpu_s"], 0):.2f} '
                      f'{num(r["wall_s"], 0):.2f}' for r in runs if not r["label"].startswith("lat")])
write_dat("memory.dat", [f'"{s}" {mib(kb):.1f}' for s, kb in
                         sorted(rss.items(), key=lambda x: ["tiny", "small", "medium", "large"].index(x[0]))])
incl = []
if ok(first):
    for lab in ("noop_full", "noop_incremental", "epoch_incremental", "epoch_full"):
        r = by.get(lab)
        if r:
            incl.append(f'"{lab}" {pct(num(r["wall_s"]), num(first["wall_s"])) or 0:.3f} '
                        f'{pct(num(r["requests"]), num(first["requests"])) or 0:.3f} '
                        f'{pct(num(r["wal_bytes"]), num(first["wal_bytes"])) or 0:.4f} '
                        f'{pct(rows_written(r), rows_written(first)) or 0:.4f}')
write_dat("incremental.dat", incl or ['"none" 0 0 0 0'])

# ------------------------------------------------------------- results.md
md = []
md.append("# marin-sync benchmark results")
md.append("")
md.append("Written by `bench/run` (see `docs/performance.md` for what each number means and how it is measured). "
          "Charts: `throughput.png`, `latency.png`, `cpu.png`, `memory.png`, `incremental.png`; "
          "raw data: `runs.csv` (one row per marin-sync run), `ceiling.csv`, `sim_ceiling.csv`, `latency.csv`, "
          "`targets.csv`, `environment.csv`.")
md.append("")
md.append("## Targets (issue 6)")
md.append("")
md.append("| target | measured | threshold | result |")
md.append("| --- | --- | --- | --- |")
for t in targets:
    md.append(f"| {t[0]} | {t[1]} | {t[2]} | **{t[3]}** |")
md.append("")

md.append("## Throughput: first `sync --full` at medium, and the ceilings")
md.append("")
if first:
    c = cpu(first)
    md.append("| measure | marin-sync first load | plain COPY of the same rows |")
    md.append("| --- | --- | --- |")
    cw = num(ceiling["wall_s"]) if ceiling else None
    md.append(f"| wall time | {fmt(num(first['wall_s']), 1, ' s')} | {fmt(cw, 1, ' s')} |")
    md.append(f"| rows in the mirror tables | {fmt(int(num(first['mirror_rows'], 0)))} | "
              f"{fmt(int(num(ceiling['rows']))) if ceiling else 'n/a'} |")
    md.append(f"| rows/s | {fmt(sync_rps, 0)} | {fmt(copy_rps, 0)} |")
    md.append(f"| records read / requests | {fmt(int(num(first['rows_read'], 0)))} / "
              f"{fmt(int(num(first['requests'], 0)))} | |")
    md.append(f"| requests/s | {fmt(num(first['requests'], 0) / num(first['wall_s']), 1)} | |")
    md.append(f"| CPU marin-sync (user+sys) | {fmt(c, 1, ' s')} | |")
    md.append(f"| CPU marin-sim | {fmt(num(first['sim_cpu_s']), 1, ' s')} | |")
    md.append(f"| CPU PostgreSQL (all processes of the cluster) | {fmt(num(first['pg_cpu_s']), 1, ' s')} | "
              f"{fmt(num(ceiling['pg_cpu_s']), 1, ' s') if ceiling else 'n/a'} |")
    md.append(f"| peak RSS marin-sync | {fmt(mib(num(first['peak_rss_kb'])), 1, ' MiB')} | |")
    md.append(f"| WAL written | {fmt(num(first['wal_bytes'], 0) / 1048576, 1, ' MiB')} | "
              f"{fmt(num(ceiling['wal_bytes'], 0) / 1048576, 1, ' MiB') if ceiling else 'n/a'} |")
    if ceiling:
        md.append(f"| COPY text loaded | | {fmt(num(ceiling['copy_bytes'], 0) / 1048576, 1, ' MiB')} |")
    md.append(f"| exit status / outcome | {first['exit']} / {first['outcome']} | |")
    md.append("")
    if sync_rps and copy_rps:
        md.append(f"marin-sync loads at **{sync_rps / copy_rps:.1%}** of PostgreSQL's plain-COPY rate on this machine.")
        md.append("")
if simc:
    md.append("Simulator ceiling (`wrk -t1 -c4 -d5s`, keep-alive, one I/O thread, while nothing else of the "
              "benchmark runs):")
    md.append("")
    md.append("| listing | pages/s | rows/page | rows/s | non-2xx |")
    md.append("| --- | --- | --- | --- | --- |")
    for s in simc:
        md.append(f"| {s['listing']} | {s['pages_per_s']} | {s['rows_per_page']} | {fmt(num(s['rows_per_s']), 0)} "
                  f"| {s['non_2xx']} |")
    md.append("")
    if first and num(first["requests"]):
        rq = num(first["requests"], 0) / num(first["wall_s"])
        lo = min(num(s["pages_per_s"], 1e9) for s in simc)
        md.append(f"The first load asked {rq:.1f} requests/s, {rq / lo:.1%} of the slowest listing's pages/s "
                  f"under wrk; marin-sim spent {fmt(num(first['sim_cpu_s']), 1)} s of CPU on it.")
        md.append("")

md.append("## Every run")
md.append("")
md.append("| run | scale | mode | in flight | latency | wall s | requests | read | inserted | changed | unchanged | "
          "removed | data tuples written | WAL | CPU sync s | CPU sim s | CPU pg s | peak RSS | exit |")
md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
          "| --- | --- |")
for r in runs:
    md.append(f"| {r['label']} | {r['scale']} | {r['mode']} | {r['in_flight']} | {r['latency_ms']} ms | "
              f"{r['wall_s']} | {fmt(int(num(r['requests'], 0)))} | {fmt(int(num(r['rows_read'], 0)))} | "
              f"{fmt(int(num(r['inserted'], 0)))} | {fmt(int(num(r['changed'], 0)))} | "
              f"{fmt(int(num(r['unchanged'], 0)))} | {fmt(int(num(r['removed'], 0)))} | "
              f"{fmt(int(num(r['tuples_written'], 0)))} | {fmt(num(r['wal_bytes'], 0) / 1048576, 2, ' MiB')} | "
              f"{fmt(cpu(r), 1)} | {r['sim_cpu_s']} | {r['pg_cpu_s']} | "
              f"{fmt(mib(num(r['peak_rss_kb'])), 1, ' MiB')} | {r['exit']} {r['outcome']} |")
md.append("")
md.append("`requests` is what the run recorded in `marin.sync_runs.requests` (all statuses); `runs.csv` also "
          "has `sim_api_requests`, the simulator's own count of API requests served during the run. "
          "`data tuples written` is the change of `n_tup_ins + n_tup_upd + n_tup_del` over the mirror and "
          "history tables of schema `marin` (not `sync_runs`/`sync_listings`).")
md.append("")

if ok(first):
    md.append("## Incremental cost (medium), relative to the first full load")
    md.append("")
    md.append("| run | wall | requests | rows written (ins+chg+rem) | data tuples written | WAL |")
    md.append("| --- | --- | --- | --- | --- | --- |")
    for lab in ("first_full", "noop_full", "noop_incremental", "epoch_incremental", "epoch_full"):
        r = by.get(lab)
        if not r:
            continue
        md.append(f"| {lab} | {r['wall_s']} s ({fmt(pct(num(r['wall_s']), num(first['wall_s'])), 1, '%')}) | "
                  f"{fmt(int(num(r['requests'], 0)))} ({fmt(pct(num(r['requests']), num(first['requests'])), 1, '%')}) | "
                  f"{fmt(rows_written(r))} | {fmt(int(num(r['tuples_written'], 0)))} | "
                  f"{fmt(num(r['wal_bytes'], 0) / 1048576, 2, ' MiB')} "
                  f"({fmt(pct(num(r['wal_bytes']), num(first['wal_bytes'])), 2, '%')}) |")
    md.append("")
    ef, ei = by.get("epoch_full"), by.get("epoch_incremental")
    if ok(ef) and ok(ei):
        md.append(f"After one epoch the incremental run wrote {fmt(rows_written(ei))} rows with "
                  f"{fmt(int(num(ei['requests'])))} requests; the full run right after it still found "
                  f"{fmt(rows_written(ef))} rows to write (what the incremental run skipped or could not see) "
                  f"with {fmt(int(num(ef['requests'])))} requests.")
        md.append("")

if latency_rows:
    md.append("## Latency hiding (small, full resync" +
              (" into an empty database" if env.get("latency_mode", "").startswith("first") else
               " of an already loaded mirror") + ")")
    md.append("")
    md.append("| in flight | latency | requests | wall s | lower bound s (requests x latency / in flight) | wall / bound |")
    md.append("| --- | --- | --- | --- | --- | --- |")
    for l in latency_rows:
        if l["latency_ms"] == 0:
            md.append(f"| {l['in_flight']} | none (marin-sync's own work: the floor) | {fmt(int(l['requests'] or 0))} | "
                      f"{l['wall_s']:.2f} | | {'' if l['ok'] else '(run failed)'} |")
            continue
        md.append(f"| {l['in_flight']} | {l['latency_ms']} ms | {fmt(int(l['requests'] or 0))} | {l['wall_s']:.2f} | "
                  f"{fmt(l['lower_bound_s'], 2)} | {fmt(l['ratio'], 2, ' x')}{'' if l['ok'] else ' (run failed)'} |")
    md.append("")

md.append("## Memory (peak RSS of marin-sync, largest run per scale)")
md.append("")
md.append("| scale | peak RSS |")
md.append("| --- | --- |")
order = ["tiny", "small", "medium", "large"]
for s, kb in sorted(rss.items(), key=lambda x: order.index(x[0]) if x[0] in order else 9):
    md.append(f"| {s} | {mib(kb):.1f} MiB |")
if "large" not in rss:
    md.append("| large | not run (`bench/run --with-large`) |")
md.append("")

md.append("## Environment")
md.append("")
md.append("| | |")
md.append("| --- | --- |")
for k, v in env.items():
    md.append(f"| {k} | {v} |")
md.append("")
la = [(r["label"], r["load_before"], r["load_after"]) for r in runs]
if la:
    md.append("Load average (1 min) before/after each run: " +
              ", ".join(f"{a} {b}/{c}" for a, b, c in la) + ". The machine is shared: other builds may run "
              "at the same time, and every number here is from one run.")
    md.append("")

with open(os.path.join(res, "results.md"), "w") as f:
    f.write("\n".join(md))
print("\n".join(f"{t[3]:8} {t[0]}: {t[1]} ({t[2]})" for t in targets))
