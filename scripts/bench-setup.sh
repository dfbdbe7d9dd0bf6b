#!/usr/bin/env bash
# Tools for the benchmarks' instruction-count mode (`--instructions` in bench/op-overhead.ts and
# bench/train-step.ts): valgrind (callgrind). perf is installed too, though on this project's VMs
# `perf stat -e instructions` prints <not supported> (no hardware counters), so callgrind is what counts.
# Not part of `npm ci` / CI: only benchmark runs need it. Debian/Ubuntu, as root.
set -euo pipefail
need=()
command -v valgrind >/dev/null || need+=(valgrind)
command -v perf >/dev/null || need+=(linux-perf)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
valgrind --version
if perf stat -x, -e instructions true 2>&1 | grep -q 'not supported'; then
  echo 'perf: hardware instruction counter not supported here; the benches use callgrind'
fi
