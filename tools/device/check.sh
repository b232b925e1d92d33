#!/usr/bin/env bash
# Runs on the lent GPU machine, from the bundle tools/device/bundle.sh writes (target/device/):
#   bash target/device/check.sh OUT [machine|tests|bench|sweep|asm|ab|all]
# machine: lscpu, the CPU's vector flags, nvidia-smi, NumPy's BLAS and the JVM's AVX level, to OUT/machine.txt
# tests:   every cpu-backend test (the TCK included) with the JUnit console launcher, to OUT/tests.txt
# bench:   gasok bench: GEMM at 1, 2 and all threads against NumPy, the other ops, the YOLO conv layers,
#          two conv layers at all threads; the tables to OUT/bench.txt, each report to its .json
# sweep:   GEMM on one thread for several KC and MC (-Dgasok.cpu.gemm.kc/.mc), each in its own JVM,
#          the variants in turn for two rounds (SWEEP_KC, SWEEP_MC: space-separated lists), to OUT/sweep.txt
# asm:     the C2 code of the GEMM micro-kernels on this CPU, as PrintAssembly's hex (no hsdis there),
#          to OUT/asm.txt; here, tools/device/hexasm.py turns it into objdump listings
# ab:      tools/perf/ab.sh's in-process A/B, GEMM against OpenBLAS in one JVM, to OUT/ab.txt: the bundled
#          working tree ("gasok") with block-size variants and openblas (AB_VARIANTS, default
#          "gasok gasok@kc=256 openblas"; see ab.sh; another name is a revision bundle.sh took from
#          BUNDLE_REVISIONS, as target/perf names it), AB_THREADS (default "1 2 all"), AB_SIZES
#          (512,1024,2048, or none), AB_ROUNDS (7), AB_OPTS (JVM options, or -Dgemm=... or -Dconv=..., as
#          for ab.sh), then AB_GEMMS ("M,N,K[,ta,tb] ...") and AB_CONVS ("C,H,STRIDE,MODE[,K,OC] ..."):
#          each shape or layer in a JVM of its own per thread count, its rows named by it
# all is machine, tests and bench (7 files: the device tool brings back at most 8; about 7 minutes
# on the 16-core Xeon host, so give the device call its 600 s); sweep, asm and ab run only when named. Each part has its own time limit, and writes its files as it goes.
set -u
out="${1:?usage: check.sh OUT [machine|tests|bench|sweep|asm|ab|all]}"; what="${2:-all}"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$out" /tmp/gasok-device
[[ -x /tmp/gasok-device/jre/bin/java ]] || tar -xJf "$here/jre.tar.xz" -C /tmp/gasok-device || exit 3
java=/tmp/gasok-device/jre/bin/java
app="$here/app/$(cd "$here/app" && ls gasok-examples-*.jar | head -1):$here/app/lib/*"
quiet() { grep -v -E "^WARNING: Using incubator|logEdgeCasesOutnumberTries|^INFO: Edge case generation"; }
gasok() { local limit=$1; shift; timeout "$limit" "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$app" io.gasok.examples.GasokCli "$@"; }
wants() { [[ "$what" == "$1" || ("$what" == all && "$1" != sweep && "$1" != asm && "$1" != ab) ]]; }

