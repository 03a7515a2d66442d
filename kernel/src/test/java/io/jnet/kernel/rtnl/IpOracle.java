package io.jnet.kernel.rtnl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** iproute2's JSON output, the independent oracle for what our decoder reports. */
final class IpOracle {
    private static final JsonFactory JSON = new JsonFactory();

    private IpOracle() {
    }

    /** {@code ip -n ns -j <args>} as a list of objects. */
    static List<Map<String, Object>> ip(Sandbox.Ns ns, String... args) {
        return json("ip", ns, args);
    }

    /** {@code bridge -n ns -j <args>} as a list of objects (the FDB's oracle). */
    static List<Map<String, Object>> bridge(Sandbox.Ns ns, String... args) {
        return json("bridge", ns, args);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> json(String tool, Sandbox.Ns ns, String... args) {
        String[] command = new String[args.length + 4];
        command[0] = tool;
        command[1] = "-n";
        command[2] = ns.name();
        command[3] = "-j";
        System.arraycopy(args, 0, command, 4, args.length);
        String out = Sandbox.run(command).ok().stdout();
        return out.isBlank() ? List.of() : (List<Map<String, Object>>) parse(out);
    }

    /** {@code ip -j -d link show dev <name>} for one link. */
    static Map<String, Object> link(Sandbox.Ns ns, String name) {
        List<Map<String, Object>> links = ip(ns, "-d", "link", "show", "dev", name);
        if (links.size() != 1) {
            throw new AssertionError("ip link show " + name + " in " + ns.name() + ": " + links);
        }
        return links.get(0);
    }

    /** A nested member by path, e.g. {@code get(link, "linkinfo", "info_slave_data", "hairpin")}; null when absent. */
    @SuppressWarnings("unchecked")
    static Object get(Map<String, Object> object, String... path) {
        Object current = object;
        for (String key : path) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<String, Object>) current).get(key);
        }
        return current;
    }

    static Object parse(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return value(p);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> {
                return null;
            }
        }
    }
}
