#!/bin/sh
# assemble.sh JDK DIST APPJAR "PLUGIN..." -- run by Maven in the cli module's package phase (see cli/pom.xml).
# Lays out DIST = {bin,libexec,lib,native,runtime,cache}: everything a runtime needs when CNI_PATH points at DIST/bin.
# bin/jnet-<type> is a native shim (shim.c) that forwards to `jnet daemon` and otherwise execs the JVM launcher
# libexec/jnet-<type>; without a C compiler bin/jnet-<type> is that JVM launcher itself.
set -eu
JDK=$1 DIST=$2 APPJAR=$3 PLUGINS=$4
SRC=$(dirname "$0")
BUILD=$(dirname "$APPJAR")/shim
mkdir -p "$DIST/lib" "$DIST/native" "$DIST/cache" "$DIST/bin" "$BUILD"
cp -p "$APPJAR" "$DIST/lib/"

# JNA loads this copy instead of extracting one to a temp dir on every call (-Djna.nounpack=true)
JNA=$(ls "$DIST"/lib/jna-*.jar)
unzip -p -o "$JNA" com/sun/jna/linux-x86-64/libjnidispatch.so > "$DIST/native/libjnidispatch.so.tmp"
mv -f "$DIST/native/libjnidispatch.so.tmp" "$DIST/native/libjnidispatch.so"

# A minimal runtime pins the exact JVM that the class-data archive was made by; rebuilt only when the JDK or the
# module list changes (jdk.unsupported: netty, in the daemon, uses sun.misc.Unsafe).
MODULES=java.base,java.logging,jdk.unsupported
{ cat "$JDK/release"; echo "MODULES=$MODULES"; } > "$BUILD/runtime-id"
if [ ! -x "$DIST/runtime/bin/java" ] || ! cmp -s "$BUILD/runtime-id" "$DIST/runtime/.jdk-release"; then
  rm -rf "$DIST/runtime"
  "$JDK/bin/jlink" --add-modules $MODULES --strip-debug --no-header-files --no-man-pages \
      --generate-cds-archive --output "$DIST/runtime"
  cp "$BUILD/runtime-id" "$DIST/runtime/.jdk-release"
fi

