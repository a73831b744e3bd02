#!/usr/bin/env bash
# Checks the release binaries: builds them with build/build.sh, checks that
# each is a statically linked ELF executable for its CPU, runs them natively
# and under qemu-user on several emulated CPUs, and checks that all of them
# score the same real screw photos alike with `edgeae eval --json`.
#
# Steps and what passes:
#   1. build/build.sh builds bin/edgeae-linux-{arm64,armv7,amd64}.
#   2. build/elfcheck: no PT_INTERP, no PT_DYNAMIC, no .dynamic section,
#      and the ELF machine of the target.
#   3. `edgeae version` on each target prints the version build.sh stamped,
#      the commit, the platform and the int8 kernel path expected for the
#      CPU. The targets are the amd64 binary natively and under
#      qemu-x86_64 (QEMU_CPU=max has AVX2 but no AVX-512, Nehalem has
#      neither), the arm64 binary under qemu-aarch64 (QEMU_CPU=cortex-a72 is
#      the Raspberry Pi 4 core, without SDOT; QEMU_CPU=max has SDOT like the
#      Pi 5 and Jetson Orin cores) and the armv7 binary under qemu-arm
#      (QEMU_CPU=cortex-a7, a plain ARMv7 core). So every int8 kernel path
#      runs in the release binaries, except AVX-512 VNNI where the host CPU
#      lacks it.
#   4. A temporary dataset in the MVTec AD layout of symbolic links to 24
#      train/good, 4 test/good and 4 test/defective photos; nothing is
#      copied into the repository.
#   5. Models: a tiny float32 model trained with the amd64 binary, its int8
#      quantization when the binary has the quantize command, and the
#      embedded default model when models/default/ has one.
#   6. `edgeae eval --json` with every model on every target, compared with
#      build/scorecmp against amd64 (see compare_model for the tolerances).
#   7. `edgeae run --folder DIR --sim` on every target scores one photo and
#      writes one serial log line.
#
# Needs: Go, qemu-user-static (qemu-x86_64-static, qemu-aarch64-static,
# qemu-arm-static) and the screw photos in ../shared/datasets/mvtec-screw next
# to the repository (EDGEAE_SCREW_DATA overrides the path). On a 2-core VM it
# took 93 s with a warm Go build cache and the embedded int8 model, and
# 241 s with a cold cache before that model existed, most of it in the three
# builds.
set -euo pipefail
cd "$(dirname "$0")/.."

data_root=${EDGEAE_SCREW_DATA:-../shared/datasets/mvtec-screw}

# fail prints a message naming the failed step and exits 1.
fail() {
	echo "check.sh: FAIL: $*" >&2
	exit 1
}

step() {
	echo
	echo "== $*"
}

for tool in go qemu-x86_64-static qemu-aarch64-static qemu-arm-static; do
	command -v "$tool" >/dev/null || fail "$tool not found in PATH; install Go and the Debian package qemu-user-static"
done
[[ -d "$data_root/train/good" && -d "$data_root/test/good" && -d "$data_root/test/defective" ]] ||
	fail "screw photos not found in $data_root (want train/good, test/good and test/defective); set EDGEAE_SCREW_DATA to the dataset root"

# Targets in the order they run. amd64 is the reference for every comparison.
targets=(amd64 amd64-avx2 amd64-generic arm64-neon arm64-sdot armv7)

# run_target runs the edgeae binary of one target with the given arguments,
# under qemu-user with the CPU model of that target.
run_target() {
	local target=$1
	shift
	case "$target" in
	amd64) bin/edgeae-linux-amd64 "$@" ;;
	amd64-avx2) QEMU_CPU=max qemu-x86_64-static bin/edgeae-linux-amd64 "$@" ;;
	amd64-generic) QEMU_CPU=Nehalem qemu-x86_64-static bin/edgeae-linux-amd64 "$@" ;;
	arm64-neon) QEMU_CPU=cortex-a72 qemu-aarch64-static bin/edgeae-linux-arm64 "$@" ;;
	arm64-sdot) QEMU_CPU=max qemu-aarch64-static bin/edgeae-linux-arm64 "$@" ;;
	armv7) QEMU_CPU=cortex-a7 qemu-arm-static bin/edgeae-linux-armv7 "$@" ;;
	*) fail "run_target: unknown target $target" ;;
	esac
}

