#!/usr/bin/env bash
# One-command GPU check (CUDA tensor tests, a CUDA SKCDF training step against the Python reference on the
# same GPU, float32 and --amp, sliding-window inference time), for the device tool's GPU machine.
#
#   scripts/gpu-check.sh --assemble   here: compile dist/ and pack .gpu/ (what must travel besides the
#                                     tracked files: Node, dist/, the three node_modules the build needs),
#                                     then check the device tool's 64 MiB budget.
#   scripts/gpu-check.sh              there: device tool `run` with carry [".gpu"] and the command
#                                     `bash scripts/gpu-check.sh` (timeout_s 540). Unpacks .gpu/, builds the
#                                     addon with one g++ command line per source against python3's torch
#                                     (version check bypassed), runs scripts/gpu-check.mjs; JSON into $OUT.
#   scripts/gpu-check.sh --dry-run    here: --assemble, then the device half in a fresh copy of exactly what
#                                     would travel (tracked + untracked-not-ignored files + .gpu/), built
#                                     against the local CPU torch, checks in CPU --quick mode.
# Why no cmake-js/vitest on the GPU machine: with Node (24 MB as xz) and the tracked files (~30 MiB)
# they would not fit in 64 MiB; the checks run on the compiled dist/ with plain node.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIMIT=$((64 * 1024 * 1024))
MODULES=(node-addon-api node-api-headers node-gyp-build)
log() { echo "[gpu-check] $*" >&2; }

# Bytes that the device tool sends: tracked and untracked-not-ignored files, plus .gpu/.
travel_bytes() {
  local tree gpu
  tree=$(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 stat -c %s -- 2>/dev/null | awk '{s += $1} END {print s + 0}')
  gpu=$(du -sb "$ROOT/.gpu" | cut -f1)
  echo $((tree + gpu))
}

assemble() {
  cd "$ROOT"
  log "compiling dist/ (tsc -p tsconfig.build.json)"
  npx tsc -p tsconfig.build.json
  mkdir -p .gpu
  local node_bin; node_bin=$(command -v node)
  if [ ! -f .gpu/node.xz ] || [ "$(cat .gpu/node.version 2>/dev/null)" != "$(node --version)" ]; then
    log "packing $node_bin ($(node --version), $(du -h "$node_bin" | cut -f1)) with xz"
    xz -T2 -6 -c "$node_bin" > .gpu/node.xz.tmp && mv .gpu/node.xz.tmp .gpu/node.xz
    node --version > .gpu/node.version
  fi
  tar -cJf .gpu/dist.tar.xz dist
  tar -cJf .gpu/node_modules.tar.xz "${MODULES[@]/#/node_modules/}"
  local bytes; bytes=$(travel_bytes)
  log "travels: $((bytes / 1024 / 1024)) MiB of $((LIMIT / 1024 / 1024)) MiB ($(du -sh .gpu | cut -f1) in .gpu/: $(cd .gpu && ls | tr '\n' ' '))"
  if [ "$bytes" -gt "$LIMIT" ]; then log "ERROR: over the device tool's 64 MiB limit"; exit 1; fi
  echo "$bytes"
}

