// tsc --strict over generated TypeScript, for the validators that check a JSON or YAML document by assigning it
// to a schema's type (deploy/k8s/validate, monitoring/validate): the excess-property check of an object literal
// assigned to a typed const rejects every key the type does not define, which JSON Schemas often leave open.
//
// typecheck({ tsc, workDir, sources: [{ file, text }], compilerOptions }) writes each source into workDir (made
// anew) with a tsconfig, runs the caller's TypeScript (tsc = its lib/tsc.js) once over all of them, and returns
// { errors: Map(file -> [{ line, text: "TSnnnn: message (at the source line)" }]), unattributed: [lines] }.
// workDir is removed again unless something could not be attributed to a source, so it is there to look at.
// printReport([{ where, errors }]) prints the validators' common report and returns how many were invalid.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export function typecheck({ tsc, workDir, sources, compilerOptions = {} }) {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const source of sources) writeFileSync(join(workDir, source.file), source.text);
  writeFileSync(join(workDir, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: "es2022", types: [], ...compilerOptions },
    files: sources.map((s) => s.file),
  }));
  const run = spawnSync(process.execPath, [tsc, "-p", ".", "--pretty", "false"], { encoding: "utf8", cwd: workDir });
  if (run.error) throw run.error;

  const errors = new Map(sources.map((s) => [s.file, []]));
  const lines = new Map(sources.map((s) => [s.file, s.text.split("\n")]));
  const unattributed = [];
  let current;
  // tsc prints "doc0.ts(12,7): error TS2353: message" with continuation lines indented below it
  for (const line of run.stdout.split("\n")) {
    const m = line.match(/^(.+?\.ts)\((\d+),(\d+)\): error (TS\d+: .*)$/);
    if (m && errors.has(m[1])) {
      const at = lines.get(m[1])[Number(m[2]) - 1].trim();
      current = { line: Number(m[2]), text: `${m[4]} (at ${at})` };
      errors.get(m[1]).push(current);
    } else if (line.trim() !== "" && current) {
      current.text += ` ${line.trim()}`;
    } else if (line.trim() !== "") {
      unattributed.push(line);
    }
  }
  if (run.status !== 0 && [...errors.values()].every((e) => e.length === 0)) {
    unattributed.push(`tsc exited ${run.status}: ${run.stderr}${run.stdout}`);
  }
  if (unattributed.length === 0) rmSync(workDir, { recursive: true, force: true });
  return { errors, unattributed };
}

export function printReport(entries) {
  let invalid = 0;
  for (const { where, errors } of entries) {
    if (errors.length === 0) {
      console.log(`valid   ${where}`);
    } else {
      invalid++;
      console.log(`INVALID ${where}`);
      for (const e of errors) console.log(`        ${e}`);
    }
  }
  return invalid;
}