{
  date -u; uname -a
  lscpu | grep -E "Model name|^CPU\(s\)|Thread|Core|Socket|L1d|L2|L3"
  grep -o -w -E "avx512f|avx512bw|avx512vl|avx512_fp16|amx_tile|avx2|fma" /proc/cpuinfo | sort | uniq -c
  free -g | head -2
  nvidia-smi -L 2>&1 | head -4
  python3 -c "import numpy, sys; print('numpy', numpy.__version__, 'python', sys.version.split()[0]); numpy.show_config()" 2>&1 \
    | grep -i -E "^numpy|name:|version:|openblas config" | sort -u
  "$java" -version 2>&1
  "$java" --add-modules jdk.incubator.vector -XX:+PrintFlagsFinal -version 2>/dev/null | grep -E " UseAVX | MaxVectorSize "
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"

if wants tests; then
  t="$here/test"
  cp="$t/test-classes:$t/classes:$(ls "$t"/lib/*.jar | tr '\n' ':')"
  # The build's settings: see the root pom's surefire configuration. jqwik keeps its database in
  # target/ of the working folder, and fails its engine at the end when that folder is missing.
  mkdir -p /tmp/gasok-device/target
  ( cd /tmp/gasok-device && timeout 240 "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
      -XX:+UseParallelGC -Dgasok.cpu.poisonBuffers=true \
      -jar "$(ls "$t"/junit-platform-console-standalone-*.jar)" execute --disable-banner --details=summary \
      --class-path "$cp" --scan-class-path "$t/test-classes" --include-classname '.*(Test|Tests|Properties)$' ) 2>&1 | quiet > "$out/tests.txt"
  tail -15 "$out/tests.txt"
fi

if wants bench; then
  cores="$(nproc)"
  layers=1x16x320x320_16k3s1p1,1x16x320x320_32k3s2p1,1x32x160x160_32k3s1p1,1x32x160x160_64k3s2p1,1x64x80x80_64k3s1p1,1x64x80x80_128k3s2p1,1x128x40x40_128k3s1p1,1x128x40x40_256k3s2p1,1x256x20x20_256k3s1p1,1x64x80x80_64k1s1p0,1x128x40x40_128k1s1p0,1x256x20x20_256k1s1p0
  {
    gasok 180 bench --device cpu --ops gemm --peers numpy --sizes 512,1024,2048 --threads "1,2,$cores" --runs 7 --warmup 1 \
      --report "$out/bench-gemm.json"
    gasok 150 bench --device cpu --ops conv2d,depthwise,softmax,add,launch --threads 1,2 --runs 5 --warmup 1 \
      --report "$out/bench-ops.json"
    gasok 250 bench --device cpu --ops conv2d --peers numpy --threads 1,2 --runs 5 --warmup 1 --conv "$layers" \
      --report "$out/bench-conv-yolo.json"
    # All cores on a 3x3 and a 1x1 layer: a weight gradient's small C splits over few threads. The
    # default warm-up: with 1 s the first layer's backward here ran at half its speed (JIT not done).
    gasok 120 bench --device cpu --ops conv2d --peers numpy --threads "$cores" --runs 5 \
      --conv 1x64x80x80_64k3s1p1,1x64x80x80_64k1s1p0 --report "$out/bench-conv-cores.json"
  } 2>&1 | quiet > "$out/bench.txt"
  grep -E "^(gemm|conv|depth|soft|add|launch)" "$out/bench.txt"
fi

if wants sweep; then
  for round in 1 2; do
    for kc in ${SWEEP_KC:-128 256 384 512}; do
      for mc in ${SWEEP_MC:-96 192}; do
        echo "round $round kc $kc mc $mc"
        timeout 60 "$java" "-Dgasok.cpu.gemm.kc=$kc" "-Dgasok.cpu.gemm.mc=$mc" --add-modules jdk.incubator.vector \
          --enable-native-access=ALL-UNNAMED -cp "$app" io.gasok.examples.GasokCli \
          bench --device cpu --ops gemm --peers none --sizes 512,2048 --threads 1 --runs 5 --warmup 1 2>&1 | grep -E "^gemm"
      done
    done
  done | tee "$out/sweep.txt"
fi

if wants asm; then
  # In process (--in-process, one thread count): the bench otherwise times each thread count in a
  # fresh JVM, which the print options do not reach.
  timeout 120 "$java" -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet \
    -XX:CompileCommand='print,io.gasok.cpu.GemmFloat32MicroKernels::multiply*' \
    --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$app" io.gasok.examples.GasokCli \
    bench --device cpu --ops gemm --peers none --sizes 1024 --threads 1 --runs 3 --in-process > "$out/asm.txt" 2>&1
  grep -E "^gemm|Compiled method \(c2\)" "$out/asm.txt"
fi

if wants ab; then
  lib="$(python3 -c 'import glob, os, numpy; d = os.path.dirname(numpy.__file__); print((glob.glob(os.path.join(d, "..", "numpy.libs", "*openblas*")) + glob.glob(os.path.join(d, ".dylibs", "*openblas*")))[0])')"
  variants=()
  for v in ${AB_VARIANTS:-gasok gasok@kc=256 openblas}; do
    name="${v%%@*}"
    [[ "$name" == gasok ]] && name=worktree
    [[ "$v" == openblas ]] && variants+=(openblas) || variants+=("$here/perf/$name${v#"${v%%@*}"}")
  done
  ab() { # ab THREADS SIZES [JVM options...]: one JVM
    local t="$1" sizes="$2"
    shift 2
    [[ "$t" == all ]] && t="$(nproc)"
    timeout 200 "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$here/perf/driver:$here/perf/core.jar" \
      -Dopenblas.lib="$lib" ${AB_OPTS:-} "$@" AB "$t" "$sizes" "${AB_ROUNDS:-7}" "${variants[@]}" 2>&1 | grep -v 'incubator modules'
  }
  {
    if [[ "${AB_SIZES:-}" != none ]]; then
      for t in ${AB_THREADS:-1 2 all}; do ab "$t" "${AB_SIZES:-512,1024,2048}"; done
    fi
    for shape in ${AB_GEMMS:-}; do
      for t in ${AB_THREADS:-1 2 all}; do ab "$t" 0 "-Dgemm=$shape" | sed "s/^ *0 t/gemm $shape t/"; done
    done
    for layer in ${AB_CONVS:-}; do
      for t in ${AB_THREADS:-1 2 all}; do ab "$t" 0 "-Dconv=$layer" | sed "s/^ *0 t/conv $layer t/"; done
    done
  } | tee "$out/ab.txt"
fi
