#!/usr/bin/env bash
# Runs every benchmark of this module 10 times and writes, under results/:
#   machine.txt    CPU model (/proc/cpuinfo), core count, go version
#   raw.txt        the go test -bench output (benchstat's input)
#   benchstat.txt  benchstat comparisons: each client against the floor, the
#                  peak live heap of the two walk sizes, retries on and off
#   ratios.md      medians, ratios to the floor and the targets, met or not
#
# By default the 10 samples come from 10 rounds of -count 1, so that the
# floor, this SDK and the official SDK alternate in time on a shared,
# noisy machine; benchstat gets the same 10 samples per benchmark as from
# -count 10. INTERLEAVE=0 runs one go test -count 10 instead.
#
#   ./run.sh                      # everything, 10 rounds (about 10 minutes)
#   COUNT=3 BENCH=GetBounce ./run.sh
set -euo pipefail
cd "$(dirname "$0")"

COUNT=${COUNT:-10}
BENCH=${BENCH:-.}
INTERLEAVE=${INTERLEAVE:-1}
BENCHSTAT=${BENCHSTAT:-golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}
out=${OUT:-results}
mkdir -p "$out"

{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($(nproc) CPUs)"
  echo "go: $(go version)"
  echo "command: COUNT=$COUNT BENCH=$BENCH INTERLEAVE=$INTERLEAVE ./run.sh"
} >"$out/machine.txt"
cat "$out/machine.txt"

go vet ./...
flags=(-test.run '^$' -test.bench "$BENCH" -test.benchmem -test.timeout 60m)
if [ "$INTERLEAVE" = 1 ]; then
  go test -c -o "$out/bench.test" .
  : >"$out/raw.txt"
  for i in $(seq "$COUNT"); do
    echo "round $i/$COUNT" >&2
    "$out/bench.test" "${flags[@]}" -test.count 1 | tee -a "$out/raw.txt"
  done
  rm -f "$out/bench.test"
else
  go test -run '^$' -bench "$BENCH" -benchmem -count "$COUNT" -timeout 60m . | tee "$out/raw.txt"
fi

benchstat() { go run "$BENCHSTAT" "$@" "$out/raw.txt"; }
{
  echo "### Each client against the floor (the hand-written net/http + encoding/json client)"
  echo
  benchstat -filter '.name:(GetBounce OR WalkBounces OR DecodeEvents OR FetchEvents OR ParallelGetBounce OR Send)' -col /client
  echo
  echo "### Attachments: this SDK and the official SDK, 1 KiB and 20 MiB files (peak-live-B is the target)"
  echo
  benchstat -filter '.name:SendAttachment' -col /client
  echo
  echo "### Alert X-Sign verification against the bare crypto/hmac loop"
  echo
  benchstat -filter '.name:VerifyAlertSignature' -col /client
  echo
  echo "### Retry overhead: default policy (3 retries) against retries disabled, on calls that succeed"
  echo
  benchstat -filter '.name:RetryOverhead /client:(sdk-noretry OR sdk-default)' -col /client
  echo
  echo "### Bounce walks: 100,000 against 10,000 (peak-live-B is the target)"
  echo
  benchstat -filter '.name:WalkBounces' -col /n
} >"$out/benchstat.txt" 2>&1
{
  sed 's/^/    /' "$out/machine.txt"
  echo
  go run ./cmd/ratios "$out/raw.txt"
} >"$out/ratios.md"
cat "$out/ratios.md"
echo "wrote $out/raw.txt, $out/benchstat.txt, $out/ratios.md" >&2
