package io.jnet.cni;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code CNI_ARGS}, the deprecated {@code "K=V;K2=V2"} list. A value may contain '=' (it is split at the first one)
 * and empty segments such as a trailing ';' are skipped; a segment without '=' is an error. A repeated key keeps
 * the last value.
 *
 * @param raw           the variable as given ("" when absent)
 * @param values        the pairs in order
 * @param ignoreUnknown {@code IgnoreUnknown=1|true}: keys the plugin does not know are tolerated
 */
public record CniArgs(String raw, Map<String, String> values, boolean ignoreUnknown) {

    public static final CniArgs EMPTY = new CniArgs("", Map.of(), false);

    /**
     * Keys every jnet plugin accepts: the switch itself. Runtimes that send their own keys (Podman, kubelet and the
     * CRI runtimes send K8S_POD_NAME and friends) also send {@code IgnoreUnknown=1}, as the convention asks.
     */
    public static final Set<String> ALWAYS_KNOWN = Set.of("IgnoreUnknown");

    public CniArgs {
        raw = raw == null ? "" : raw;
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Parses CNI_ARGS; a malformed pair or a bad IgnoreUnknown value is code 4 naming CNI_ARGS. */
    public static CniArgs parse(String raw) throws CniException {
        if (raw == null || raw.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> values = new LinkedHashMap<>();
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf(';', start);
            if (end < 0) {
                end = raw.length();
            }
            String pair = raw.substring(start, end);
            start = end + 1;
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CniException(ErrorCode.INVALID_ENVIRONMENT,
                        "CNI_ARGS: invalid pair \"" + Names.cut(pair) + "\" (expected KEY=VALUE)", Names.cut(raw));
            }
            values.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String ignore = values.get("IgnoreUnknown");
        boolean ignoreUnknown = false;
        if (ignore != null) {
            switch (ignore.toLowerCase(Locale.ROOT)) {
                case "1", "true" -> ignoreUnknown = true;
                case "0", "false" -> ignoreUnknown = false;
                default -> throw new CniException(ErrorCode.INVALID_ENVIRONMENT,
                        "CNI_ARGS: IgnoreUnknown must be 1, true, 0 or false, not \"" + Names.cut(ignore) + "\"",
                        Names.cut(raw));
            }
        }
        return new CniArgs(raw, values, ignoreUnknown);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * Fails with libcni's message {@code ARGS: unknown args ["X=1"]} (code 4) when a key is neither in {@code known}
     * nor in {@link #ALWAYS_KNOWN}, unless IgnoreUnknown is set.
     */
    public void requireKnown(Set<String> known) throws CniException {
        if (ignoreUnknown) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!known.contains(e.getKey()) && !ALWAYS_KNOWN.contains(e.getKey())) {
                unknown.add(Names.cut(e.getKey() + "=" + e.getValue()));
            }
        }
        if (!unknown.isEmpty()) {
            StringBuilder msg = new StringBuilder("ARGS: unknown args [");
            for (int i = 0; i < unknown.size(); i++) {
                msg.append(i == 0 ? "" : " ").append('"').append(unknown.get(i)).append('"');
            }
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, msg.append(']').toString(),
                    "CNI_ARGS: add IgnoreUnknown=1 (for example CNI_ARGS=\"IgnoreUnknown=1;" + Names.cut(raw) + "\") to "
                    + "ignore keys this plugin does not know");
        }
    }
}
