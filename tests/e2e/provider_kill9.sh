#!/usr/bin/env bash
# kill -9 mid-provision: a process creating three hosts through the netns plugin is killed while
# the plugin works on the second. With short TTLs, wf-reap --expired then leaves nothing behind —
# the first host (active), the second (made, its id never recorded: left alone while its create
# may still run, then found by key in the plugin's list) and the third (never asked for) — checked against the plugin's list and `ip netns`, and
# the ledger passes PRAGMA integrity_check.
source "$(dirname "$0")/lib.sh"
need_bin wf-reap
need_cmd jq python3 sqlite3
DRIVER="$WF_BIN/../tests/test_provider"
PLUGIN="$WF_SOURCE_DIR/examples/plugins/wf-provider-netns"
[[ -x $DRIVER ]] || skip "$DRIVER is not built"
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces)"
command -v ip >/dev/null && command -v tc >/dev/null || skip "iproute2 is not installed"
make_tmp
ip netns add "wf-probe-$$" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "wf-probe-$$"
export WF_LEDGER=$T/ledger.db WF_PROVIDER_NETNS_ROOT=$T/netns
new_marker slow

# The plugin, slowed: the second create makes its host, then takes 30 s to answer.
cat >"$T/slow-netns" <<SCRIPT
#!/bin/sh
req=\$(cat)
if printf '%s' "\$req" | grep -q '"op":"create"'; then
  n=\$(( \$(cat "$T/creates" 2>/dev/null || echo 0) + 1 )); echo \$n > "$T/creates"
  answer=\$(printf '%s' "\$req" | "$PLUGIN")
  if [ \$n -eq 2 ]; then touch "$T/made-2"; sleep $slow; fi
  printf '%s\n' "\$answer"
else
  printf '%s' "\$req" | "$PLUGIN"
fi
SCRIPT
chmod +x "$T/slow-netns"
trap 'kill_marked "sleep $slow"; "$WF_BIN/wf-reap" --orphans --provider "exec:$PLUGIN" --provider-env WF_PROVIDER_NETNS_ROOT -q >/dev/null 2>&1; e2e_cleanup' EXIT

WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_PROVIDER="exec:$T/slow-netns" WF_DRIVER_PASS_ENV=WF_PROVIDER_NETNS_ROOT \
  WF_DRIVER_RUN=doomed WF_DRIVER_TTL=2 WF_DRIVER_COUNT=3 WF_DRIVER_KIND=host \
  WF_DRIVER_SPEC='{"net_bytes_per_s":1000000}' "$DRIVER" "[.driver]" >/dev/null 2>&1 &
driver=$!
wait_for_file "$T/made-2" 30
kill -9 "$driver"
wait "$driver" 2>/dev/null || true

states=$(sqlite3 "$WF_LEDGER" "SELECT group_concat(state, ' ') FROM (SELECT state FROM resources ORDER BY state)")
assert_eq "$states" "active creating intent" "ledger states after the kill"
keys=$(sqlite3 "$WF_LEDGER" "SELECT id FROM resources")
made=$(ip netns list | awk '{print $1}' | grep -cF "$keys" || true)
assert_eq "$made" 2 "namespaces that exist after the kill"

sleep 2.5  # past the TTL, which no one renews
# A create still running (its caller killed, its plugin not) is left alone for --provider-timeout
# seconds: the slow plugin is still asleep, so the row in `creating` is skipped now...
"$WF_BIN/wf-reap" --expired --provider-env WF_PROVIDER_NETNS_ROOT --format json >"$T/early.json" ||
  fail "wf-reap --expired exited $?: $(cat "$T/early.json")"
assert_eq "$(jq '.released | length' "$T/early.json")" 1 "released while a create may still run"
assert_eq "$(jq '.already_gone | length' "$T/early.json")" 1 "already gone (never created)"
assert_eq "$(jq -r '.already_gone[0].note' "$T/early.json")" "never created" "why the third counts as gone"
assert_eq "$(jq -r '.skipped[0].note' "$T/early.json" | cut -c1-31)" "its create may still be running" "why the creating row waits"
# ...and taken once that time has passed (the plugin is stopped first, as its timeout would).
kill_marked "sleep $slow"
"$WF_BIN/wf-reap" --expired --provider-timeout 2 --provider-env WF_PROVIDER_NETNS_ROOT --format json >"$T/reap.json" ||
  fail "wf-reap --expired exited $?: $(cat "$T/reap.json")"
assert_eq "$(jq '.released | length' "$T/reap.json")" 1 "released, found by its key"

# Checked against the provider itself, not the ledger.
left=$(ip netns list | awk '{print $1}' | grep -cF "$keys" || true)
assert_eq "$left" 0 "namespaces left"
assert_eq "$(echo '{"protocol":"wf-provider/1","op":"list"}' | "$PLUGIN" | jq '.resources | length')" 0 \
  "resources the plugin lists"
assert_eq "$(sqlite3 "$WF_LEDGER" "SELECT count(*) FROM resources WHERE state != 'released'")" 0 "live ledger rows"
assert_eq "$(sqlite3 "$WF_LEDGER" 'PRAGMA integrity_check')" ok "ledger integrity"
