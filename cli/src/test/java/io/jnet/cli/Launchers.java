package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the packaged launchers as a runtime would: in a sandbox "host" namespace, with CNI_* env and stdin.
 *
 * <p>Two modes ({@code -Djnet.mode}, one failsafe execution each): {@code direct} runs every call in its own JVM
 * ({@code JNET_SHIM=direct}); {@code daemon} sends every call in a host namespace through the shim to a
 * {@link TestDaemon} running in that namespace ({@code JNET_SHIM=daemon}: a call that does not reach it fails), and
 * repeats each call that can be repeated without changing its answer in direct mode, asserting the same exit code
 * and the same stdout, byte for byte: every call but an ADD. A failed ADD is repeated too, and must fail with the
 * same exit code and CNI error code (its message may name the next address of IPAM's round robin, which the first
 * attempt advanced); a successful one is not repeated.
 */
final class Launchers {

    static final String[] VERSIONS = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

    static final boolean DAEMON_MODE = "daemon".equals(System.getProperty("jnet.mode"));

    /** The daemon of the host namespace the last call ran in; tests run one after another. */
    private static TestDaemon daemon;
    private static String daemonHost;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Launchers::stopDaemon));
    }

    private Launchers() {
    }

    static Path dist() {
        Path dist = Path.of(System.getProperty("jnet.dist", "target/jnet"));
        if (!Files.isExecutable(dist.resolve("bin/jnet-none"))) {
            throw new IllegalStateException("no packaged launchers in " + dist.toAbsolutePath() + "; run mvn package");
        }
        return dist.toAbsolutePath();
    }

    static Path bin(String name) {
        return dist().resolve("bin").resolve(name);
    }

    /** One plugin call: the exit code, stdout and stderr. */
    record Call(int exit, String stdout, String stderr) {
        Map<String, Object> json() throws CniException {
            return Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
        }

        @SuppressWarnings("unchecked")
        <T> T get(String key) throws CniException {
            return (T) json().get(key);
        }
    }

    static Call call(Sandbox.Ns host, String plugin, Map<String, String> env, String stdin) {
        return call(host, plugin, env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    static Call call(Sandbox.Ns host, String plugin, Map<String, String> env, byte[] stdin) {
        Map<String, String> full = new HashMap<>(env);
        full.putIfAbsent("CNI_PATH", dist().resolve("bin").toString());
        String[] command = host == null ? new String[] {bin(plugin).toString()}
                : Sandbox.inCommand(host, bin(plugin).toString());
        if (!DAEMON_MODE || host == null) {
            full.put("JNET_SHIM", "direct");
            return exec(full, stdin, command);
        }
        full.put("JNET_SOCKET", daemonFor(host).socket().toString());
        full.put("JNET_SHIM", "daemon");
        Call served = exec(full, stdin, command);
        boolean add = "ADD".equals(env.get("CNI_COMMAND"));
        if (!add || served.exit() != 0) {
            full.put("JNET_SHIM", "direct");
            Call direct = exec(full, stdin, command);
            if (direct.exit() != served.exit() || !(add ? errorCode(direct).equals(errorCode(served))
                    : direct.stdout().equals(served.stdout()))) {
                throw new AssertionError(plugin + " " + env.get("CNI_COMMAND") + ": daemon mode answered exit "
                        + served.exit() + " " + served.stdout() + ", direct mode exit " + direct.exit() + " "
                        + direct.stdout() + "\ndaemon log:\n" + daemon.log());
            }
        }
        return served;
    }

    private static String errorCode(Call call) {
        try {
            return String.valueOf(call.json().get("code"));
        } catch (CniException e) {
            return "not JSON: " + call.stdout();
        }
    }

    private static Call exec(Map<String, String> env, byte[] stdin, String[] command) {
        Sandbox.Run run = Sandbox.run(env, stdin, command);
        return new Call(run.exit(), run.stdout(), run.stderr());
    }

    /** The daemon inside {@code host}, started on its first call there (the previous host's is stopped). */
    private static synchronized TestDaemon daemonFor(Sandbox.Ns host) {
        if (daemon != null && host.name().equals(daemonHost) && daemon.alive()) {
            return daemon;
        }
        stopDaemon();
        try {
            daemon = TestDaemon.in(host);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        daemonHost = host.name();
        return daemon;
    }

    private static synchronized void stopDaemon() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    static Map<String, String> env(String command, String containerId, String netns, String ifname) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            env.put("CNI_NETNS", netns);
        }
        if (ifname != null) {
            env.put("CNI_IFNAME", ifname);
        }
        return env;
    }
}
