package io.jnet.cni;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network configuration a plugin receives on stdin. The fields every plugin needs are parsed here; a plugin
 * reads its own fields ({@code bridge}, {@code ipam}, ...) from {@link #raw()}, which keeps every field of the
 * document, known or not.
 *
 * @param runtimeConfig    the capability arguments, empty when absent
 * @param args             the {@code args} object (e.g. {@code args.cni.ips}), empty when absent
 * @param prevResult       the previous plugin's result, decoded; null when absent
 * @param validAttachments {@code cni.dev/valid-attachments} (libcni) or {@code cni.dev/attachments} (the spec
 *                         text) of a GC request; empty when absent
 * @param raw              the whole document, unmodifiable at the top level
 */
public record NetConf(CniVersion cniVersion, String name, String type, Result prevResult,
                      Map<String, Object> runtimeConfig, Map<String, Object> args,
                      List<Attachment> validAttachments, Map<String, Object> raw) {

    /** What libcni assumes when a config has no cniVersion: a version no current plugin supports. */
    public static final String VERSION_WHEN_ABSENT = "0.1.0";

    public NetConf {
        runtimeConfig = Collections.unmodifiableMap(runtimeConfig);
        args = Collections.unmodifiableMap(args);
        validAttachments = List.copyOf(validAttachments);
        raw = Collections.unmodifiableMap(raw);
    }

    /** Parses a config document: code 6 when it is not a JSON object, otherwise as {@link #of(Map)}. */
    public static NetConf parse(byte[] json) throws CniException {
        return of(Json.parseObject(json));
    }

    /**
     * Validates a parsed config, in libcni's order: the network name (code 7), then the exact version (code 1,
     * naming the version and the supported ones), then the remaining common fields (code 7).
     */
    public static NetConf of(Map<String, Object> raw) throws CniException {
        Object nameValue = raw.get("name");
        String name = nameValue == null ? "" : Json.asString(nameValue, "name");
        Names.checkNetworkName(name);
        String versionText = versionText(raw);
        Optional<CniVersion> version = CniVersion.parse(versionText);
        if (version.isEmpty()) {
            throw incompatible(versionText);
        }
        String type = Json.optString(raw, "", "type", "");
        Json.optObject(raw, "", "ipam");     // so that ipamRaw() never meets a non-object
        Object prev = raw.get("prevResult");
        Result prevResult = prev == null ? null : ResultCodec.decode(Json.asObject(prev, "prevResult"), "prevResult");
        return new NetConf(version.get(), name, type, prevResult, Json.optObject(raw, "", "runtimeConfig"),
                Json.optObject(raw, "", "args"), attachments(raw), raw);
    }

    /** The {@code cniVersion} text of a parsed config, "0.1.0" when absent; code 7 when not a string. */
    public static String versionText(Map<String, Object> raw) throws CniException {
        String text = Json.optString(raw, "", "cniVersion", "");
        return text.isEmpty() ? VERSION_WHEN_ABSENT : text;
    }

    /** The {@code ipam} object (validated by {@link #of(Map)}), or an empty map when absent. */
    public Map<String, Object> ipamRaw() {
        Object ipam = raw.get("ipam");
        if (ipam == null) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) ipam;
        return Collections.unmodifiableMap(map);
    }

    /** Code 1 as libcni's reconciler words it. */
    private static CniException incompatible(String configVersion) {
        return new CniException(ErrorCode.INCOMPATIBLE_VERSION, "incompatible CNI versions",
                "config is \"" + configVersion + "\", plugin supports " + CniVersion.supportedList());
    }

    private static List<Attachment> attachments(Map<String, Object> raw) throws CniException {
        String key = raw.get("cni.dev/valid-attachments") != null ? "cni.dev/valid-attachments"
                : "cni.dev/attachments";
        List<Object> list = Json.optArray(raw, "", key);
        List<Attachment> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            Map<String, Object> m = Json.asObject(list.get(i), at);
            out.add(new Attachment(Json.requireString(m, at, "containerID"), Json.requireString(m, at, "ifname")));
        }
        return out;
    }
}
