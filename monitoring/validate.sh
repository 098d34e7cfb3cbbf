#!/usr/bin/env bash
# Validates monitoring/ offline, with no Grafana and no container engine:
# 1. the dashboard against Grafana 11.1's published TypeScript schema (validate/validate.mjs: tsc --strict, whose
#    excess-property check rejects unknown keys), then every deliberately broken dashboard in testdata/, each of
#    which must be rejected for the reason its description names ("expect: TEXT");
# 2. both compose files, alone and with the desktop override on top, through Debian's `docker-compose config`
#    (parses, merges and checks them against the compose schema); testdata/broken-compose.yml must fail.
# Installs what it needs: nodejs and npm, docker-compose from Debian when missing, then the pinned npm packages of
# validate/package-lock.json into validate/node_modules (once).
# Exit: 0 all checks passed; 1 a check failed; 4 environment (a tool missing and not installable).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../.ci/lib.sh" monitoring-validate
on_exit_cleanup
cd "$here"
workdir tmp udplab-monitoring-validate

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
command -v docker-compose >/dev/null || apt_install docker-compose
command -v python3 >/dev/null || apt_install python3
npm_ci validate

# 1. The dashboards, all in one tsc run; then each file's block of the report on its own.
dashboard=grafana/dashboards/udplab.json
broken=(testdata/broken-*.json)
uid=$(python3 -c 'import validate_dashboard as d; print(d.datasource_uid(d.DEFAULT_DATASOURCE))') \
  || die 4 "cannot read the datasource uid from grafana/provisioning/datasources/prometheus.yml"
rc=0
node validate/validate.mjs --datasource-uid "$uid" "$dashboard" "${broken[@]}" >"$tmp/report" || rc=$?
((rc <= 1)) || die 4 "validate/validate.mjs failed (exit $rc)"

block() { awk -v f="$1" '/^(valid|INVALID) / { on = $2 == f } on' "$tmp/report"; }
is_valid() {
  grep -q '^valid ' <(block "$1") && return 0
  EXPECT_WHY=$'\n'$(block "$1")
  return 1
}
expectation() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["description"].removeprefix("expect: "))' "$1"; }
is_rejected_for() {
  local text
  text=$(block "$1")
  grep -q '^INVALID ' <<<"$text" && grep -qF -- "$2" <<<"$text" && return 0
  EXPECT_WHY=$'\n'${text:-(no report)}
  return 1
}
expect "$dashboard matches Grafana 11.1's schema (uid $uid)" is_valid "$dashboard"
for file in "${broken[@]}"; do
  want=$(expectation "$file")
  expect "$file is rejected ($want)" is_rejected_for "$file" "$want"
done

# 2. The compose files. `config` only reads them: no engine is needed.
compose_valid() {
  docker-compose "$@" config -q 2>"$tmp/compose.err" && return 0
  EXPECT_WHY=$(paste -sd' ' "$tmp/compose.err")
  return 1
}
compose_rejected_for() {
  local file=$1 want=$2
  if docker-compose -f "$file" config -q 2>"$tmp/compose.err"; then EXPECT_WHY="accepted"; return 1; fi
  grep -qF -- "$want" "$tmp/compose.err" && return 0
  EXPECT_WHY="rejected, but not for $want: $(paste -sd' ' "$tmp/compose.err")"
  return 1
}
say "$(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')"
expect "docker-compose.yml is a valid compose file" compose_valid -f docker-compose.yml
expect "docker-compose.yml with docker-compose.desktop.yml on top is valid" \
  compose_valid -f docker-compose.yml -f docker-compose.desktop.yml
want=$(sed -n 's/^# expect: //p' testdata/broken-compose.yml)
expect "testdata/broken-compose.yml is rejected ($want)" compose_rejected_for testdata/broken-compose.yml "$want"

printf 'monitoring-validate: %d passed, %d failed\n' "$CHECKS_PASSED" "$CHECKS_FAILED"
((CHECKS_FAILED == 0))
