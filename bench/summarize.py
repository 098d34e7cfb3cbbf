"""Medians and Java/C ratios of one bench/run.sh run, as a table (and JSON).

usage: python3 summarize.py RESULTS_TSV META_JSON AS_JSON OUT_DIR
RESULTS_TSV lines are: metric<TAB>size<TAB>round<TAB>value, metric as "scenario.config" where config is
cc (C generator -> C echo), cj (C generator -> udp-server.jar), jc (flood -> C echo), jj (flood -> udp-server.jar),
or c / java for per-program figures (RSS, start-up). Writes OUT_DIR/summary.txt and OUT_DIR/summary.json.
"""
import json
import math
import statistics
import sys


def rows_for(sizes):
    """(scenario, size, C metric, Java metric, target ratio or None, higher is better, absolute Java limit)"""
    rows = []
    for size in sizes:
        rows += [
            ("loss knee pps, C gen: C echo | udp-server", size, "knee_pps.cc", "knee_pps.cj", 0.9, True, None),
            ("loss knee pps, C echo: C gen | flood", size, "knee_pps.cc", "knee_pps.jc", 0.8, True, None),
            ("unpaced send pps: C gen | flood", size, "unpaced_send_pps.cc", "unpaced_send_pps.jc", None, True, None),
            ("unpaced echo pps, C gen: C echo | udp-server", size, "unpaced_echo_pps.cc", "unpaced_echo_pps.cj",
             None, True, None),
            ("unpaced echo pps: C pair | Java pair", size, "unpaced_echo_pps.cc", "unpaced_echo_pps.jj",
             None, True, None),
            ("RTT p50 us @10k pps: C pair | Java pair", size, "rtt_p50_us.cc", "rtt_p50_us.jj", 2.0, False, None),
            ("RTT p99 us @10k pps: C pair | Java pair", size, "rtt_p99_us.cc", "rtt_p99_us.jj", None, False, None),
            ("RTT p99.9 us @10k pps: C pair | Java pair", size, "rtt_p999_us.cc", "rtt_p999_us.jj",
             None, False, None),
            ("RTT p50 us @10k pps, C gen: C echo | udp-server", size, "rtt_p50_us.cc", "rtt_p50_us.cj",
             None, False, None),
            ("RTT p50 us @10k pps, C echo: C gen | flood", size, "rtt_p50_us.cc", "rtt_p50_us.jc",
             None, False, None),
        ]
    rows += [
        ("peak RSS MiB, server (after full-rate floods)", "all", "rss_server_mib.c", "rss_server_mib.java",
         None, False, 150),
        ("peak RSS MiB, client (unpaced flood)", "all", "rss_client_mib.c", "rss_client_mib.java", None, False, None),
        ("start-up ms, launch to first echo", "all", "startup_ms.c", "startup_ms.java", None, False, 1000),
    ]
    return rows


def main(results_path, meta_json, as_json, out_dir):
    meta = json.loads(meta_json)
    values = {}
    for line in open(results_path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            continue
        metric, size, _, text = parts
        try:
            value = float(text)
        except ValueError:
            continue
        if not math.isnan(value):
            values.setdefault((metric, size), []).append(value)

    def median(metric, size):
        runs = values.get((metric, size))
        return statistics.median(runs) if runs else None

    table = []
    for scenario, size, c_metric, java_metric, target, higher, limit in rows_for(meta["sizes"].split()):
        c, java = median(c_metric, size), median(java_metric, size)
        ratio = java / c if c and java is not None else None
        goal, verdict = "", ""
        if target is not None:
            goal = ("Java/C >= %g" if higher else "Java/C <= %g") % target
            if ratio is not None:
                verdict = "ok" if (ratio >= target if higher else ratio <= target) else "MISSED"
        if limit is not None:
            goal = "Java <= %d" % limit
            if java is not None:
                verdict = "ok" if java <= limit else "MISSED"
        if c is None and java is None:
            continue
        table.append({"scenario": scenario, "size": size, "c": c, "java": java, "ratio": ratio, "target": goal,
                      "verdict": verdict, "cRuns": values.get((c_metric, size), []),
                      "javaRuns": values.get((java_metric, size), [])})

    def fmt(v):
        if v is None:
            return "-"
        return "%.0f" % v if abs(v) >= 100 else "%.1f" % v

    header = ("udplab bench %s | %s | commit %s (bench %s) | rounds %s%s | Java server: %s, transport %s | "
              "nice %s | load %s -> %s | %s s") % (
        meta["date"], meta["machine"], meta["commit"], meta["benchCommit"], meta["rounds"],
        " (quick)" if meta["quick"] == "1" else "", meta.get("server", "udp-server.jar echo"), meta["javaTransport"],
        meta.get("nice", "0"), meta["loadStart"], meta["loadEnd"],
        meta["seconds"])
    width = max([len(r["scenario"]) for r in table] + [20])
    lines = [header, "%-*s %5s %10s %10s %7s  %s" % (width, "scenario (medians; C | Java)", "size", "C", "Java",
                                                    "Java/C", "target")]
    for r in table:
        lines.append("%-*s %5s %10s %10s %7s  %s %s" % (
            width, r["scenario"], r["size"], fmt(r["c"]), fmt(r["java"]),
            "-" if r["ratio"] is None else "%.2f" % r["ratio"], r["target"], r["verdict"]))
    text = "\n".join(lines)
    document = json.dumps({**meta, "rows": table})
    with open(out_dir + "/summary.txt", "w") as f:
        f.write(text + "\n")
    with open(out_dir + "/summary.json", "w") as f:
        f.write(document + "\n")
    if as_json:
        print(text, file=sys.stderr)
        print(document)
    else:
        print(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4])
