#!/usr/bin/env bash
# Sector-scale benchmark: `hisf scan` of 10,000 domains answered by a
# scripted SMTP/TLS responder (benches/sector_responder.rs) and dnsmasq
# inside a network namespace this script creates, with 50-200 ms of added
# latency and 5% of hosts silent. Nothing leaves the machine.
#
# Latency: `tc netem` on the veth when the kernel has it; otherwise (as on
# kernels built without sch_netem) the responder waits 50-200 ms before each
# answer and relays DNS to dnsmasq through a proxy with the same delay.
#
#   sudo bash benches/sector_10k.sh [DOMAINS] [ADDRESSES] [CONCURRENCY]
#
# Defaults: 10000 domains over 1000 MX addresses (10 domains per address, as
# providers host many practices), concurrency 64. Reports wall time,
# domains/s, peak memory, connections per address, and the lower bound the
# latency and concurrency allow.
set -euo pipefail
cd "$(dirname "$0")/.."
DOMAINS=${1:-10000}
ADDRS=${2:-1000}
CONC=${3:-64}
NS=hisf-bench
OUT=$PWD/target/bench/sector
STEP=5          # --timeout (a silent host costs this after connect)
mkdir -p "$OUT"

[ "$(id -u)" -eq 0 ] || { echo "run as root (network namespace, tc)" >&2; exit 2; }
for c in ip tc dnsmasq /usr/bin/time; do command -v "$c" >/dev/null || { echo "missing $c (apt-get install iproute2 dnsmasq-base time)" >&2; exit 2; }; done

