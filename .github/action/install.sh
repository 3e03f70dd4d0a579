#!/usr/bin/env bash
# Installs hisf for the GitHub Actions runner that runs this script: a released
# binary verified against .github/action/SHA256SUMS, or, when no release fits
# the runner, a build from source with `cargo install --locked`.
#
# Environment (set by action.yml; inputs never reach this script any other way):
#   HISF_VERSION            version wanted, or empty for the newest in the manifest
#   HISF_RELEASE_URL        base URL of the downloads, or empty for GitHub releases
#   HISF_ACTION_REPOSITORY  owner/name of this action (for the default URL)
#   GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH, RUNNER_OS, RUNNER_ARCH,
#   RUNNER_TEMP, RUNNER_TOOL_CACHE  as the runner sets them
set -euo pipefail

fail() {
  echo "::error title=hisf install::$*"
  exit 1
}

action_dir=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this through action.yml}
manifest="$action_dir/.github/action/SHA256SUMS"
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
cache_root=${RUNNER_TOOL_CACHE:-$tmp}/hisf

version=${HISF_VERSION:-}
version=${version#v}
if [ -n "$version" ] && ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  fail "version input '$version' is not a version like 0.2.0"
fi

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  Windows/ARM64) target=aarch64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=hisf
[ "${RUNNER_OS:-}" = Windows ] && exe=hisf.exe

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The newest non-prerelease version the manifest lists for this target.
newest_in_manifest() {
  [ -f "$manifest" ] || return 0
  awk -v t="$target" '
    length($1) == 64 && $1 ~ /^[0-9a-f]+$/ {
      name = $2; sub(/^\*/, "", name)
      suffix = "-" t ".tar.gz"
      if (substr(name, length(name) - length(suffix) + 1) != suffix) next
      v = substr(name, 7, length(name) - 6 - length(suffix))
      if (v !~ /^[0-9]+\.[0-9]+\.[0-9]+$/) next
      split(v, p, ".")
      key = sprintf("%09d%09d%09d", p[1], p[2], p[3])
      if (key > best) { best = key; bestv = v }
    }
    END { if (bestv != "") print bestv }' "$manifest"
}

expected=""
if [ -n "$target" ]; then
  [ -n "$version" ] || version=$(newest_in_manifest)
  if [ -n "$version" ]; then
    asset="hisf-v$version-$target.tar.gz"
    expected=$(awk -v a="$asset" 'length($1) == 64 && $1 ~ /^[0-9a-f]+$/ { n = $2; sub(/^\*/, "", n); if (n == a) print $1 }' "$manifest" | head -n 1)
  fi
fi

if [ -n "$expected" ]; then
  dest="$cache_root/$version/$target"
  archive="$dest/$asset"
  mkdir -p "$dest"
  if [ -f "$archive" ] && [ "$(sha256_of "$archive")" = "$expected" ]; then
    echo "hisf $version: using the verified archive in the tool cache ($archive)"
  else
    base=${HISF_RELEASE_URL:-https://github.com/${HISF_ACTION_REPOSITORY:?}/releases/download}
    base=${base%/}
    case "$base" in
      https://* | file://*) ;;
      *) fail "release-url '$base' must start with https:// or file://" ;;
    esac
    url="$base/v$version/$asset"
    echo "hisf $version: downloading $url"
    curl --fail --silent --show-error --location --retry 3 --proto '=https,file' \
      --output "$archive.part" "$url" || fail "cannot download $url"
    actual=$(sha256_of "$archive.part")
    if [ "$actual" != "$expected" ]; then
      rm -f "$archive.part"
      fail "checksum mismatch for $asset: expected $expected (from .github/action/SHA256SUMS), got $actual. The download was deleted and hisf was not run."
    fi
    mv "$archive.part" "$archive"
    echo "hisf $version: SHA-256 verified ($expected)"
  fi
  bin_dir="$tmp/hisf-$version-$target"
  rm -rf "$bin_dir"
  mkdir -p "$bin_dir"
  local_flag=()
  # GNU tar (Git Bash on Windows) reads `D:\a\...` as host:path without this.
  [ "${RUNNER_OS:-}" = Windows ] && local_flag=(--force-local)
  tar ${local_flag[@]+"${local_flag[@]}"} -xzf "$archive" -C "$bin_dir" "$exe" || fail "$asset has no $exe at its top level"
else
  # No verified binary for this runner: build exactly the code the action was pinned to,
  # or, for an explicit other version, that version's tag.
  command -v cargo >/dev/null 2>&1 ||
    fail "no released hisf binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}${version:+ version $version} and cargo is not installed: install Rust (rustup) before this step"
  own=$(awk -F'"' '/^version *=/ { print $2; exit }' "$action_dir/Cargo.toml")
  root="$cache_root/source-${version:-$own}"
  if [ -z "$version" ] || [ "$version" = "$own" ]; then
    echo "hisf ${own}: no released binary for this runner in the manifest; building from the action's source"
    cargo install --locked --root "$root" --path "$action_dir" --bin hisf
    version=$own
  else
    echo "hisf $version: not in the manifest for this runner; building tag v$version from source"
    cargo install --locked --root "$root" --git "https://github.com/${HISF_ACTION_REPOSITORY:?}" --tag "v$version" --bin hisf hisf
  fi
  bin_dir="$root/bin"
fi

"$bin_dir/$exe" --version >/dev/null || fail "the installed $bin_dir/$exe does not run"
echo "$bin_dir" >>"${GITHUB_PATH:-/dev/null}"
{
  echo "bin=$bin_dir/$exe"
  echo "version=$version"
} >>"${GITHUB_OUTPUT:-/dev/null}"
echo "hisf $version installed at $bin_dir/$exe"
