package io.jnet.cli;

import io.jnet.cni.Json;
import io.jnet.daemon.DaemonClient;
import io.jnet.daemon.Wire;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jnet daemon} and the native shims: who is served, what a bad frame does, and what the shim does when the
 * daemon is absent, of another version or gone mid-call. Every daemon runs in a sandbox host namespace on a socket
 * in a temporary directory.
 */
@ExtendWith(SandboxExtension.class)
class DaemonIT {

    private static final String NONE = "{\"cniVersion\":\"1.0.0\",\"name\":\"lo-net\",\"type\":\"jnet-none\"}";

    /** A jnet-none call through the shim in {@code ns}, on {@code socket}, with JNET_SHIM={@code shim} if not null. */
    private static Sandbox.Run shim(Sandbox.Ns ns, Path socket, String shim, String command, Sandbox.Ns ctr,
                                    String... prefix) {
        Map<String, String> env = new HashMap<>(Launchers.env(command, "c1", ctr.path(), "lo"));
        env.put("JNET_SOCKET", socket.toString());
        if (shim != null) {
            env.put("JNET_SHIM", shim);
        }
        List<String> argv = new ArrayList<>(List.of(prefix));
        argv.add(Launchers.bin("jnet-none").toString());
        return Sandbox.run(env, NONE.getBytes(StandardCharsets.UTF_8), Sandbox.inCommand(ns, argv.toArray(String[]::new)));
    }

