package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jnet.cli.BridgePluginIT.conf;
import static io.jnet.cli.BridgePluginIT.port;
import static io.jnet.cli.BridgePluginIT.ports;
import static io.jnet.cli.BridgePluginIT.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ADD/DEL cycles of one container with a published port through the shim and a daemon in the sandbox host: the
 * daemon's open file descriptors stay flat, its resident memory does not grow, and nothing is left behind. 500
 * cycles by default; {@code -Djnet.daemon.soak=long} runs 10,000 (or {@code -Djnet.daemon.soak.cycles}), also
 * asserts p99 ≤ 3× p50 per command and no growth of memory in the second half, and prints the numbers. The calls come from a bash loop inside the host namespace (a process per call is the shim alone).
 */
@ExtendWith(SandboxExtension.class)
class DaemonSoakIT {

    private static final boolean LONG = "long".equals(System.getProperty("jnet.daemon.soak"));
    private static final int CYCLES = Integer.getInteger("jnet.daemon.soak.cycles", LONG ? 10_000 : 500);
    private static final int CHUNK = Math.max(1, Math.min(LONG ? 500 : 100, CYCLES / 5));

    @Test
    void addDelCyclesKeepFdsAndMemoryFlatAndLeaveNothing(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox); TestDaemon daemon = TestDaemon.in(t.host,
                List.of("--warmup", String.valueOf(io.jnet.daemon.Daemon.Config.WARMUP_CALLS)))) {
            Sandbox.Ns c = t.container("c");
            String conf = conf("1.1.0", "soak", "jt0", v4("10.233.80.0/24"), ports(port("tcp", 8080, 80, null)));
            Path script = Files.createTempFile("jt-soak-", ".sh");
            Files.writeString(script, """
                    n=$1; first=$2
                    for i in $(seq $first $((first + n - 1))); do
                      for cmd in ADD DEL; do
                        s=$EPOCHREALTIME
                        CNI_COMMAND=$cmd CNI_CONTAINERID=soak$i "$SHIM" < "$CONF" > /dev/null 2>> "$ERRS"
                        rc=$?
                        e=$EPOCHREALTIME
                        echo "$cmd $(( (${e/./} - ${s/./}) )) $rc"
                      done
                    done
                    """);
            Path confFile = Files.createTempFile("jt-soak-", ".json");
            Files.writeString(confFile, conf);
            Path errs = Files.createTempFile("jt-soak-", ".err");
            Map<String, String> env = new HashMap<>(Launchers.env("ADD", "soak", c.path(), "eth0"));
            env.put("CNI_PATH", Launchers.dist().resolve("bin").toString());
            env.put("JNET_ROOT", daemon.root().toString());
            env.put("JNET_SOCKET", daemon.socket().toString());
            env.put("JNET_SHIM", "daemon");
            env.put("SHIM", Launchers.bin("jnet-bridge").toString());
            env.put("CONF", confFile.toString());
            env.put("ERRS", errs.toString());
            try {
                Map<String, List<Long>> micros = Map.of("ADD", new ArrayList<>(), "DEL", new ArrayList<>());
                List<long[]> samples = new ArrayList<>();   // cycles done, VmRSS kB, open fds
                for (int done = 0; done < CYCLES; done += CHUNK) {
                    Sandbox.Run run = Sandbox.run(env, new byte[0], Sandbox.inCommand(t.host, "bash",
                            script.toString(), String.valueOf(CHUNK), String.valueOf(done)));
                    assertEquals(0, run.exit(), run.stderr());
                    for (String line : run.stdout().strip().split("\n")) {
                        String[] f = line.split(" ");
                        assertEquals("0", f[2], line + ": " + Files.readString(errs) + "\n" + daemon.log());
                        micros.get(f[0]).add(Long.parseLong(f[1]));
                    }
                    samples.add(new long[] {done + CHUNK, rssKb(daemon.pid()), fds(daemon.pid())});
                }
                // the daemon warmed up as it does by default; the first chunk also opens the worker threads' sockets
                // and lets the heap settle at what real calls need
                long[] warm = samples.get(0);
                long[] last = samples.get(samples.size() - 1);
                long maxFds = samples.stream().skip(1).mapToLong(s -> s[2]).max().orElseThrow();
                long maxRss = samples.stream().skip(1).mapToLong(s -> s[1]).max().orElseThrow();
                String report = "soak of " + CYCLES + " ADD/DEL cycles: ADD " + percentiles(micros.get("ADD"))
                        + ", DEL " + percentiles(micros.get("DEL")) + "; VmRSS kB / fds after each "
                        + CHUNK + " cycles: " + samples.stream().map(s -> s[0] + ":" + s[1] + "/" + s[2]).toList();
                System.out.println(report);
                assertEquals(warm[2], maxFds, "open fds after warm-up: " + report);
                assertTrue(maxRss <= warm[1] + 64 * 1024, "resident memory grew more than 64 MiB: " + report);
                if (LONG) {
                    for (List<Long> m : micros.values()) {
                        List<Long> sorted = m.stream().sorted().toList();
                        long p50 = sorted.get(sorted.size() / 2);
                        long p99 = sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
                        assertTrue(p99 <= 3 * p50, "p99 " + p99 + " µs > 3 × p50 " + p50 + " µs: " + report);
                    }
                    assertTrue(last[1] <= samples.get(samples.size() / 2)[1] + 16 * 1024,
                            "resident memory grew in the second half: " + report);
                }
                assertEquals("", Files.readString(errs).strip(), "stderr of the calls");
                // nothing left: no veth, no element, no lease, no record
                assertFalse(t.sandbox.in(t.host, "ip", "-j", "link").ok().stdout().contains("\"jv"), "a veth is left");
                assertFalse(t.rulesetText().contains("tcp . 8080"), "a published port is left: " + t.rulesetText());
                try (var files = Files.walk(daemon.root())) {
                    List<String> left = files.filter(Files::isRegularFile).map(Object::toString)
                            .filter(f -> !f.endsWith(".lock") && !f.endsWith("/lock")).toList();   // locks stay
                    assertEquals(List.of(), left, "state left behind");
                }
            } finally {
                Files.deleteIfExists(script);
                Files.deleteIfExists(confFile);
                Files.deleteIfExists(errs);
            }
        }
    }

    private static String percentiles(List<Long> micros) {
        List<Long> sorted = micros.stream().sorted().toList();
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0,
                sorted.size());
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    private static long fds(long pid) throws IOException {
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return list.count();
        }
    }
}
