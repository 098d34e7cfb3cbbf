#!/usr/bin/env bash
# Validates the manifests in deploy/k8s against the Kubernetes OpenAPI schemas, offline (no cluster),
# checks that they agree with each other and with monitoring/prometheus/prometheus.yml (ports, probes,
# labels, the flood Job's target, scrape and job names: validate/consistency.mjs), then that every
# deliberately broken manifest in testdata/ is rejected, and for its reason (each names the text its
# rejection must contain on a `# expect:` line).
# Installs what it needs: Node.js and npm from Debian when missing, then the pinned npm packages of
# validate/package-lock.json into validate/node_modules (once; about 15 s).
# Exit: 0 all checks passed; 1 a check failed; 4 environment (node/npm missing and not installable).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../../.ci/lib.sh" k8s-manifests
on_exit_cleanup
cd "$here"
workdir tmp udplab-k8s-validate

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
npm_ci validate

manifests=(deployment.yaml service.yaml servicemonitor.yaml flood-job.yaml)
runs() { "$@" >"$tmp/out" || { EXPECT_WHY=$'\n'$(cat "$tmp/out"); return 1; }; cat "$tmp/out" >&2; }
expect "${manifests[*]} validate" runs node validate/validate.mjs "${manifests[@]}"
expect "the manifests agree on ports, probes, labels, scrape targets and job names (and each broken variant is caught)" \
  runs node validate/consistency.mjs "${manifests[@]}" ../../monitoring/prometheus/prometheus.yml

# All broken manifests in one run (one tsc start), then each one's block of the report on its own.
broken_files=(testdata/broken-*.yaml)
rc=0
node validate/validate.mjs "${broken_files[@]}" >"$tmp/report" || rc=$?
exits_1() { ((rc == 1)) || { EXPECT_WHY="got $rc"; return 1; }; }
expect "validator exits 1 on the broken manifests" exits_1
is_rejected_for() { # FILE: INVALID, and naming each `# expect:` text of FILE
  local block want
  block=$(awk -v f="$1" '/^(valid|INVALID) / { on = index($2, f "[") == 1 } on' "$tmp/report")
  grep -q '^INVALID ' <<<"$block" && ! grep -q '^valid ' <<<"$block" || { EXPECT_WHY=$'\n'${block:-(no report)}; return 1; }
  while IFS= read -r want; do
    grep -qF -- "$want" <<<"$block" || { EXPECT_WHY="not for $want:"$'\n'$block; return 1; }
  done < <(sed -n 's/^# expect: //p' "$1")
}
for broken in "${broken_files[@]}"; do
  expect "$broken is rejected ($(sed -n 's/^# expect: //p' "$broken" | paste -sd, -))" is_rejected_for "$broken"
done

printf 'k8s-manifests: %d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
((CHECKS_FAILED == 0))
