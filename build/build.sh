#!/usr/bin/env bash
# Builds static edgeae release binaries (CGO_ENABLED=0, -trimpath, stripped)
# into bin/, one per target:
#
#   bin/edgeae-linux-arm64   Raspberry Pi 4/5 with 64-bit Raspberry Pi OS, Jetson
#   bin/edgeae-linux-armv7   Raspberry Pi 2/3/4/5 with 32-bit Raspberry Pi OS (GOARM=7)
#   bin/edgeae-linux-amd64   x86-64 Linux: training machines, bench replays, CI
#
# and bin/SHA256SUMS over them. Each binary carries its version and commit,
# which `edgeae version` prints. The version is `git describe --tags --always
# --dirty`, or the EDGEAE_VERSION environment variable when set, or "dev"
# outside a git work tree.
#
# Usage: build/build.sh [TARGET...]    TARGET is arm64, armv7 or amd64 (default: all three)
#        build/build.sh --print-version
#
# Needs: Go (the version in go.mod or newer) and, for the version stamp, git.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly module=edgeae
readonly out=bin

# build_version prints the version string stamped into the binaries.
build_version() {
	if [[ -n "${EDGEAE_VERSION:-}" ]]; then
		echo "$EDGEAE_VERSION"
	elif v=$(git describe --tags --always --dirty 2>/dev/null) && [[ -n "$v" ]]; then
		echo "$v"
	else
		echo dev
	fi
}

# build_commit prints the full commit hash, or "unknown" outside git.
build_commit() {
	git rev-parse HEAD 2>/dev/null || echo unknown
}

if [[ "${1:-}" == "--print-version" ]]; then
	build_version
	exit 0
fi

if ! command -v go >/dev/null; then
	echo "build.sh: go not found in PATH; install Go (see go.mod for the version) or add /usr/local/go/bin to PATH" >&2
	exit 1
fi

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
	targets=(arm64 armv7 amd64)
fi

for target in "${targets[@]}"; do
	case "$target" in
	arm64 | armv7 | amd64) ;;
	*)
		echo "build.sh: unknown target '$target'; use arm64, armv7 or amd64" >&2
		exit 2
		;;
	esac
done

version=$(build_version)
commit=$(build_commit)
ldflags="-s -w -X ${module}/internal/version.Version=${version} -X ${module}/internal/version.Commit=${commit}"

mkdir -p "$out"
built=()
for target in "${targets[@]}"; do
	goarm=""
	case "$target" in
	arm64) goarch=arm64 ;;
	armv7) goarch=arm goarm=7 ;;
	amd64) goarch=amd64 ;;
	esac

	bin="$out/edgeae-linux-$target"
	echo "== build $bin (GOOS=linux GOARCH=$goarch${goarm:+ GOARM=$goarm}, version $version)"
	# The version is stamped with -X, so the go command's own VCS stamp is
	# not needed and is turned off: it fails in work trees owned by another
	# user.
	if ! CGO_ENABLED=0 GOOS=linux GOARCH=$goarch GOARM=$goarm \
		go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$bin" ./cmd/edgeae; then
		echo "build.sh: go build failed for $target; see the compiler output above" >&2
		exit 1
	fi
	built+=("$bin")
done

# Checksums of every binary in bin/, so a board can verify its copy with
# `sha256sum -c --ignore-missing SHA256SUMS`.
(cd "$out" && sha256sum edgeae-linux-* >SHA256SUMS)

ls -l "${built[@]}"
