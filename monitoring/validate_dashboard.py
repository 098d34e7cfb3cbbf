#!/usr/bin/env python3
"""Structural test of the udplab Grafana dashboard, and the one place that knows how to read its queries.

Usage: validate_dashboard.py [DASHBOARD_JSON [DATASOURCE_YAML]]   (defaults: the files in this folder)
Exit 0 when the dashboard is valid, 1 with one line per problem otherwise.

Grafana is not in the OS package archive, so CI cannot load the dashboard; this checks what Grafana would
need: a current schema, only current panel types, the provisioned datasource by its fixed uid on every panel,
target and variable, a query on every panel, and the `target` and `mode` variables. check.sh imports
`queries()` and `substitute()` from here to evaluate every expression against a real Prometheus.
"""
import json
import os
import re
import sys
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DASHBOARD = os.path.join(HERE, "grafana", "dashboards", "udplab.json")
DEFAULT_DATASOURCE = os.path.join(HERE, "grafana", "provisioning", "datasources", "prometheus.yml")
MIN_SCHEMA_VERSION = 39
ALLOWED_PANEL_TYPES = {"timeseries", "stat", "gauge", "bargauge", "table", "row"}
REQUIRED_VARIABLES = ("target", "mode")
BUILTIN_VARIABLES = ("__rate_interval", "__interval_ms", "__interval", "__range_ms", "__range_s", "__range")
VARIABLE_REFERENCE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")
LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(.+?)\s*,\s*(\w+)\s*\)\s*$")


def datasource_uid(datasource_yaml):
    """The uid of the provisioned Prometheus datasource (one datasource per file, read without a YAML library)."""
    with open(datasource_yaml, encoding="utf-8") as f:
        uids = re.findall(r"^\s*uid:\s*[\"']?([\w-]+)", f.read(), re.MULTILINE)
    if len(uids) != 1:
        raise ValueError(f"{datasource_yaml}: expected exactly one 'uid:', found {len(uids)}")
    return uids[0]


def all_panels(panels):
    """Every panel, depth first, including those nested in collapsed rows."""
    for panel in panels or []:
        yield panel
        yield from all_panels(panel.get("panels"))


def variable_query(variable):
    """The query string of a query variable, whether stored as a string or as the query-editor object."""
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    return query if isinstance(query, str) else ""


def variable_promql(variable):
    """A PromQL expression whose series carry the variable's values in the label of the same name.

    Returns (expression, label). Only the `label_values(SELECTOR, LABEL)` form is supported: it is the one that
    works against any Prometheus, and the one whose results can be checked for being non-empty.
    """
    match = LABEL_VALUES.match(variable_query(variable))
    if not match:
        return None, None
    selector, label = match.groups()
    return f"count by ({label}) ({selector})", label


class Query(namedtuple("Query", "kind name ref_id expr")):
    """One PromQL expression: kind "panel" (name = panel title, ref_id = target refId) or "variable"."""

    @property
    def where(self):
        return f'panel "{self.name}" query {self.ref_id}' if self.kind == "panel" else f'variable "{self.name}"'


def queries(dashboard):
    """Every PromQL expression in the dashboard: panel targets (nested rows too), then query variables."""
    for panel in all_panels(dashboard.get("panels")):
        for target in panel.get("targets") or []:
            yield Query("panel", panel.get("title"), target.get("refId"), target.get("expr", ""))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            expr, _ = variable_promql(variable)
            yield Query("variable", variable.get("name"), None, expr or variable_query(variable))


def variable_names(dashboard):
    return [v.get("name") for v in dashboard.get("templating", {}).get("list", [])]


def referenced_variables(expr):
    """Variable names an expression uses; "$1"-style regex group references (label_replace) are not variables."""
    names = {next(g for g in m.groups() if g) for m in VARIABLE_REFERENCE.finditer(expr)}
    return {n for n in names if not n[0].isdigit()}


def substitute(expr, values):
    """Replaces $name, ${name}, ${name:format} and [[name]] by values[name]; leaves other $ words (e.g. "$1")."""
    def replace(match):
        name = next(g for g in match.groups() if g)
        return values.get(name, match.group(0))
    return VARIABLE_REFERENCE.sub(replace, expr)


