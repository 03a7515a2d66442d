package io.jnet.cli;

import io.jnet.cni.PluginMain;
import io.jnet.cni.ResultCodec;
import io.jnet.cni.CniVersion;
import io.jnet.cni.NetConf;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The class-data archive's training run ({@code bin/jnet-train}): representative plugin calls that change nothing,
 * so that the archive holds the classes a real call loads. A CHECK of the training process's own loopback reads
 * the kernel through the same netlink path that ADD uses.
 */
public final class Train {

    private Train() {
    }

    public static void main(String[] args) throws Exception {
        String self = "/proc/self/ns/net";
        for (String version : new String[] {"0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            String conf = "{\"cniVersion\":\"" + version + "\",\"name\":\"train\",\"type\":\"jnet-none\","
                    + "\"ipam\":{\"type\":\"jnet-ipam\",\"subnet\":\"10.255.255.0/24\"},"
                    + "\"prevResult\":{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"lo\","
                    + "\"mac\":\"00:00:00:00:00:00\",\"sandbox\":\"" + self + "\"}],\"ips\":[{\"address\":\"127.0.0.1/8\","
                    + "\"interface\":0" + (version.startsWith("0.") ? ",\"version\":\"4\"" : "") + "}],\"dns\":{}}}";
            NetConf parsed = NetConf.parse(conf.getBytes(StandardCharsets.UTF_8));
            ResultCodec.encode(parsed.prevResult(), CniVersion.parse(version).orElseThrow());
            for (String type : new String[] {"none", "bridge", "ipam"}) {
                // CHECK only reads, so it may look at the training process's own namespace
                call(type, Map.of("CNI_COMMAND", "CHECK", "CNI_CONTAINERID", "train", "CNI_NETNS", self,
                        "CNI_IFNAME", "lo", "CNI_NETNS_OVERRIDE", "1"), conf);
                call(type, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train",
                        "CNI_NETNS", "/run/jnet/no-such-netns", "CNI_IFNAME", "lo"), conf);
                call(type, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train"), "{garbage");
            }
        }
    }

    private static void call(String type, Map<String, String> env, String stdin) {
        var out = new ByteArrayOutputStream();
        PluginMain.run(Cni.plugin(type, Map.of("JNET_ROOT", "/nonexistent/jnet-train")), "jnet-" + type, env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, false, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        System.out.println(type + " " + env.get("CNI_COMMAND") + ": " + out.toString(StandardCharsets.UTF_8).strip());
    }
}
