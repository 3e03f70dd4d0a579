#!/usr/bin/env bash
# The whole test suite: format check, clippy (warnings are errors), every test.
# .ci/run calls this and nothing else. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain"
cargo --version
rustup component list --installed 2>/dev/null | grep -E '^(rustfmt|clippy)' || rustup component add rustfmt clippy

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== cargo test"
# insta: in CI a snapshot mismatch fails instead of writing a .snap.new.
INSTA_UPDATE=no cargo test --locked --all-targets -- --test-threads 2
