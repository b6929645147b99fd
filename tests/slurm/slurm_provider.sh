#!/usr/bin/env bash
# The slurm provider against the live cluster (the hidden "[slurm-live]" case of test_provider):
# a reservation named after its ledger id, created with the cores asked, listed by its wf- name,
# resized (a core reservation is recreated), deleted (then already gone); a cloud node group
# powered up and marked, listed, released.
set -euo pipefail
dir=${WF_SLURM_DIR:-/var/lib/wf-slurm}
skip() { echo "slurm_provider: skipped: $*" >&2; exit 77; }
[ -r "$dir/env" ] || skip "no $dir/env (start the cluster with scripts/slurm-up)"
set -a
. "$dir/env"
set +a
[ "$(id -u)" = 0 ] || skip "reservations need Slurm administrator rights (run as root)"
test_provider=${WF_BIN:-}/../tests/test_provider
[[ -n "${WF_BIN:-}" && -x $test_provider ]] || skip "test_provider is not built"
rc=0
out=$(WF_SLURM_LIVE=1 "$test_provider" "[slurm-live]" 2>&1) || rc=$?
[ "$rc" = 0 ] || { echo "$out" >&2; echo "slurm_provider: FAIL" >&2; exit 1; }
echo "slurm_provider: ok - $(tail -n1 <<<"$out")" >&2
