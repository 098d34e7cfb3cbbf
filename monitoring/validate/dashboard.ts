// The type a udplab dashboard must have: Grafana 11.1's own published schema (@grafana/schema 11.1.0, whose
// Dashboard defaults to schemaVersion 39, the version of grafana/grafana:11.1.0 in ../docker-compose.yml), with
// each panel's options and custom field config typed by that panel plugin's schema, and each query by the
// Prometheus query schema. validate.mjs assigns every dashboard JSON to `UdplabDashboard` and lets tsc --strict
// judge it: its excess-property check rejects any key the schema does not define.
//
// Where this differs from Grafana's types, and why (monitoring/README.md lists the same):
// - Panel.options and FieldConfig.custom are Record<string, unknown> in Dashboard: here they are the plugin's
//   Options and FieldConfig for the panel types the dashboard uses, with every option Grafana 11.1 writes on save.
// - Panel.targets is Array<Record<string, unknown>>: here PrometheusDataQuery. @grafana/schema dropped it in 11.0
//   (it moved to @grafana/prometheus, which has no 11.1 release), so it comes from 10.4.19, the last that shipped it.
// - JSON carries enum values as plain strings; TypeScript's string enums are nominal, so `Json<T>` turns each
//   string enum into the union of its values (numeric enums already accept their literals).
// - udplab's own rules, narrower than Grafana's: every datasource reference names the provisioned Prometheus by
//   type and uid (Grafana would fall back to the default datasource), and only these panel types.
// - One field Grafana writes but its schema lacks: a query variable's `definition` (the query's display text).
import type * as grafana from "@grafana/schema";
import type * as raw from "@grafana/schema/dist/esm/raw/dashboard/x/dashboard_types.gen";
import type * as timeseries from "@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen";
import type * as stat from "@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen";
import type * as bargauge from "@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen";
import type { PrometheusDataQuery } from "grafana-schema-10.4/dist/esm/raw/composable/prometheus/dataquery/x/PrometheusDataQuery_types.gen";

/** T as JSON spells it: string enums become their values, everything else keeps its shape. */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends Array<infer U>
      ? Array<Json<U>>
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** A reference to the provisioned Prometheus (uid from its provisioning file); Grafana's leaves both optional. */
export type PrometheusRef<Uid extends string> = { type: "prometheus"; uid: Uid };

type Query<Uid extends string> = Omit<PrometheusDataQuery, "datasource"> & { datasource: PrometheusRef<Uid> };

type FieldConfigSource<Custom> = Omit<raw.FieldConfigSource, "defaults"> & {
  defaults: Omit<raw.FieldConfig, "custom"> & { custom?: Custom };
};

type PluginPanel<Uid extends string, Type extends string, Options, Custom> =
  Omit<raw.Panel, "type" | "datasource" | "options" | "fieldConfig" | "targets"> & {
    type: Type;
    datasource: PrometheusRef<Uid>;
    options: Options;
    fieldConfig: FieldConfigSource<Custom>;
    targets: Array<Query<Uid>>;
  };

/** No custom field config: the stat and bar gauge plugins define none. */
type NoCustom = Record<string, never>;

export type Panel<Uid extends string> =
  | PluginPanel<Uid, "timeseries", timeseries.Options, timeseries.FieldConfig>
  | PluginPanel<Uid, "stat", stat.Options, NoCustom>
  | PluginPanel<Uid, "bargauge", bargauge.Options, NoCustom>;

export type RowPanel<Uid extends string> = Omit<raw.RowPanel, "panels" | "datasource"> & { panels: Array<Panel<Uid>> };

type VariableModel<Uid extends string> = Omit<grafana.VariableModel, "datasource"> & {
  datasource?: PrometheusRef<Uid>;
  definition?: string;
};

/** A udplab dashboard whose queries use the Prometheus datasource provisioned with uid `Uid`. */
export type UdplabDashboard<Uid extends string> = Json<
  Omit<grafana.Dashboard, "panels" | "templating"> & {
    panels: Array<Panel<Uid> | RowPanel<Uid>>;
    templating: { list: Array<VariableModel<Uid>> };
  }
>;

// validate.mjs assigns the panels and variables one by one too: tsc stops at the first failing path of an
// object literal, so one const per element reports a problem in every element at once.
export type DashboardPanel<Uid extends string> = UdplabDashboard<Uid>["panels"][number];
export type DashboardVariable<Uid extends string> = UdplabDashboard<Uid>["templating"]["list"][number];
