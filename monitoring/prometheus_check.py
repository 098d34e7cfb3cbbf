#!/usr/bin/env python3
"""Evaluates every PromQL expression of the udplab dashboard against a running Prometheus (called by check.sh).

Several floods run at once against one server, each with its own metrics endpoint (as the pods of
deploy/k8s/flood-job.yaml do). It waits until Prometheus has scraped every flood's final counts, then
  1. evaluates each expression (panels, nested rows, variables) through /api/v1/query, once with the variables
     at "All" and once at the floods' target and mode, and fails on an error, an empty result, or a panel series
     that still carries an `instance` label (the dashboard must add the clients up); each panel expression must
     also have produced at least one finite value while the floods ran (/api/v1/query_range);
  2. checks that the "Loss since the client started" panel equals the loss of all floods together, computed from
     their JSON reports as Prometheus computes it (the ratio of the sums), exactly;
  3. checks that the "Where lost" kernel-drop series equals the datagrams the server never saw
     (the floods' sent - server received), exactly;
  4. checks that the loss and kernel-drop alert rules went pending on the same scrapes;
  5. waits until every flood has exited and Prometheus has failed to scrape it (its series are stale, an instant
     selector finds nothing), and checks that the panels read after a run still show the floods' last values:
     the loss panel exactly as in 2, the totals and the client buffers non-empty.
Exit 0 when all hold, 1 otherwise (one line per failure), 4 when Prometheus or a flood report never showed up.
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
BUFFERS_PANEL = "Granted socket buffers"
# The instant panels someone reads after a run: each must still show the floods once their endpoints are gone.
AFTER_RUN_PANELS = (LOSS_PANEL, WHERE_LOST_PANEL, BUFFERS_PANEL)
EXPECTED_ALERTS = {"UdpServerKernelDrops", "UdpClientLossSustained"}


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


def panel_targets(dashboard, title):
    """{refId: expr} of the panel with this title."""
    for panel in dash.all_panels(dashboard["panels"]):
        if panel.get("title") == title:
            return {t.get("refId"): t["expr"] for t in panel.get("targets", [])}
    raise KeyError(f'panel "{title}" not found in the dashboard')


def panel_target(dashboard, title, ref_id):
    expr = panel_targets(dashboard, title).get(ref_id)
    if expr is None:
        raise KeyError(f'panel "{title}" query {ref_id} not found in the dashboard')
    return expr


def wait_reports(floods, timeout):
    """The floods' JSON reports, [(path, instance, pid)] in, once each is written; exits 4 for a flood that exited
    without one."""
    def flood_report(path, pid):
        report = read_report(path)
        if report is None and not running(pid) and read_report(path) is None:
            print(f"check: the flood exited without a JSON report in {path}", file=sys.stderr)
            sys.exit(4)
        return report
    return [wait_for(f"the flood's JSON report in {path}", timeout, lambda: flood_report(path, pid))
            for path, _, pid in floods]


def wait_final_scrapes(prom, reports, floods, client, server, servers, timeout):
    """Waits until every server and flood target is up and Prometheus holds every flood's final sent, received and
    lost (its report's) and a scrape of each server from after the reports; returns the floods' totals. `client` is
    the flood series' label matchers, `server` a selector of the servers' series, `servers` how many there are."""
    report_time = time.time()
    wait_for(f"every target up ({servers} servers, {len(floods)} floods)", timeout,
             lambda: len(prom.instant('up{job=~"udp-server|udp-client"} == 1', time.time())) == len(floods) + servers)

    # A flood settles its lost counter when the drain ends, so its sent/received can be final a scrape earlier.
    def final_counts_scraped():
        now = time.time()
        for report, (_, instance, _) in zip(reports, floods):
            counts = {f"datagrams_{name}": report[name] for name in ("sent", "received", "lost")}
            counts.update({f"warmup_datagrams_{name}": report["warmup"][name] for name in ("sent", "received")})
            for name, count in counts.items():
                series = prom.instant(f'udp_client_{name}_total{{{client},instance="{instance}"}}', now)
                if len(series) != 1 or float(series[0]["value"][1]) != count:
                    return False
        server_scraped = prom.instant(f"timestamp(udp_server_datagrams_received_total{server})", now)
        return (len({s["metric"].get("instance") for s in server_scraped}) == servers
                and min(float(s["value"][1]) for s in server_scraped) > report_time)
    total = {name: sum(r[name] for r in reports) for name in ("sent", "received", "lost")}
    # the floods' warm-ups: in no report figure, but the server counts them, and so does "Where lost"
    total.update({f"warmup_{name}": sum(r["warmup"][name] for r in reports) for name in ("sent", "received")})
    wait_for(f"a scrape of every flood's final counts (together sent {total['sent']}, received {total['received']}, "
             f"lost {total['lost']})", timeout, final_counts_scraped)
    return total


def expected_loss(reports):
    """The loss panel's two queries as Prometheus evaluates them over the floods' final counters: the same
    float operations in the same order, so the comparison can be exact."""
    sent = float(sum(r["sent"] for r in reports))
    received = float(sum(r["received"] for r in reports))
    lost = float(sum(r["lost"] for r in reports))
    return {"A": ("1 - received/sent", 100 * (1 - received / sent)), "B": ("lost counter / sent", 100 * lost / sent)}


def check_loss_panel(prom, dashboard, values, at, reports, failures, when):
    for ref_id, (meaning, expected) in expected_loss(reports).items():
        try:
            shown = prom.value(dash.substitute(panel_target(dashboard, LOSS_PANEL, ref_id), values), at)
        except (PrometheusError, KeyError) as e:
            failures.append(f'panel "{LOSS_PANEL}" query {ref_id} {when}: {e}')
            continue
        line = (f'panel "{LOSS_PANEL}" ({meaning}) {when} shows {shown!r}%, the floods together {expected!r}%')
        if shown == expected:
            print(f"  ok  {line}")
        else:
            failures.append(line)


def add_lab_arguments(parser, timeout):
    """The options every dashboard check takes: where Prometheus is, the dashboard, the labels of the run."""
    parser.add_argument("--url", required=True, help="Prometheus base URL")
    parser.add_argument("--dashboard", default=dash.DEFAULT_DASHBOARD)
    parser.add_argument("--target", required=True, help="the floods' --to HOST:PORT (their metric label)")
    parser.add_argument("--mode", required=True, help="the servers' mode label")
    parser.add_argument("--server-port", required=True, help="the servers' UDP port (their metric label)")
    parser.add_argument("--since", type=float, required=True, help="epoch seconds before the processes started")
    parser.add_argument("--scrape-interval", type=int, default=1, help="seconds, as in the scrape config")
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds to wait for each condition")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_lab_arguments(parser, timeout=60)
    parser.add_argument("--flood-json", action="append", required=True,
                        help="file a flood's --json report is written to (once per flood)")
    parser.add_argument("--flood-instance", action="append", required=True,
                        help="that flood's metrics endpoint HOST:PORT, its instance label (once per flood, same order)")
    parser.add_argument("--flood-pid", type=int, action="append", required=True,
                        help="that flood's process id (once per flood, same order)")
    args = parser.parse_args()
    if not len(args.flood_json) == len(args.flood_instance) == len(args.flood_pid):
        parser.error("give --flood-json, --flood-instance and --flood-pid once per flood")
    floods = list(zip(args.flood_json, args.flood_instance, args.flood_pid))

    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    prom = Prometheus(args.url)
    client = f'job="udp-client",target="{args.target}"'
    server = f'{{job="udp-server",port="{args.server_port}"}}'

    reports = wait_reports(floods, args.timeout)
    total = wait_final_scrapes(prom, reports, floods, client, server, 1, args.timeout)
    at = time.time()
    window = max(int(math.ceil(at - args.since)), 1)
    for report, (_, instance, _) in zip(reports, floods):
        print(f"check: flood {instance} sent {report['sent']}, received {report['received']}, lost {report['lost']} "
              f"({report['lossPercent']}%)")
    print(f"check: together sent {total['sent']}, received {total['received']}, lost {total['lost']} "
          f"({100 * total['lost'] / total['sent']:.4f}%; the mean of the floods' loss percentages would say "
          f"{sum(r['lossPercent'] for r in reports) / len(reports):.4f}%); final counts scraped; "
          f"evaluating the dashboard at {at:.0f} over {window}s")

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
                per_instance = [s["metric"]["instance"] for s in results[label] if "instance" in s["metric"]]
                if per_instance:
                    failures.append(f"{where} ({label}): one series per instance ({sorted(per_instance)}), "
                                    f"not summed over the clients: {promql}")
                    results[label] = None
            except PrometheusError as e:
                failures.append(f"{where} ({label}): {e}: {promql}")
        promql = dash.substitute(expr, grafana_values(args.scrape_interval, window, concrete))
        try:
            series = prom.range(promql, args.since, at, args.scrape_interval)
            finite = sum(1 for s in series for _, v in s["values"] if math.isfinite(float(v)))
            if series and not finite:
                failures.append(f"{where}: only NaN/Inf while the floods ran: {promql}")
        except PrometheusError as e:
            failures.append(f"{where} (range): {e}: {promql}")
            finite = 0
        if all(results.get(k) for k in ("all", "selected")) and finite:
            print(f"  ok  {where}: {len(results['selected'])} series, {finite} finite samples over the run")

    # The loss panel against the floods' own reports.
    values = grafana_values(args.scrape_interval, window, concrete)
    check_loss_panel(prom, dashboard, values, at, reports, failures, "during the linger")

    # The kernel-drop series against the datagrams the server never saw.
    try:
        server_received = prom.value(f"sum(udp_server_datagrams_received_total{server})", at)
        kernel = [s for s in prom.instant(dash.substitute(panel_target(dashboard, WHERE_LOST_PANEL, "A"), values), at)
                  if s["metric"].get("port") == str(args.server_port)]
        if len(kernel) != 1:
            raise PrometheusError(f"expected one kernel-drop series for port {args.server_port}, got {len(kernel)}")
        kernel_drops = float(kernel[0]["value"][1])
        never_seen = total["sent"] + total["warmup_sent"] - server_received
        line = (f'panel "{WHERE_LOST_PANEL}" kernel drops {kernel_drops:.0f}; the server never saw '
                f'{never_seen:.0f} (floods sent {total["sent"]} + {total["warmup_sent"]} in their warm-ups - server '
                f'received {server_received:.0f})')
        if kernel_drops != never_seen:
            failures.append(line + ": not equal")
        elif kernel_drops == 0:
            failures.append(line + ": no kernel drops, so the check proved nothing; lower --rcvbuf or raise --count")
        else:
            print(f"  ok  {line}")
    except (PrometheusError, KeyError) as e:
        failures.append(f'panel "{WHERE_LOST_PANEL}" query A: {e}')

    # The alert rules, loaded by this Prometheus from alerts.yml, see the same loss on the real series.
    # Alerts resolve once the lingering clients are gone, so collect every alert seen while polling.
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

    # After the run: every flood has exited and its target is down, so its series are stale.
    wait_for("every flood to exit after its --linger", args.timeout,
             lambda: not any(running(pid) for _, _, pid in floods))
    wait_for("Prometheus to find every flood target down", args.timeout,
             lambda: len(prom.instant('up{job="udp-client"} == 0', time.time())) == len(floods))
    after = time.time()
    values = grafana_values(args.scrape_interval, max(int(math.ceil(after - args.since)), 1), concrete)
    gone = prom.instant(f"udp_client_datagrams_sent_total{{{client}}}", after)
    if gone:
        failures.append(f"after the run an instant selector still finds {len(gone)} client series: "
                        "the after-run checks prove nothing")
    else:
        print("  ok  after the run: the floods' targets are down and an instant selector finds no client series")
    check_loss_panel(prom, dashboard, values, after, reports, failures, "after the run")
    shown = {}
    for title in AFTER_RUN_PANELS[1:]:
        for ref_id, expr in panel_targets(dashboard, title).items():
            try:
                shown[title, ref_id] = prom.instant(dash.substitute(expr, values), after)
            except PrometheusError as e:
                failures.append(f'panel "{title}" query {ref_id} after the run: {e}')
                continue
            if shown[title, ref_id]:
                print(f'  ok  panel "{title}" query {ref_id} after the run: {len(shown[title, ref_id])} series')
            else:
                failures.append(f'panel "{title}" query {ref_id} after the run: no data')
    # Its rest is what the clients missed (from their reports) less what the server side accounts for.
    def at_port(ref_id):
        return [float(s["value"][1]) for s in shown.get((WHERE_LOST_PANEL, ref_id)) or []
                if s["metric"].get("port") == str(args.server_port)]
    kernel, dropped, rest = at_port("A"), at_port("B"), at_port("C")
    if len(kernel) == 1 and len(rest) == 1:
        missing = total["sent"] + total["warmup_sent"] - total["received"] - total["warmup_received"]
        expected_rest = missing - kernel[0] - sum(dropped)
        line = (f'panel "{WHERE_LOST_PANEL}" after the run: rest {rest[0]:.0f} = the floods\' missing {missing} '
                f'(their warm-ups\' included) - kernel {kernel[0]:.0f} - server dropped {sum(dropped):.0f}')
        if rest[0] == expected_rest:
            print(f"  ok  {line}")
        else:
            failures.append(f"{line}: expected {expected_rest:.0f}")
    else:
        failures.append(f'panel "{WHERE_LOST_PANEL}" after the run: no kernel or rest series for port {args.server_port}')

    for failure in failures:
        print(f"  FAIL  {failure}")
    print(f"check: {count} dashboard expressions evaluated, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
