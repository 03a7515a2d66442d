package io.jnet.bridge;

import io.jnet.cni.CniArgs;
import io.jnet.cni.CniCommand;
import io.jnet.cni.CniException;
import io.jnet.cni.CniRequest;
import io.jnet.cni.NetConf;
import io.jnet.kernel.netns.NetNs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Builds in-process calls of the bridge driver, as PluginMain would hand them over after validation. */
final class Calls {

    private Calls() {
    }

    /** A jnet-bridge config for {@code network} on {@code bridge} with jnet-ipam over {@code subnet}. */
    static Map<String, Object> conf(String network, String bridge, String subnet, Path root) {
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("cniVersion", "1.1.0");
        conf.put("name", network);
        conf.put("type", "jnet-bridge");
        conf.put("bridge", bridge);
        conf.put("dataDir", root.toString());
        conf.put("ipam", Map.of("type", "jnet-ipam", "ranges", List.of(List.of(Map.of("subnet", subnet)))));
        return conf;
    }

    static CniRequest request(CniCommand command, Map<String, Object> conf, String containerId, String netns)
            throws CniException {
        return new CniRequest(command, containerId, netns, "eth0", CniArgs.EMPTY, List.of(), NetConf.of(conf));
    }

    /** With {@code runtimeConfig.portMappings}: one TCP mapping {@code hostPort -> containerPort}. */
    static Map<String, Object> publishing(Map<String, Object> conf, int hostPort, int containerPort) {
        Map<String, Object> out = new LinkedHashMap<>(conf);
        out.put("runtimeConfig", Map.of("portMappings", List.of(Map.of("hostPort", (long) hostPort,
                "containerPort", (long) containerPort, "protocol", "tcp"))));
        return out;
    }

    /** With {@code cni.dev/valid-attachments}, for GC. */
    static Map<String, Object> valid(Map<String, Object> conf, List<Map<String, Object>> attachments) {
        Map<String, Object> out = new LinkedHashMap<>(conf);
        out.put("cni.dev/valid-attachments", attachments);
        return out;
    }

    /** Runs {@code task} in {@code ns} and returns what it returned or threw (a CniException does not pass call()). */
    static Object in(String ns, Callable<Object> task) throws Exception {
        try (NetNs host = NetNs.open(ns)) {
            return host.call(() -> {
                try {
                    return task.call();
                } catch (CniException e) {
                    return e;
                }
            });
        }
    }
}
