package io.jnet.kernel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway network namespaces for one test. Each is named {@code jt-<role>-<random>}, lives under
 * {@code /run/netns}, and is deleted by {@link SandboxExtension} after the test, even when it fails. The machine's
 * own namespace is never changed: commands run through {@code ip netns exec}.
 */
public final class Sandbox {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A namespace created by this sandbox. */
    public record Ns(String name) {
        public String path() {
            return "/run/netns/" + name;
        }
    }

    /** The outcome of a command. */
    public record Run(int exit, String stdout, String stderr) {
        public Run ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    private final List<Ns> created = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

    Sandbox() {
    }

    /** Creates a fresh namespace with {@code lo} down, as a runtime would hand it to a plugin. */
    public Ns namespace(String role) {
        String name = "jt-" + role + "-" + HexFormat.of().formatHex(RANDOM.generateSeed(3));
        run("ip", "netns", "add", name).ok();
        Ns ns = new Ns(name);
        created.add(ns);
        return ns;
    }

    /**
     * Closes {@code resource} at clean-up, before the namespaces are deleted (the last registered first), so that a
     * process started in a namespace (etcd, a daemon) is stopped even when the test fails. Returns the resource.
     */
    public <T extends AutoCloseable> T closeAtCleanUp(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Runs a command in the machine's namespace (use it only for read-only or namespace-scoped tools). */
    public static Run run(String... command) {
        return run(Map.of(), null, command);
    }

    /** Runs a command inside a sandbox namespace. */
    public Run in(Ns ns, String... command) {
        return run(Map.of(), null, inCommand(ns, command));
    }

    public static String[] inCommand(Ns ns, String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns.name();
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    public static Run run(Map<String, String> env, byte[] stdin, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            Process p = pb.start();
            var err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> copy(p.getErrorStream(), err));
            errReader.start();
            try (var stdinStream = p.getOutputStream()) {
                if (stdin != null) {
                    stdinStream.write(stdin);
                }
            } catch (IOException closedEarly) {
                // the process may exit without reading its input
            }
            var out = new ByteArrayOutputStream();
            copy(p.getInputStream(), out);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            errReader.join();
            return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the stream closes when the process ends
        }
    }

    /** Closes the registered resources, then deletes what this sandbox created, and nothing else. */
    void cleanUp() {
        List<AutoCloseable> toClose;
        synchronized (resources) {
            toClose = new ArrayList<>(resources);
            resources.clear();
        }
        Collections.reverse(toClose);
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("sandbox clean-up: closing " + resource + " failed: " + e);
            }
        }
        List<Ns> mine;
        synchronized (created) {
            mine = new ArrayList<>(created);
            created.clear();
        }
        Collections.reverse(mine);
        for (Ns ns : mine) {
            run("ip", "netns", "delete", ns.name());
        }
    }
}
