#!/usr/bin/env bash
# Runs `hisf lint` for action.yml. Every input arrives as an environment
# variable and is checked against what it may be before it becomes an
# argument, so no input can add a flag or run shell.
#
#   HISF_BIN, HISF_PATHS (one per line), HISF_PROFILE, HISF_FAIL_ON, HISF_SARIF,
#   HISF_CONFIG, HISF_ANNOTATIONS, HISF_SUMMARY; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
set -uo pipefail

fail() {
  echo "::error title=hisf::$*"
  echo "exit-code=2" >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 2
}

bin=${HISF_BIN:-hisf}
one_of() { # value, allowed...
  local v=$1
  shift
  for a in "$@"; do [ "$v" = "$a" ] && return 0; done
  return 1
}
profile=${HISF_PROFILE:-nz-health}
one_of "$profile" nz-health nz-govt strict || fail "profile '$profile' is not one of nz-health, nz-govt, strict"
fail_on=${HISF_FAIL_ON:-error}
one_of "$fail_on" error warning info || fail "fail-on '$fail_on' is not one of error, warning, info"
annotations=${HISF_ANNOTATIONS:-true}
one_of "$annotations" true false || fail "annotations '$annotations' is not true or false"
summary=${HISF_SUMMARY:-true}
one_of "$summary" true false || fail "summary '$summary' is not true or false"

args=(lint "--profile=$profile" "--fail-on=$fail_on")
if [ "$annotations" = true ]; then
  args+=(--format=github)
else
  args+=(--format=human --color=always)
fi
# A line break in a value could forge lines in GITHUB_OUTPUT.
for v in "${HISF_SARIF:-}" "${HISF_CONFIG:-}"; do
  case "$v" in *$'\n'* | *$'\r'*) fail "the sarif and config inputs must be single-line paths" ;; esac
done
# `--opt=value` keeps a value that starts with '-' a value.
[ -n "${HISF_CONFIG:-}" ] && args+=("--config=$HISF_CONFIG")
[ -n "${HISF_SARIF:-}" ] && args+=("--sarif=$HISF_SARIF")
if [ "$summary" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  args+=("--summary=$GITHUB_STEP_SUMMARY")
fi
[ -n "${GITHUB_OUTPUT:-}" ] && args+=("--github-output=$GITHUB_OUTPUT")

# Paths: one per line; after `--` none can be read as a flag.
paths=()
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  # Trim surrounding blanks; skip empty lines.
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && paths+=("$line")
done <<<"${HISF_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
args+=(-- "${paths[@]}")

# The environment's GITHUB_STEP_SUMMARY is passed explicitly above (or not at all).
GITHUB_STEP_SUMMARY="" "$bin" "${args[@]}"
code=$?
{
  echo "exit-code=$code"
  echo "sarif=${HISF_SARIF:-}"
} >>"${GITHUB_OUTPUT:-/dev/null}"
exit $code
