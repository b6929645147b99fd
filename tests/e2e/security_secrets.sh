#!/usr/bin/env bash
# A token given to an exec: plugin (--provider-env NAME passes the caller's variable, so the value
# is never on a command line) never comes back out of wf, even when the plugin echoes it on its
# stderr, in a resource report or in an error message: not on wf-provision's or wf-reap's stderr,
# not in a document, not in the ledger file (nor its WAL). The plugin is run without a shell, with
# no arguments, and sees only PATH, HOME, LANG and what was passed.
source "$(dirname "$0")/lib.sh"
need_bin wf-provision wf-reap
need_cmd jq
make_tmp
PLUGIN="$WF_SOURCE_DIR/tests/unit/provider/plugins/leaky.sh"
[[ -x $PLUGIN ]] || skip "$PLUGIN is missing"
export WF_LEDGER=$T/ledger.db WF_HISTORY=$T/history.db
export SITE_API_TOKEN="tok-$$-5f4dcc3b5aa765d61d8327deb882cf99"
export UNRELATED_SECRET=not-passed-4b1d

cat >"$T/catalog.yaml" <<'YAML'
provider: site
types:
  - name: small
    vcpu: 2
    memory: 4GiB
    regions:
      here: {on_demand: 0.10}
YAML
cat >"$T/wf.yaml" <<'YAML'
name: secrets
tasks:
  - {id: a, run: "true"}
YAML
# Fails when the token is in any of the files given.
no_token() {
  local f
  for f in "$@"; do
    [[ -e $f ]] || continue
    if grep -aqF "tok-$$-5f4dcc3b" "$f"; then fail "the token leaked into $f: $(grep -aoF -m1 "tok-$$-5f4dcc3b5aa765d61d8327deb882cf99" "$f" | head -c 200)"; fi
  done
}
provision() { "$WF_BIN/wf-provision" "$T/wf.yaml" --provider "exec:$PLUGIN" --catalog "$T/catalog.yaml" --provider-env SITE_API_TOKEN "$@"; }

# A create that succeeds: its report (which echoes the token) is redacted in the document and ledger.
provision >"$T/doc.json" 2>"$T/prov.err" || fail "wf-provision exited $?: $(cat "$T/prov.err")"
jq -r '.. | strings | select(startswith("Bearer"))' "$T/doc.json" | grep -qx 'Bearer \*\*\*' ||
  fail "the token in the resource report is not redacted: $(jq -c .provision "$T/doc.json")"
no_token "$T/doc.json" "$T/prov.err" "$WF_LEDGER" "$WF_LEDGER-wal"

# A create that fails with the token in its message (and on its stderr).
set +e
LEAKY_CREATE_FAILS=1 provision --provider-env LEAKY_CREATE_FAILS >"$T/fail.json" 2>"$T/fail.err"
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "a refused create succeeded"
grep -q 'token \*\*\* was refused' "$T/fail.err" || fail "no redacted refusal on stderr: $(cat "$T/fail.err")"
no_token "$T/fail.json" "$T/fail.err" "$WF_LEDGER" "$WF_LEDGER-wal"

# A release that fails, likewise; and the orphan search, whose listing echoes the token too.
set +e
"$WF_BIN/wf-reap" "$T/doc.json" --provider-env SITE_API_TOKEN >"$T/reap.json" 2>"$T/reap.err"
rc=$?
"$WF_BIN/wf-reap" --orphans --dry-run --provider "exec:$PLUGIN" --provider-env SITE_API_TOKEN --format json \
  >"$T/orphans.json" 2>"$T/orphans.err"
set -e
assert_eq "$rc" 1 "wf-reap's exit status when the plugin refuses"
grep -q 'token \*\*\* was refused' "$T/reap.err" || fail "no redacted refusal on wf-reap's stderr: $(cat "$T/reap.err")"
"$WF_BIN/wf-reap" --list --format json >"$T/list.json"
no_token "$T/reap.json" "$T/reap.err" "$T/orphans.json" "$T/orphans.err" "$T/list.json" "$WF_LEDGER" "$WF_LEDGER-wal"

# What the plugin sees: no arguments, only the allowed environment.
cat >"$T/env-plugin" <<SCRIPT
#!/bin/sh
cat >/dev/null
printf '%s\n' "\$#" > "$T/env.argc"
env | cut -d= -f1 | sort > "$T/env.names"
echo '{"ok":true,"resources":[]}'
SCRIPT
chmod +x "$T/env-plugin"
"$WF_BIN/wf-reap" --orphans --provider "exec:$T/env-plugin" --provider-env SITE_API_TOKEN -q >/dev/null ||
  fail "wf-reap --orphans with a plugin that lists nothing exited $?"
assert_eq "$(cat "$T/env.argc")" 0 "the plugin's arguments"
names=$(grep -v -x -e PWD -e SHLVL -e _ -e OLDPWD "$T/env.names" | tr '\n' ' ')
expected=$(printf '%s\n' PATH SITE_API_TOKEN ${HOME:+HOME} ${LANG:+LANG} | sort | tr '\n' ' ')
assert_eq "$names" "$expected" "the plugin's environment"
echo "$E2E_NAME: ok"