    private static Map<String, Object> status(Path socket) throws Exception {
        return Json.parseObject(DaemonClient.status(socket).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void servesRootAndRefusesAnyOtherUid(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            Sandbox.Run root = shim(host, daemon.socket(), "daemon", "ADD", ctr);
            assertEquals(0, root.exit(), root.stdout() + root.stderr());
            assertTrue(root.stdout().contains("\"127.0.0.1/8\""), root.stdout());

            // open the socket to everyone, so that only the daemon's own check stands in the way
            Files.setPosixFilePermissions(daemon.socket().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(daemon.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Sandbox.Run nobody = shim(host, daemon.socket(), "daemon", "DEL", ctr,
                    "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            assertEquals(1, nobody.exit(), nobody.stdout() + nobody.stderr());
            Map<String, Object> error = Json.parseObject(nobody.stdout().getBytes(StandardCharsets.UTF_8));
            assertEquals(999, ((Number) error.get("code")).intValue());
            assertTrue(((String) error.get("msg")).contains("caller is uid 65534"), nobody.stdout());
            assertEquals(1L, ((Number) status(daemon.socket()).get("refused")).longValue());
            assertTrue(daemon.log().contains("refused DEL from uid 65534"), daemon.log());
        }
    }

    @Test
    void callersInAnotherNetworkNamespaceRunTheCallThemselves(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns other = sandbox.namespace("other");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            Sandbox.Run strict = shim(other, daemon.socket(), "daemon", "ADD", ctr);
            assertEquals(1, strict.exit(), strict.stdout());
            assertTrue(strict.stdout().contains("\"code\":11"), strict.stdout());

            Sandbox.Run fallback = shim(other, daemon.socket(), null, "ADD", ctr);
            assertEquals(0, fallback.exit(), fallback.stdout() + fallback.stderr());
            assertTrue(fallback.stdout().contains("\"127.0.0.1/8\""), fallback.stdout());

            Map<String, Object> s = status(daemon.socket());
            assertEquals(2L, ((Number) s.get("sentDirect")).longValue(), s.toString());
            assertFalse(s.toString().contains("ADD"), "the daemon ran no call: " + s);
            assertTrue(daemon.log().contains("to run directly: it is in net:["), daemon.log());
        }
    }

    @Test
    void malformedAndTruncatedFramesCloseOnlyTheirConnection(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        int frames = Integer.getInteger("jnet.daemon.badFrames", 10_000);
        try (TestDaemon daemon = TestDaemon.in(host)) {
            // a caller that sends part of a frame and waits is cut off by the read timeout
            SocketChannel slow = SocketChannel.open(UnixDomainSocketAddress.of(daemon.socket()));
            slow.write(ByteBuffer.wrap(new byte[] {'J', 'N', 'E'}));

            byte[] valid = bytes(Wire.call("none", Map.of("CNI_COMMAND", "VERSION"), NONE.getBytes(StandardCharsets.UTF_8)));
            AtomicInteger answered = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = seed; i < frames; i += 8) {
                        if (exchange(daemon.socket(), badFrame(random, i, valid)) > 0) {
                            answered.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertEquals(0, answered.get(), "a malformed frame got an answer");

            ByteBuffer one = ByteBuffer.allocate(1);
            slow.configureBlocking(false);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int read = 0;
            while (System.nanoTime() < until && (read = slow.read(one)) == 0) {
                Thread.sleep(10);
            }
            assertEquals(-1, read, "the slow caller was cut off");
            slow.close();

            assertTrue(daemon.alive());
            Map<String, Object> s = status(daemon.socket());
            assertTrue(((Number) s.get("malformed")).longValue() >= frames + 1, s.toString());
            Sandbox.Run add = shim(host, daemon.socket(), "daemon", "ADD", ctr);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
            assertTrue(daemon.log().contains("no whole request within"), "the read timeout is logged");
        }
    }

    /** Frame i of the storm: garbage, bad lengths, bad fields, or a valid frame cut short. */
    private static byte[] badFrame(Random random, int i, byte[] valid) {
        ByteBuffer b = ByteBuffer.allocate(64);
        switch (i % 8) {
            case 0 -> {
                byte[] junk = new byte[1 + random.nextInt(64)];
                random.nextBytes(junk);
                junk[0] = 'X';      // never the magic
                return junk;
            }
            case 1 -> b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(0x7fffffff);
            case 2 -> b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(0);
            case 3 -> b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(1).put((byte) 9);
            case 4 -> b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(16).put((byte) 1).putShort((short) 4)
                    .put("none".getBytes(StandardCharsets.UTF_8)).putInt(1).putInt(100).put((byte) 'P');
            case 5 -> {
                byte[] path = "PATH=/bin".getBytes(StandardCharsets.UTF_8);
                b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(1 + 2 + 4 + 4 + 4 + path.length + 4)
                        .put((byte) 1).putShort((short) 4).put("none".getBytes(StandardCharsets.UTF_8)).putInt(1)
                        .putInt(path.length).put(path).putInt(0);
            }
            case 6 -> b.put(new byte[] {'J', 'N', 'E', 'T', 0, 1}).putInt(2).put((byte) 2).put((byte) 0);
            default -> {
                byte[] cut = new byte[1 + random.nextInt(valid.length - 1)];
                System.arraycopy(valid, 0, cut, 0, cut.length);
                return cut;
            }
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Sends {@code frame}, closes the sending side and counts the bytes that come back before the daemon closes. */
    private static int exchange(Path socket, byte[] frame) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(frame));
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(256);
            int total = 0;
            for (int n; (n = ch.read(in)) >= 0; in.clear()) {
                total += n;
            }
            return total;
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void aDaemonOfAnotherProtocolVersionIsToldAndTells(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        try (TestDaemon daemon = TestDaemon.in(host)) {
            ByteBuffer v2 = ByteBuffer.allocate(11).put(new byte[] {'J', 'N', 'E', 'T', 0, 2}).putInt(1).put((byte) 1).flip();
            DaemonClient.Response r = DaemonClient.exchange(daemon.socket(), v2);
            assertEquals(Wire.VERSION, r.version());
            assertEquals(Wire.KIND_DIRECT, r.kind());
        }
        // a daemon that answers in protocol 2: the shim runs the call itself
        Path dir = Files.createTempDirectory("jt-fake-");
        Path socket = dir.resolve("fake.sock");
        try (FakeDaemon fake = new FakeDaemon(socket, new byte[] {'J', 'N', 'E', 'T', 0, 2, 1, 0, 0, 0, 0})) {
            Sandbox.Run add = shim(host, socket, null, "ADD", ctr);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
            assertEquals(1, fake.served.get());
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void aDaemonThatDiesMidCallMeansTryAgainExceptForDelWhichRunsDirectly(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path dir = Files.createTempDirectory("jt-fake-");
        Path socket = dir.resolve("fake.sock");
        try (FakeDaemon fake = new FakeDaemon(socket, new byte[0])) {   // reads the request, closes, answers nothing
            for (String command : new String[] {"ADD", "CHECK"}) {
                Sandbox.Run r = shim(host, socket, null, command, ctr);
                assertEquals(1, r.exit(), r.stdout() + r.stderr());
                Map<String, Object> error = Json.parseObject(r.stdout().getBytes(StandardCharsets.UTF_8));
                assertEquals(11, ((Number) error.get("code")).intValue(), r.stdout());
                assertEquals("1.0.0", error.get("cniVersion"), "the config's version");
            }
            Sandbox.Run del = shim(host, socket, null, "DEL", ctr);
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            assertEquals("", del.stdout());
            assertEquals(3, fake.served.get());
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
        // nothing listening at all: direct mode
        Sandbox.Run add = shim(host, dir.resolve("absent.sock"), null, "ADD", ctr);
        assertEquals(0, add.exit(), add.stdout() + add.stderr());
        assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
    }

    @Test
    void aDaemonThatHangsMeansTryAgainAfterTheShimTimeoutExceptForDelWhichRunsDirectly(Sandbox sandbox)
            throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path dir = Files.createTempDirectory("jt-fake-");
        Path socket = dir.resolve("fake.sock");
        try (FakeDaemon fake = new FakeDaemon(socket, null)) {   // reads the request and never answers
            for (String command : new String[] {"ADD", "CHECK"}) {
                long start = System.nanoTime();
                Sandbox.Run r = shim(host, socket, null, command, ctr, "env", "JNET_SHIM_TIMEOUT=1.5");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(1, r.exit(), r.stdout() + r.stderr());
                Map<String, Object> error = Json.parseObject(r.stdout().getBytes(StandardCharsets.UTF_8));
                assertEquals(11, ((Number) error.get("code")).intValue(), r.stdout());
                assertTrue(((String) error.get("msg")).contains("did not answer within 1500 ms"), r.stdout());
                assertTrue(millis >= 1500 && millis < 10_000, command + " took " + millis + " ms");
            }
            Sandbox.Run del = shim(host, socket, null, "DEL", ctr, "env", "JNET_SHIM_TIMEOUT=1.5");
            assertEquals(0, del.exit(), del.stdout() + del.stderr());
            assertEquals("", del.stdout(), "DEL ran directly");
            assertEquals(3, fake.held.size(), "each call reached the hung daemon");
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(dir);
        }
    }

    @Test
    void aStaleSocketIsReplacedALiveOneIsNotAndSigtermRemovesIt(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Path dir = Files.createTempDirectory("jt-dmn-");
        Path socket = dir.resolve("jnet.sock");
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket));   // closing leaves the file: a crashed daemon's
        }
        assertTrue(Files.exists(socket));
        TestDaemon daemon = TestDaemon.start(List.of("ip", "netns", "exec", host.name()), dir, socket);
        try {
            assertTrue(daemon.log().contains("replaced the stale socket"), daemon.log());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            Sandbox.Run second = Sandbox.run(Sandbox.inCommand(host, Launchers.bin("jnet").toString(), "daemon",
                    "--no-docker", "--socket", socket.toString()));
            assertEquals(1, second.exit(), second.stdout() + second.stderr());
            assertTrue(second.stderr().contains("a daemon already serves " + socket), second.stderr());
            assertTrue(daemon.alive());
            Sandbox.Run status = Sandbox.run(Sandbox.inCommand(host, Launchers.bin("jnet").toString(), "daemon",
                    "--socket", socket.toString(), "status"));
            assertEquals(0, status.exit(), status.stderr());
            assertTrue(status.stdout().contains("heals       0"), status.stdout());
            daemon.stop();      // SIGTERM
            assertFalse(Files.exists(socket), "SIGTERM removed the socket");
            assertTrue(daemon.log().contains("stopped"), daemon.log());
        } finally {
            daemon.close();
        }
    }

    @Test
    void sigtermStopsAcceptingAndAnswersTheCallInFlight(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path data = Files.createTempDirectory("jt-drain-");
        Path lockFile = Files.createDirectories(data.resolve("ipam/drain-net")).resolve("lock");
        String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"drain-net\",\"type\":\"x\",\"ipam\":{\"type\":\"jnet-ipam\","
                + "\"subnet\":\"10.77.1.0/24\",\"dataDir\":\"" + data + "\"}}";
        TestDaemon daemon = TestDaemon.in(host);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock held = lock.lock();     // IPAM's own lock: the daemon's ADD waits for it
            Map<String, String> env = new HashMap<>(Launchers.env("ADD", "c1", ctr.path(), "eth0"));
            env.put("JNET_SOCKET", daemon.socket().toString());
            env.put("JNET_SHIM", "daemon");
            Future<Sandbox.Run> add = caller.submit(() -> Sandbox.run(env, conf.getBytes(StandardCharsets.UTF_8),
                    Sandbox.inCommand(host, Launchers.bin("jnet-ipam").toString())));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (((Number) status(daemon.socket()).get("inFlight")).intValue() != 1) {
                assertTrue(System.nanoTime() < until, "the ADD never reached the daemon");
                Thread.sleep(20);
            }
            daemon.terminate();
            until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(daemon.socket())) {
                assertTrue(System.nanoTime() < until, "the socket stayed after SIGTERM");
                Thread.sleep(20);
            }
            assertTrue(daemon.alive(), "the daemon waits for its call");
            held.release();
            Sandbox.Run done = add.get(60, TimeUnit.SECONDS);
            assertEquals(0, done.exit(), done.stdout() + done.stderr());
            assertTrue(done.stdout().contains("\"10.77.1.2/24\""), done.stdout());
            daemon.stop();
            assertTrue(daemon.log().contains("stopping: 1 call(s) in flight"), daemon.log());
            assertTrue(daemon.log().contains("stopped\n") || daemon.log().endsWith("stopped"), daemon.log());
        } finally {
            caller.shutdownNow();
            daemon.close();
            try (var tree = Files.walk(data)) {
                for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void theWarmUpRunsRealCallsInThrowawayNamespacesAndLeavesNothingBehind(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path dir = Files.createTempDirectory("jt-warm-");
        Path tmp = Files.createTempDirectory("jt-warm-tmp-");
        Map<String, String> env = Map.of("JNET_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        String links = sandbox.in(host, "ip", "-j", "link", "show").ok().stdout();
        List<String> enter = List.of("ip", "netns", "exec", host.name());
        Path dir2 = Files.createTempDirectory("jt-warm-");
        Process warming = null;
        try {
            try (TestDaemon daemon = TestDaemon.start(enter, dir, dir.resolve("jnet.sock"), dir.resolve("root"),
                    List.of("--no-docker", "--warmup", "40"), env)) {
                // 40 ADDs, and every fourth container checked and deleted; logged before the socket appeared
                assertTrue(daemon.log().matches("(?s).*warmed up: 60 calls in throwaway namespaces in \\d+ ms\n.*"),
                        daemon.log());
                assertEquals(links, sandbox.in(host, "ip", "-j", "link", "show").ok().stdout(), "no link in the host");
                assertFalse(sandbox.in(host, "nft", "-j", "list", "ruleset").ok().stdout().contains("\"table\""),
                        "no nftables table in the host");
                assertEquals(List.of(), names(tmp), "the warm-up's state is gone");
                Path root = dir.resolve("root");
                assertTrue(!Files.exists(root) || names(root).isEmpty(), "nothing in the daemon's state root");
                Sandbox.Run add = shim(host, daemon.socket(), "daemon", "ADD", ctr);
                assertEquals(0, add.exit(), add.stdout() + add.stderr());
            }

            // SIGTERM in the middle of a long warm-up: the daemon ends, and its state goes with it
            ProcessBuilder pb = TestDaemon.command(enter, dir2, dir2.resolve("jnet.sock"),
                    List.of("--no-docker", "--warmup", "10000")).redirectErrorStream(true)
                    .redirectOutput(dir2.resolve("daemon.log").toFile());
            pb.environment().putAll(Map.of("JNET_ROOT", dir2.resolve("root").toString(), "JNET_JAVA_OPTS",
                    "-Djava.io.tmpdir=" + tmp));
            warming = pb.start();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(tmp.resolve(names(tmp).stream().findFirst().orElse("none")).resolve("ipam"))) {
                assertTrue(System.nanoTime() < until && warming.isAlive(), Files.readString(dir2.resolve("daemon.log")));
                Thread.sleep(10);
            }
            warming.destroy();
            assertTrue(warming.waitFor(30, TimeUnit.SECONDS));
            assertEquals(List.of(), names(tmp), "the warm-up's state is gone after SIGTERM");
            assertFalse(Files.exists(dir2.resolve("jnet.sock")), "it never served");
            assertEquals(links, sandbox.in(host, "ip", "-j", "link", "show").ok().stdout());
        } finally {
            if (warming != null) {
                warming.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            for (Path d : List.of(tmp, dir2)) {
                try (var tree = Files.walk(d)) {
                    for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void socketActivationServesTheSocketSystemdPasses(Sandbox sandbox) throws Exception {
        Sandbox.Ns host = sandbox.namespace("host");
        Sandbox.Ns ctr = sandbox.namespace("ctr");
        Path dir = Files.createTempDirectory("jt-act-");
        Path socket = dir.resolve("act.sock");
        // systemd-socket-activate binds the socket, and on the first connection execs the daemon with it as fd 3
        TestDaemon daemon = TestDaemon.start(List.of("ip", "netns", "exec", host.name(), "systemd-socket-activate",
                "--listen=" + socket), dir, socket);
        try {
            Sandbox.Run add = shim(host, socket, "daemon", "ADD", ctr);
            assertEquals(0, add.exit(), add.stdout() + add.stderr());
            assertTrue(add.stdout().contains("\"127.0.0.1/8\""), add.stdout());
            assertTrue(daemon.log().contains("serving on the socket systemd passed (fd 3)"), daemon.log());
        } finally {
            daemon.close();
        }
    }

    /**
     * A stand-in daemon: reads one request, writes {@code answer} and closes; with {@code answer} null it reads the
     * request and then holds the connection open without a word until closed, as a hung daemon would.
     */
    private static final class FakeDaemon implements AutoCloseable {
        final AtomicInteger served = new AtomicInteger();
        private final ServerSocketChannel server;
        private final Thread thread;
        private final List<SocketChannel> held = java.util.Collections.synchronizedList(new ArrayList<>());

        FakeDaemon(Path socket, byte[] answer) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel accepted = server.accept();
                        if (answer == null) {
                            held.add(accepted);
                        }
                        try (SocketChannel ch = answer == null ? null : accepted) {
                            SocketChannel in = accepted;
                            ByteBuffer head = ByteBuffer.allocate(10);
                            while (head.hasRemaining() && in.read(head) >= 0) {
                                // the header: magic, version, length
                            }
                            ByteBuffer rest = ByteBuffer.allocate(head.getInt(6));
                            while (rest.hasRemaining() && in.read(rest) >= 0) {
                                // the whole request
                            }
                            if (ch != null) {
                                ch.write(ByteBuffer.wrap(answer));
                            }
                            served.incrementAndGet();
                        }
                    }
                } catch (IOException closed) {
                    // close() ends the loop
                }
            }, "fake-daemon");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (SocketChannel ch : held) {
                ch.close();
            }
            thread.join(5000);
        }
    }
}
