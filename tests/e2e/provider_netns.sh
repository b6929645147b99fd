#!/usr/bin/env bash
# The example plugin examples/plugins/wf-provider-netns provisions real things through exec:, with
# the ledger around every call: a network namespace whose bandwidth tc limits (measured: a transfer
# through it takes as long as the limit says), and a loop-mounted ext4 volume of the size asked.
# wf-reap --run then releases them, checked against the system itself (ip netns, mounts) and the
# plugin's own list. Needs root, iproute2 and e2fsprogs (installed with apt when missing).
source "$(dirname "$0")/lib.sh"
need_bin wf-reap
need_cmd jq python3
DRIVER="$WF_BIN/../tests/test_provider"
PLUGIN="$WF_SOURCE_DIR/examples/plugins/wf-provider-netns"
[[ -x $DRIVER ]] || skip "$DRIVER is not built"
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, mounts)"
if ! command -v ip >/dev/null || ! command -v tc >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
  command -v apt-get >/dev/null || skip "iproute2 or e2fsprogs missing, and no apt-get"
  apt-get install -y -qq iproute2 e2fsprogs >/dev/null 2>&1 || skip "cannot install iproute2 and e2fsprogs"
fi
make_tmp
export WF_LEDGER=$T/ledger.db WF_PROVIDER_NETNS_ROOT=$T/netns
ip netns add "wf-probe-$$" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "wf-probe-$$"
cleanup() {  # whatever a failure left: through the plugin first, then by force
  "$WF_BIN/wf-reap" --orphans --provider "exec:$PLUGIN" --provider-env WF_PROVIDER_NETNS_ROOT -q >/dev/null 2>&1 || true
  for ns in $(ip netns list | awk '{print $1}' | grep -F "${KEYS:-none}" || true); do ip netns del "$ns"; done
  e2e_cleanup
}
trap cleanup EXIT

provision() {  # KIND SPEC -> "ledger-id provider-id"
  WF_DRIVER_LEDGER=$WF_LEDGER WF_DRIVER_PROVIDER="exec:$PLUGIN" WF_DRIVER_PASS_ENV=WF_PROVIDER_NETNS_ROOT \
    WF_DRIVER_RUN=netns-run WF_DRIVER_TTL=600 WF_DRIVER_KIND=$1 WF_DRIVER_SPEC=$2 \
    "$DRIVER" "[.driver]" | grep '^res-' || fail "could not create a $1: see above"
}
read -r host_id host_ns < <(provision host '{"net_bytes_per_s":500000}')
read -r vol_id vol_name < <(provision volume '{"size_bytes":33554432}')
KEYS="$host_id"
assert_eq "$host_ns" "wf-$host_id" "namespace name"

# The host: a namespace, reachable, its egress and ingress limited to 500 kB/s (4 Mbit).
ip netns list | grep -q "^$host_ns\b" || fail "namespace $host_ns does not exist"
detail=$("$WF_BIN/wf-reap" --list --format json | jq -c --arg id "$host_id" '.resources[] | select(.id == $id) | .resource')
veth=$(jq -r .veth <<<"$detail")
addr=$(jq -r .address <<<"$detail")
tc qdisc show dev "$veth" | grep -q "rate 4Mbit" || fail "no 4Mbit limit on $veth: $(tc qdisc show dev "$veth")"
ip netns exec "$host_ns" tc qdisc show dev eth0 | grep -q "rate 4Mbit" || fail "no 4Mbit limit inside $host_ns"
ip netns exec "$host_ns" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5201)); s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
print(n)' "${addr%/*}" "$T/listening" >"$T/received" &
server=$!
wait_for_file "$T/listening"
elapsed=$(python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 5201)); t = time.monotonic()
s.sendall(b"x" * 1500000); s.shutdown(socket.SHUT_WR); s.recv(1); print(round(time.monotonic() - t, 2))' "${addr%/*}")
wait "$server"
assert_eq "$(cat "$T/received")" 1500000 "bytes through the namespace"
note "1.5 MB through a 500 kB/s host took ${elapsed}s"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 2.0 else 1)" "$elapsed" ||
  fail "1.5 MB went through in ${elapsed}s: the 500 kB/s limit is not applied"

# The volume: mounted, ext4, of about the size asked (or a plain directory where loops are missing).
mount_dir=$T/netns/volumes/$vol_name
if [[ $("$WF_BIN/wf-reap" --list --format json | jq -r --arg id "$vol_id" '.resources[] | select(.id == $id) | .resource.quota_enforced') == true ]]; then
  findmnt -n -o FSTYPE "$mount_dir" | grep -q ext4 || fail "$mount_dir is not an ext4 mount"
  size=$(df -B1 --output=size "$mount_dir" | tail -1)
  ((size > 20000000 && size <= 33554432)) || fail "volume size $size, asked 32 MiB"
else
  note "loop devices unavailable: the volume is a plain directory"
  [[ -d $mount_dir ]] || fail "no volume directory"
fi

# Release the run; check with the system and with the plugin itself.
"$WF_BIN/wf-reap" --run netns-run --provider-env WF_PROVIDER_NETNS_ROOT --format json >"$T/reap.json" ||
  fail "wf-reap exited $?"
assert_eq "$(jq '.released | length' "$T/reap.json")" 2 "released"
ip netns list | grep -q "^$host_ns\b" && fail "namespace $host_ns still exists"
ip link show "$veth" >/dev/null 2>&1 && fail "veth $veth still exists"
findmnt "$mount_dir" >/dev/null && fail "$mount_dir is still mounted"
[[ -e $mount_dir ]] && fail "$mount_dir still exists"
listed=$(echo '{"protocol":"wf-provider/1","op":"list"}' | "$PLUGIN" | jq '.resources | length')
assert_eq "$listed" 0 "resources the plugin still lists"
assert_eq "$("$WF_BIN/wf-reap" --list --format json | jq '.resources | length')" 0 "live ledger rows"
