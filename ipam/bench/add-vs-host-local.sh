#!/bin/sh
# Process-level IPAM ADD, each call a fresh process with a fresh container id, as a runtime makes it:
# the reference host-local next to jnet-ipam started by a plain `java -cp` launcher (the test-only main) and by
# the same launcher with an AppCDS archive. Both stores live in a temp dir; a /16 keeps exhaustion away.
# Usage (after `mvn -pl ipam -am test-compile`; `mvn -pl cli -am package` adds the packaged launcher):
#   ipam/bench/add-vs-host-local.sh [hyperfine options]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(dirname "$here")
jackson=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' "$repo/pom.xml")
jackson="$HOME/.m2/repository/com/fasterxml/jackson/core/jackson-core/$jackson/jackson-core-$jackson.jar"
work=$(mktemp -d /tmp/jnet-ipam-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# class data sharing needs jars, not class directories
jar --create --file "$work/jnet-ipam.jar" -C "$here/target/classes" . \
    -C "$here/target/test-classes" io/jnet/ipam/JnetIpamMain.class
jar --create --file "$work/jnet-cni.jar" -C "$repo/cni/target/classes" .
cp="$work/jnet-ipam.jar:$work/jnet-cni.jar:$jackson"
: > "$work/netns"     # PluginMain only checks that CNI_NETNS exists and is not its own namespace

for plugin in host-local jnet-ipam; do
  cat > "$work/$plugin.json" <<CONF
{"cniVersion":"1.0.0","name":"bench","type":"bridge",
 "ipam":{"type":"$plugin","dataDir":"$work/data-$plugin","ranges":[[{"subnet":"10.250.0.0/16"}]]}}
CONF
done

java="java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xss512k -Xmx64m"
main=io.jnet.ipam.JnetIpamMain
# an AppCDS archive of the classes one ADD loads (what the packaged launchers do at package time)
CNI_PATH=/usr/lib/cni CNI_COMMAND=ADD CNI_CONTAINERID=train CNI_NETNS="$work/netns" CNI_IFNAME=eth0 \
  $java -XX:ArchiveClassesAtExit="$work/ipam.jsa" -cp "$cp" $main < "$work/jnet-ipam.json" > /dev/null 2>&1

env="CNI_COMMAND=ADD CNI_NETNS=$work/netns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni"
packaged="$repo/cli/target/jnet/bin/jnet-ipam"     # the real launcher (jlink runtime + CDS), after `mvn package`
if [ -x "$packaged" ]; then
  set -- "$@" -n "jnet-ipam (packaged launcher)" \
     "sh -c 'env $env CNI_CONTAINERID=c\$\$ $packaged < $work/jnet-ipam.json'"
fi
hyperfine -N --warmup 3 --runs "${RUNS:-40}" \
  -n host-local "sh -c 'env $env CNI_CONTAINERID=c\$\$ /usr/lib/cni/host-local < $work/host-local.json'" \
  -n "jnet-ipam (java -cp)" "sh -c 'env $env CNI_CONTAINERID=c\$\$ $java -cp $cp $main < $work/jnet-ipam.json'" \
  -n "jnet-ipam (java -cp, AppCDS)" \
     "sh -c 'env $env CNI_CONTAINERID=c\$\$ $java -XX:SharedArchiveFile=$work/ipam.jsa -cp $cp $main < $work/jnet-ipam.json'" \
  "$@"
echo "leases: host-local $(ls "$work/data-host-local/bench" | grep -c '^10\.'), jnet-ipam $(ls "$work/data-jnet-ipam/ipam/bench/leases" | wc -l)"
