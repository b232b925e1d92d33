#!/usr/bin/env bash
# Builds what the lent GPU machine needs to run Gasok: it has a driver and Python but no Java.
# Writes target/device/ (ignored by git; name it in the device tool's `carry`):
#   jre.tar.xz   a jlink'd Java 25 runtime (the modules Gasok, its CLI and the tests use)
#   app/         the CLI: gasok-examples and its runtime jars (all backends)
#   test/        cpu-backend's classes, test classes and test jars, and the JUnit console launcher
#   perf/        tools/perf/ab.sh's driver and this working tree's cpu-backend built for it, with core's jar;
#                also the revisions named in BUNDLE_REVISIONS (space-separated), each as ab.sh names it
#                (its short hash), for check.sh's ab part to time against the working tree
#   check.sh     the checks to run there (see its header)
# Usage: tools/device/bundle.sh        (then, on the device: bash target/device/check.sh $OUT all)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$root"
: "${JAVA_HOME:?set JAVA_HOME to a JDK 25}"
out=target/device
junit="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml)"

./mvnw -q -B install -DskipTests
./mvnw -q -B dependency:build-classpath -pl cpu-backend -Dmdep.includeScope=test -Dmdep.outputFile="$root/target/cpu-test-classpath.txt"
rm -rf "$out"
mkdir -p "$out/app" "$out/test/lib"
./mvnw -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit" -DoutputDirectory="$root/$out/test"

# The runtime: no jdk.compiler, no java.desktop (the CLI's plots are not drawn there).
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.management,jdk.incubator.vector,jdk.unsupported,java.xml,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$out/jre" 2>&1 | grep -v "incubator modules" || true
tar -C "$out" -cf - jre | xz -T0 -6 > "$out/jre.tar.xz"
rm -rf "$out/jre"

cp examples/target/gasok-examples-*-SNAPSHOT.jar "$out/app/"
cp -r examples/target/lib "$out/app/lib"
cp -r cpu-backend/target/classes "$out/test/classes"
cp -r cpu-backend/target/test-classes "$out/test/test-classes"
# The console launcher brings the JUnit platform and Jupiter; the test jars add jqwik, the TCK, EJML.
tr ':' '\n' < target/cpu-test-classpath.txt | grep -v -E '/junit-(jupiter|platform)|/opentest4j' | xargs -I{} cp {} "$out/test/lib/"
AB_BUILD_ONLY=1 tools/perf/ab.sh 1 0 1 . ${BUNDLE_REVISIONS:-} > /dev/null
mkdir -p "$out/perf"
cp -r target/perf/driver target/perf/worktree "$out/perf/"
for revision in ${BUNDLE_REVISIONS:-}; do
  cp -r "target/perf/$(git rev-parse --short "$revision^{commit}")" "$out/perf/"
done
cp "$(ls core/target/gasok-core-*.jar | grep -v -e sources -e javadoc | head -n 1)" "$out/perf/core.jar"
cp tools/device/check.sh "$out/"
du -sh "$out"
