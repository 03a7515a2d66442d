package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the daemon at random points while eight workers ADD and DEL bridge containers with a published port
 * through the shims, as a runtime would (a failed ADD is followed by a DEL). {@code -Djnet.daemon.kills} sets the
 * number of kills (default 10 in {@code mvn verify}; the acceptance run uses 100).
 */
@ExtendWith(SandboxExtension.class)
class DaemonKillIT {

    private static final int WORKERS = 8;

    /** One call's outcome, and whether the daemon was down for the whole of it. */
    private record Outcome(String command, int exit, String stdout, String stderr, boolean daemonDown) {
    }

    @Test
    void everyCallIsCorrectOrACleanErrorAndNothingIsLeft(Sandbox sandbox) throws Exception {
        int kills = Integer.getInteger("jnet.daemon.kills", 10);
        Random random = new Random(Long.getLong("jnet.daemon.seed", System.nanoTime()));
        try (Topology t = new Topology(sandbox)) {
            List<Sandbox.Ns> containers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                containers.add(t.container("k" + w));
            }
            Path dir = Files.createTempDirectory("jt-dmn-");
            Path socket = dir.resolve("jnet.sock");
            AtomicBoolean up = new AtomicBoolean();
            AtomicInteger generation = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
            List<Future<?>> workers = new ArrayList<>();
            TestDaemon daemon = null;
            try {
                for (int w = 0; w < WORKERS; w++) {
                    int worker = w;
                    workers.add(pool.submit(() -> {
                        while (!stop.get()) {
                            outcomes.add(call(t, socket, up, generation, "ADD", worker, containers.get(worker)));
                            outcomes.add(call(t, socket, up, generation, "DEL", worker, containers.get(worker)));
                        }
                        return null;
                    }));
                }
                for (int k = 0; k < kills; k++) {
                    // "up" from before the start until after the kill: a call that starts and ends while it is
                    // down, in one generation, cannot have reached a daemon
                    generation.incrementAndGet();
                    up.set(true);
                    daemon = TestDaemon.start(List.of("ip", "netns", "exec", t.host.name()), dir, socket);
                    Thread.sleep(200 + random.nextInt(1500));
                    daemon.kill();
                    up.set(false);
                    Thread.sleep(random.nextInt(600));
                }
            } finally {
                stop.set(true);
                for (Future<?> f : workers) {
                    f.get(5, TimeUnit.MINUTES);
                }
                pool.shutdown();
                if (daemon != null) {
                    daemon.close();
                }
            }

            int servedDirectly = 0;
            for (Outcome o : outcomes) {
                String what = o.command() + " exit " + o.exit() + ": " + o.stdout() + o.stderr();
                if (o.exit() == 0) {
                    if (o.command().equals("ADD")) {
                        assertTrue(o.stdout().contains("\"10.233.40."), what);
                    } else {
                        assertEquals("", o.stdout(), what);
                    }
                    servedDirectly += o.daemonDown() ? 1 : 0;
                } else {
                    assertEquals(1, o.exit(), what);
                    Map<String, Object> error = Json.parseObject(o.stdout().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    assertTrue(error.get("code") instanceof Number && error.get("msg") instanceof String, what);
                    assertEquals("ADD", o.command(), "a DEL never fails: " + what);
                }
            }
            assertTrue(servedDirectly > 0, "the shims' fallback served calls while the daemon was down");

            // what a runtime does last: DEL every container (the daemon is gone, so directly)
            for (int w = 0; w < WORKERS; w++) {
                Outcome del = call(t, socket, up, generation, "DEL", w, containers.get(w));
                assertEquals(0, del.exit(), del.stdout() + del.stderr());
            }
            assertFalse(t.sandbox.in(t.host, "ip", "-j", "link").ok().stdout().contains("\"jv"), "a host veth is left");
            assertFalse(java.util.regex.Pattern.compile(": 10\\.233\\.40\\.\\d+ \\. 80").matcher(t.rulesetText()).find(),
                    "a published-port element is left: " + t.rulesetText());
            // a writer killed between its temp file and the rename leaves the temp file: never read as state (the
            // stores skip ".tmp-" names), so it is counted, not failed
            long temps;
            try (var files = Files.walk(t.root)) {
                List<Path> all = files.filter(Files::isRegularFile).toList();
                // lock files are never deleted (a waiter holds the file it opened), so they are not state
                List<String> left = all.stream().filter(f -> !DurableFiles.isTemp(f)).map(Object::toString)
                        .filter(f -> !f.endsWith(".lock"))
                        .filter(f -> f.contains("/owners/") || f.contains("/leases/") || f.contains("/bridge/")).toList();
                assertEquals(List.of(), left, "state left behind");
                temps = all.stream().filter(DurableFiles::isTemp).count();
            }
            System.out.println("DaemonKillIT: " + kills + " kills, " + outcomes.size() + " calls, " + servedDirectly
                    + " served directly while the daemon was down, " + temps + " temp files of killed writers");
        }
    }

    private static Outcome call(Topology t, Path socket, AtomicBoolean up, AtomicInteger generation, String command, int worker, Sandbox.Ns ns) {
        String conf = BridgePluginIT.conf("1.1.0", "churn", "jtk0", BridgePluginIT.v4("10.233.40.0/24"),
                BridgePluginIT.ports(BridgePluginIT.port("tcp", 9000 + worker, 80, null)));
        Map<String, String> env = new HashMap<>(Launchers.env(command, "w" + worker, ns.path(), "eth0"));
        env.put("JNET_ROOT", t.root.toString());
        env.put("JNET_SOCKET", socket.toString());
        env.put("CNI_PATH", Launchers.dist().resolve("bin").toString());
        boolean downBefore = !up.get();
        int before = generation.get();
        Sandbox.Run run = Sandbox.run(env, conf.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Sandbox.inCommand(t.host, Launchers.bin("jnet-bridge").toString()));
        return new Outcome(command, run.exit(), run.stdout(), run.stderr(), downBefore && !up.get() && generation.get() == before);
    }
}
