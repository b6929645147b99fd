#!/usr/bin/env bash
# A diamond workflow (a -> b, c -> d) run with --executor slurm: every task is submitted at once
# with afterok dependencies (seen in squeue while the parents run), each job asks for the task's
# cpus, memory and time limit, the cluster runs them in order, and the tasks' files meet in the
# shared workdir. The run section names the executor and each task's job id.
source "$(dirname "$0")/lib.bash"

cat >"$T/wf.yaml" <<EOF
name: $TAG-dag
tasks:
  - id: a
    run: echo A > a.txt; sleep 3
    cpus: 1
    mem: 200MiB
  - id: b
    needs: [a]
    run: cat a.txt > b.txt; echo "B on \$SLURMD_NODENAME" >> b.txt
    cpus: 2
    mem: 300MiB
  - id: c
    needs: [a]
    run: |
      printf '%s\n' "it's c" > c.txt
  - id: d
    needs: [b, c]
    run: cat b.txt c.txt > d.txt
    timeout: 100s
EOF
"${WF_SLURM[@]}" --events "$T/events.jsonl" "$T/wf.yaml" >"$T/out.json" 2>"$T/err" &
pid=$!
# While a runs, b, c and d wait in the queue on their dependencies.
deps=""
for i in $(seq 1 60); do
  deps=$(squeue -h -o '%j|%E' 2>/dev/null | grep "^wf.$TAG-" || true)
  [[ $(grep -c 'afterok' <<<"$deps") -ge 3 ]] && break
  sleep 0.1
done
wait "$pid" || fail "wf-run exited $? ($(tail -n3 "$T/err"))"

job() { jq -r --arg t "$1" '.run.tasks[] | select(.id == $t) | .job_ids[0]' "$T/out.json"; }
a=$(job a) b=$(job b) c=$(job c) d=$(job d)
say "jobs: a=$a b=$b c=$c d=$d"
assert_eq "$(jq -r .run.executor "$T/out.json")" slurm "run.executor"
assert_eq "$(jq -r .run.status "$T/out.json")" succeeded "run.status"
assert_eq "$(jq -r .run.slurm.partition "$T/out.json")" "$WF_SLURM_PARTITION" "run.slurm.partition"
# Dependencies as Slurm held them (squeue %E): b and c after a, d after b and c.
grep -q "\.b|afterok:$a" <<<"$deps" || fail "b's dependency in squeue: $(grep '\.b|' <<<"$deps")"
grep -q "\.c|afterok:$a" <<<"$deps" || fail "c's dependency in squeue: $(grep '\.c|' <<<"$deps")"
d_dep=$(grep '\.d|' <<<"$deps")
[[ $d_dep == *"$b"* && $d_dep == *"$c"* ]] || fail "d's dependency in squeue: $d_dep"
say "ok - dependencies expressed to Slurm: $(tr '\n' ' ' <<<"$deps")"
# Every task_submitted event came before any task ran: the DAG was handed over whole.
first_start=$(grep -n task_started "$T/events.jsonl" | head -n1 | cut -d: -f1)
last_submit=$(grep -n task_submitted "$T/events.jsonl" | tail -n1 | cut -d: -f1)
[ "$last_submit" -lt "$first_start" ] || fail "a task was submitted after another had started"

# Resources: what sacct says each job was given.
assert_eq "$(acct "$b" AllocCPUS,ReqMem)" "2|300M" "b's cpus|memory"
assert_eq "$(acct "$a" AllocCPUS,ReqMem)" "1|200M" "a's cpus|memory"
assert_eq "$(acct "$d" Timelimit)" "00:02:00" "d's time limit (timeout 100 s, in whole minutes)"
say "ok - resources: b $(acct "$b" AllocCPUS,ReqMem), a $(acct "$a" AllocCPUS,ReqMem), d limit $(acct "$d" Timelimit)"

# Order: no child started before its parent ended.
for pair in "$a $b" "$a $c" "$b $d" "$c $d"; do
  set -- $pair
  [ "$(epoch "$(acct "$2" Start)")" -ge "$(epoch "$(acct "$1" End)")" ] || fail "job $2 started before its parent $1 ended"
done
work=$(jq -r .run.workdir "$T/out.json")
assert_eq "$(head -n1 "$work/d.txt")" A "d.txt first line"
grep -q "^B on n" "$work/d.txt" || fail "b did not run on a node of the cluster: $(cat "$work/d.txt")"
grep -qx "it's c" "$work/d.txt" || fail "c's quoting: $(cat "$work/d.txt")"
[ -z "$(jobs_of_run)" ] || fail "jobs of the run still queued: $(jobs_of_run)"
say "ok - DAG ran in order on the cluster; d.txt: $(tr '\n' ' ' <"$work/d.txt")"
