#!/bin/sh
# A working wf-provider/1 plugin for the tests: each resource is a file $WF_PROVIDER_STATE/vm-N
# holding the idempotency key it was created under (wf's mark, reported by list).
# Test switches: WF_PROVIDER_FAIL_TIMES=N answers "retryable" to the first N calls;
# WF_PROVIDER_SLEEP_AFTER_CREATE=S and WF_PROVIDER_CRASH_AFTER_CREATE=1 act once the resource exists.
set -u
req=$(cat)
field() { printf '%s' "$req" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
op=$(field op)
key=$(field idempotency_key)
id=$(field id)
kind=$(field kind)
dir=${WF_PROVIDER_STATE:?WF_PROVIDER_STATE is not set}
mkdir -p "$dir"
n=$(( $(cat "$dir/.calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/.calls"
if [ "${WF_PROVIDER_FAIL_TIMES:-0}" -ge "$n" ]; then
  echo '{"ok":false,"error":{"code":"rate_limited","message":"slow down","retryable":true}}'
  exit 0
fi
by_key() {
  for f in "$dir"/vm-*; do
    [ -e "$f" ] && [ "$(cat "$f")" = "$1" ] && { echo "${f##*/}"; return; }
  done
}
case $op in
create)
  old=$(by_key "$key")
  if [ -n "$old" ]; then echo "{\"ok\":true,\"id\":\"$old\",\"resource\":{\"kind\":\"$kind\"}}"; exit 0; fi
  new=vm-$n
  echo "$key" > "$dir/$new"
  [ -n "${WF_PROVIDER_SLEEP_AFTER_CREATE:-}" ] && sleep "$WF_PROVIDER_SLEEP_AFTER_CREATE"
  [ -n "${WF_PROVIDER_CRASH_AFTER_CREATE:-}" ] && kill -9 $$
  echo "{\"ok\":true,\"id\":\"$new\",\"resource\":{\"kind\":\"$kind\"}}" ;;
describe)
  if [ -e "$dir/$id" ]; then echo "{\"ok\":true,\"id\":\"$id\",\"resource\":{}}"
  else echo '{"ok":false,"error":{"code":"not_found","message":"no such vm"}}'; fi ;;
resize)
  if [ -e "$dir/$id" ]; then echo "{\"ok\":true,\"id\":\"$id\",\"resource\":{\"resized\":true}}"
  else echo '{"ok":false,"error":{"code":"not_found","message":"no such vm"}}'; fi ;;
delete)
  [ -z "$id" ] && id=$(by_key "$key")
  if [ -n "$id" ] && [ -e "$dir/$id" ]; then rm "$dir/$id"; echo '{"ok":true,"already_gone":false}'
  else echo '{"ok":true,"already_gone":true}'; fi ;;
list)
  items=""
  for f in "$dir"/vm-*; do
    [ -e "$f" ] || continue
    items="$items${items:+,}{\"id\":\"${f##*/}\",\"kind\":\"vm\",\"idempotency_key\":\"$(cat "$f")\",\"resource\":{}}"
  done
  echo "{\"ok\":true,\"resources\":[$items]}" ;;
*)
  echo "{\"ok\":false,\"error\":{\"code\":\"unsupported\",\"message\":\"no op '$op'\",\"retryable\":false}}" ;;
esac
