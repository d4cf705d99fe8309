#!/usr/bin/env bash
# The packaged service under steady load, as README command 1 runs it (same JVM flags):
#   1. a generated spec with 1,000 operations (500 paths x GET/POST, every other path templated) bound to
#      http://127.0.0.1:PORT, served by one nginx worker answering 200 "ok" to everything;
#   2. the service (analytics/target/quarkus-app/quarkus-run.jar) capturing lo on that port, specs from
#      the generated folder, DuckDB in a temporary folder;
#   3. wrk cycling through all 1,000 operations for DURATION seconds; the service's RSS
#      (/proc/PID/status VmRSS) sampled every SAMPLE seconds; requests served (nginx access log) vs
#      rows the service ingested (/api/status ingest.rows) and kernel ring-buffer drops;
#   4. halfway through the load: GET /api/endpoints?from=now-1h, QUERIES times (curl time_total);
#   5. after the load: the GitHub spec uploaded UPLOADS times under one name (first = cold, the rest
#      replace it: warm), curl time_total;
#   6. a summary; exit 1 if the service died (or never came up), 0 otherwise (missed targets are
#      reported, not failed).
# Usage (root, from anywhere; jar built): bench/service-load.sh [DURATION_S=180]
# Environment: CONNS (wrk connections, 4), DELAY_MS (pause per connection between a response and the
#   next request, 1; 0 = as fast as nginx answers), SAMPLE (s, 5), QUERIES (20), UPLOADS (10),
#   GITHUB_SPEC (../shared/corpus/openapi/api.github.com.json), EXTRA_JAVA_OPTS (added to the JVM's
#   flags, e.g. -XX:NativeMemoryTracking=summary; the default run adds nothing), KEEP=1 keeps the
#   work folder.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
root=$PWD

duration=${1:-180}
conns=${CONNS:-4}
delay_ms=${DELAY_MS:-1}
sample=${SAMPLE:-5}
queries=${QUERIES:-20}
uploads=${UPLOADS:-10}
github=${GITHUB_SPEC:-$root/../shared/corpus/openapi/api.github.com.json}
jar=analytics/target/quarkus-app/quarkus-run.jar
read -r -a extra <<<"${EXTRA_JAVA_OPTS:-}"

[[ $(id -u) -eq 0 ]] || { echo "service-load: run as root (the service attaches TC programs)" >&2; exit 2; }
[[ -f $jar ]] || { echo "service-load: $jar missing: ./mvnw -B -q install -DskipTests -pl bpf,collector,analytics" >&2; exit 2; }
for t in wrk nginx curl python3; do
  command -v $t >/dev/null || { echo "service-load: $t missing (scripts/install-deps --bench)" >&2; exit 2; }
done
[[ -f $github ]] || { echo "service-load: GitHub spec not found at $github (set GITHUB_SPEC)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d /tmp/gatelens-service-load.XXXXXX)
api_port=$(free_port)
svc_port=$(free_port)
while [[ $svc_port == "$api_port" ]]; do svc_port=$(free_port); done
python3 bench/load/gen-load.py "$work" "$api_port" 500 "$delay_ms"
mkdir -p "$work/data"

nginx_pid=""; svc_pid=""; wrk_pid=""
cleanup() {
  local p
  for p in $wrk_pid $svc_pid $nginx_pid; do
    kill "$p" 2>/dev/null || true
  done
  for p in $wrk_pid $svc_pid $nginx_pid; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "service-load: $*" >&2; if [[ -f $work/service.log ]]; then tail -40 "$work/service.log" >&2; fi; exit 1; }
alive() { kill -0 "$svc_pid" 2>/dev/null; }
base=http://127.0.0.1:$svc_port
status() { curl -fsS --max-time 10 "$base/api/status"; }
# field of the status JSON (dotted path) from stdin
field() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=(v or {}).get(k)
print(0 if v is None else v)' "$1"; }
proc_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$svc_pid/status"; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f", kb / 1024}'; }
served() { [[ -f $work/nginx/access.log ]] && wc -l <"$work/nginx/access.log" || echo 0; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR % 2) printf "%.3f", a[(NR+1)/2]; else printf "%.3f", (a[NR/2]+a[NR/2+1])/2}'; }

# --- 1. the API: nginx
nginx -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
nginx_pid=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$api_port/" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$api_port/" || die "nginx did not start: $(cat "$work/nginx.out")"

