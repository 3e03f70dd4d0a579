#!/usr/bin/env bash
# Benchmark: lint 10,000 config files with hisf and validate the same files
# against the same schema with check-jsonschema (PyPI), in one run.
# Reports files/s and peak RSS for both and the throughput ratio.
# Usage: bash benches/lint-10k.sh [N]   (N files, default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
DIR=target/bench/configs-$N
python3 -m pip install --quiet --disable-pip-version-check 'check-jsonschema==0.39.*' >/dev/null
cargo build --release --quiet

if [ ! -f "$DIR/.done" ]; then
  rm -rf "$DIR"; mkdir -p "$DIR"
  python3 benches/gen_configs.py "$DIR" "$N"
  touch "$DIR/.done"
fi
mapfile -t FILES < <(find "$DIR" -type f \( -name '*.yaml' -o -name '*.json' \) | sort)
echo "files: ${#FILES[@]} under $DIR"

measure() { # label, command...
  local label=$1; shift
  local out; out=$(mktemp)
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$out.rss" "$@" >"$out" 2>&1 || true
  end=$(date +%s.%N)
  local secs; secs=$(python3 -c "print(f'{$end-$start:.3f}')")
  local rss; rss=$(tail -1 "$out.rss")
  local fps; fps=$(python3 -c "print(f'{${#FILES[@]}/($end-$start):.0f}')")
  printf '%-18s %8ss %10s files/s %8s MiB peak RSS\n' "$label" "$secs" "$fps" "$((rss/1024))"
  echo "$secs" > "$out.secs"
  eval "${label//[^a-z]/_}_secs=$secs"
  rm -f "$out" "$out.rss" "$out.secs"
}

measure hisf ./target/release/hisf lint --format json --output /dev/null "$DIR"
measure check_jsonschema check-jsonschema --schemafile schemas/hisf-config.schema.json "${FILES[@]}"
python3 -c "print(f'ratio: hisf is {float($check_jsonschema_secs)/float($hisf_secs):.1f}x the throughput of check-jsonschema (schema only; hisf also runs every rule)')"