# expected_version_tail prints the platform and kernel lines that
# `edgeae version` must end with on a target.
expected_version_tail() {
	case "$1" in
	amd64) printf 'platform: linux/amd64\nint8 kernels: %s\n' "$amd64_kernel" ;;
	amd64-avx2) printf 'platform: linux/amd64\nint8 kernels: amd64-avx2\n' ;;
	amd64-generic) printf 'platform: linux/amd64\nint8 kernels: generic\n' ;;
	arm64-neon) printf 'platform: linux/arm64\nint8 kernels: arm64-neon\n' ;;
	arm64-sdot) printf 'platform: linux/arm64\nint8 kernels: arm64-sdot\n' ;;
	armv7) printf 'platform: linux/arm (GOARM=7)\nint8 kernels: generic\n' ;;
	esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/edgeae-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step "build (build/build.sh)"
bash build/build.sh || fail "build/build.sh failed; see its output above"
version=$(bash build/build.sh --print-version)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)

step "static linking and ELF machine (build/elfcheck)"
go run ./build/elfcheck -arch arm64 bin/edgeae-linux-arm64 || fail "bin/edgeae-linux-arm64 is not a static arm64 executable"
go run ./build/elfcheck -arch arm bin/edgeae-linux-armv7 || fail "bin/edgeae-linux-armv7 is not a static 32-bit ARM executable"
go run ./build/elfcheck -arch amd64 bin/edgeae-linux-amd64 || fail "bin/edgeae-linux-amd64 is not a static amd64 executable"

step "edgeae version on every target"
# The native amd64 kernel path depends on the CPU running the check.
amd64_kernel=$(bin/edgeae-linux-amd64 version | sed -n 's/^int8 kernels: //p')
for target in "${targets[@]}"; do
	out=$(run_target "$target" version) || fail "edgeae version exited non-zero on $target"
	want=$(printf 'edgeae %s\ncommit: %s\n' "$version" "$commit"; sed -n 's/^go: .*/&/p' <<<"$out"; expected_version_tail "$target")
	if [[ "$out" != "$want" ]]; then
		fail "edgeae version on $target printed:"$'\n'"$out"$'\n'"want:"$'\n'"$want"
	fi
	echo "ok   $target: $(tr '\n' ' ' <<<"$out")"
done

step "temporary dataset of real photos in $tmp/data"
# link_images links the first n images of one folder of the dataset.
link_images() {
	local split=$1 kind=$2 n=$3
	local from to
	from=$(cd "$data_root/$split/$kind" && pwd)
	to="$tmp/data/$split/$kind"
	mkdir -p "$to"
	find "$from" -maxdepth 1 -name '*.png' | sort | head -n "$n" | while read -r f; do
		ln -s "$f" "$to/"
	done
	[[ $(find "$to" -maxdepth 1 -name '*.png' | wc -l) -eq $n ]] || fail "found fewer than $n PNG images in $from"
}
link_images train good 24
link_images test good 4
link_images test defective 4
mkdir -p "$tmp/one"
ln -s "$(find "$tmp/data/test/good/" -maxdepth 1 -name '*.png' | sort | head -n 1)" "$tmp/one/"
echo "ok   24 train/good, 4 test/good, 4 test/defective, 1 photo for the run replay"

step "models"
models=()
if ! bin/edgeae-linux-amd64 train --data "$tmp/data" --out "$tmp/tiny.edgeae" \
	--epochs 2 --batch 8 --size 32 --widths 4,8,8 --holdout 0.25 >"$tmp/train.log" 2>&1; then
	cat "$tmp/train.log" >&2
	fail "edgeae train of the tiny check model failed; its output is above"
fi
models+=(tiny)
echo "ok   tiny float32 model (32 x 32, widths 4,8,8, 2 epochs)"

