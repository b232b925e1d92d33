#!/usr/bin/env bash
# In-process A/B of the CPU backend's kernels: the classes of several revisions alternating in one
# JVM, round by round, so that a busy machine slows them alike (two runs of one revision a minute
# apart can differ by 30% here; the ratios within one run hold to a few percent). This is how the
# "in-process A/B" figures in the README and the kernels' comments were measured.
#
#   tools/perf/ab.sh THREADS SIZES ROUNDS VARIANT [VARIANT...]
#
#   VARIANT  a git revision of this repository (HEAD, HEAD~1, a branch, a commit), "." for the
#            working tree, or "openblas": cblas_sgemm of NumPy's bundled OpenBLAS through the FFM
#            API, in the same JVM (GEMM only; python3 with NumPy 2 needed to find it). A revision
#            may end in @KEY=VALUE[,KEY=VALUE...]: that variant's GEMM block sizes and tile (kc, mc,
#            nc, packedkc, tile: gasok.cpu.gemm.KEY; a KEY with a dot is a whole property name),
#            e.g. HEAD HEAD@kc=256 HEAD@tile=4x2,kc=256 openblas
#   SIZES    GEMM n for n³ products (e.g. 512,1024), or 0 with one of these in AB_OPTS:
#            -Dgemm=M,N,K[,transA,transB]  one GEMM (transA/transB 1 or 0)
#            -Dconv=C,H,STRIDE,MODE[,K,OC] a batch-1 conv of C channels, H×H, kernel K (3) to OC (C)
#                                          channels; MODE fwd (with a bias), bwdi, bwdw, or dw
#                                          (depthwise, counted in GB/s-equivalent flops: 4 per element)
#   ROUNDS   timed rounds per variant (medians reported)
#
# Prints, per size, each variant's median GFLOP/s and the median of its per-round ratios to the
# first variant. Read those against the floor of an A/A run (one revision named several times, a
# class loader each): on the 2-core EPYC, 12 rounds, four copies of one revision, 0.979-1.012 on
# the 128×40×40 → 256 stride-2 forward, and two revisions that differ only off the timed path
# (another tile's branch in a shared method) 0.95-1.09; so a single run's 3-5% is not a result.
# Name each variant twice (HEAD . HEAD .: a class loader each) and read the pairs. Until the driver took the rounds in turn from a
# different variant each time (and warmed the variants in turns), the variant timed first in every
# round ran 1-5% (up to 20%) slower than copies of itself, so the older A/Bs quoted in the kernels'
# comments, which mostly named the baseline first, lean that much towards the change.
# Each variant packs into buffers of its own, and before 098a2da each landed at its own offset in a
# cache line: on AVX-512 that alone moved a GEMM by about 10% (results/xeon-avx512-h100/ab-align.txt),
# so older A/Bs there between variants, the block sizes and tiles above all, carry that too. Since then
# the packed panels start on lines when the JVM has native access, which this script gives it; a
# revision from before that commit still lands where it lands. One thread is timed in thread CPU
# time, more in wall time. With AB_BUILD_ONLY=1
# it builds the driver and the variants into target/perf and stops (tools/device/bundle.sh ships
# them to the lent machine, which has no javac; check.sh's ab part runs them there). Needs JAVA_HOME at a
# JDK 25+ and core's jar built (./mvnw -q install -DskipTests). Each revision's cpu-backend sources
# are compiled into target/perf/<revision> (against the current core jar, so a revision must share
# its SPI).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
if (($# < 4)); then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
java_home="${JAVA_HOME:?set JAVA_HOME to a JDK 25 or newer}"
core="$(ls "$root"/core/target/gasok-core-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)"
[[ -n "$core" ]] || { echo "ab.sh: no core jar; run ./mvnw -q install -DskipTests first" >&2; exit 1; }
threads="$1" sizes="$2" rounds="$3"
shift 3
out="$root/target/perf"
mkdir -p "$out/driver"
"$java_home/bin/javac" -nowarn -d "$out/driver" "$root/tools/perf/src/AB.java" "$root/tools/perf/src/OpenBlas.java"
variants=()
for variant in "$@"; do
  if [[ "$variant" == openblas ]]; then
    variants+=(openblas)
    continue
  fi
  settings=""
  if [[ "$variant" == *@* ]]; then
    settings="@${variant#*@}"
    variant="${variant%%@*}"
  fi
  if [[ "$variant" == . ]]; then
    name=worktree
  else
    name="$(git -C "$root" rev-parse --short "$variant^{commit}")"
  fi
  dir="$out/$name"
  if [[ "$name" == worktree || ! -d "$dir/classes" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir/src" "$dir/classes" "$dir/probe"
    if [[ "$name" == worktree ]]; then
      cp -r "$root/cpu-backend/src/main/java/io" "$dir/src/"
    else
      git -C "$root" archive "$name" cpu-backend/src/main/java | tar -x -C "$dir/src" --strip-components 4
    fi
    find "$dir/src" -name '*.java' ! -name module-info.java ! -name package-info.java > "$dir/sources"
    "$java_home/bin/javac" -nowarn --add-modules jdk.incubator.vector -cp "$core" -d "$dir/classes" @"$dir/sources" 2>&1 \
      | grep -v -e '^warning' -e 'incubat' -e '^[0-9]* warning' || true
    "$java_home/bin/javac" -nowarn --add-modules jdk.incubator.vector -cp "$core:$dir/classes" -d "$dir/probe" \
      "$root/tools/perf/src/io/gasok/cpu/Bench.java" 2>&1 | grep -v -e '^warning' -e 'incubat' -e '^[0-9]* warning' || true
  fi
  variants+=("$dir$settings")
done
[[ -n "${AB_BUILD_ONLY:-}" ]] && exit 0
lib=""
if printf '%s\n' "${variants[@]}" | grep -qx openblas; then
  lib="$(python3 -c 'import glob, os, numpy; d = os.path.dirname(numpy.__file__); print((glob.glob(os.path.join(d, "..", "numpy.libs", "*openblas*")) + glob.glob(os.path.join(d, ".dylibs", "*openblas*")))[0])')"
fi
# shellcheck disable=SC2086
"$java_home/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$out/driver:$core" \
  -Dopenblas.lib="$lib" ${AB_OPTS:-} AB "$threads" "$sizes" "$rounds" "${variants[@]}" 2>&1 | grep -v 'incubator modules'
