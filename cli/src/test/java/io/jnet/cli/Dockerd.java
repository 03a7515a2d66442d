package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * A real dockerd (Debian's docker.io) confined to a sandbox host namespace and a private mount namespace, with
 * {@code jnet daemon} beside it as its network and IPAM driver. The mount namespace is held by a {@code sleep}
 * started with {@code unshare --mount --propagation private}; in it tmpfs covers {@code /run} (Docker's sockets,
 * netns files, containerd's state) and {@code /etc/docker} (its key, and plugin discovery: one {@code jnet.spec}
 * that names this test's daemon). dockerd has its own data root (vfs), exec root, pid file, API socket and cgroup
 * parent in a temp directory, starts its own containerd, and does no networking of its own (no iptables, no
 * bridge). The docker CLI talks to it only through {@code DOCKER_HOST}. Only the processes started here are ended,
 * by PID.
 */
final class Dockerd implements AutoCloseable {

    static final String IMAGE = "jnet-busybox:test";
    private static final Path ETC_DOCKER = Path.of("/etc/docker");

    private final Sandbox.Ns host;
    private final Path dir;
    private final Process holder;
    private final boolean createdEtcDocker;
    private Process dockerd;
    private TestDaemon jnet;

    private Dockerd(Sandbox.Ns host, Path dir, Process holder, boolean createdEtcDocker) {
        this.host = host;
        this.dir = dir;
        this.holder = holder;
        this.createdEtcDocker = createdEtcDocker;
    }

    /** Null when dockerd, containerd, runc and a static busybox are there, otherwise what is missing. */
    static String missing() {
        List<String> missing = new ArrayList<>();
        for (String tool : new String[] {"/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/sbin/runc",
                "/bin/busybox"}) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool);
            }
        }
        if (Sandbox.run("sh", "-c", "command -v docker").exit() != 0) {
            missing.add("docker (the CLI)");
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    static Dockerd start(Sandbox.Ns host) throws IOException {
        Path dir = Files.createTempDirectory("jt-dkr-");
        boolean createdEtcDocker = false;
        Process holder = null;
        Dockerd d = null;
        try {
            if (!Files.isDirectory(ETC_DOCKER)) {
                Files.createDirectory(ETC_DOCKER);   // a mount point only; removed again afterwards
                createdEtcDocker = true;
            }
            holder = new ProcessBuilder("nsenter", "--net=" + host.path(), "unshare", "--mount", "--propagation",
                    "private", "sh", "-c", "mount -t tmpfs jt-docker /run && mount -t tmpfs jt-docker " + ETC_DOCKER
                    + " && mkdir " + ETC_DOCKER + "/plugins && echo ready && exec sleep 3600")
                    .redirectErrorStream(true).start();
            String ready = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (!"ready".equals(ready)) {
                throw new IOException("the private mount namespace did not come up: " + ready);
            }
            d = new Dockerd(host, dir, holder, createdEtcDocker);
            d.startJnet();
            d.inMountNamespace("sh", "-c", "echo unix://" + TestDaemon.dockerSocket(d.jnetDir()) + " > "
                    + ETC_DOCKER + "/plugins/jnet.spec").ok();
            d.startDockerd();
            d.ok("import", BusyboxImage.tar(dir).toString(), IMAGE);
            return d;
        } catch (IOException | RuntimeException | Error e) {
            (d != null ? d : new Dockerd(host, dir, holder, createdEtcDocker)).close();
            throw e;
        }
    }

    private Path jnetDir() {
        return dir.resolve("jnet");
    }

    /** The jnet daemon in both namespaces, with its state root in the temp directory (kept across restarts). */
    private void startJnet() throws IOException {
        Files.createDirectories(jnetDir());
        jnet = TestDaemon.start(enter(), jnetDir(), jnetDir().resolve("jnet.sock"));
        jnet.dockerSocket();
    }

    /** Stops the jnet daemon (SIGTERM) and starts it again on the same state, as an upgrade or a crash would. */
    void restartJnet() throws IOException {
        jnet.stop();
        startJnet();
    }

    TestDaemon jnet() {
        return jnet;
    }

    private void startDockerd() throws IOException {
        List<String> command = new ArrayList<>(enter());
        command.addAll(List.of("dockerd", "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("dockerd.pid").toString(),
                "-H", "unix://" + dir.resolve("docker.sock"), "--storage-driver", "vfs", "--iptables=false",
                "--ip6tables=false", "--bridge=none", "--cgroup-parent=/" + dir.getFileName(),
                "--containerd-namespace", dir.getFileName().toString(),
                "--containerd-plugins-namespace", dir.getFileName() + "-plugins"));
        dockerd = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (run("version").exit() != 0) {
            if (!dockerd.isAlive() || System.nanoTime() > until) {
                throw new IOException("dockerd did not come up:\n" + log());
            }
            sleep(100);
        }
    }

    /** nsenter into the sandbox host's network namespace and the private mount namespace. */
    private List<String> enter() {
        return List.of("nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt", "--net=" + host.path());
    }

    Sandbox.Run inMountNamespace(String... command) {
        List<String> full = new ArrayList<>(enter());
        full.addAll(List.of(command));
        return Sandbox.run(full.toArray(String[]::new));
    }

    /** A jnet command against the daemon's state root, in both namespaces (Docker's netns files are in the mount). */
    Sandbox.Run jnet(String... args) {
        List<String> full = new ArrayList<>(enter());
        full.add(Launchers.bin("jnet").toString());
        full.addAll(List.of(args));
        return Sandbox.run(Map.of("JNET_ROOT", jnet.root().toString()), null, full.toArray(String[]::new));
    }

    /** A docker CLI command, through this dockerd's socket only. */
    Sandbox.Run run(String... args) {
        List<String> full = new ArrayList<>(List.of("docker"));
        full.addAll(List.of(args));
        return Sandbox.run(Map.of("DOCKER_HOST", "unix://" + dir.resolve("docker.sock")), null,
                full.toArray(String[]::new));
    }

    Sandbox.Run ok(String... args) {
        return run(args).ok();
    }

    /** A container's address on a network. */
    String ip(String container, String network) {
        return ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container)
                .stdout().strip();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("dockerd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Removes every container, stops dockerd (its containerd goes with it) and the jnet daemon, then the mount
     * namespace, the cgroups made under this test's parent, and the files.
     */
    @Override
    public void close() {
        if (dockerd != null && dockerd.isAlive()) {
            String all = run("ps", "-aq").stdout().strip();
            if (!all.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(List.of(all.split("\\s+")));
                run(rm.toArray(String[]::new));
            }
            stop(dockerd, 30);
        }
        if (jnet != null) {
            jnet.stop();
        }
        if (holder != null) {
            stop(holder, 10);
        }
        removeCgroups();
        if (createdEtcDocker) {
            try {
                Files.deleteIfExists(ETC_DOCKER);
            } catch (IOException notEmpty) {
                // something else wrote there meanwhile; it is not ours to remove
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; nothing else depends on it
        }
    }

    private static void stop(Process p, int seconds) {
        p.destroy();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The cgroups runc made for this test's containers, deepest first, in every hierarchy (empty ones only). */
    private void removeCgroups() {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : (Iterable<Path>) hierarchies::iterator) {
                Path parent = h.resolve(dir.getFileName().toString());
                if (!Files.isDirectory(parent)) {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(parent)) {
                    for (Path c : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        c.toFile().delete();
                    }
                }
            }
        } catch (IOException noCgroupFs) {
            // nothing was made there
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
