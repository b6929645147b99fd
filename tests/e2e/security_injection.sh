#!/usr/bin/env bash
# Parameters and inputs never inject commands or options:
#   - a param holding shell metacharacters, a newline, $(...), backticks, a glob, or an option-like
#     value (--output=/etc/passwd, -rf) reaches a shell-string command as one literal word and an
#     argv command as one argument, and nothing in it is executed or expanded;
#   - input and output file names beginning with '-' or holding metacharacters are only data;
#   - what wf-provision hands an exec: plugin (the run id, the spec) goes as JSON on stdin: the plugin
#     runs with an argv of its own path alone, so nothing in them can become an option or a command;
#   - a run id with a newline, a '/' or a leading '-' (it names wf-run's run directory and is
#     written into Slurm batch scripts) is refused by the ledger before any provider is called.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-provision wf-reap
need_cmd jq
make_tmp
mkdir -p "$T/cwd"
cd "$T/cwd"

values=(
  $'$(touch pwned1); `touch pwned2`; touch pwned3 | touch pwned4 && touch pwned5 # x'
  $'first line\ntouch pwned6\n$(touch pwned7)'
  '--output=/etc/passwd'
  '-rf'
  '*'
  "'; touch pwned8; echo '"
  '"; touch pwned9; echo "'
  '\'
  '$HOME ${PATH} $((1+1)) ~'
)
# Every task writes what it got, one argument per NUL-terminated record, so the word count shows.
cat >"$T/wf.yaml" <<'EOF'
name: injection
params:
  x: placeholder
tasks:
  - id: shell
    run: "printf '%s\\0' {{x}} > shell.out"
  - id: argv
    run: [sh, -c, 'printf "%s\0" "$@" > argv.out', sh, "{{x}}"]
  - id: argv-first
    run: [printf, '%s\0', "{{x}}", "--"]
  - id: files
    inputs: [{path: "-rf"}, {path: "--output=/etc/passwd"}, {path: "$(touch pwned10)"}]
    outputs: [{path: "-o;touch pwned11"}]
    run: "printf 'files' > files.out"
EOF

n=0
for v in "${values[@]}"; do
  n=$((n + 1))
  rm -rf "$T/runs"
  wf_run "$T/wf.yaml" --param "x=$v" >"$T/out.json" 2>"$T/err" || fail "value $n: wf-run exited $?: $(cat "$T/err")"
  assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "value $n: run status"
  workdir=$(jq -r .run.workdir "$T/out.json")
  for f in shell argv; do
    got=$(tr '\0' '\n' <"$workdir/$f.out" | head -c 1000; echo .)
    [[ $(tr -cd '\0' <"$workdir/$f.out" | wc -c) -eq 1 ]] || fail "value $n: the $f task got $(tr -cd '\0' <"$workdir/$f.out" | wc -c) words for one value: $got"
    assert_eq "$(tr -d '\0' <"$workdir/$f.out")" "$v" "value $n: the $f task's argument"
  done
  assert_eq "$(tr -d '\0' <"$(jq -r '.run.tasks[] | select(.id == "argv-first") | .logs.stdout' "$T/out.json")")" "$v--" \
    "value $n: argv passed verbatim before a --"
  for i in $(seq 1 11); do
    [[ ! -e $workdir/pwned$i && ! -e $T/cwd/pwned$i && ! -e $T/pwned$i ]] || fail "value $n was executed: pwned$i exists"
  done
done
[[ -z $(ls -A "$T/cwd") ]] || fail "something was created in the caller's directory: $(ls -A "$T/cwd")"

# A param name or value given to wf-provision reaches the plugin only inside its JSON request.
# (A history of its own: the runs above taught the first one that these tasks take no time.)
export WF_LEDGER=$T/ledger.db WF_HISTORY=$T/provision-history.db
cat >"$T/catalog.yaml" <<'EOF'
provider: site
types:
  - name: small
    vcpu: 2
    memory: 4GiB
    regions:
      here: {on_demand: 0.10}
EOF
cat >"$T/plugin" <<EOF
#!/bin/sh
# Records its argv and request, answers for a vm.
printf '%s\n' "\$#" "\$@" > "$T/plugin.argv"
cat > "$T/plugin.req"
echo '{"ok":true,"id":"vm-1","resource":{}}'
EOF
chmod +x "$T/plugin"
# A run id that is not a safe name (it becomes wf-run's directory name and reaches scripts) is
# refused before anything is asked of a provider; a param's value goes only into the JSON request.
for evil_run in $'--help; touch pwned12\n$(touch pwned13)' ../../escape; do
  for provider in "exec:$T/plugin" local; do
    set +e
    "$WF_BIN/wf-provision" "$T/wf.yaml" --provider "$provider" --catalog "$T/catalog.yaml" --run-id "$evil_run" \
      >"$T/prov.json" 2>"$T/prov.err"
    rc=$?
    set -e
    assert_eq "$rc" 65 "wf-provision's exit status for run id '$evil_run' ($provider)"
    grep -q "is not a run id" "$T/prov.err" || fail "no word of the refused run id: $(cat "$T/prov.err")"
    [[ ! -e $T/plugin.req ]] || fail "the plugin was called for a refused run id"
  done
done
assert_eq "$("$WF_BIN/wf-reap" --list --format json | jq '.resources | length')" 0 "resources recorded for refused run ids"
# wf-run refuses the same ids from a document's provision section or --resume: no run directory
# outside the run root, nothing started.
"$WF_BIN/wf-analyze" "$T/wf.yaml" -q | jq '.provision = {run_id: "../../escape"}' >"$T/evil-doc.json"
set +e
"$WF_BIN/wf-run" --run-root "$T/runs/root" --no-history "$T/evil-doc.json" >/dev/null 2>"$T/run.err"
rc=$?
"$WF_BIN/wf-run" --run-root "$T/runs/root" --no-history --resume ../../escape >/dev/null 2>"$T/resume.err"
rc2=$?
set -e
assert_eq "$rc" 65 "wf-run's exit status for a document's run id ../../escape"
assert_eq "$rc2" 64 "wf-run's exit status for --resume ../../escape"
grep -q "is not a safe name" "$T/run.err" || fail "no word of the refused run id: $(cat "$T/run.err")"
[[ ! -e $T/escape && ! -e $T/runs/escape ]] || fail "a run directory was made outside the run root"
"$WF_BIN/wf-provision" "$T/wf.yaml" --provider "exec:$T/plugin" --catalog "$T/catalog.yaml" --run-id nightly.2026-11-29 \
  --param "x=\`touch pwned14\`; --rf" >"$T/prov.json" 2>"$T/prov.err" || fail "wf-provision exited $?: $(cat "$T/prov.err")"
assert_eq "$(head -1 "$T/plugin.argv")" 0 "arguments the plugin was given"
assert_eq "$(jq -r .owner "$T/plugin.req")" nightly.2026-11-29 "the run id, as data in the request"
"$WF_BIN/wf-reap" "$T/prov.json" >/dev/null 2>"$T/reap.err" || fail "wf-reap exited $?: $(cat "$T/reap.err")"
for i in 12 13 14; do
  [[ ! -e $T/cwd/pwned$i && ! -e $T/pwned$i ]] || fail "the run id or a param reached a shell: pwned$i exists"
done
echo "$E2E_NAME: ok"
