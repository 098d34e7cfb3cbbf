// Validates Kubernetes manifests offline, with no cluster, against the Kubernetes OpenAPI schemas as
// shipped by the kubernetes-models packages, in two passes over every YAML document:
// 1. the schemas compiled to validators: types, int32/int64 formats, required fields, enums;
// 2. the same schemas as TypeScript interfaces, checked by tsc: its excess-property check rejects
//    fields the schema does not define. The published schemas leave additionalProperties open (the API
//    server checks unknown fields itself), so pass 1 alone would accept a misspelt field.
// Usage: node validate.mjs FILE.yaml...   prints one line per document; exit 0 when all are valid.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { printReport, typecheck } from "../../../.ci/tsc-check.mjs";

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
  typed.forEach((d, i) => {
    d.tsFile = `doc${i}.ts`;
    d.tsSource =
      `import type { ${d.interfaceName} } from "${d.interfaceModule}";\n` +
      `export const doc: ${d.interfaceName} = ${JSON.stringify(d.doc, null, 2)};\n`;
  });
  const { errors, unattributed } = typecheck({
    tsc: join(here, "node_modules/typescript/lib/tsc.js"),
    workDir: join(here, ".generated"),
    sources: typed.map((d) => ({ file: d.tsFile, text: d.tsSource })),
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext" },
  });
  if (unattributed.length > 0) {
    console.error(unattributed.join("\n"));
    process.exit(4);
  }
  for (const d of typed) for (const e of errors.get(d.tsFile)) d.errors.push(`fields: ${e.text}`);
}

const invalid = printReport(documents.map((d) => ({
  where: `${relative(process.cwd(), d.file)}[${d.index}] ${d.label}`,
  errors: d.errors,
})));
process.exit(invalid === 0 ? 0 : 1);
