#!/usr/bin/env python3
"""Evaluates every PromQL expression of the udplab dashboard against a running Prometheus (called by check.sh).

It waits until Prometheus has scraped the final counts of a finished flood, then
  1. evaluates each expression (panels, nested rows, variables) through /api/v1/query, once with the variables
     at "All" and once at the flood's own target and mode, and fails on an error or an empty result; each panel
     expression must also have produced at least one finite value while the flood ran (/api/v1/query_range);
  2. checks that the "Loss since the client started" panel agrees with the flood's JSON report;
  3. checks that the "Where lost" kernel-drop series equals the datagrams the server never saw
     (flood sent - server received), exactly;
  4. checks that the loss and kernel-drop alert rules went pending on the same scrapes.
Exit 0 when all hold, 1 otherwise (one line per failure), 4 when Prometheus or the flood report never showed up.
"""
import argparse
import json
import math
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import validate_dashboard as dash

LOSS_PANEL = "Loss since the client started"
WHERE_LOST_PANEL = "Where lost, since the processes started"
EXPECTED_ALERTS = {"UdpServerKernelDrops", "UdpClientLossSustained"}
LOSS_TOLERANCE_POINTS = 0.01  # percentage points: the flood report rounds lossPercent, the counters are exact


class PrometheusError(Exception):
    pass


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        query = urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            try:
                body = json.load(e)
            except ValueError:
                raise PrometheusError(f"HTTP {e.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise PrometheusError(str(e)) from None
        if body.get("status") != "success":
            raise PrometheusError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def instant(self, expr, at):
        data = self.get("/api/v1/query", query=expr, time=f"{at:.3f}")
        if data["resultType"] != "vector":
            raise PrometheusError(f"expected a vector, got {data['resultType']}")
        return data["result"]

    def range(self, expr, start, end, step):
        return self.get("/api/v1/query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step}s")["result"]

    def value(self, expr, at):
        """The single value of an expression that must return exactly one series."""
        result = self.instant(expr, at)
        if len(result) != 1:
            raise PrometheusError(f"{expr}: expected one series, got {len(result)}")
        return float(result[0]["value"][1])


def wait_for(what, timeout, probe, interval=0.5):
    """Calls probe() until it returns a true value; exits 4 naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = probe()
            if result:
                return result
        except PrometheusError as e:
            last_error = e
        time.sleep(interval)
    print(f"check: timed out after {timeout:.0f}s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""),
          file=sys.stderr)
    sys.exit(4)


def read_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def running(pid):
    """Whether the process exists and has not exited (a child the shell has not reaped yet is a zombie)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def regex_escape(value):
    """Escapes a label value as Grafana's Prometheus datasource does for a multi-value variable: regex
    metacharacters get a backslash, doubled because the value lands inside a PromQL double-quoted string."""
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(0), value)


def grafana_values(scrape_interval, window_seconds, variables):
    rate_interval = max(4 * scrape_interval, 2 * scrape_interval)  # $__interval == scrape interval here
    values = {
        "__rate_interval": f"{rate_interval}s",
        "__interval": f"{scrape_interval}s",
        "__interval_ms": str(scrape_interval * 1000),
        "__range": f"{window_seconds}s",
        "__range_s": str(window_seconds),
        "__range_ms": str(window_seconds * 1000),
    }
    values.update(variables)
    return values