# Unpacks with Python (always there, unlike xz on some images).
unxz_to() { python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }
untar() { python3 -c 'import tarfile, sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"; }

# The device half, in directory $1; $2 = cuda | cpu; LIBTORCH / PYTHONPATH may preset the torch to use.
device_half() {
  local dir=$1 mode=$2 t0=$SECONDS
  cd "$dir"
  local node=node
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ] || [ "$mode" = cpu ]; then
    # On the dry run too, so that the carried binary is what gets exercised.
    mkdir -p /tmp/skcdf-gpu-node && unxz_to .gpu/node.xz /tmp/skcdf-gpu-node/node && chmod +x /tmp/skcdf-gpu-node/node
    node=/tmp/skcdf-gpu-node/node
  fi
  log "node: $node $($node --version)"
  [ -d dist ] || untar .gpu/dist.tar.xz .
  [ -d node_modules/node-addon-api ] || untar .gpu/node_modules.tar.xz .
  local torch_dir=${LIBTORCH:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')}
  local abi; abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
  local version; version=$(python3 -c 'import torch; print(torch.__version__)')
  log "torch $version at $torch_dir (cxx11 abi $abi)"
  local cuda_flags=() cuda_libs=()
  if [ -f "$torch_dir/lib/libtorch_cuda.so" ]; then cuda_flags=(-DSKCDF_WITH_CUDA); cuda_libs=(-ltorch_cuda -lc10_cuda); fi
  local cxx=${CXX:-$(command -v g++ || command -v c++)}
  local flags=(-std=c++20 -O2 -fPIC -fexceptions -Wno-unused-parameter -D_GLIBCXX_USE_CXX11_ABI="$abi" -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS
    -DNODE_ADDON_API_DISABLE_DEPRECATED "${cuda_flags[@]}" -Inode_modules/node-api-headers/include -Inode_modules/node-addon-api
    -I"$torch_dir/include" -I"$torch_dir/include/torch/csrc/api/include")
  mkdir -p build/obj build/Release
  local jobs=${SKCDF_BUILD_JOBS:-$(nproc)} pids=() src
  log "compiling $(wc -l < native/sources.txt) sources with $cxx, $jobs at a time"
  while read -r src; do
    [ -n "$src" ] || continue
    "$cxx" "${flags[@]}" -c "$src" -o "build/obj/$(basename "$src" .cc).o" & pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done < native/sources.txt
  for p in "${pids[@]}"; do wait "$p"; done
  # --no-as-needed: nothing references libtorch_cuda directly, but its kernels must register.
  "$cxx" -shared -o build/Release/skcdf_native.node build/obj/*.o -L"$torch_dir/lib" -Wl,-rpath,"$torch_dir/lib" \
    -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 "${cuda_libs[@]}" -Wl,--as-needed
  printf '{"dir": "%s", "include": "%s/include", "lib": "%s/lib", "version": "%s", "cuda": %s, "source": "gpu-check", "pythonPath": %s}\n' \
    "$torch_dir" "$torch_dir" "$torch_dir" "$version" "$([ ${#cuda_libs[@]} -gt 0 ] && echo true || echo false)" \
    "$([ -n "${PYTHONPATH:-}" ] && echo "\"${PYTHONPATH%%:*}\"" || echo null)" > build/libtorch.json
  log "addon built in $((SECONDS - t0)) s"
  local out=${OUT:-$dir/.gpu-check-out}
  mkdir -p "$out"
  local args=(--out "$out" --device "$mode")
  [ "$mode" = cpu ] && args+=(--quick)
  local rc
  set +e
  SKCDF_SKIP_LIBTORCH_CHECK=1 timeout "${GPU_CHECK_TIMEOUT:-420}" "$node" scripts/gpu-check.mjs "${args[@]}" 2>&1 | tee "$out/gpu-check.log"
  rc=${PIPESTATUS[0]}
  set -e
  log "done in $((SECONDS - t0)) s (rc $rc); results in $out/gpu-check.json"
  return "$rc"
}

case "${1:-}" in
  --assemble) assemble >/dev/null ;;
  --dry-run)
    bytes=$(assemble)
    tmp=$(mktemp -d /tmp/skcdf-gpu-dry.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    # Exactly what the device tool would send: the tree's files (no dist/, build/, node_modules/) and .gpu/.
    (cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp" && cp -r .gpu "$tmp/")
    log "dry run in $tmp ($((bytes / 1024 / 1024)) MiB would travel)"
    info="$ROOT/build/libtorch.json"
    export LIBTORCH=${LIBTORCH:-$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["dir"])' "$info")}
    pp=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("pythonPath") or "")' "$info")
    [ -n "$pp" ] && export PYTHONPATH="$pp${PYTHONPATH:+:$PYTHONPATH}"
    export OUT=${OUT:-$ROOT/.gpu-check-out}
    GPU_CHECK_TIMEOUT=${GPU_CHECK_TIMEOUT:-1500} device_half "$tmp" cpu
    python3 - "$OUT/gpu-check.json" "$bytes" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({'dryRun': True, 'travelMiB': round(int(sys.argv[2]) / 2**20, 1), **r['summary']}))
EOF
    ;;
  "") device_half "$ROOT" cuda ;;
  *) echo "usage: scripts/gpu-check.sh [--assemble | --dry-run]" >&2; exit 2 ;;
esac
