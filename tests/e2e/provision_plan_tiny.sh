#!/usr/bin/env bash
# wf-provision --plan on the real AWS catalog, for a workflow whose tasks last milliseconds: its
# forecast timeline is shorter than the document's rounding (step 0), so the plan is made from the
# forecast's peaks, held for the p95 makespan (at least a second): a priced plan, not an error.
source "$(dirname "$0")/lib.sh"
need_bin wf-run wf-predict wf-provision
need_cmd jq
CATALOG=$WF_SHARED_DIR/catalogs/aws-ec2.csv
[[ -r $CATALOG ]] || skip "needs $CATALOG (../shared beside the checkout)"
make_tmp
export WF_HISTORY=$T/history.db WF_LEDGER=$T/ledger.db WF_RUN_ROOT=$T/runs
cat >"$T/tiny.yaml" <<'YAML'
name: tiny
tasks:
  - id: a
    run: "true"
  - id: b
    needs: [a]
    run: "true"
YAML
for i in 1 2 3; do "$WF_BIN/wf-run" -q --progress never "$T/tiny.yaml" >/dev/null || fail "wf-run exited $?"; done
"$WF_BIN/wf-predict" -q "$T/tiny.yaml" >"$T/tiny.json" || fail "wf-predict exited $?"
assert_eq "$(jq '.prediction.timeline.step_s' "$T/tiny.json")" 0 "the tiny workflow's timeline step"
"$WF_BIN/wf-provision" "$T/tiny.json" --plan --catalog "$CATALOG" >"$T/plan.json" 2>"$T/plan.err" ||
  fail "wf-provision --plan on a millisecond workflow exited $?: $(cat "$T/plan.err")"
jq -e '.plan.cloud.items | length > 0' "$T/plan.json" >/dev/null || fail "no cloud items in the plan: $(jq -c .plan "$T/plan.json")"
jq -e '.plan.cloud.total_usd > 0' "$T/plan.json" >/dev/null || fail "the plan costs nothing: $(jq -c .plan.cloud "$T/plan.json")"
echo "$E2E_NAME: ok"
