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
 * Podman with its CNI backend, confined: every podman command (and so conmon, runc and the CNI plugins it runs)
 * enters the sandbox host's network namespace and one private mount namespace with {@code nsenter}. The mount
 * namespace is held by a {@code sleep} started with {@code unshare --mount --propagation private}; in it a tmpfs
 * covers {@code /run} and {@code /var/lib/cni}, so Podman's netns files, runc's state and libcni's result cache
 * never reach the machine's file system and vanish with the holder. Storage, run root, temp dir, config and the
 * network list live in a temp directory; the image is busybox-static imported from a directory, with no registry.
 */
final class Podman implements AutoCloseable {

    static final String IMAGE = "localhost/jnet-busybox";
    private static final Path CNI_CACHE = Path.of("/var/lib/cni");

    private final Sandbox.Ns host;
    private final Path dir;
    private final String cgroupParent;
    private final Map<String, String> env;
    private final Process holder;
    private final boolean createdCniCache;
    /** In daemon mode ({@link Launchers#DAEMON_MODE}): the daemon the shims call, in both of Podman's namespaces. */
    private TestDaemon daemon;

    private Podman(Sandbox.Ns host, Path dir, Map<String, String> env, Process holder, boolean createdCniCache) {
        this.host = host;
        this.dir = dir;
        this.cgroupParent = "/" + dir.getFileName();
        this.env = env;
        this.holder = holder;
        this.createdCniCache = createdCniCache;
    }

    /** Null when podman, runc and a static busybox are all there, otherwise what is missing. */
    static String missing() {
        List<String> missing = new ArrayList<>();
        for (String tool : new String[] {"podman", "runc", "conmon", "nsenter", "unshare"}) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!Files.isExecutable(Path.of("/bin/busybox"))) {
            missing.add("/bin/busybox (busybox-static)");
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/libexec/podman", tool));
    }

    /**
     * Sets Podman up to run in {@code host}: {@code networks} (name to conflist) go into its network config dir,
     * and the launcher dir is its only CNI plugin dir. Only CONTAINERS_CONF reaches every podman process (conmon
     * passes its exit command little else), so a conflist names its state dir itself.
     */
    static Podman start(Sandbox.Ns host, Map<String, String> networks) throws IOException {
        Path dir = Files.createTempDirectory("jnet-podman-");
        boolean createdCniCache = false;
        Process holder = null;
        try {
            Path cni = Files.createDirectories(dir.resolve("cni"));
            for (Map.Entry<String, String> n : networks.entrySet()) {
                Files.writeString(cni.resolve(n.getKey() + ".conflist"), n.getValue());
            }
            Files.createDirectories(dir.resolve("tmp"));
            Path conf = dir.resolve("containers.conf");
            Files.writeString(conf, String.join("\n",
                    "[containers]",
                    // the defaults exceed this machine's limits
                    "default_ulimits = [\"nofile=20000:20000\", \"nproc=1000:1000\"]",
                    "[network]",
                    "network_backend = \"cni\"",
                    "cni_plugin_dirs = [\"" + Launchers.dist().resolve("bin") + "\"]",
                    "network_config_dir = \"" + cni + "\"",
                    // a conflist that fails validation under the default network's name would be replaced silently
                    "default_network = \"jnet-not-used\"",
                    "[engine]",
                    "runtime = \"runc\"",
                    "cgroup_manager = \"cgroupfs\"",
                    "events_logger = \"file\"",
                    "tmp_dir = \"" + dir.resolve("tmp") + "\"",
                    ""));
            // the mount point for the cache's tmpfs; removed again afterwards when this made it
            if (!Files.isDirectory(CNI_CACHE)) {
                Files.createDirectory(CNI_CACHE);
                createdCniCache = true;
            }
            holder = new ProcessBuilder("nsenter", "--net=" + host.path(), "unshare", "--mount",
                    "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs jnet-podman /run && mount -t tmpfs jnet-podman " + CNI_CACHE
                            + " && echo ready && exec sleep 600")
                    .redirectErrorStream(true).start();
            String ready = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (!"ready".equals(ready)) {
                throw new IOException("the private mount namespace did not come up: " + ready);
            }
            Map<String, String> env = new java.util.HashMap<>(Map.of("CONTAINERS_CONF", conf.toString()));
            TestDaemon daemon = null;
            if (Launchers.DAEMON_MODE) {
                daemon = TestDaemon.start(List.of("nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt",
                        "--net=" + host.path()));
                env.putAll(Map.of("JNET_SOCKET", daemon.socket().toString(), "JNET_SHIM", "daemon"));
            }
            Podman podman = new Podman(host, dir, env, holder, createdCniCache);
            podman.daemon = daemon;
            podman.ok("import", BusyboxImage.tar(dir).toString(), IMAGE);
            return podman;
        } catch (IOException | RuntimeException | Error e) {
            new Podman(host, dir, Map.of(), holder, createdCniCache).cleanUp();
            throw e;
        }
    }

    /**
     * A podman command inside the sandbox host's network and the private mount namespace. A container's cgroups
     * (and its conmon's) go under a parent of this test's own, not Podman's shared one, so that closing removes them.
     */
    Sandbox.Run run(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt",
                "--net=" + host.path(), "podman", "--root", dir.resolve("root").toString(), "--runroot",
                dir.resolve("runroot").toString(), "--storage-driver", "vfs"));
        command.add(args[0]);
        if (args[0].equals("run") || args[0].equals("create")) {
            command.add("--cgroup-parent=" + cgroupParent);
        }
        command.addAll(List.of(args).subList(1, args.length));
        return Sandbox.run(env, null, command.toArray(String[]::new));
    }

    Sandbox.Run ok(String... args) {
        return run(args).ok();
    }

    /** A command (not podman) in the private mount namespace, e.g. to look at Podman's netns files. */
    Sandbox.Run inMountNamespace(String... command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--mount=/proc/" + holder.pid() + "/ns/mnt"));
        full.addAll(List.of(command));
        return Sandbox.run(full.toArray(String[]::new));
    }

    @Override
    public void close() {
        cleanUp();
    }

    /** The (empty) cgroup parent and conmon cgroup that runc and Podman made for this test, in every hierarchy. */
    private void removeCgroups() {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : (Iterable<Path>) hierarchies::iterator) {
                Path parent = h.resolve(cgroupParent.substring(1));
                for (Path p : new Path[] {parent.resolve("conmon"), parent}) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException stillInUse) {
                        // a cgroup that still has members is not removed; a crashed container keeps it
                    }
                }
            }
        } catch (IOException noCgroupFs) {
            // nothing was made there
        }
    }

    /** Removes what a failed test may have left running, then the mount namespace, then the files. */
    private void cleanUp() {
        if (holder != null && holder.isAlive()) {
            if (!env.isEmpty()) {
                run("rm", "--all", "--force", "--time", "0");
            }
            if (daemon != null) {
                daemon.close();
            }
            holder.destroy();
            try {
                if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                    holder.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeCgroups();
        if (createdCniCache) {
            try {
                Files.deleteIfExists(CNI_CACHE);
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
}
