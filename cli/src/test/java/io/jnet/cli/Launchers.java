package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.kernel.testing.Sandbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the packaged launchers as a runtime would: in a sandbox "host" namespace, with CNI_* env and stdin. */
final class Launchers {

    static final String[] VERSIONS = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

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
        Sandbox.Run run = Sandbox.run(full, stdin, command);
        return new Call(run.exit(), run.stdout(), run.stderr());
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
