#!/usr/bin/env bash
# The whole test suite: format check, clippy (warnings are errors), every test.
# .ci/run calls this and nothing else. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== toolchain"
cargo --version
rustup component list --installed 2>/dev/null | grep -E '^(rustfmt|clippy)' || rustup component add rustfmt clippy

echo "== Python tools (venv under target/py, pinned): check-jsonschema, zizmor"
[ -x target/py/bin/python ] || python3 -m venv target/py
target/py/bin/pip install --quiet --disable-pip-version-check 'check-jsonschema==0.39.*' 'zizmor==1.33.*' 'sslyze==6.3.*' 'moto[server]==5.*'

echo "== action.yml and workflows against SchemaStore's schemas (offline, vendored in check-jsonschema)"
target/py/bin/check-jsonschema --builtin-schema vendor.github-actions action.yml
target/py/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

echo "== zizmor --offline: no findings at medium or above"
target/py/bin/zizmor --offline --min-severity medium --no-progress action.yml .github/workflows

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --all-targets --locked -- -D warnings

echo "== test lab: Postfix listeners on 127.0.0.11-20 and dnsmasq on 127.0.0.1:5353 (tests/lab/lab.sh)"
bash tests/lab/lab.sh start
trap 'bash tests/lab/lab.sh stop' EXIT
export HISF_LAB=1
# The AWS SDK's standard variables, pointed at moto on loopback; dummy credentials.
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5555 AWS_REGION=ap-southeast-2 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "== cargo test"
# insta: in CI a snapshot mismatch fails instead of writing a .snap.new.
INSTA_UPDATE=no cargo test --locked --all-targets -- --test-threads 2