# --- 2. the service, flags as ./gatelens run
mapfile -t service_opts < <(grep -v '^#' scripts/service-java-opts)
java "${service_opts[@]}" ${extra[@]+"${extra[@]}"} \
  -Dgatelens.capture.enabled=true -Dgatelens.capture.interfaces=lo -Dgatelens.capture.ports="$api_port" \
  -Dgatelens.store.file="$work/data/g.duckdb" -Dgatelens.specs.dir="$work/specs" \
  -Dquarkus.http.port="$svc_port" -jar "$jar" >"$work/service.log" 2>&1 &
svc_pid=$!
t0=$(date +%s.%N)
until status >/dev/null 2>&1; do
  alive || die "the service exited during start"
  (( $(date +%s) - ${t0%.*} < 120 )) || die "the service did not answer within 120 s"
  sleep 0.2
done
start_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
st=$(status)
ops=$(field specs.operations <<<"$st")
[[ $(field capture.running <<<"$st") == True ]] || die "capture is not running: $st"
rss_start=$(proc_kb VmRSS)
echo "service pid $svc_pid on :$svc_port, up in ${start_s}s, RSS $(mb "$rss_start") MB; specs: $ops operations; API on :$api_port"
[[ $ops == 1000 ]] || echo "service-load: expected 1000 operations, the service has $ops" >&2

# --- 3. steady load over the 1,000 operations, RSS sampled
served0=$(served)
rows0=$(field ingest.rows <<<"$st")
wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$work/load.lua" "http://127.0.0.1:$api_port/" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
load_t0=$(date +%s)
echo "load: wrk -t1 -c$conns, delay ${delay_ms} ms per connection, ${duration}s; sampling every ${sample}s"
printf '%6s %9s %12s %12s %7s\n' t_s rss_mb served rows drops | tee "$work/samples.txt"
rss_max=0; queried=0; qtimes=()
while kill -0 "$wrk_pid" 2>/dev/null; do
  alive || die "the service died under load"
  now=$(( $(date +%s) - load_t0 ))
  rss=$(proc_kb VmRSS); (( rss > rss_max )) && rss_max=$rss
  st=$(status || echo '{}')
  printf '%6d %9s %12d %12d %7d\n' "$now" "$(mb "$rss")" "$(( $(served) - served0 ))" \
    "$(( $(field ingest.rows <<<"$st") - rows0 ))" "$(field capture.drops <<<"$st")" | tee -a "$work/samples.txt"
  # --- 4. /api/endpoints during the load, once past half of it
  if (( queried == 0 && now >= duration / 2 )); then
    queried=1; query_at=$now
    for _ in $(seq "$queries"); do
      qtimes+=("$(curl -fsS -o "$work/endpoints.json" -w '%{time_total}' --max-time 60 "$base/api/endpoints?from=now-1h")") \
        || die "GET /api/endpoints failed"
    done
    endpoints_rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["endpoints"]))' "$work/endpoints.json")
    echo "  GET /api/endpoints?from=now-1h x$queries at t=${now}s: median $(printf '%s\n' "${qtimes[@]}" | median) s, $endpoints_rows endpoints"
  fi
  sleep "$sample"
done
wait "$wrk_pid" || die "wrk failed: $(cat "$work/wrk.out")"
wrk_pid=""
alive || die "the service died under load"
load_s=$(( $(date +%s) - load_t0 ))

# all rows in: nginx flushes its log within 1 s, the collector sends a batch within batch-age (500 ms)
sleep 2
served_total=$(( $(served) - served0 ))
for _ in $(seq 60); do
  st=$(status)
  rows=$(( $(field ingest.rows <<<"$st") - rows0 ))
  (( rows >= served_total )) && break
  sleep 0.5
done
alive || die "the service died after the load"
drops=$(field capture.drops <<<"$st")
records=$(field capture.records <<<"$st")
kernel=$(python3 -c 'import json,sys; k=json.load(sys.stdin)["capture"]["kernel"]; print(" ".join(f"{a}={b}" for a,b in k.items() if b))' <<<"$st")
shadow_rows=$(field ingest.shadowRows <<<"$st")
rss_after_load=$(proc_kb VmRSS); (( rss_after_load > rss_max )) && rss_max=$rss_after_load
hwm_after_load=$(proc_kb VmHWM)
anon_after_load=$(proc_kb RssAnon); file_after_load=$(proc_kb RssFile)
wrk_reqs=$(awk '/requests in/ {print $1}' "$work/wrk.out")
wrk_rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
wrk_p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
wrk_p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
if [[ -n ${EXTRA_JAVA_OPTS:-} && $EXTRA_JAVA_OPTS == *NativeMemoryTracking* ]]; then
  jcmd "$svc_pid" VM.native_memory summary >"$work/nmt-after-load.txt" 2>&1 || true
  jcmd "$svc_pid" GC.heap_info >"$work/heap-after-load.txt" 2>&1 || true
  echo "--- after the load: NMT summary (committed)"; grep -E '^(Total|-)' "$work/nmt-after-load.txt" | sed 's/^/  /' || true
  echo "--- GC.heap_info"; sed 's/^/  /' "$work/heap-after-load.txt"
