// Checks what the schemas cannot: that deployment.yaml, service.yaml and servicemonitor.yaml agree on
// ports and labels, so that probes, the Service and the scrape all reach the ports the server binds; and
// that flood-job.yaml's floods reach that Service, report, and are scraped (on the pod's address) long enough
// under the job names the dashboard and alerts select on (those of monitoring/prometheus/prometheus.yml).
// Usage: node consistency.mjs DEPLOYMENT SERVICE SERVICEMONITOR FLOOD_JOB PROMETHEUS_YML
// Exit 0 consistent, 1 not. Each broken variant below must be caught, so this check is itself tested on
// every run.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

function argValue(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

// "15s", "1m", "500ms" (the flood's and the Operator's durations) in seconds; NaN otherwise
function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text ?? "");
  return m ? Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2]] : NaN;
}

// The job label a monitor's relabelings give its targets, if they set one.
const jobOf = (endpoint) => (endpoint.relabelings ?? []).find((r) => r.targetLabel === "job")?.replacement;

export function problems(deployment, service, monitor) {
  const found = [];
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const args = container.args ?? [];
  const ports = new Map((container.ports ?? []).map((p) => [p.name, p]));
  const udpPort = Number(argValue(args, "--port"));
  const metricsPort = Number(argValue(args, "--metrics-port"));

  const udp = [...ports.values()].find((p) => p.protocol === "UDP");
  if (!udp || udp.containerPort !== udpPort) found.push(`--port ${udpPort} is not the container's UDP port`);
  const metrics = ports.get("metrics");
  if (!metrics || metrics.containerPort !== metricsPort || metrics.protocol !== "TCP") {
    found.push(`--metrics-port ${metricsPort} is not the container's TCP port named metrics`);
  }
  if (argValue(args, "--host") !== "0.0.0.0") found.push("--host must be 0.0.0.0: the default 127.0.0.1 is unreachable from other pods");
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const get = container[probe]?.httpGet;
    if (!get) { found.push(`${probe} missing`); continue; }
    const port = typeof get.port === "string" ? ports.get(get.port)?.containerPort : get.port;
    if (port !== metricsPort || get.path !== "/metrics") found.push(`${probe} does not ask ${metricsPort}/metrics`);
  }
  const annotations = pod.metadata.annotations ?? {};
  if (annotations["prometheus.io/port"] !== String(metricsPort)) found.push("pod annotation prometheus.io/port is not --metrics-port");

  const selects = (selector, labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  if (!selects(service.spec.selector, pod.metadata.labels)) found.push("the Service selector does not select the pods");
  for (const sp of service.spec.ports) {
    const target = typeof sp.targetPort === "string" ? ports.get(sp.targetPort) : [...ports.values()].find((p) => p.containerPort === sp.targetPort);
    if (!target || (target.protocol ?? "TCP") !== (sp.protocol ?? "TCP")) found.push(`Service port ${sp.name} has no container port of its protocol`);
  }
  if (!selects(monitor.spec.selector.matchLabels, service.metadata.labels)) found.push("the ServiceMonitor does not select the Service");
  for (const ep of monitor.spec.endpoints) {
    if (!service.spec.ports.some((sp) => sp.name === ep.port && sp.protocol === "TCP")) found.push(`ServiceMonitor port ${ep.port} is not a TCP port of the Service`);
  }
  return found;
}

export function floodProblems(job, podMonitor, service, monitor, jobNames) {
  const found = [];
  const pod = job.spec.template;
  const flood = pod.spec.containers.find((c) => c.args?.[0] === "flood");
  if (!flood) return ["no container runs flood"];
  const args = flood.args;
  if (!(job.spec.parallelism >= 2) || job.spec.completions !== job.spec.parallelism) {
    found.push("parallelism must be at least 2 and equal completions: N generators at once, one run each");
  }
  if (job.spec.backoffLimit !== 0) found.push("backoffLimit must be 0: a retried pod adds a second run to the sums");
  const udp = service.spec.ports.find((p) => p.protocol === "UDP");
  if (argValue(args, "--to") !== `${service.metadata.name}:${udp?.port}`) found.push(`--to is not the Service's UDP port ${service.metadata.name}:${udp?.port}`);
  if (!args.includes("--json")) found.push("--json missing: the pod's log is its report");
  if (args.includes("--server-metrics")) found.push("--server-metrics: many clients share the server, its counters include the others' datagrams");

  // Prometheus scrapes the pod's address: the endpoint must bind more than loopback, on the port the PodMonitor names.
  const metricsPort = Number(argValue(args, "--metrics-port"));
  if (!["0.0.0.0", "::"].includes(argValue(args, "--metrics-host"))) found.push("--metrics-host must be 0.0.0.0 (or ::): the default 127.0.0.1 is unreachable from Prometheus");
  const scraped = (flood.ports ?? []).find((p) => p.name === podMonitor.spec.podMetricsEndpoints[0].port);
  if (!scraped || scraped.containerPort !== metricsPort || (scraped.protocol ?? "TCP") !== "TCP") found.push(`the PodMonitor's port is not the flood's --metrics-port ${metricsPort}`);
  if (pod.metadata.annotations?.["prometheus.io/port"] !== String(metricsPort)) found.push("pod annotation prometheus.io/port is not --metrics-port");

  const selects = (selector, labels) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);
  if (!selects(podMonitor.spec.selector.matchLabels, pod.metadata.labels)) found.push("the PodMonitor does not select the Job's pods");
  const interval = seconds(podMonitor.spec.podMetricsEndpoints[0].interval);
  if (!(seconds(argValue(args, "--linger")) >= 2 * interval)) found.push(`--linger must cover two scrapes (${2 * interval}s) after the final counts`);

  // The dashboard and the alert rules select on the job names of monitoring/prometheus/prometheus.yml.
  if (jobOf(podMonitor.spec.podMetricsEndpoints[0]) !== jobNames.client) found.push(`the PodMonitor does not set job=${jobNames.client}`);
  if (jobOf(monitor.spec.endpoints[0]) !== jobNames.server) found.push(`the ServiceMonitor does not set job=${jobNames.server}`);
  const partOf = "app.kubernetes.io/part-of";
  if (!podMonitor.metadata.labels?.[partOf] || podMonitor.metadata.labels[partOf] !== monitor.metadata.labels?.[partOf]) {
    found.push(`the PodMonitor and the ServiceMonitor must share the ${partOf} label a Prometheus selects them by`);
  }
  return found;
}

