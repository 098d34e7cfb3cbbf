#!/usr/bin/env python3
"""What the udplab dashboard shows for the lab's floods, read from a real Prometheus (called by check.sh).

Several floods (one per client host, each with its own metrics endpoint on the management network) run through
the balancer against several servers. Once every flood has written its JSON report and Prometheus holds every
flood's final counts and a later scrape of every server, this evaluates the dashboard's own queries (read from
monitoring/grafana/dashboards/udplab.json, with the variables at the floods' target and the servers' mode) and
prints one "KEY VALUE" line each on stdout:
  loss_received   "Loss since the client started" A, 100 * (1 - received / sent), in percent
  loss_lost       the same panel's B, 100 * lost / sent
  kernel          "Where lost, since the processes started" A at the servers' port: their kernel drops
  dropped         its B at that port, every reason added up: what the servers dropped themselves
  rest            its C at that port: what the clients missed less what the servers account for
check.sh compares them with the floods' reports and the lab's counters. Exit 0, or 4 when Prometheus or a report
never showed up or a query failed.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "monitoring"))
import prometheus_check as check  # noqa: E402 (found through the path above)
import validate_dashboard as dash  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    check.add_lab_arguments(parser, timeout=40)
    parser.add_argument("--flood", nargs=3, action="append", required=True, metavar=("JSON", "INSTANCE", "PID"),
                        help="a flood's --json report file, its metrics endpoint HOST:PORT, its process id")
    parser.add_argument("--servers", type=int, required=True, help="how many servers Prometheus scrapes")
    args = parser.parse_args()
    floods = [(path, instance, int(pid)) for path, instance, pid in args.flood]

    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    prom = check.Prometheus(args.url)
    reports = check.wait_reports(floods, args.timeout)
    check.wait_final_scrapes(prom, reports, floods, f'job="udp-client",target="{args.target}"',
                             f'{{job="udp-server",port="{args.server_port}"}}', args.servers, args.timeout)
    at = time.time()
    values = check.grafana_values(args.scrape_interval, max(int(math.ceil(at - args.since)), 1),
                                  {"target": check.regex_escape(args.target), "mode": check.regex_escape(args.mode)})

    def query(title, ref_id):
        return prom.instant(dash.substitute(check.panel_target(dashboard, title, ref_id), values), at)

    def at_port(title, ref_id):
        series = [float(s["value"][1]) for s in query(title, ref_id) if s["metric"].get("port") == args.server_port]
        if not series:
            raise check.PrometheusError(f'panel "{title}" query {ref_id}: no series for port {args.server_port}')
        return sum(series)

    try:
        shown = {
            "loss_received": prom.value(dash.substitute(check.panel_target(dashboard, check.LOSS_PANEL, "A"), values), at),
            "loss_lost": prom.value(dash.substitute(check.panel_target(dashboard, check.LOSS_PANEL, "B"), values), at),
            "kernel": at_port(check.WHERE_LOST_PANEL, "A"),
            "dropped": at_port(check.WHERE_LOST_PANEL, "B"),
            "rest": at_port(check.WHERE_LOST_PANEL, "C"),
        }
    except (check.PrometheusError, KeyError) as e:
        print(f"dashboard_values: {e}", file=sys.stderr)
        return 4
    for key, value in shown.items():
        print(key, repr(value) if key.startswith("loss") else f"{value:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
