#!/usr/bin/env bash
# Every benchmark whose figures are in docs/benchmarks.md (as root: the kernel ones and service-load.sh attach TC programs).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B install -DskipTests
J=(java --add-opens=java.base/java.nio=ALL-UNNAMED)
echo "## kernel cost (BPF_PROG_TEST_RUN)"; "${J[@]}" -cp bench/target/benchmarks.jar io.gatelens.bench.KernelCost
echo "## ring buffer records -> Arrow (JMH)"; "${J[@]}" -jar bench/target/benchmarks.jar DecodeBenchmark -f 1 -wi 3 -i 5 -w 2s -r 2s
echo "## live: wrk against nginx on loopback"; bench/live-wrk.sh 3 10 32
echo "## service under load: 1,000 operations, RSS, spec upload, /api/endpoints"; bench/service-load.sh 180