cleanup() {
  [ -f "$OUT/responder.pid" ] && kill "$(cat "$OUT/responder.pid")" 2>/dev/null || true
  [ -f "$OUT/dnsmasq.pid" ] && kill "$(cat "$OUT/dnsmasq.pid")" 2>/dev/null || true
  ip link del hb0 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
cleanup

echo "== build"
cargo build --release --quiet --bin hisf
cargo bench --no-run --quiet --bench sector_responder 2>/dev/null
RESPONDER=$(ls -t target/release/deps/sector_responder-* | grep -v '\.d$' | head -1)

echo "== network namespace $NS: veth 10.77.0.1 <-> 10.77.0.2, $ADDRS MX addresses in 10.78.0.0/16, netem 125±75 ms"
ip netns add "$NS"
ip link add hb0 type veth peer name hb1
ip link set hb1 netns "$NS"
ip addr add 10.77.0.1/24 dev hb0
ip link set hb0 up
ip netns exec "$NS" ip addr add 10.77.0.2/24 dev hb1
ip netns exec "$NS" ip link set hb1 up
ip netns exec "$NS" ip link set lo up
ip route add 10.78.0.0/16 via 10.77.0.2
ip netns exec "$NS" ip route add default via 10.77.0.1
addr() { echo "10.78.$(($1 / 250)).$(($1 % 250 + 1))"; }
{
  for i in $(seq 0 $((ADDRS - 1))); do echo "address add $(addr "$i")/32 dev lo"; done
} | ip -n "$NS" -batch -
# Latency: every packet to the namespace waits 50-200 ms, if the kernel can.
if tc qdisc add dev hb0 root netem delay 125ms 75ms limit 100000 2>/dev/null; then
  LATENCY=netem
  DELAY_ARGS=()
  DNS_LISTEN=10.77.0.2
  DNS_PORT=53
else
  LATENCY=responder
  echo "   (no tc netem in this kernel: the responder and a DNS proxy add the 50-200 ms)"
  DELAY_ARGS=(--delay-ms 50-200 --dns 10.77.0.2:53 --dns-upstream 127.0.0.1:5300)
  DNS_LISTEN=127.0.0.1
  DNS_PORT=5300
fi

echo "== zone and target list"
{
  echo "no-resolv"; echo "no-hosts"; echo "local=/bench.test/"
  for d in $(seq 0 $((DOMAINS - 1))); do
    echo "mx-host=d$d.bench.test,mx$d.bench.test,10"
    echo "host-record=mx$d.bench.test,$(addr $((d % ADDRS)))"
  done
} >"$OUT/dnsmasq.conf"
{
  echo "domain,organisation,organisation_type,region"
  for d in $(seq 0 $((DOMAINS - 1))); do echo "d$d.bench.test,Org $d,general_practice,Bench"; done
} >"$OUT/targets.csv"
ip netns exec "$NS" dnsmasq --keep-in-foreground --conf-file="$OUT/dnsmasq.conf" --listen-address="$DNS_LISTEN" \
  --bind-interfaces --port="$DNS_PORT" --cache-size=0 --dns-forward-max=10000 --pid-file="$OUT/dnsmasq.pid" >"$OUT/dnsmasq.log" 2>&1 &
rm -f "$OUT/stats.json"
ip netns exec "$NS" "$RESPONDER" --listen 0.0.0.0:25 --stats "$OUT/stats.json" "${DELAY_ARGS[@]}" >"$OUT/responder.log" 2>&1 &
echo $! >"$OUT/responder.pid"
sleep 1

echo "== hisf scan ($DOMAINS domains, --concurrency $CONC, --timeout $STEP)"
rm -f "$OUT"/history.sqlite3*
start=$(date +%s.%N)
/usr/bin/time -v -o "$OUT/time.txt" target/release/hisf scan --targets "$OUT/targets.csv" \
  --store "sqlite:$OUT/history.sqlite3" --resolver 10.77.0.2:53 --allow-private-targets \
  --retries 0 --timeout "$STEP" --deadline 30 --concurrency "$CONC" >"$OUT/scan.out" 2>"$OUT/scan.err"
end=$(date +%s.%N)
sleep 1

python3 - "$OUT" "$start" "$end" "$DOMAINS" "$ADDRS" "$CONC" "$STEP" "$LATENCY" <<'EOF'
import json, re, sys
out, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
domains, addrs, conc, step = map(int, sys.argv[4:8])
latency = sys.argv[8]
wall = end - start
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/time.txt").read()).group(1))
stats = json.load(open(f"{out}/stats.json"))
per_ip = sorted(stats.values())
silent = sum(1 for i in range(addrs) if (i % 250 + 1) % 20 == 0)
live = addrs - silent
rtt = 0.125  # mean of 50-200 ms
# Lower bound: the delayed exchanges each live address needs over its two
# connections. netem delays every packet: connect, banner, EHLO, STARTTLS,
# TLS 1.3, EHLO, QUIT, then connect, banner, EHLO, STARTTLS, legacy hello
# (12). The responder delays each answer: banner, EHLO, STARTTLS, handshake,
# EHLO, QUIT, then banner, EHLO, STARTTLS, hello (10). A silent address costs
# the step timeout. Addresses are probed `conc` at a time.
exchanges = 12 if latency == "netem" else 10
probe_bound = (live * exchanges * rtt + silent * step) / conc
# DNS: MX then A/AAAA before a domain's probe can start: 2 round trips per
# domain, 16 x conc domains in flight (src/scan/mod.rs).
dns_bound = domains * 2 * rtt / (16 * conc)
# And no domain can finish before its own chain: MX and A lookups, then its
# address's exchanges (or a silent address's step timeout).
critical = 2 * rtt + (step if silent else exchanges * rtt)
bound = max(probe_bound, dns_bound, critical)
summary = open(f"{out}/scan.out").read().strip().splitlines()
print(f"domains          {domains} ({addrs} MX addresses, {silent} silent), latency by {latency}, concurrency {conc}")
print(f"wall time        {wall:.1f} s")
print(f"domains/s        {domains / wall:.1f}")
print(f"peak RSS         {rss / 1024:.0f} MiB")
print(f"connections/IP   max {per_ip[-1]}, min {per_ip[0]}, total {sum(per_ip)} (counted by the responder)")
print(f"lower bound      {bound:.1f} s (max of: probes {probe_bound:.1f} s, DNS {dns_bound:.1f} s, one domain's chain {critical:.1f} s) -> {wall / bound:.2f}x the bound")
print(f"scan             {summary[0] if summary else '?'}")
EOF
