// Type-checks Grafana dashboards offline, with no Grafana, against Grafana 11.1's published TypeScript schema
// (dashboard.ts says which types, and where udplab narrows or extends them): each dashboard JSON becomes a
// generated .ts file that assigns the dashboard, then each of its panels and variables on its own, to typed
// consts, and tsc --strict judges them; its excess-property check rejects every key the schema does not define.
// Usage: node validate.mjs --datasource-uid UID FILE.json...
// Prints "valid   FILE" or "INVALID FILE" and one indented line per problem, naming the panel or variable.
// Exit: 0 all valid; 1 some invalid; 2 usage; 4 tsc failed in a way no file explains.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { printReport, typecheck } from "../../.ci/tsc-check.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const uidFlag = args.indexOf("--datasource-uid");
const uid = uidFlag >= 0 ? args[uidFlag + 1] : undefined;
const files = args.filter((_, i) => uidFlag < 0 || (i !== uidFlag && i !== uidFlag + 1));
if (!uid || files.length === 0) {
  console.error("usage: node validate.mjs --datasource-uid UID FILE.json...");
  process.exit(2);
}

const dashboards = files.map((file, i) => {
  const d = { file, tsFile: `dashboard${i}.ts`, errors: [], consts: [] };
  try {
    d.json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    d.errors.push(`not JSON: ${e.message}`);
  }
  return d;
});

// One typed const per element; `consts` keeps each one's first line, so that an error line names its element.
function source(d) {
  const { panels, templating, ...rest } = d.json;
  const top = { ...rest };
  const each = [];
  if (Array.isArray(panels)) {
    top.panels = [];
    panels.forEach((p, i) => each.push({ name: `panel${i}`, type: "DashboardPanel", value: p,
      where: `panel "${p?.title ?? "?"}" (id ${p?.id ?? "?"})` }));
  } else if (panels !== undefined) {
    top.panels = panels;
  }
  if (Array.isArray(templating?.list)) {
    top.templating = { ...templating, list: [] };
    templating.list.forEach((v, i) => each.push({ name: `variable${i}`, type: "DashboardVariable", value: v,
      where: `variable "${v?.name ?? "?"}"` }));
  } else if (templating !== undefined) {
    top.templating = templating;
  }
  const lines = [
    `import type { UdplabDashboard, DashboardPanel, DashboardVariable } from "../dashboard.js";`,
    `type Uid = ${JSON.stringify(uid)};`,
  ];
  for (const c of [{ name: "dashboard", type: "UdplabDashboard", value: top, where: "dashboard" }, ...each]) {
    d.consts.push({ line: lines.length + 1, where: c.where });
    lines.push(...`export const ${c.name}: ${c.type}<Uid> = ${JSON.stringify(c.value, null, 2)};`.split("\n"));
  }
  return lines.join("\n") + "\n";
}

const typed = dashboards.filter((d) => d.json !== undefined);
if (typed.length > 0) {
  const { errors, unattributed } = typecheck({
    tsc: join(here, "node_modules/typescript/lib/tsc.js"),
    workDir: join(here, ".generated"),
    sources: typed.map((d) => ({ file: d.tsFile, text: source(d) })),
    compilerOptions: { module: "esnext", moduleResolution: "bundler" },
  });
  if (unattributed.length > 0) {
    console.error(unattributed.join("\n"));
    process.exit(4);
  }
  for (const d of typed) {
    for (const e of errors.get(d.tsFile)) {
      const owner = d.consts.filter((c) => c.line <= e.line).pop();
      d.errors.push(`${owner.where}: ${e.text}`);
    }
  }
}

const invalid = printReport(dashboards.map((d) => ({ where: relative(process.cwd(), d.file), errors: d.errors })));
process.exit(invalid === 0 ? 0 : 1);
