package io.jnet.ipam;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs {@link IpamPlugin} through {@link PluginMain} in-process, as the launcher would. */
final class PluginCalls {

    /** The exit code and the one document on stdout ("" when none). */
    record Reply(int exit, String stdout, String stderr) {
        Map<String, Object> json() throws CniException {
            return Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
        }

        long code() throws CniException {
            return (Long) json().get("code");
        }

        String msg() throws CniException {
            return (String) json().get("msg");
        }
    }

    private final Map<String, String> baseEnv;

    PluginCalls(Map<String, String> baseEnv) {
        this.baseEnv = Map.copyOf(baseEnv);
    }

    Reply call(Map<String, String> env, String config) {
        Map<String, String> full = new HashMap<>(baseEnv);
        full.putAll(env);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = PluginMain.run(new IpamPlugin(full), "jnet-ipam", full,
                new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Reply(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Reply attachment(String command, String containerId, String ifname, String netns, String config) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_IFNAME", ifname);
        env.put("CNI_NETNS", netns);
        return call(env, config);
    }

    Reply command(String command, String config) {
        return call(Map.of("CNI_COMMAND", command), config);
    }
}
