package io.jnet.cli;

import io.jnet.daemon.DaemonClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code jnet daemon} for the end-to-end tests, started from the packaged distribution inside the namespaces that
 * {@code enter} names (a sandbox host, never the machine's own), with its own socket and state root in a temporary
 * directory, never /run/jnet.
 */
final class TestDaemon implements AutoCloseable {

    private final Path dir;
    private final Path socket;
    private final Process process;

    private TestDaemon(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    /** Starts a daemon inside the network namespace {@code host} ({@code ip netns exec}). */
    static TestDaemon in(io.jnet.kernel.testing.Sandbox.Ns host) throws IOException {
        return in(host, List.of());
    }

    /** As {@link #in(io.jnet.kernel.testing.Sandbox.Ns)}, with more {@code options}. */
    static TestDaemon in(io.jnet.kernel.testing.Sandbox.Ns host, List<String> options) throws IOException {
        Path dir = Files.createTempDirectory("jt-dmn-");
        return start(List.of("ip", "netns", "exec", host.name()), dir, dir.resolve("jnet.sock"), dir.resolve("root"),
                options);
    }

    /** Starts a daemon under {@code enter} (the command that enters the namespaces) and waits for its socket. */
    static TestDaemon start(List<String> enter) throws IOException {
        Path dir = Files.createTempDirectory("jt-dmn-");
        return start(enter, dir, dir.resolve("jnet.sock"));
    }

    /**
     * A daemon on {@code socket}, with its log and state root in {@code dir}, which it removes when closed. Its Docker
     * plugin socket is {@link #dockerSocket} of {@code dir}, never Docker's own directory.
     */
    static TestDaemon start(List<String> enter, Path dir, Path socket) throws IOException {
        return start(enter, dir, socket, dir.resolve("root"), List.of());
    }

    /** A daemon with its state root at {@code root} (kept when it is closed) and more {@code options}. */
    static TestDaemon start(List<String> enter, Path dir, Path socket, Path root, List<String> options)
            throws IOException {
        return start(enter, dir, socket, root, options, Map.of());
    }

    /**
     * As above, with more environment. Without a {@code --warmup} among the options the daemon does not warm up:
     * the tests start hundreds of daemons, and {@code DaemonIT} tests the warm-up itself.
     */
    static TestDaemon start(List<String> enter, Path dir, Path socket, Path root, List<String> options,
                            Map<String, String> env) throws IOException {
        ProcessBuilder pb = command(enter, dir, socket, options).redirectErrorStream(true)
                .redirectOutput(dir.resolve("daemon.log").toFile());
        pb.environment().put("JNET_ROOT", root.toString());
        pb.environment().remove("JNET_SOCKET");
        pb.environment().putAll(env);
        TestDaemon daemon = new TestDaemon(dir, socket, pb.start());
        daemon.awaitListening();
        return daemon;
    }

    /** The daemon's command line, without starting it. */
    static ProcessBuilder command(List<String> enter, Path dir, Path socket, List<String> options) {
        List<String> command = new ArrayList<>(enter);
        command.addAll(List.of(Launchers.dist().resolve("bin/jnet").toString(), "daemon", "--socket",
                socket.toString(), "--drain-seconds", "20", "--docker-socket", dockerSocket(dir).toString()));
        if (!options.contains("--warmup")) {
            command.addAll(List.of("--warmup", "0"));
        }
        command.addAll(options);
        return new ProcessBuilder(command);
    }

    private void awaitListening() throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!DaemonClient.listening(socket())) {
            if (!process.isAlive() || System.nanoTime() > until) {
                String log = log();
                close();
                throw new IOException("the test daemon did not come up:\n" + log);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    Path socket() {
        return socket;
    }

    /** The Docker plugin socket of a daemon whose directory is {@code dir}. */
    static Path dockerSocket(Path dir) {
        return dir.resolve("plugins").resolve("jnet.sock");
    }

    /** The Docker plugin socket, once served: the daemon binds it after the shims' socket. */
    Path dockerSocket() throws IOException {
        Path socket = dockerSocket(dir);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > until) {
                throw new IOException("the test daemon serves no Docker socket:\n" + log());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return socket;
    }

    /** The daemon's state root (JNET_ROOT). */
    Path root() {
        return dir.resolve("root");
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("daemon.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM (drain, remove the socket), then the temporary directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory; nothing else depends on it
        }
    }

    /** SIGTERM, without waiting. */
    void terminate() {
        process.destroy();
    }

    /** SIGTERM: the daemon drains its calls and removes its socket; waits until it has exited. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
