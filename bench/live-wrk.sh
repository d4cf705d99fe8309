#!/usr/bin/env bash
# Live overhead: wrk against nginx on loopback, alternating rounds without and with the collector
# attached (lo ingress, port 18080). Prints requests/s per round, the throughput ratio, and
# records emitted vs requests served (nginx's access log) while attached.
# Usage (root): bench/live-wrk.sh [ROUNDS] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; secs=${2:-10}; conns=${3:-32}
jar=bench/target/benchmarks.jar
[[ -f $jar ]] || ./mvnw -q -B install -DskipTests
dir=/tmp/gatelens-bench-nginx
rm -rf "$dir"; mkdir -p "$dir"
nginx -c "$PWD/bench/nginx/nginx.conf" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null; wait $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:18080/ >/dev/null && break; sleep 0.1; done

wrk -t1 -c"$conns" -d3s http://127.0.0.1:18080/ >/dev/null   # warm nginx
rps() { wrk -t1 -c"$conns" -d"${secs}s" http://127.0.0.1:18080/ | awk '/Requests\/sec/ {print $2}'; }
served() { wc -l < "$dir/access.log"; }

off=(); on=(); recs=0; reqs=0
for r in $(seq "$rounds"); do
  off+=("$(rps)")
  coproc COL { exec java --add-opens=java.base/java.nio=ALL-UNNAMED -XX:+UseSerialGC -cp "$jar" io.gatelens.bench.LiveCollector lo 18080; }
  read -r line <&"${COL[0]}"   # "attached"
  before=$(served)
  wrk -t1 -c"$conns" -d3s http://127.0.0.1:18080/ >/dev/null   # warm the collector's JIT
  on+=("$(rps)")
  after=$(served)
  exec {COL[1]}>&-              # close the collector's stdin: it drains and reports
  out=$(cat <&"${COL[0]}")
  wait "$COL_PID" || true
  n=$(awk '/^records/ {print $2}' <<<"$out")
  echo "round $r: without ${off[-1]} req/s, with ${on[-1]} req/s; served while attached $((after - before)), records $n"
  echo "  $(grep '^counters' <<<"$out")"
  recs=$((recs + n)); reqs=$((reqs + after - before))
done
mean() { printf '%s\n' "$@" | awk '{s+=$1} END {printf "%.0f", s/NR}'; }
m_off=$(mean "${off[@]}"); m_on=$(mean "${on[@]}")
echo "mean without: $m_off req/s; mean with: $m_on req/s; ratio $(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.3f", a/b}')"
echo "requests served while attached: $reqs; records emitted: $recs; lost: $((reqs - recs))"
