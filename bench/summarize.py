"""Medians, spreads and Java/C ratios of one bench/run.sh run, as a table (and JSON).

usage: python3 summarize.py RESULTS_TSV META_JSON AS_JSON OUT_DIR
RESULTS_TSV lines are: metric<TAB>size<TAB>round<TAB>value, metric as "scenario.config" where config is
cc (C generator -> C echo), cj (C generator -> udp-server.jar), jc (flood -> C echo), jj (flood -> udp-server.jar),
cc4 / cj4 (cc / cj with 4 MiB socket buffers), or c / java for per-program figures (RSS, start-up, cold starts,
where "round" is the fresh start's number). OUT_DIR/loads.tsv (round, phase, before|after, load average) gives
the load of each phase. Writes OUT_DIR/summary.txt and OUT_DIR/summary.json.
"""
import json
import math
import os
import statistics
import sys


def row(scenario, size, c_metric, java_metric, target=None, higher=True, limit=None, check=None, each=False):
    """One line of the table. target: a Java/C ratio to reach (>= when higher, else <=); limit: an absolute
    ceiling for Java; check: "zero" (Java is 0 in every run) or "paired" (Java <= C in every round);
    each: show every run (a cold start each) instead of the min-max spread."""
    return {"scenario": scenario, "size": size, "cMetric": c_metric, "javaMetric": java_metric, "target": target,
            "higher": higher, "limit": limit, "check": check, "each": each}


