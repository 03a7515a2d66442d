package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniVersion;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.kernel.netns.NetNs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a plugin in this process through {@link PluginMain}, the dispatcher the launchers use, so the CLI and a
 * runtime go through the same validation and the same driver code. Each call runs in the namespace that plays the
 * host ({@code host}): for {@code jnet} that is its own, for {@code jnet demo} a throwaway one.
 */
final class InProcessCni {

    static final String VERSION = CniVersion.LATEST.text();

    private final NetNs host;

    InProcessCni(NetNs host) {
        this.host = host;
    }

    /** A network config of {@link #VERSION} for {@code type} ({@code jnet-none}, ...) with the given extra fields. */
    static Map<String, Object> conf(String network, String type, Map<String, Object> fields) {
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("cniVersion", VERSION);
        conf.put("name", network);
        conf.put("type", type);
        conf.putAll(fields);
        return conf;
    }

    /** ADD; the result as {@link #VERSION} JSON. */
    Map<String, Object> add(CniPlugin plugin, Map<String, Object> conf, String containerId, String netns,
                            String ifname) throws CliException {
        String out = call(plugin, "ADD", conf, containerId, netns, ifname);
        try {
            return Json.parseObject(out.getBytes(StandardCharsets.UTF_8));
        } catch (CniException e) {
            throw new CliException(conf.get("type") + " ADD returned no result: " + e.getMessage(), e);
        }
    }

    void del(CniPlugin plugin, Map<String, Object> conf, String containerId, String netns, String ifname)
            throws CliException {
        call(plugin, "DEL", conf, containerId, netns, ifname);
    }

    /** GC: the plugin removes what it holds for attachments that are not in {@code validAttachments}. */
    void gc(CniPlugin plugin, Map<String, Object> conf, List<Map<String, Object>> validAttachments)
            throws CliException {
        Map<String, Object> withValid = new LinkedHashMap<>(conf);
        withValid.put("cni.dev/valid-attachments", validAttachments);
        call(plugin, "GC", withValid, "", "", "");
    }

    /** CHECK against {@code prevResult} (the stored ADD result); throws naming what drifted. */
    void check(CniPlugin plugin, Map<String, Object> conf, Map<String, Object> prevResult, String containerId,
               String netns, String ifname) throws CliException {
        Map<String, Object> withPrev = new LinkedHashMap<>(conf);
        withPrev.put("prevResult", prevResult);
        call(plugin, "CHECK", withPrev, containerId, netns, ifname);
    }

    private String call(CniPlugin plugin, String command, Map<String, Object> conf, String containerId,
                        String netns, String ifname) throws CliException {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", ifname);
        byte[] stdin = Json.writeBytes(conf);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        CniException[] failure = new CniException[1];
        int exit;
        try {
            exit = host.call(() -> PluginMain.run(plugin, String.valueOf(conf.get("type")), env,
                    new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), e -> failure[0] = e));
        } catch (IOException e) {
            throw new CliException(conf.get("type") + " " + command + ": " + e.getMessage(), e);
        }
        String text = out.toString(StandardCharsets.UTF_8).strip();
        if (exit != 0) {
            // the plugin's error keeps its type: a caller acts on a typed cause, never on the text
            throw new CliException(conf.get("type") + " " + command + " failed: " + errorText(text), failure[0]);
        }
        return text;
    }

    /** The first cause of {@code e} that is a {@code type}, if any: how callers tell a driver's typed errors apart. */
    static <T extends Throwable> java.util.Optional<T> cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return java.util.Optional.of(type.cast(t));
            }
        }
        return java.util.Optional.empty();
    }

    /** The CNI error document as one line: its msg, details and code. */
    private static String errorText(String stdout) {
        try {
            Map<String, Object> error = Json.parseObject(stdout.getBytes(StandardCharsets.UTF_8));
            Object details = error.get("details");
            return error.get("msg") + (details == null || "".equals(details) ? "" : " (" + details + ")")
                    + " [CNI error " + error.get("code") + "]";
        } catch (CniException e) {
            return stdout;
        }
    }
}
