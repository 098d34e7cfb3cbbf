// Checks what the schemas cannot: that deployment.yaml, service.yaml and servicemonitor.yaml agree on
// ports and labels, so that probes, the Service and the scrape all reach the ports the server binds.
// Usage: node consistency.mjs DEPLOYMENT SERVICE SERVICEMONITOR   exit 0 consistent, 1 not.
// Each broken variant below must be caught, so this check is itself tested on every run.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

function argValue(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

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

const [deploymentFile, serviceFile, monitorFile] = process.argv.slice(2);
if (!monitorFile) {
  console.error("usage: node consistency.mjs DEPLOYMENT SERVICE SERVICEMONITOR");
  process.exit(2);
}
const load = (f) => yaml.load(readFileSync(f, "utf8"));
const [deployment, service, monitor] = [load(deploymentFile), load(serviceFile), load(monitorFile)];

let failed = 0;
const real = problems(deployment, service, monitor);
for (const p of real) console.log(`INCONSISTENT ${p}`);
if (real.length === 0) console.log("consistent   ports, probes, labels and scrape target agree");
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
process.exit(failed === 0 ? 0 : 1);
