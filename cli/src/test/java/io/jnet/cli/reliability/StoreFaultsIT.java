package io.jnet.cli.reliability;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state store in trouble: a full disk (a small tmpfs), no file descriptors left (EMFILE), a read-only store.
 * Each must give one clean error document, leave the host as it was and lose nothing the store held. The tmpfs and
 * the read-only mount live in a private mount namespace that a {@code sleep} holds; the launchers run inside it.
 */
@ExtendWith(SandboxExtension.class)
class StoreFaultsIT {

    private static final String CONF = Rig.bridgeConf("sf", "jtsf0", "10.233.97.0/24",
            ",\"runtimeConfig\":{\"portMappings\":[" + Rig.port("tcp", 23000, 80) + "]}");

    /** A private mount namespace with a tmpfs at {@code dir}, held by a process of its own. */
    private static final class MountNs implements AutoCloseable {
        final Process holder;
        final Path dir;

        MountNs(Path dir, String size) throws IOException {
            this.dir = dir;
            holder = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs -o size=" + size + ",mode=0700 jt-store " + dir + " && echo ready && exec sleep 600")
                    .redirectErrorStream(true).start();
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("ready", line, "tmpfs mounted");
        }

        /** The store as the processes in the namespace see it. */
        Path view() {
            return Path.of("/proc/" + holder.pid() + "/root" + dir);
        }

        String[] in(String... command) {
            List<String> full = new ArrayList<>(List.of("nsenter", "-t", String.valueOf(holder.pid()), "-m", "--"));
            full.addAll(List.of(command));
            return full.toArray(new String[0]);
        }

        Sandbox.Run sh(String script) {
            return Sandbox.run(in("sh", "-c", script)).ok();
        }

        @Override
        public void close() {
            holder.destroyForcibly(); // the tmpfs goes with the namespace's last process
        }
    }

    private static Rig.Call call(Rig rig, MountNs ns, String command, String id, Sandbox.Ns ctr, String prefix) {
        Map<String, String> env = rig.env(command, id, ctr.path(), "eth0");
        env.put("JNET_ROOT", ns.dir.toString());
        String launcher = Rig.bin("jnet-bridge").toString();
        Sandbox.Run run = Sandbox.run(env, CONF.getBytes(StandardCharsets.UTF_8), ns.in("sh", "-c",
                prefix + " exec ip netns exec " + rig.host.name() + " " + launcher));
        return new Rig.Call(run.exit(), run.stdout(), run.stderr());
    }

    private static void assertOneError(Rig.Call call, int code, String why) throws Exception {
        assertEquals(1, call.exit(), why + ": " + call.stdout() + call.stderr());
        assertTrue(call.stdout().endsWith("}\n") && call.stdout().indexOf('\n') == call.stdout().length() - 1,
                why + ": one document: " + call.stdout());
        assertEquals((long) code, ((Number) call.json().get("code")).longValue(), why + ": " + call.stdout());
    }

    /**
     * Every file the store held is still there, unchanged, and what a failed call added is at most the network's
     * directories, its lock and its allocation index (a hint): no record, lease, owner or temp file.
     */
    private static void assertLostNothingAndGainedNoRecord(String before, String after, String why) {
        List<String> now = List.of(after.split("\n"));
        for (String line : before.split("\n")) {
            assertTrue(now.contains(line), why + ": lost " + line);
        }
        for (String line : now) {
            if (!before.contains(line)) {
                assertTrue(line.endsWith("/") || line.matches("ipam/[^/]+/lock ?") || line.contains("/index/"),
                        why + ": gained " + line);
            }
        }
    }

    private static Path tempDir() throws IOException {
        return Files.createTempDirectory("jt-store-");
    }

