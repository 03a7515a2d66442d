package io.jnet.cli;

import io.jnet.cni.CniVersion;
import io.jnet.cni.NetConf;
import io.jnet.cni.PluginMain;
import io.jnet.cni.ResultCodec;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.ErrnoException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The class-data archive's training run ({@code bin/jnet-train}): plugin calls that load the classes real calls
 * load. Two parts:
 * <ul>
 *   <li>calls that change nothing (every CNI version, error paths, a CHECK that reads the training process's own
 *       namespace);</li>
 *   <li>when the process may create network namespaces (root), the real ADD, CHECK and DEL paths of
 *       {@code jnet-bridge} and {@code jnet-ipam}: a "host" namespace that a thread unshares into and "container"
 *       namespaces held by an fd, never mounted anywhere, so that they vanish afterwards. Nothing of the
 *       machine's own namespace is touched, and the state goes to a temp directory that is removed afterwards.</li>
 * </ul>
 * A training call that fails is reported in the log and leaves only a smaller archive behind.
 */
public final class Train {

    private static final String SUBNET = "10.255.255.0/24";

    private Train() {
    }

    public static void main(String[] args) throws Exception {
        System.getenv(); // as Cni.main reads it
        readOnlyCalls();
        realCalls();
    }

    private static void readOnlyCalls() throws Exception {
        String self = "/proc/self/ns/net";
        for (String version : new String[] {"0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
            String conf = "{\"cniVersion\":\"" + version + "\",\"name\":\"train\",\"type\":\"jnet-none\","
                    + "\"ipam\":{\"type\":\"jnet-ipam\",\"subnet\":\"" + SUBNET + "\"},"
                    + "\"prevResult\":{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"lo\","
                    + "\"mac\":\"00:00:00:00:00:00\",\"sandbox\":\"" + self + "\"}],\"ips\":[{\"address\":\"127.0.0.1/8\","
                    + "\"interface\":0" + (version.startsWith("0.") ? ",\"version\":\"4\"" : "") + "}],\"dns\":{}}}";
            NetConf parsed = NetConf.parse(conf.getBytes(StandardCharsets.UTF_8));
            ResultCodec.encode(parsed.prevResult(), CniVersion.parse(version).orElseThrow());
            for (String type : new String[] {"none", "bridge", "ipam"}) {
                Map<String, String> root = Map.of("JNET_ROOT", "/nonexistent/jnet-train");
                // CHECK only reads, so it may look at the training process's own namespace
                call(type, root, Map.of("CNI_COMMAND", "CHECK", "CNI_CONTAINERID", "train", "CNI_NETNS", self,
                        "CNI_IFNAME", "lo", "CNI_NETNS_OVERRIDE", "1"), conf);
                call(type, root, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train",
                        "CNI_NETNS", "/run/jnet/no-such-netns", "CNI_IFNAME", "lo"), conf);
                call(type, root, Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train"), "{garbage");
            }
            // host mode's ADD only reads, so it runs for real against the training process's own namespace;
            // container mode looks up a container in a store that does not exist
            String prev = conf.substring(conf.indexOf("\"prevResult\""), conf.length() - 1);
            Map<String, String> root = Map.of("JNET_ROOT", "/nonexistent/jnet-train");
            Map<String, String> add = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "train", "CNI_NETNS", self,
                    "CNI_IFNAME", "lo");
            call("host", root, add, "{\"cniVersion\":\"" + version + "\",\"name\":\"train\",\"type\":\"jnet-host\","
                    + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80}]}," + prev + "}");
            call("container", root, add, "{\"cniVersion\":\"" + version + "\",\"name\":\"train\","
                    + "\"type\":\"jnet-container\",\"container\":\"train\"," + prev + "}");
        }
    }

    /**
     * ADD (with a published port), CHECK, a rolled-back ADD, DEL and a repeated DEL of jnet-bridge, and ADD, CHECK
     * and DEL of jnet-ipam, in throwaway namespaces; skipped when they cannot be made.
     */
    private static void realCalls() throws Exception {
        Path state = Files.createTempDirectory("jnet-train-");
        try (NetNs container = throwaway(); NetNs other = throwaway()) {
            if (container == null || other == null) {
                System.out.println("no network namespaces (not root?): trained on the read-only paths only");
                return;
            }
            Map<String, String> root = Map.of("JNET_ROOT", state.toString());
            inNewNamespace(() -> {
                String ns = container.path();
                String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"train\",\"type\":\"jnet-bridge\","
                        + "\"bridge\":\"jtrain0\",\"capabilities\":{\"portMappings\":true},"
                        + "\"ipam\":{\"type\":\"jnet-ipam\",\"dataDir\":\"" + state.resolve("ipam") + "\","
                        + "\"ranges\":[[{\"subnet\":\"" + SUBNET + "\","
                        + "\"gateway\":\"10.255.255.1\"}]],"
                        + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]},"
                        + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":20000,\"containerPort\":80,"
                        + "\"protocol\":\"tcp\"}]}}";
                String added = call("bridge", root, attachment("ADD", "train1", ns, "eth0"), conf);
                call("bridge", root, attachment("CHECK", "train1", ns, "eth0"), withPrevResult(conf, added));
                // the same host port for another container: refused, and rolled back
                call("bridge", root, attachment("ADD", "train2", other.path(), "eth0"), conf);
                call("bridge", root, attachment("DEL", "train1", ns, "eth0"), withPrevResult(conf, added));
                call("bridge", root, attachment("DEL", "train1", ns, "eth0"), conf);

                String ipam = "{\"cniVersion\":\"1.0.0\",\"name\":\"train-ipam\",\"type\":\"ptp\","
                        + "\"ipam\":{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"" + SUBNET + "\"}]]}}";
                String leased = call("ipam", root, attachment("ADD", "train1", ns, "eth0"), ipam);
                call("ipam", root, attachment("CHECK", "train1", ns, "eth0"), withPrevResult(ipam, leased));
                call("ipam", root, attachment("DEL", "train1", ns, "eth0"), ipam);
                return null;
            });
        } finally {
            DurableFiles.deleteTree(state);
        }
    }

    private static Map<String, String> attachment(String command, String id, String netns, String ifName) {
        return Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id, "CNI_NETNS", netns, "CNI_IFNAME", ifName);
    }

    private static String withPrevResult(String conf, String result) {
        return result.isEmpty() ? conf : conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + result + "}";
    }

    /** Runs one call as a launcher would; returns its stdout, stripped. */
    private static String call(String type, Map<String, String> root, Map<String, String> cniEnv, String stdin) {
        var out = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>(root);
        env.putAll(cniEnv);
        PluginMain.run(Cni.plugin(type, root), "jnet-" + type, env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, false, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        String reply = out.toString(StandardCharsets.UTF_8).strip();
        System.out.println(type + " " + cniEnv.get("CNI_COMMAND") + ": " + reply);
        return reply;
    }

    /** Runs {@code task} in a new, empty network namespace that ends with it; a failure is reported, not thrown. */
    private static void inNewNamespace(Callable<Void> task) {
        try {
            NetNs.inThrowaway(task);
        } catch (IOException | RuntimeException e) {
            System.out.println("the real calls failed: " + e);
        }
    }

    /** A throwaway namespace, or null when this process may not create one (not root). */
    private static NetNs throwaway() throws IOException {
        try {
            return NetNs.throwaway();
        } catch (ErrnoException e) {
            return null;
        }
    }
}
