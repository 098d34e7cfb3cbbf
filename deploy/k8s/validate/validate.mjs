// Validates Kubernetes manifests offline, with no cluster, against the Kubernetes OpenAPI schemas as
// shipped by the kubernetes-models packages, in two passes over every YAML document:
// 1. the schemas compiled to validators: types, int32/int64 formats, required fields, enums;
// 2. the same schemas as TypeScript interfaces, checked by tsc: its excess-property check rejects
//    fields the schema does not define. The published schemas leave additionalProperties open (the API
//    server checks unknown fields itself), so pass 1 alone would accept a misspelt field.
// Usage: node validate.mjs FILE.yaml...   prints one line per document; exit 0 when all are valid.
import { readFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const here = dirname(fileURLToPath(import.meta.url));
// apiVersion -> package that holds its models; the core groups live in kubernetes-models itself.
const crdPackages = {
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};
const modulePath = (apiVersion) => crdPackages[apiVersion] ?? `kubernetes-models/${apiVersion}`;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.yaml...");
  process.exit(2);
}

const documents = [];
for (const file of files) {
  let parsed;
  try {
    parsed = yaml.loadAll(readFileSync(file, "utf8"));
  } catch (e) {
    documents.push({ file, index: 0, label: "?", errors: [`not YAML: ${e.message.split("\n")[0]}`] });
    continue;
  }
  parsed.forEach((doc, index) => {
    if (doc == null) return;
    const label = `${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    documents.push({ file, index, label, doc, errors: [] });
  });
}

// Pass 1: the compiled JSON schemas.
for (const d of documents.filter((d) => d.doc)) {
  const { apiVersion, kind } = d.doc;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    d.errors.push("apiVersion and kind must be strings");
    continue;
  }
  let Model;
  try {
    Model = (await import(`${modulePath(apiVersion)}/${kind}`))[kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    d.errors.push(`no schema for ${apiVersion} ${kind}`);
    continue;
  }
  d.interfaceModule = `${modulePath(apiVersion)}/${kind}`;
  d.interfaceName = `I${kind}`;
  try {
    new Model(d.doc).validate();
  } catch (e) {
    for (const err of e.errors ?? [{ instancePath: "", message: e.message }]) {
      d.errors.push(`schema: ${err.instancePath || "/"} ${err.message}${err.params ? " " + JSON.stringify(err.params) : ""}`);
    }
  }
}

// Pass 2: unknown fields, through tsc's excess-property check on the schema's interfaces.
const typed = documents.filter((d) => d.interfaceModule);
if (typed.length > 0) {
  const work = join(here, ".generated");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  typed.forEach((d, i) => {
    d.tsFile = `doc${i}.ts`;
    const source =
      `import type { ${d.interfaceName} } from "${d.interfaceModule}";\n` +
      `export const doc: ${d.interfaceName} = ${JSON.stringify(d.doc, null, 2)};\n`;
    writeFileSync(join(work, d.tsFile), source);
  });
  writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: true, target: "es2022",
      module: "nodenext", moduleResolution: "nodenext", types: [],
    },
    files: typed.map((d) => d.tsFile),
  }));
  const tsc = spawnSync(process.execPath, [join(here, "node_modules/typescript/lib/tsc.js"), "-p", ".", "--pretty", "false"],
    { encoding: "utf8", cwd: work });
  if (tsc.error) throw tsc.error;
  const byFile = new Map(typed.map((d) => [d.tsFile, d]));
  let unattributed = [];
  // tsc prints "doc0.ts(12,7): error TS2353: message" with continuation lines indented below it
  let current;
  for (const line of tsc.stdout.split("\n")) {
    const m = line.match(/^(doc\d+\.ts)\((\d+),(\d+)\): error (TS\d+: .*)$/);
    if (m) {
      current = byFile.get(m[1]);
      const near = readFileSync(join(work, m[1]), "utf8").split("\n")[Number(m[2]) - 1].trim();
      current.errors.push(`fields: ${m[4]} (at ${near})`);
    } else if (line.trim() !== "" && current) {
      current.errors[current.errors.length - 1] += ` ${line.trim()}`;
    } else if (line.trim() !== "") {
      unattributed.push(line);
    }
  }
  if (tsc.status !== 0 && typed.every((d) => d.errors.length === 0)) {
    unattributed.push(`tsc exited ${tsc.status}: ${tsc.stderr}`);
  }
  if (unattributed.length > 0) {
    console.error(unattributed.join("\n"));
    process.exit(4);
  }
  rmSync(work, { recursive: true, force: true });
}

let invalid = 0;
for (const d of documents) {
  const where = `${relative(process.cwd(), d.file)}[${d.index}] ${d.label}`;
  if (d.errors.length === 0) {
    console.log(`valid   ${where}`);
  } else {
    invalid++;
    console.log(`INVALID ${where}`);
    for (const e of d.errors) console.log(`        ${e}`);
  }
}
process.exit(invalid === 0 ? 0 : 1);