def validate(dashboard, uid):
    problems = []
    expected_ds = {"type": "prometheus", "uid": uid}
    text = json.dumps(dashboard)
    if "${DS_" in text or "__inputs" in dashboard:
        problems.append("dashboard uses import-time ${DS_...} inputs; reference the datasource by uid instead")
    schema = dashboard.get("schemaVersion")
    if not isinstance(schema, int) or schema < MIN_SCHEMA_VERSION:
        problems.append(f"schemaVersion is {schema!r}, expected an integer >= {MIN_SCHEMA_VERSION}")
    if not dashboard.get("uid") or not dashboard.get("title"):
        problems.append("dashboard needs a fixed uid and a title")
    if not dashboard.get("panels"):
        problems.append("dashboard has no panels")

    ids = []
    known = set(variable_names(dashboard)) | set(BUILTIN_VARIABLES)
    for panel in all_panels(dashboard.get("panels")):
        title = panel.get("title") or f"id {panel.get('id')}"
        ptype = panel.get("type")
        ids.append(panel.get("id"))
        if ptype not in ALLOWED_PANEL_TYPES:
            problems.append(f'panel "{title}": type {ptype!r} not allowed (allowed: {sorted(ALLOWED_PANEL_TYPES)})')
        if "gridPos" not in panel:
            problems.append(f'panel "{title}": no gridPos')
        if ptype == "row":
            if panel.get("targets"):
                problems.append(f'row "{title}": rows carry no queries')
            continue
        if panel.get("datasource") != expected_ds:
            problems.append(f'panel "{title}": datasource is {panel.get("datasource")!r}, expected {expected_ds}')
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f'panel "{title}": no query')
        refids = [t.get("refId") for t in targets]
        if len(set(refids)) != len(refids) or None in refids:
            problems.append(f'panel "{title}": refIds must be present and unique, got {refids}')
        for target in targets:
            where = f'panel "{title}" query {target.get("refId")}'
            if target.get("datasource") != expected_ds:
                problems.append(f"{where}: datasource is {target.get('datasource')!r}, expected {expected_ds}")
            expr = target.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                problems.append(f"{where}: empty expr")
                continue
            unknown = referenced_variables(expr) - known
            if unknown:
                problems.append(f"{where}: undefined variables {sorted(unknown)}")
    duplicates = {i for i in ids if ids.count(i) > 1}
    if None in ids or duplicates:
        problems.append(f"panel ids must be present and unique (duplicates: {sorted(d for d in duplicates if d is not None)})")

    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    for name in REQUIRED_VARIABLES:
        variable = variables.get(name)
        if variable is None:
            problems.append(f'variable "{name}" missing')
            continue
        if variable.get("type") != "query":
            problems.append(f'variable "{name}": type {variable.get("type")!r}, expected "query"')
        if variable.get("datasource") != expected_ds:
            problems.append(f'variable "{name}": datasource is {variable.get("datasource")!r}, expected {expected_ds}')
        expr, label = variable_promql(variable)
        if expr is None:
            problems.append(f'variable "{name}": query {variable_query(variable)!r} is not label_values(SELECTOR, LABEL)')
        elif label != name:
            problems.append(f'variable "{name}": takes the values of label {label!r}, expected {name!r}')
    for name in REQUIRED_VARIABLES:
        if not any(name in referenced_variables(q.expr) for q in queries(dashboard) if q.kind == "panel"):
            problems.append(f'variable "{name}" is used by no panel')
    return problems


def main(argv):
    dashboard_path = argv[1] if len(argv) > 1 else DEFAULT_DASHBOARD
    datasource_path = argv[2] if len(argv) > 2 else DEFAULT_DATASOURCE
    try:
        with open(dashboard_path, encoding="utf-8") as f:
            dashboard = json.load(f)
        uid = datasource_uid(datasource_path)
    except (OSError, ValueError) as e:
        print(f"validate_dashboard: {e}", file=sys.stderr)
        return 1
    problems = validate(dashboard, uid)
    for problem in problems:
        print(f"{dashboard_path}: {problem}", file=sys.stderr)
    if problems:
        return 1
    count = sum(1 for _ in queries(dashboard))
    panels = sum(1 for p in all_panels(dashboard["panels"]) if p.get("type") != "row")
    print(f"dashboard ok: schemaVersion {dashboard['schemaVersion']}, {panels} panels, {count} queries, datasource uid {uid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
