# A Nextflow trace written by a test, to seed a history (`wf-history import`) with executions whose
# runtime, CPU and memory the test chooses. Sourced by tests/e2e/lib.sh and tests/slurm/lib.bash
# (not a test: its name does not end in .sh).
#
#   { nf_trace_header; for i in $(seq 1 10); do nf_trace_row "$i" nap $((900 + i * 20)) 5.0 2000000; done; } >seed.csv
#
# nf_trace_row ID PROCESS REALTIME_MS CPU_PERCENT PEAK_RSS_BYTES: one COMPLETED first attempt, started
# 100 s after the row before it (by ID), 1000 bytes read and written.
nf_trace_header() { echo "task_id,process,name,status,exit,attempt,start,complete,realtime,%cpu,peak_rss,rchar,wchar"; }
nf_trace_row() {
  local start=$((1700000000000 + $1 * 100000))
  echo "$1,$2,$2 ($1),COMPLETED,0,1,$start,$((start + $3)),$3,$4,$5,1000,1000"
}
