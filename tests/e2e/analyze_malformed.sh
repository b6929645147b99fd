#!/usr/bin/env bash
# Every malformed input under tests/data/malformed gives exactly the exit code and the messages
# in its .expect file (first line: the exit code; then stderr, with the input's path as FILE).
# Regenerate an .expect file after a deliberate message change with: WF_UPDATE_EXPECT=1.
set -euo pipefail
bin=${WF_BIN:?}
dir=${WF_SOURCE_DIR:?}/tests/data/malformed
cd "$dir"
failures=0 count=0
for input in *; do
  case $input in *.expect) continue ;; esac
  count=$((count + 1))
  set +e
  err=$("$bin/wf-analyze" "$input" 2>&1 >/dev/null)
  code=$?
  set -e
  actual=$(printf '%s\n%s\n' "$code" "${err//$input/FILE}")
  if [ "${WF_UPDATE_EXPECT:-0}" = 1 ]; then
    printf '%s\n' "$actual" > "$input.expect"
    continue
  fi
  if [ ! -f "$input.expect" ]; then
    echo "FAIL $input: no $input.expect"
    failures=$((failures + 1))
  elif [ "$actual" != "$(cat "$input.expect")" ]; then
    echo "FAIL $input"
    diff <(cat "$input.expect") <(printf '%s\n' "$actual") || true
    failures=$((failures + 1))
  fi
done
[ "$count" -ge 25 ] || { echo "FAIL: only $count malformed inputs (at least 25 expected)"; exit 1; }
echo "$((count - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