# The help text is captured first: grep -q would close the pipe early and
# make pipefail report the writer's SIGPIPE as a failure.
help=$(bin/edgeae-linux-amd64 --help)
if grep -q '^  quantize ' <<<"$help"; then
	if ! bin/edgeae-linux-amd64 quantize --model "$tmp/tiny.edgeae" --data "$tmp/data" \
		--out "$tmp/tiny-int8.edgeae" >"$tmp/quantize.log" 2>&1; then
		cat "$tmp/quantize.log" >&2
		fail "edgeae quantize of the tiny check model failed; its output is above"
	fi
	models+=(tiny-int8)
	echo "ok   tiny int8 model"
else
	echo "skip int8 model: this build has no quantize command"
fi

# eval without --model uses the embedded int8 model when there is one, else
# the embedded float32 model.
if [[ -f models/default/screw-int8.edgeae || -f models/default/screw.edgeae ]]; then
	models+=(embedded)
	echo "ok   embedded default model"
else
	echo "skip embedded model: neither models/default/screw-int8.edgeae nor models/default/screw.edgeae exists"
fi

# model_args prints the eval and run flags that select a model.
model_args() {
	case "$1" in
	embedded) ;;
	*) echo "--model $tmp/$1.edgeae" ;;
	esac
}

# compare_model compares the eval reports of one model on every target with
# the amd64 report.
compare_model() {
	local model=$1
	local ref="$tmp/eval-$model-amd64.json"
	local format
	format=$(sed -n 's/^ *"format": *"\([^"]*\)".*/\1/p' "$ref" | head -n 1)

	case "$format" in
	float32)
		# Float32 scores differ in the last bits between targets: the Go
		# compiler fuses multiply-adds on arm64, and internal/sgemm runs FMA
		# assembly on amd64 CPUs with AVX2 and FMA and plain Go elsewhere.
		go run ./build/scorecmp -rel 1e-5 "$ref" "$tmp/eval-$model-"{amd64-avx2,amd64-generic,arm64-neon,arm64-sdot,armv7}.json ||
			fail "float32 scores of model $model differ by more than 1e-5 relative between targets"
		;;
	int8)
		# Every int8 kernel (AVX-512 VNNI, AVX2, generic, NEON, SDOT) gives
		# the same codes, and the float code around the engine rounds every
		# product explicitly, so no architecture fuses a multiply-add and
		# all targets must agree to the bit.
		go run ./build/scorecmp "$ref" "$tmp/eval-$model-"{amd64-avx2,amd64-generic,arm64-neon,arm64-sdot,armv7}.json ||
			fail "int8 scores of model $model differ between architectures"
		;;
	*)
		fail "eval report $ref has model format '$format'; want float32 or int8"
		;;
	esac
}

for model in "${models[@]}"; do
	step "edgeae eval, model $model, on every target"
	for target in "${targets[@]}"; do
		report="$tmp/eval-$model-$target.json"
		# shellcheck disable=SC2046 # model_args is a flag and a path without spaces
		if ! run_target "$target" eval --data "$tmp/data" $(model_args "$model") --json "$report" >"$tmp/eval.log" 2>&1; then
			cat "$tmp/eval.log" >&2
			fail "edgeae eval with model $model failed on $target; its output is above"
		fi
		echo "ok   $target wrote $report"
	done
	compare_model "$model"
done

step "edgeae run --folder --sim on every target"
run_model=${models[-1]}
for target in "${targets[@]}"; do
	# shellcheck disable=SC2046
	if ! out=$(run_target "$target" run --folder "$tmp/one" --sim $(model_args "$run_model") 2>"$tmp/run.log"); then
		cat "$tmp/run.log" >&2
		fail "edgeae run failed on $target; its log is above"
	fi
	lines=$(grep -c ' verdict=' <<<"$out" || true)
	[[ "$lines" -eq 1 ]] || fail "edgeae run on $target wrote $lines serial log lines, want 1:"$'\n'"$out"
	echo "ok   $target: $out"
done

echo
echo "check.sh: all release checks passed for version $version"