def rows_for(sizes, meta):
    rows = []
    for size in sizes:
        rows += [
            row("loss knee pps, C gen: C echo | udp-server", size, "knee_pps.cc", "knee_pps.cj", 1.0),
            row("loss knee pps 4 MiB buffers, C gen: C echo | udp-server", size, "knee_pps.cc4", "knee_pps.cj4", 1.0),
            row("loss knee pps, C echo: C gen | flood", size, "knee_pps.cc", "knee_pps.jc", 0.8),
            row("unpaced send pps: C gen | flood", size, "unpaced_send_pps.cc", "unpaced_send_pps.jc", 1.0),
            row("unpaced echo pps, C gen: C echo | udp-server", size, "unpaced_echo_pps.cc", "unpaced_echo_pps.cj", 1.0),
            row("unpaced echo pps: C pair | Java pair", size, "unpaced_echo_pps.cc", "unpaced_echo_pps.jj"),
            row("RTT p50 us @10k pps: C pair | Java pair", size, "rtt_p50_us.cc", "rtt_p50_us.jj", 2.0, False),
            row("RTT p99 us @10k pps: C pair | Java pair", size, "rtt_p99_us.cc", "rtt_p99_us.jj", None, False),
            row("RTT p99.9 us @10k pps: C pair | Java pair", size, "rtt_p999_us.cc", "rtt_p999_us.jj", None, False),
            row("RTT p50 us @10k pps, C gen: C echo | udp-server", size, "rtt_p50_us.cc", "rtt_p50_us.cj", None, False),
            row("RTT p50 us @10k pps, C echo: C gen | flood", size, "rtt_p50_us.cc", "rtt_p50_us.jc", 1.5, False),
        ]
        for rate, suffix in (("10k", ""), ("%dk" % (int(meta.get("rttRateHigh", 50000)) // 1000), "_50k")):
            if suffix:
                rows.append(row("RTT p50 us @%s pps, C echo: C gen | flood" % rate, size, "rtt_p50_us_50k.cc",
                                "rtt_p50_us_50k.jc", None, False))
            rows += [
                row("RTT p99 us @%s pps, C echo: C gen | flood" % rate, size, "rtt_p99_us%s.cc" % suffix,
                    "rtt_p99_us%s.jc" % suffix, None, False),
                row("RTT p99.9 us @%s pps, C echo: C gen | flood" % rate, size, "rtt_p999_us%s.cc" % suffix,
                    "rtt_p999_us%s.jc" % suffix, None if suffix else 5.0, False),
                row("lost of the RTT run @%s pps, C echo: C gen | flood" % rate, size, "rtt_lost%s.cc" % suffix,
                    "rtt_lost%s.jc" % suffix, None, False, check="paired"),
                row("pacing gap error p50 us @%s pps: C gen | flood" % rate, size, "gap_err_p50_us%s.cc" % suffix,
                    "gap_err_p50_us%s.jc" % suffix, None, False),
                row("pacing gap error p99 us @%s pps: C gen | flood" % rate, size, "gap_err_p99_us%s.cc" % suffix,
                    "gap_err_p99_us%s.jc" % suffix, None, False),
                row("pacing gap error max us @%s pps: C gen | flood" % rate, size, "gap_err_max_us%s.cc" % suffix,
                    "gap_err_max_us%s.jc" % suffix, None, False),
                row("flood's own event-loop stall max ms @%s pps (clientStalls)" % rate, size, "-",
                    "stall_max_ms%s.jc" % suffix, None, False),
            ]
            if not suffix:
                # flood without its warm-up: exactly N datagrams reach the echo, as from the C generator
                rows += [
                    row("RTT p50 us @10k pps, C echo: C gen | flood --warmup 0s", size, "rtt_p50_us.cc",
                        "rtt_p50_us.jc0", 1.5, False),
                    row("RTT p99.9 us @10k pps, C echo: C gen | flood --warmup 0s", size, "rtt_p999_us.cc",
                        "rtt_p999_us.jc0", 5.0, False),
                    row("lost of the RTT run @10k pps, C echo: C gen | flood --warmup 0s", size, "rtt_lost.cc",
                        "rtt_lost.jc0", None, False, check="paired"),
                    row("flood --warmup 0s: own event-loop stall max ms @10k pps", size, "-",
                        "stall_max_ms.jc0", None, False),
                ]
    cpu_rate = "%dk" % (int(meta.get("cpuRate", 20000)) // 1000)
    rows += [
        row("CPU us/datagram @%s pps, server (C gen): C echo | udp-server" % cpu_rate, "64", "cpu_server_us.cc",
            "cpu_server_us.cj", 1.0, False),
        row("CPU us/datagram @%s pps, generator (C echo): C gen | flood" % cpu_rate, "64", "cpu_client_us.cc",
            "cpu_client_us.jc", None, False),
    ]
    for rate in meta.get("coldRates", "5000 20000").split():
        rows += [
            row("cold start lost of 5000 @%s pps, C gen: C echo | fresh udp-server" % rate, "64",
                "cold_lost_r%s.c" % rate, "cold_lost_r%s.java" % rate, None, False, check="zero", each=True),
            row("cold start RTT max ms @%s pps: C echo | fresh udp-server" % rate, "64",
                "cold_rtt_max_ms_r%s.c" % rate, "cold_rtt_max_ms_r%s.java" % rate, None, False, each=True),
        ]
    rows += [
        row("peak RSS MiB, server (after full-rate floods)", "all", "rss_server_mib.c", "rss_server_mib.java",
            None, False, 150),
        row("peak RSS MiB, client (unpaced flood)", "all", "rss_client_mib.c", "rss_client_mib.java", None, False),
        row("start-up ms, launch to first echo", "all", "startup_ms.c", "startup_ms.java", None, False, 1000),
        row("cold start ms, launch to the listening line", "all", "cold_listening_ms.c", "cold_listening_ms.java",
            None, False, each=True),
    ]
    return rows


def phase_loads(out_dir):
    """[{round, phase, before, after, seconds}] from OUT_DIR/loads.tsv, in the order the phases ran."""
    phases = []
    try:
        lines = open(os.path.join(out_dir, "loads.tsv")).read().splitlines()
    except OSError:
        return phases
    for line in lines:
        parts = line.split("\t")
        if len(parts) not in (4, 5):
            continue
        round_, phase, when, load = parts[:4]
        if when == "before" or not phases or phases[-1]["phase"] != phase or phases[-1]["round"] != round_:
            phases.append({"round": round_, "phase": phase, "before": None, "after": None, "seconds": None})
        phases[-1][when] = load
        if len(parts) == 5 and parts[4].isdigit():
            phases[-1]["_" + when] = int(parts[4])
    for p in phases:
        if "_before" in p and "_after" in p:
            p["seconds"] = p["_after"] - p["_before"]
        p.pop("_before", None)
        p.pop("_after", None)
    return phases


def main(results_path, meta_json, as_json, out_dir):
    meta = json.loads(meta_json)
    values, by_round = {}, {}
    for line in open(results_path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            continue
        metric, size, round_, text = parts
        try:
            value = float(text)
        except ValueError:
            continue
        if not math.isnan(value):
            values.setdefault((metric, size), []).append(value)
            by_round.setdefault((metric, size), {})[round_] = value

    def median(metric, size):
        runs = values.get((metric, size))
        return statistics.median(runs) if runs else None

    table = []
    for spec in rows_for(meta["sizes"].split(), meta):
        size, c_metric, java_metric = spec["size"], spec["cMetric"], spec["javaMetric"]
        c, java = median(c_metric, size), median(java_metric, size)
        if c is None and java is None:
            continue
        c_runs, java_runs = values.get((c_metric, size), []), values.get((java_metric, size), [])
        ratio = java / c if c and java is not None else None
        target, higher, limit, goal, verdict = spec["target"], spec["higher"], spec["limit"], "", ""
        if target is not None:
            goal = ("Java/C >= %g" if higher else "Java/C <= %g") % target
            if ratio is not None:
                verdict = "ok" if (ratio >= target if higher else ratio <= target) else "MISSED"
        if limit is not None:
            goal = "Java <= %d" % limit
            if java is not None:
                verdict = "ok" if java <= limit else "MISSED"
        if spec["check"] == "zero":
            goal = "Java 0 in %d of %d" % (len(java_runs), len(java_runs))
            if java_runs:
                verdict = "ok" if all(v == 0 for v in java_runs) else "MISSED (%d of %d)" % (
                    sum(1 for v in java_runs if v == 0), len(java_runs))
        if spec["check"] == "paired":
            goal = "Java <= C each round"
            c_by, java_by = by_round.get((c_metric, size), {}), by_round.get((java_metric, size), {})
            common = [r for r in java_by if r in c_by]
            if common:
                verdict = "ok" if all(java_by[r] <= c_by[r] for r in common) else "MISSED"
        table.append({"scenario": spec["scenario"], "size": size, "c": c, "java": java, "ratio": ratio,
                      "target": goal, "verdict": verdict, "cRuns": c_runs, "javaRuns": java_runs,
                      "cMin": min(c_runs) if c_runs else None, "cMax": max(c_runs) if c_runs else None,
                      "javaMin": min(java_runs) if java_runs else None,
                      "javaMax": max(java_runs) if java_runs else None,
                      "cMetric": c_metric, "javaMetric": java_metric, "each": spec["each"]})

    def fmt(v):
        if v is None:
            return "n/a"
        if v == int(v):
            return "%d" % v
        return "%.0f" % v if abs(v) >= 100 else "%.1f" % v

    def spread(r, side):
        runs = r[side + "Runs"]
        if r["each"]:
            return " ".join(fmt(v) for v in runs)
        if len(runs) < 2:
            return ""
        return "%s..%s" % (fmt(r[side + "Min"]), fmt(r[side + "Max"]))

    loads = phase_loads(out_dir)
    header = ("udplab bench %s | %s | commit %s (bench %s) | rounds %s%s | Java server: %s, transport %s | "
              "nice %s | load %s -> %s | %s s") % (
        meta["date"], meta["machine"], meta["commit"], meta["benchCommit"], meta["rounds"],
        " (quick)" if meta["quick"] == "1" else "", meta.get("server", "udp-server.jar echo"), meta["javaTransport"],
        meta.get("nice", "0"), meta["loadStart"], meta["loadEnd"],
        meta["seconds"])
    width = max([len(r["scenario"]) for r in table] + [20])
    c_width = max([len(spread(r, "c")) for r in table] + [7])
    java_width = max([len(spread(r, "java")) for r in table] + [10])
    lines = [header]
    if loads:
        lines.append("load (1 min) per phase, before -> after (seconds): " + "; ".join(
            "%s%s %s -> %s (%s s)" % ("" if p["round"] == "0" else "r%s " % p["round"], p["phase"],
                                      (p["before"] or "?").split()[0], (p["after"] or "?").split()[0],
                                      "?" if p["seconds"] is None else p["seconds"]) for p in loads))
    lines.append("%-*s %5s %10s %-*s %10s %-*s %7s  %s" % (
        width, "scenario (medians; C | Java)", "size", "C", c_width, "C min..max", "Java", java_width,
        "Java min..max", "Java/C", "target"))
    for r in table:
        lines.append("%-*s %5s %10s %-*s %10s %-*s %7s  %s %s" % (
            width, r["scenario"], r["size"], fmt(r["c"]), c_width, spread(r, "c"), fmt(r["java"]), java_width,
            spread(r, "java"), "-" if r["ratio"] is None else "%.2f" % r["ratio"], r["target"], r["verdict"]))
    lines.append("(cold start rows: every fresh start's figure, in start order, instead of min..max)")
    warmup = meta.get("floodWarmup", "none")
    if warmup != "none":
        lines.append("(flood runs with --warmup %s, its default, in every flood row but the '--warmup 0s' ones: the "
                     "warm-up's datagrams reach the server but are in no figure; the C generator has no warm-up)"
                     % warmup)
    else:
        lines.append("(this flood has no --warmup: every flood row is a cold flood sending exactly N)")
    text = "\n".join(line.rstrip() for line in lines)
    document = json.dumps({**meta, "phaseLoads": loads, "rows": table})
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