fi

# --- 5. GitHub spec upload: first cold, then replacing it (warm)
utimes=(); codes=()
for i in $(seq "$uploads"); do
  out=$(curl -sS -o "$work/upload.json" -w '%{http_code} %{time_total}' --max-time 120 -X POST \
    --data-binary @"$github" -H 'Content-Type: application/json' "$base/api/specs?name=github") || die "upload $i failed"
  codes+=("${out%% *}"); utimes+=("${out##* }")
  [[ ${out%% *} == 20[01] ]] || die "upload $i answered ${out%% *}: $(head -c 500 "$work/upload.json")"
done
alive || die "the service died during the uploads"
github_ops=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["operations"])' "$work/upload.json")
upload_cold=${utimes[0]}
upload_warm=$(printf '%s\n' "${utimes[@]:1}" | median)
rss_end=$(proc_kb VmRSS); (( rss_end > rss_max )) && rss_max=$rss_end
hwm_end=$(proc_kb VmHWM)
if [[ -n ${EXTRA_JAVA_OPTS:-} && $EXTRA_JAVA_OPTS == *NativeMemoryTracking* ]]; then
  jcmd "$svc_pid" VM.native_memory summary >"$work/nmt-end.txt" 2>&1 || true
  echo "--- after the uploads: NMT summary (committed)"; grep -E '^(Total|-)' "$work/nmt-end.txt" | sed 's/^/  /' || true
fi

# --- 6. summary
rss_samples_max=$(awk 'NR > 1 && $2 > m {m = $2} END {print m + 0}' "$work/samples.txt")
rss_last=$(awk 'NR > 1 {r = $2} END {print r}' "$work/samples.txt")
verdict() { awk -v v="$1" -v t="$2" 'BEGIN {print (v + 0 <= t + 0) ? "met" : "MISSED"}'; }
qmed=$(printf '%s\n' "${qtimes[@]}" | median)
echo
echo "## service under load: 1,000 operations, ${load_s}s, wrk -t1 -c$conns (delay ${delay_ms} ms), JVM flags: --add-opens ${EXTRA_JAVA_OPTS:-}"
printf '| %-48s | %-52s | %-8s |\n' figure value target
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..50})" "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..10})"
row() { printf '| %-48s | %-52s | %-8s |\n' "$1" "$2" "${3:-}"; }
row "request rate (wrk)" "$wrk_rate req/s (latency p50 $wrk_p50, p99 $wrk_p99)"
row "requests: wrk completed / nginx served" "$wrk_reqs / $served_total"
row "rows ingested by the service (ingest.rows)" "$rows (shadow $shadow_rows; kernel records $records)" "= served"
row "rows missing (served - ingested)" "$(( served_total - rows ))" "0"
row "kernel ring-buffer drops" "$drops" "0"
row "RSS at start (idle, specs loaded)" "$(mb "$rss_start") MB"
row "RSS under load: max of samples / last sample" "$rss_samples_max / $rss_last MB" "< 384"
row "RSS after the load: anonymous / file-backed" "$(mb "$anon_after_load") / $(mb "$file_after_load") MB"
row "VmHWM after the load" "$(mb "$hwm_after_load") MB ($(verdict "$(mb "$hwm_after_load")" 384))" "< 384"
row "GitHub spec upload ($github_ops ops): cold" "$upload_cold s"
row "GitHub spec upload: warm median of $(( uploads - 1 ))" "$upload_warm s ($(verdict "$upload_warm" 1))" "<= 1 s"
row "GET /api/endpoints?from=now-1h: median of $queries" "$qmed s ($endpoints_rows endpoints, ${query_at}s of traffic)"
row "RSS / VmHWM at the end (after the uploads)" "$(mb "$rss_end") / $(mb "$hwm_end") MB"
row "RSS max over the run" "$(mb "$rss_max") MB ($(verdict "$(mb "$rss_max")" 384))" "< 384"
echo
echo "kernel counters: $kernel"
echo "upload times (s): ${utimes[*]}"
echo "endpoints times (s): ${qtimes[*]}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
alive || die "the service died"