# The plugin class path: everything but picocli, which only the human CLI loads, and netty and jetcd with its
# dependencies (grpc, Vert.x, protobuf, guava, ...), which only the daemon and the overlay commands load (so the direct
# path cannot load them). Order is fixed because the archive records it.
CNI_CP=""
CLI_CP=""
for f in "$DIST"/lib/*.jar; do
  j=$(basename "$f")
  case "$j" in
    picocli-*|netty-*|jetcd-*|grpc-*|vertx-*|protobuf-*|proto-google-*|guava-*|failureaccess-*|listenablefuture-*|\
    checker-qual-*|failsafe-*|perfmark-*|javax.annotation-api-*|slf4j-*) CLI_CP="$CLI_CP:\$H/lib/$j" ;;
    *) CNI_CP="$CNI_CP${CNI_CP:+:}\$H/lib/$j" ;;
  esac
done
CLI_CP="$CNI_CP$CLI_CP"

# BUILD_ID changes whenever a jar or the runtime changes; the launcher uses the archive only when its .id matches.
BUILD_ID=$(cat "$DIST"/lib/*.jar "$DIST/runtime/release" "$DIST/runtime/lib/server/libjvm.so" | sha256sum | cut -c1-16)
MAJOR=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JDK/release")
if [ "$MAJOR" -ge 25 ]; then   # JEP 483/514 AOT cache
  CACHE=cni.aot USE='-XX:AOTCache=' MAKE='-XX:AOTCacheOutput=' NATIVE='--enable-native-access=ALL-UNNAMED'
else                           # JDK 17..24: a dynamic AppCDS archive on top of the runtime's default CDS
  CACHE=cni.jsa USE='-XX:SharedArchiveFile=' MAKE='-XX:ArchiveClassesAtExit=' NATIVE=''
fi
# JVM warnings must never reach stdout, which carries the CNI result. A call runs a few hundred milliseconds of
# mostly cold code: C1 only, and only for code that is hot by 20x the usual thresholds (compiling what runs a few
# hundred times cost a call more CPU than interpreting it); an 8 MiB young generation holds everything a call
# allocates, so no collection runs.
JVM="-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=20 -XX:+UseSerialGC -Xss512k -Xms16m -Xmn8m -Xmx64m -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr $NATIVE"
JNAF='-Djna.boot.library.path=$H/native -Djna.nounpack=true -Djna.platform.library.path=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64'
VERSIONS='{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}'

# Each launcher finds the distribution (H) from its own real path (a symlink to it works) on the one line marked
# "# jnet-home"; jnet install replaces that line with the absolute path it installs to, so copies in a CNI bin
# directory work from there.
HOME_LINE='P=$0; case $P in */*) ;; *) P=$(command -v "$P") ;; esac; [ -L "$P" ] && P=$(readlink -f "$P"); H=${P%/*}/.. # jnet-home'

# The native shims, when there is a C compiler.
CC=${CC:-cc}
if command -v "$CC" >/dev/null 2>&1; then
  printf '#define JNET_VERSIONS "%s"\n' "$(printf '%s' "$VERSIONS" | sed 's/"/\\"/g')" > "$BUILD/shim-versions.h"
  SHIMS=yes
  for plugin in $PLUGINS; do
    if ! "$CC" -O2 -Wall -Wextra -Werror -I"$BUILD" -DJNET_TYPE="\"$plugin\"" -o "$BUILD/jnet-$plugin" "$SRC/shim.c"; then
      SHIMS=no
    fi
  done
else
  SHIMS=no
fi
if [ "$SHIMS" = yes ]; then
  LAUNCHERS="$DIST/libexec"
  mkdir -p "$LAUNCHERS"
else
  echo "assemble.sh: no working C compiler ($CC): bin/jnet-<type> stay JVM launchers (no daemon fast path)" >&2
  LAUNCHERS="$DIST/bin"
  rm -rf "$DIST/libexec"
fi

# One script per plugin type. VERSION is answered by the shell: the versions are fixed at build time, and a
# runtime such as Podman asks every plugin before each ADD and DEL.
for plugin in $PLUGINS; do
  cat > "$LAUNCHERS/jnet-$plugin" <<LAUNCH
#!/bin/sh
# jnet-$plugin: CNI plugin launcher, generated by assemble.sh.
if [ "\${CNI_COMMAND:-}" = VERSION ]; then
  printf '%s\n' '$VERSIONS'
  exit 0
fi
$HOME_LINE
CACHE=
if [ -z "\${JNET_NO_CDS:-}" ] && read -r id 2>/dev/null < "\$H/cache/$CACHE.id" && [ "\$id" = '$BUILD_ID' ]; then
  CACHE="$USE\$H/cache/$CACHE"
fi
exec "\$H/runtime/bin/java" $JVM $JNAF \${JNET_JAVA_OPTS:-} \$CACHE -cp "$CNI_CP" io.jnet.cli.Cni $plugin "\$@"
LAUNCH
  chmod 755 "$LAUNCHERS/jnet-$plugin"
  if [ "$SHIMS" = yes ]; then
    cp -f "$BUILD/jnet-$plugin" "$DIST/bin/jnet-$plugin.tmp"
    mv -f "$DIST/bin/jnet-$plugin.tmp" "$DIST/bin/jnet-$plugin"
  fi
done

cat > "$DIST/bin/jnet" <<LAUNCH
#!/bin/sh
# jnet: the command-line tool, generated by assemble.sh.
$HOME_LINE
# a command runs briefly and cold (C1 only); the daemon runs long and warm (C2)
case \${1:-} in daemon) JIT= ;; *) JIT=-XX:TieredStopAtLevel=1 ;; esac
exec "\$H/runtime/bin/java" \$JIT -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr $NATIVE $JNAF \${JNET_JAVA_OPTS:-} -Djnet.home="\$H" -cp "$CLI_CP" io.jnet.cli.Main "\$@"
LAUNCH
chmod 755 "$DIST/bin/jnet"

# The trainer: one run of representative, side-effect-free plugin calls records the classes they load.
cat > "$DIST/bin/jnet-train" <<TRAIN
#!/bin/sh
# Re-creates the class-data archive. Run after install and after any change of the jars or the runtime.
set -eu
$HOME_LINE
rm -f "\$H/cache/$CACHE.id" "\$H/cache/$CACHE.tmp"
"\$H/runtime/bin/java" $JVM $JNAF $MAKE"\$H/cache/$CACHE.tmp" -cp "$CNI_CP" io.jnet.cli.Train > "\$H/cache/train.log" 2>&1
mv -f "\$H/cache/$CACHE.tmp" "\$H/cache/$CACHE"
echo '$BUILD_ID' > "\$H/cache/$CACHE.id"
TRAIN
chmod 755 "$DIST/bin/jnet-train"
echo "assembled $DIST (BUILD_ID $BUILD_ID)"
