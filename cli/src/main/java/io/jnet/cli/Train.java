package io.jnet.cli;

import io.jnet.cni.CniVersion;
import io.jnet.cni.NetConf;
import io.jnet.cni.PluginMain;
import io.jnet.cni.ResultCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The class-data archive's training run ({@code bin/jnet-train}): representative plugin calls that change nothing,
 * so that the archive holds the classes a real call loads. A CHECK of the training process's own loopback reads
 * the kernel through the same netlink path that ADD uses; host mode's ADD only reads, so it runs for real against
 * the training process's own namespace; container mode looks up a container in a store that does not exist.
 */
public final class Train {

    private static final String SELF = "/proc/self/ns/net";
    private static final String NO_NETNS = "/run/jnet/no-such-netns";
    private static final String NO_ROOT = "/run/jnet/no-such-root";

    private Train() {
    }

    public static void main(String[] args) throws Exception {
        for (String version : new String[] {"0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            String prev = "\"prevResult\":{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"lo\","
                    + "\"mac\":\"00:00:00:00:00:00\",\"sandbox\":\"" + SELF + "\"}],\"ips\":[{\"address\":\"127.0.0.1/8\","
                    + "\"interface\":0" + (version.startsWith("0.") ? ",\"version\":\"4\"" : "") + "}],\"dns\":{}}";
            String none = conf(version, "jnet-none", prev);
            NetConf parsed = NetConf.parse(none.getBytes(StandardCharsets.UTF_8));
            ResultCodec.encode(parsed.prevResult(), CniVersion.parse(version).orElseThrow());
            String host = conf(version, "jnet-host", prev + ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,"
                    + "\"containerPort\":80,\"protocol\":\"tcp\"}]}");
            String container = conf(version, "jnet-container", prev + ",\"container\":\"train\",\"dataDir\":\""
                    + NO_ROOT + "\"");
            String ipam = "\"ipam\":{\"type\":\"jnet-ipam\",\"subnet\":\"10.255.255.0/24\",\"dataDir\":\""
                    + NO_ROOT + "\"}";
            String bridge = conf(version, "jnet-bridge", prev + "," + ipam + ",\"dataDir\":\"" + NO_ROOT + "\"");
            String ipamOnly = conf(version, "jnet-ipam", prev + "," + ipam);
            for (String[] typeConf : new String[][] {{"none", none}, {"host", host}, {"container", container},
                    {"bridge", bridge}, {"ipam", ipamOnly}}) {
                String type = typeConf[0];
                String conf = typeConf[1];
                // CHECK only reads, so it may look at the training process's own namespace
                call(type, env("CHECK", SELF, "CNI_NETNS_OVERRIDE", "1"), conf);
                call(type, env("ADD", NO_NETNS), conf);
                call(type, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train"), "{garbage");
            }
            call("host", env("ADD", SELF), host);
            call("container", env("ADD", SELF), container);
        }
    }

    private static String conf(String version, String type, String fields) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"train\",\"type\":\"" + type + "\"," + fields + "}";
    }

    private static Map<String, String> env(String command, String netns, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "train",
                "CNI_NETNS", netns, "CNI_IFNAME", "lo"));
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private static void call(String type, Map<String, String> env, String stdin) {
        var out = new ByteArrayOutputStream();
        PluginMain.run(Cni.plugin(type, env), "jnet-" + type, env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, false, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        System.out.println(type + " " + env.get("CNI_COMMAND") + ": " + out.toString(StandardCharsets.UTF_8).strip());
    }
}