def panel_target(dashboard, title, ref_id):
    for panel in dash.all_panels(dashboard["panels"]):
        if panel.get("title") == title:
            for target in panel.get("targets", []):
                if target.get("refId") == ref_id:
                    return target["expr"]
    raise KeyError(f'panel "{title}" query {ref_id} not found in the dashboard')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Prometheus base URL")
    parser.add_argument("--dashboard", default=dash.DEFAULT_DASHBOARD)
    parser.add_argument("--flood-json", required=True, help="file the flood's --json report is written to")
    parser.add_argument("--target", required=True, help="the flood's --to HOST:PORT (its metric label)")
    parser.add_argument("--mode", required=True, help="the server's mode label")
    parser.add_argument("--server-port", required=True, help="the server's UDP port (its metric label)")
    parser.add_argument("--since", type=float, required=True, help="epoch seconds before the processes started")
    parser.add_argument("--flood-pid", type=int, help="stop waiting for the report once this process has exited")
    parser.add_argument("--scrape-interval", type=int, default=1, help="seconds, as in the scrape config")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each condition")
    args = parser.parse_args()

    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    prom = Prometheus(args.url)
    client = f'{{job="udp-client",target="{args.target}"}}'
    server = f'{{job="udp-server",port="{args.server_port}"}}'

    def flood_report():
        report = read_report(args.flood_json)
        if report is None and args.flood_pid and not running(args.flood_pid) and read_report(args.flood_json) is None:
            print(f"check: the flood exited without a JSON report in {args.flood_json}", file=sys.stderr)
            sys.exit(4)
        return report
    report = wait_for(f"the flood's JSON report in {args.flood_json}", args.timeout, flood_report)
    report_time = time.time()
    wait_for("both targets up", args.timeout,
             lambda: len(prom.instant('up{job=~"udp-server|udp-client"} == 1', time.time())) == 2)

    # The flood settles its lost counter when the drain ends, so its sent/received can be final a scrape earlier.
    def final_counts_scraped():
        now = time.time()
        for name in ("sent", "received", "lost"):
            series = prom.instant(f"udp_client_datagrams_{name}_total{client}", now)
            if len(series) != 1 or float(series[0]["value"][1]) != report[name]:
                return False
        server_scraped = prom.instant(f"timestamp(udp_server_datagrams_received_total{server})", now)
        return server_scraped and min(float(s["value"][1]) for s in server_scraped) > report_time
    wait_for(f"a scrape of the final counts (sent {report['sent']}, received {report['received']}, "
             f"lost {report['lost']})", args.timeout, final_counts_scraped)
    at = time.time()
    window = max(int(math.ceil(at - args.since)), 1)
    print(f"check: flood sent {report['sent']}, received {report['received']}, lost {report['lost']} "
          f"({report['lossPercent']}%); final counts scraped; evaluating the dashboard at {at:.0f} over {window}s")

    failures = []
    concrete = {"target": regex_escape(args.target), "mode": regex_escape(args.mode)}
    everything = {name: ".*" for name in dash.variable_names(dashboard)}
    expected_option = {"target": args.target, "mode": args.mode}
    count = 0
    for query in dash.queries(dashboard):
        count += 1
        where, expr = query.where, query.expr
        if query.kind == "variable":
            name = query.name
            try:
                result = prom.instant(expr, at)
            except PrometheusError as e:
                failures.append(f"{where}: {expr}: {e}")
                continue
            options = sorted({s["metric"].get(name, "") for s in result})
            if expected_option.get(name) is not None and expected_option[name] not in options:
                failures.append(f"{where}: {expr} offers {options}, not the running {expected_option[name]!r}")
            else:
                print(f"  ok  {where}: offers {options}")
            continue
        results = {}
        for label, variables in (("all", everything), ("selected", concrete)):
            promql = dash.substitute(expr, grafana_values(args.scrape_interval, window, variables))
            try:
                results[label] = prom.instant(promql, at)
                if not results[label]:
                    failures.append(f"{where} ({label}): no series: {promql}")
            except PrometheusError as e:
                failures.append(f"{where} ({label}): {e}: {promql}")
        promql = dash.substitute(expr, grafana_values(args.scrape_interval, window, concrete))
        try:
            series = prom.range(promql, args.since, at, args.scrape_interval)
            finite = sum(1 for s in series for _, v in s["values"] if math.isfinite(float(v)))
            if series and not finite:
                failures.append(f"{where}: only NaN/Inf while the flood ran: {promql}")
        except PrometheusError as e:
            failures.append(f"{where} (range): {e}: {promql}")
            finite = 0
        if all(results.get(k) for k in ("all", "selected")) and finite:
            print(f"  ok  {where}: {len(results['selected'])} series, {finite} finite samples over the run")

    # The loss panel against the flood's own report.
    values = grafana_values(args.scrape_interval, window, concrete)
    for ref_id, meaning in (("A", "1 - received/sent"), ("B", "lost counter / sent")):
        try:
            shown = prom.value(dash.substitute(panel_target(dashboard, LOSS_PANEL, ref_id), values), at)
        except (PrometheusError, KeyError) as e:
            failures.append(f'panel "{LOSS_PANEL}" query {ref_id}: {e}')
            continue
        line = (f'panel "{LOSS_PANEL}" ({meaning}) shows {shown:.4f}%, the flood report {report["lossPercent"]}% '
                f"(tolerance {LOSS_TOLERANCE_POINTS} points)")
        if abs(shown - float(report["lossPercent"])) <= LOSS_TOLERANCE_POINTS:
            print(f"  ok  {line}")
        else:
            failures.append(line)

    # The kernel-drop series against the datagrams the server never saw.
    try:
        server_received = prom.value(f"sum(udp_server_datagrams_received_total{server})", at)
        kernel = [s for s in prom.instant(dash.substitute(panel_target(dashboard, WHERE_LOST_PANEL, "A"), values), at)
                  if s["metric"].get("port") == str(args.server_port)]
        if len(kernel) != 1:
            raise PrometheusError(f"expected one kernel-drop series for port {args.server_port}, got {len(kernel)}")
        kernel_drops = float(kernel[0]["value"][1])
        never_seen = report["sent"] - server_received
        line = (f'panel "{WHERE_LOST_PANEL}" kernel drops {kernel_drops:.0f}; the server never saw '
                f'{never_seen:.0f} (flood sent {report["sent"]} - server received {server_received:.0f})')
        if kernel_drops != never_seen:
            failures.append(line + ": not equal")
        elif kernel_drops == 0:
            failures.append(line + ": no kernel drops, so the check proved nothing; lower --rcvbuf or raise --count")
        else:
            print(f"  ok  {line}")
    except (PrometheusError, KeyError) as e:
        failures.append(f'panel "{WHERE_LOST_PANEL}" query A: {e}')

    # The alert rules, loaded by this Prometheus from alerts.yml, see the same loss on the real series.
    # Alerts resolve once the lingering client is gone, so collect every alert seen while polling.
    deadline = time.monotonic() + args.timeout
    seen = set()
    while time.monotonic() < deadline and not EXPECTED_ALERTS <= seen:
        try:
            seen |= {a["labels"]["alertname"] for a in prom.get("/api/v1/alerts")["alerts"]}
        except PrometheusError as e:
            failures.append(f"/api/v1/alerts: {e}")
            break
        if not EXPECTED_ALERTS <= seen:
            time.sleep(0.5)
    if EXPECTED_ALERTS <= seen:
        print(f"  ok  alerts pending or firing: {sorted(seen)}")
    else:
        failures.append(f"alerts {sorted(EXPECTED_ALERTS - seen)} never became pending (seen: {sorted(seen)})")

    for failure in failures:
        print(f"  FAIL  {failure}")
    print(f"check: {count} dashboard expressions evaluated, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
