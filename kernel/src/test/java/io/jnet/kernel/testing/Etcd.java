package io.jnet.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single-member etcd (Debian's {@code /usr/bin/etcd}, package etcd-server) for tests of the overlay's control
 * plane. It runs inside a sandbox namespace, serves clients on {@code address:2379} of that namespace only, and
 * keeps its data in a fresh temporary directory. {@link #start} returns once {@code etcdctl endpoint health}
 * succeeds; {@link #close} stops the process by its PID (SIGTERM, then SIGKILL) and deletes the directory. The
 * sandbox closes it too at clean-up, so a failing test leaves nothing running. It never runs in the machine's own
 * namespace: {@link #start} checks the namespace of the started process and refuses otherwise.
 */
public final class Etcd implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/etcd");
    public static final int CLIENT_PORT = 2379;
    public static final int PEER_PORT = 2380;
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final Map<String, String> ETCDCTL_ENV = Map.of("ETCDCTL_API", "3");

    private final Sandbox.Ns ns;
    private final String endpoint;
    private final Path dir;
    private final List<String> command;
    private Process process;
    private boolean closed;

    private Etcd(Sandbox.Ns ns, String endpoint, Path dir, List<String> command, Process process) {
        this.ns = ns;
        this.endpoint = endpoint;
        this.dir = dir;
        this.command = command;
        this.process = process;
    }

    /**
     * Starts etcd in {@code ns} on {@code address} (an address of that namespace, IPv4 or IPv6) and waits until it
     * serves. The sandbox stops it at clean-up if the test does not.
     *
     * @throws AssertionError when it does not serve within 30 seconds; its log is in the message
     */
    public static Etcd start(Sandbox sandbox, Sandbox.Ns ns, String address) {
        if (!ns.name().startsWith("jt-")) {
            throw new IllegalArgumentException("etcd runs only in a sandbox namespace, not " + ns.name());
        }
        String host = address.contains(":") ? "[" + address + "]" : address;
        String endpoint = "http://" + host + ":" + CLIENT_PORT;
        String peer = "http://" + host + ":" + PEER_PORT;
        Path dir;
        try {
            dir = Files.createTempDirectory("jt-etcd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(Sandbox.inCommand(ns, BINARY.toString(), "--name", "jt",
                "--data-dir", dir.resolve("data").toString(), "--logger", "zap", "--log-outputs", "stderr",
                "--listen-client-urls", endpoint, "--advertise-client-urls", endpoint,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "jt=" + peer, "--initial-cluster-state", "new"));
        Process process;
        try {
            process = launch(command, dir);
        } catch (IOException e) {
            deleteTree(dir);
            throw new AssertionError("cannot start " + BINARY + " in " + ns.name(), e);
        }
        Etcd etcd = sandbox.closeAtCleanUp(new Etcd(ns, endpoint, dir, command, process));
        try {
            etcd.awaitHealthy();
            etcd.checkProcess();
            return etcd;
        } catch (RuntimeException | Error e) {
            String log = etcd.log();
            etcd.close();
            throw new AssertionError(e.getMessage() + "\netcd's log:\n" + log, e);
        }
    }

    private static Process launch(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile())).start();
    }

    /**
     * An outage: stops etcd by its PID (SIGTERM) but keeps its data, so that {@link #restart} brings back the same
     * keys and leases (etcd extends every lease by its TTL when it starts).
     */
    public synchronized void stop() {
        stopProcess();
    }

    /** Starts etcd again on the same data directory and waits until it serves. */
    public synchronized void restart() {
        if (closed || process.isAlive()) {
            throw new IllegalStateException("restart after stop() only");
        }
        try {
            process = launch(command, dir);
        } catch (IOException e) {
            throw new AssertionError("cannot restart " + BINARY + " in " + ns.name(), e);
        }
        awaitHealthy();
        checkProcess();
    }

    /** The client URL, e.g. {@code http://198.18.5.1:2379}. */
    public String endpoint() {
        return endpoint;
    }

    public long pid() {
        return process.pid();
    }

    /** The temporary directory that holds the data directory and the log; gone after {@link #close}. */
    public Path directory() {
        return dir;
    }

    public Sandbox.Ns namespace() {
        return ns;
    }

    /** Runs {@code etcdctl --endpoints <endpoint> args} in {@code from} (any sandbox namespace that reaches it). */
    public Sandbox.Run etcdctl(Sandbox.Ns from, String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints", endpoint, "--dial-timeout", "2s",
                "--command-timeout", "5s"));
        command.addAll(List.of(args));
        return Sandbox.run(ETCDCTL_ENV, null, Sandbox.inCommand(from, command.toArray(String[]::new)));
    }

    /** The process is etcd itself (ip execs it in place) and lives in the sandbox namespace, not the machine's. */
    private void checkProcess() {
        Path net = Path.of("/proc/" + pid() + "/ns/net");
        try {
            Path exe = Files.readSymbolicLink(Path.of("/proc/" + pid() + "/exe"));
            if (!exe.equals(BINARY)) {
                throw new IllegalStateException("pid " + pid() + " is " + exe + ", not " + BINARY);
            }
            if (Files.isSameFile(net, Path.of("/proc/self/ns/net"))) {
                throw new IllegalStateException("etcd (pid " + pid() + ") runs in the machine's namespace");
            }
            if (!Files.isSameFile(net, Path.of(ns.path()))) {
                throw new IllegalStateException("etcd (pid " + pid() + ") does not run in " + ns.name());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot inspect etcd's process " + pid(), e);
        }
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        Sandbox.Run last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue() + " before serving");
            }
            // health alone could be another etcd's answer: the listening socket must be this process's
            if (listens()) {
                last = etcdctl(ns, "endpoint", "health");
                if (last.exit() == 0) {
                    return;
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("etcd did not serve at " + endpoint + " within " + START_TIMEOUT_SECONDS
                + " s; last health check: " + last);
    }

    private boolean listens() {
        String sockets = Sandbox.run(Sandbox.inCommand(ns, "ss", "-ltnpH", "sport = :" + CLIENT_PORT)).stdout();
        return sockets.contains("pid=" + pid() + ",");
    }

    /** Stops etcd by its PID (SIGTERM, SIGKILL after 10 s) and deletes its directory; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopProcess();
        } finally {
            deleteTree(dir);
        }
    }

    private void stopProcess() {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("etcd.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
    }

    @Override
    public String toString() {
        return "etcd pid " + pid() + " at " + endpoint + " in " + ns.name();
    }
}
