#!/usr/bin/env python3
"""bench/analysts' CSV -> a Markdown summary and the chart's data file.

    report_analysts.py analysts.csv analysts.md SCALE analysts.dat
"""
import csv
import sys


def main(csv_path, md_path, scale, dat_path):
    rows = list(csv.DictReader(open(csv_path)))
    get = {(r["kind"], r["name"]): float(r["value"]) for r in rows}
    out = [f"# Analysts' benchmark at scale {scale}", "",
           "Written by `bench/analysts`; docs/performance.md explains the numbers.", "",
           "## First load and no-change resync", "",
           "| run | wall (s) | rows/s | peak RSS (MiB) | WAL (MiB) | tuples written | in the roll-ups' refresh (s) |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
           f"| first `sync --full` | {get[('load', 'wall')]:.1f} | {get[('load', 'rows_per_s')]:.0f} "
           f"| {get[('load', 'peak_rss')] / 1024:.0f} | {get[('load', 'wal')] / 2**20:.0f} | "
           f"| {get[('load', 'rollup_refresh')]:.1f} |",
           f"| no-change `sync --full` | {get[('noop', 'wall')]:.1f} | | | {get[('noop', 'wal')] / 2**20:.2f} "
           f"| {get[('noop', 'tuples_written')]:.0f} | |", "",
           f"## marin.ad_stats_daily: {get[('load', 'stats_rows')]:.0f} rows", "",
           "| part | bytes per row |", "| --- | ---: |"]
    for r in rows:
        if r["kind"] in ("bytes_per_row", "index_bytes_per_row"):
            label = r["name"] if r["kind"] == "bytes_per_row" else "index " + r["name"]
            out.append(f"| {label} | {float(r['value']):.1f} |")
    out += ["", "## Sample queries (median of 3 warm runs)", "", "| query | ms | target 1 s |",
            "| --- | ---: | --- |"]
    dat = []
    for r in rows:
        if r["kind"] == "query":
            ms = float(r["value"])
            out.append(f"| {r['name']} | {ms:.1f} | {'met' if ms < 1000 else 'missed'} |")
            dat.append(f"{r['name']} {ms}")
    open(md_path, "w").write("\n".join(out) + "\n")
    open(dat_path, "w").write("\n".join(dat) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