// monitoring/prometheus/prometheus.yml's job names, told apart by the port each scrapes (9101 server, 9102 client).
function jobNamesOf(config) {
  const byPort = (port) => config.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.some((t) => t.endsWith(`:${port}`))))?.job_name;
  return { server: byPort(9101), client: byPort(9102) };
}

const [deploymentFile, serviceFile, monitorFile, floodFile, prometheusFile] = process.argv.slice(2);
if (!prometheusFile) {
  console.error("usage: node consistency.mjs DEPLOYMENT SERVICE SERVICEMONITOR FLOOD_JOB PROMETHEUS_YML");
  process.exit(2);
}
const load = (f) => yaml.load(readFileSync(f, "utf8"));
const [deployment, service, monitor] = [load(deploymentFile), load(serviceFile), load(monitorFile)];
const floodDocs = yaml.loadAll(readFileSync(floodFile, "utf8"));
const job = floodDocs.find((d) => d?.kind === "Job");
const podMonitor = floodDocs.find((d) => d?.kind === "PodMonitor");
const jobNames = jobNamesOf(load(prometheusFile));

let failed = 0;
const real = problems(deployment, service, monitor);
for (const p of real) console.log(`INCONSISTENT ${p}`);
if (real.length === 0) console.log("consistent   ports, probes, labels and scrape target agree");
else failed++;
const realFlood = job && podMonitor ? floodProblems(job, podMonitor, service, monitor, jobNames) : [`${floodFile} needs a Job and a PodMonitor`];
for (const p of realFlood) console.log(`INCONSISTENT ${p}`);
if (realFlood.length === 0) console.log(`consistent   the flood Job reaches the Service, reports, and is scraped as job ${jobNames.client}`);
else failed++;

// Deliberately broken variants: each must be reported.
const variants = {
  "probe on another port": (d) => { d.spec.template.spec.containers[0].readinessProbe.httpGet.port = 9102; },
  "--metrics-port changed alone": (d) => { const a = d.spec.template.spec.containers[0].args; a[a.indexOf("--metrics-port") + 1] = "9102"; },
  "loopback bind": (d) => { const a = d.spec.template.spec.containers[0].args; a[a.indexOf("--host") + 1] = "127.0.0.1"; },
  "Service over TCP": (_d, s) => { s.spec.ports[0].protocol = "TCP"; },
  "selector mismatch": (_d, s) => { s.spec.selector = { ...s.spec.selector, "app.kubernetes.io/name": "other" }; },
  "monitor on the UDP port": (_d, _s, m) => { m.spec.endpoints[0].port = "udp-echo"; },
};
for (const [name, mutate] of Object.entries(variants)) {
  const [d, s, m] = [structuredClone(deployment), structuredClone(service), structuredClone(monitor)];
  mutate(d, s, m);
  const caught = problems(d, s, m).length > 0;
  console.log(`${caught ? "caught      " : "NOT CAUGHT  "} broken variant: ${name}`);
  if (!caught) failed++;
}

const floodArgs = (j) => j.spec.template.spec.containers[0].args;
const setArg = (j, flag, value) => { const a = floodArgs(j); a[a.indexOf(flag) + 1] = value; };
const floodVariants = {
  "--server-metrics given": (j) => { floodArgs(j).push("--server-metrics", "http://udplab-server:9101/metrics"); },
  "no --json": (j) => { const a = floodArgs(j); a.splice(a.indexOf("--json"), 1); },
  "--linger shorter than two scrapes": (j) => { setArg(j, "--linger", "5s"); },
  "--to another port": (j) => { setArg(j, "--to", "udplab-server:20002"); },
  "metrics on loopback": (j) => { setArg(j, "--metrics-host", "127.0.0.1"); },
  "--metrics-port changed alone": (j) => { setArg(j, "--metrics-port", "9103"); },
  "one pod": (j) => { j.spec.parallelism = 1; j.spec.completions = 1; },
  "retries": (j) => { j.spec.backoffLimit = 2; },
  "PodMonitor selects other pods": (_j, pm) => { pm.spec.selector.matchLabels = { "app.kubernetes.io/name": "other" }; },
  "PodMonitor without the job label": (_j, pm) => { delete pm.spec.podMetricsEndpoints[0].relabelings; },
  "ServiceMonitor without the job label": (_j, _pm, m) => { delete m.spec.endpoints[0].relabelings; },
};
for (const [name, mutate] of Object.entries(floodVariants)) {
  const [j, pm, m] = [structuredClone(job), structuredClone(podMonitor), structuredClone(monitor)];
  mutate(j, pm, m);
  const caught = floodProblems(j, pm, service, m, jobNames).length > 0;
  console.log(`${caught ? "caught      " : "NOT CAUGHT  "} broken variant: ${name}`);
  if (!caught) failed++;
}
process.exit(failed === 0 ? 0 : 1);
