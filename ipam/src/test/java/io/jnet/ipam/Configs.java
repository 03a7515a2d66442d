package io.jnet.ipam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds ipam config trees as cni's Json returns them: maps, lists and strings. */
final class Configs {

    private Configs() {
    }

    /** {"ranges": [[{"subnet": s}], ...]}: one range set per subnet, host-local's defaults. */
    static Map<String, Object> subnets(String... subnets) {
        List<Object> sets = new ArrayList<>();
        for (String s : subnets) {
            sets.add(List.of(Map.of("subnet", s)));
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "jnet-ipam");
        ipam.put("ranges", sets);
        return ipam;
    }

    static IpamConfig config(String... subnets) throws IpamException {
        return IpamConfig.parse(subnets(subnets));
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    static Map<String, Object> range(String... keyValues) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            r.put(keyValues[i], keyValues[i + 1]);
        }
        return r;
    }
}
