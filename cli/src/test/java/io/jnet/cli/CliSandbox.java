package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Sys;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged {@code bin/jnet} run as a person would, inside a sandbox "host" namespace, with {@code JNET_ROOT} and
 * {@code JNET_RUN_DIR} in a temporary directory. It enters only the host's network namespace ({@code nsenter
 * --net}), not a mount namespace of its own as {@code ip netns exec} would, so the namespaces jnet bind-mounts
 * outlive one command, as they do for a person. {@link #close} unmounts everything under the directory (the
 * containers' namespaces go with their last mount) and deletes it.
 */
final class CliSandbox implements AutoCloseable {

    final Sandbox sandbox;
    final Sandbox.Ns host;
    final Path dir;
    final Path root;
    final Path runDir;

    CliSandbox(Sandbox sandbox) throws IOException {
        this.sandbox = sandbox;
        this.host = sandbox.namespace("host");
        this.dir = Files.createTempDirectory("jt-cli-");
        this.root = dir.resolve("root");
        this.runDir = dir.resolve("run");
        sandbox.in(host, "ip", "link", "set", "lo", "up").ok();
    }

    /** One jnet command in the sandbox host. */
    Sandbox.Run jnet(String... args) {
        return Sandbox.run(env(), null, command(args));
    }

    String[] command(String... args) {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + host.path(),
                Launchers.bin("jnet").toString()));
        command.addAll(List.of(args));
        return command.toArray(new String[0]);
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("JNET_ROOT", root.toString());
        env.put("JNET_RUN_DIR", runDir.toString());
        return env;
    }

    /** Where {@code jnet create} mounts a container's own namespace. */
    String netns(String name) {
        return runDir.resolve("netns").resolve(name).toString();
    }

    /** A command inside a namespace given by path (jnet's mounts are not under /run/netns, so not {@code ip -n}). */
    Sandbox.Run in(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        full.addAll(List.of(command));
        return Sandbox.run(full.toArray(new String[0]));
    }

    /** The namespace inode of a path, by stat(1), the oracle for "the same namespace". */
    static String inode(String path) {
        return Sandbox.run("stat", "-L", "-c", "%i", path).ok().stdout().strip();
    }

    /** The names of the links in a namespace, by {@code ip -j link}. */
    List<String> links(String netns) throws CniException {
        List<String> names = new ArrayList<>();
        for (Object link : Json.asArray(Json.parse(in(netns, "ip", "-j", "link").ok().stdout()), "ip")) {
            names.add((String) Json.asObject(link, "link").get("ifname"));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jsonArray(String text) throws CniException {
        return (List<Map<String, Object>>) (List<?>) Json.asArray(Json.parse(text.getBytes(StandardCharsets.UTF_8)),
                "output");
    }

    /** Mount points under the directory, deepest first. */
    List<String> mounts() throws IOException {
        String prefix = dir.toString() + "/";
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
                .filter(m -> m.startsWith(prefix)).sorted(Comparator.reverseOrder()).toList();
    }

    @Override
    public void close() throws IOException {
        for (String mount : mounts()) {
            try {
                Sys.unmount(mount, Sys.MNT_DETACH);
            } catch (ErrnoException e) {
                // a stacked mount went with the one above it
            }
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
