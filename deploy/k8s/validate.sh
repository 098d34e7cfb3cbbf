#!/usr/bin/env bash
# Validates the manifests in deploy/k8s against the Kubernetes OpenAPI schemas, offline (no cluster),
# checks that they agree with each other (ports, probes, labels: validate/consistency.mjs), then that
# every deliberately broken manifest in testdata/ is rejected, and for its reason (each names the text
# its rejection must contain on a `# expect:` line).
# Installs what it needs: Node.js and npm from Debian when missing, then the pinned npm packages of
# validate/package-lock.json into validate/node_modules (once; about 15 s).
# Exit: 0 all checks passed; 1 a check failed; 4 environment (node/npm missing and not installable).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { printf 'k8s-manifests: %s\n' "$*" >&2; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    [[ $(id -u) == 0 ]] || { say "need node and npm: apt-get install nodejs npm"; exit 4; }
    say "installing nodejs npm"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 nodejs npm >/dev/null \
        || { say "apt-get install nodejs npm failed"; exit 4; }
fi

stamp=validate/node_modules/.udplab-lock-sha256
lock_sum=$(sha256sum validate/package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
    say "installing the validator's npm packages (validate/package-lock.json)"
    (cd validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || { say "npm ci failed"; exit 4; }
    echo "$lock_sum" > "$stamp"
fi

passed=0
failed=0
check() { # check DESCRIPTION: counts the outcome of the command that ran just before
    if (($1 == 0)); then passed=$((passed + 1)); say "ok   $2"; else failed=$((failed + 1)); say "FAIL $2"; fi
}

manifests=(deployment.yaml service.yaml servicemonitor.yaml)
rc=0
node validate/validate.mjs "${manifests[@]}" || rc=$?
check "$rc" "${manifests[*]} validate"

rc=0
node validate/consistency.mjs "${manifests[@]}" || rc=$?
check "$rc" "the manifests agree on ports, probes, labels and scrape target (and each broken variant is caught)"

# All broken manifests in one run (one tsc start), then each one's block of the report on its own.
broken_files=(testdata/broken-*.yaml)
rc=0
report=$(node validate/validate.mjs "${broken_files[@]}") || rc=$?
check $((rc == 1 ? 0 : 1)) "validator exits 1 on the broken manifests (got $rc)"
for broken in "${broken_files[@]}"; do
    block=$(awk -v f="$broken" '/^(valid|INVALID) / { on = index($2, f "[") == 1 } on' <<<"$report")
    ok=1
    grep -q '^INVALID ' <<<"$block" && ! grep -q '^valid ' <<<"$block" || ok=0
    while IFS= read -r want; do
        grep -qF -- "$want" <<<"$block" || ok=0
    done < <(sed -n 's/^# expect: //p' "$broken")
    ((ok == 1)) || printf 'expected a rejection naming: %s\n%s\n' "$(sed -n 's/^# expect: //p' "$broken")" "${block:-(no report)}" >&2
    check $((1 - ok)) "$broken is rejected ($(sed -n 's/^# expect: //p' "$broken" | paste -sd, -))"
done

printf 'k8s-manifests: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