    @Test
    void aFullDiskIsACleanErrorAndLosesNothing(Sandbox sandbox) throws Exception {
        Sandbox.Ns a = sandbox.namespace("a");
        Sandbox.Ns b = sandbox.namespace("b");
        Path dir = tempDir();
        try (Rig rig = new Rig(sandbox); MountNs ns = new MountNs(dir, "1m")) {
            assertEquals(0, call(rig, ns, "ADD", "a", a, "").exit());
            String kernel = rig.settledKernel();
            String store = Rig.storeFiles(ns.view());
            ns.sh("dd if=/dev/zero of=" + dir + "/fill bs=4k 2>/dev/null; sync; true");

            Rig.Call full = call(rig, ns, "ADD", "b", b, "");
            assertOneError(full, 5, "ADD on a full disk");
            assertTrue(full.stdout().contains("No space") || full.stdout().contains("ENOSPC"), full.stdout());
            assertEquals(kernel, rig.kernelSnapshot(), "the host is as it was");
            String after = Rig.storeFiles(ns.view()).replaceAll("(?m)^fill .*\\n", "");
            assertEquals(store, after, "the store lost nothing and gained nothing:\n" + Rig.diff(store, after));

            ns.sh("rm " + dir + "/fill");
            assertEquals(0, call(rig, ns, "DEL", "b", b, "").exit());
            assertEquals(0, call(rig, ns, "DEL", "a", a, "").exit());
            assertEquals(List.of(), rig.links("jv"));
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void aReadOnlyStoreIsACleanErrorAndLosesNothing(Sandbox sandbox) throws Exception {
        Sandbox.Ns a = sandbox.namespace("a");
        Sandbox.Ns b = sandbox.namespace("b");
        Path dir = tempDir();
        try (Rig rig = new Rig(sandbox); MountNs ns = new MountNs(dir, "4m")) {
            assertEquals(0, call(rig, ns, "ADD", "a", a, "").exit());
            String kernel = rig.settledKernel();
            String store = Rig.storeFiles(ns.view());
            ns.sh("mount -o remount,ro " + dir);

            assertOneError(call(rig, ns, "ADD", "b", b, ""), 5, "ADD on a read-only store");
            assertEquals(kernel, rig.kernelSnapshot(), "the host is as it was");
            assertEquals(store, Rig.storeFiles(ns.view()));
            // a DEL cannot forget the attachment: it says so and keeps the record, so that it can be run again
            Rig.Call del = call(rig, ns, "DEL", "a", a, "");
            assertOneError(del, 5, "DEL on a read-only store");
            assertEquals(store, Rig.storeFiles(ns.view()), "the records survive a DEL that could not finish");

            ns.sh("mount -o remount,rw " + dir);
            assertEquals(0, call(rig, ns, "DEL", "a", a, "").exit());
            assertEquals(List.of(), rig.links("jv"));
            assertTrue(!rig.elements().contains("10.233.97."), rig.elements());
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Few file descriptors: with the lowest limits the JVM cannot load the plugin, a little higher the plugin runs out
     * in the middle of its work; every outcome is one error document (or a success), and a failure changes nothing.
     * Below 12 descriptors the shell cannot even open the launcher script, so nothing of ours runs.
     */
    @Test
    void runningOutOfFileDescriptorsIsACleanError(Sandbox sandbox) throws Exception {
        Path dir = tempDir();
        int errors = 0;
        int[] limits = {12, 13, 14, 15, 16, 18, 20, 22, 24, 28};
        List<Sandbox.Ns> containers = new ArrayList<>();
        for (int i = 0; i < limits.length; i++) {
            containers.add(sandbox.namespace("emfile")); // before the private mount namespace, which must see them
        }
        try (Rig rig = new Rig(sandbox); MountNs ns = new MountNs(dir, "4m")) {
            for (int i = 0; i < limits.length; i++) {
                int limit = limits[i];
                Sandbox.Ns ctr = containers.get(i);
                String kernel = rig.settledKernel();
                String store = Rig.storeFiles(ns.view());
                Rig.Call add = call(rig, ns, "ADD", "e" + limit, ctr, "ulimit -n " + limit + ";");
                if (add.exit() == 0) {
                    assertEquals(0, call(rig, ns, "DEL", "e" + limit, ctr, "").exit());
                    continue;
                }
                errors++;
                assertOneError(add, ((Number) add.json().get("code")).intValue(), "ulimit -n " + limit);
                long code = ((Number) add.json().get("code")).longValue();
                assertTrue(code == 5 || code == 999, "ulimit -n " + limit + ": " + add.stdout());
                assertEquals(kernel, rig.kernelSnapshot(), "ulimit -n " + limit + ": the host is as it was");
                assertLostNothingAndGainedNoRecord(store, Rig.storeFiles(ns.view()), "ulimit -n " + limit);
            }
            assertTrue(errors > 0, "no limit made the plugin fail");
        } finally {
            Files.deleteIfExists(dir);
        }
    }
}
