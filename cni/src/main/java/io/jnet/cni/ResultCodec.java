package io.jnet.cni;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a {@link Result} to and from the JSON of each supported version. Fields are omitted exactly where
 * libcni's Go types omit them (omitempty), with keys in the Go struct order:
 * <ul>
 *   <li>0.3.0, 0.3.1, 0.4.0: {@code ips[].version} "4"/"6" is added, and {@code dns} is always present (the Go
 *       0.4.0 type has no custom marshaller, so an empty DNS is written as {@code {}});</li>
 *   <li>1.0.0: no {@code version}; {@code dns} is omitted when empty;</li>
 *   <li>interface mtu/socketPath/pciID and route mtu/advmss/priority/table/scope are written for 1.1.0 only.</li>
 * </ul>
 * Decoding accepts every field of every version and ignores {@code ips[].version} (the address says it).
 */
public final class ResultCodec {

    private ResultCodec() {
    }

    /** The result as compact JSON text for {@code version}. */
    public static String encode(Result result, CniVersion version) {
        return Json.write(toJson(result, version));
    }

    /** The result as a JSON object for {@code version}, e.g. to embed as another plugin's prevResult. */
    public static Map<String, Object> toJson(Result result, CniVersion version) {
        boolean v1 = version.atLeast(CniVersion.V1_0_0);
        boolean v11 = version.atLeast(CniVersion.V1_1_0);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", version.text());
        if (!result.interfaces().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (Interface i : result.interfaces()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", i.name());
                putIfNotEmpty(m, "mac", i.mac());
                if (v11) {
                    putIfPositive(m, "mtu", i.mtu());
                }
                putIfNotEmpty(m, "sandbox", i.sandbox());
                if (v11) {
                    putIfNotEmpty(m, "socketPath", i.socketPath());
                    putIfNotEmpty(m, "pciID", i.pciId());
                }
                list.add(m);
            }
            out.put("interfaces", list);
        }
        if (!result.ips().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (IpConfig ip : result.ips()) {
                Map<String, Object> m = new LinkedHashMap<>();
                if (!v1) {
                    m.put("version", ip.address().isIpv4() ? "4" : "6");
                }
                if (ip.interfaceIndex() >= 0) {
                    m.put("interface", ip.interfaceIndex());
                }
                m.put("address", ip.address().toString());
                if (ip.gateway() != null) {
                    m.put("gateway", IpPrefix.formatAddress(ip.gateway()));
                }
                list.add(m);
            }
            out.put("ips", list);
        }
        if (!result.routes().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (RouteConfig r : result.routes()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dst", r.dst().toString());
                if (r.gw() != null) {
                    m.put("gw", IpPrefix.formatAddress(r.gw()));
                }
                if (v11) {
                    putIfPositive(m, "mtu", r.mtu());
                    putIfPositive(m, "advmss", r.advmss());
                    putIfPositive(m, "priority", r.priority());
                    putIfPositive(m, "table", r.table());
                    putIfPositive(m, "scope", r.scope());
                }
                list.add(m);
            }
            out.put("routes", list);
        }
        Dns dns = result.dns();
        if (!v1 || !dns.isEmpty()) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (!dns.nameservers().isEmpty()) {
                m.put("nameservers", dns.nameservers());
            }
            putIfNotEmpty(m, "domain", dns.domain());
            if (!dns.search().isEmpty()) {
                m.put("search", dns.search());
            }
            if (!dns.options().isEmpty()) {
                m.put("options", dns.options());
            }
            out.put("dns", m);
        }
        return out;
    }

    /**
     * Reads a result of any supported version (a prevResult, or a delegate's output). Malformed fields are
     * code 7 naming their path under {@code where}, e.g. {@code "prevResult.ips[0].address"}.
     */
    public static Result decode(Map<String, Object> json, String where) throws CniException {
        List<Interface> interfaces = new ArrayList<>();
        List<Object> rawInterfaces = Json.optArray(json, where, "interfaces");
        for (int i = 0; i < rawInterfaces.size(); i++) {
            String at = Json.path(where, "interfaces") + "[" + i + "]";
            Map<String, Object> m = Json.asObject(rawInterfaces.get(i), at);
            interfaces.add(new Interface(Json.optString(m, at, "name", ""), Json.optString(m, at, "mac", ""),
                    optUnsigned(m, at, "mtu"),
                    Json.optString(m, at, "sandbox", ""), Json.optString(m, at, "socketPath", ""),
                    Json.optString(m, at, "pciID", "")));
        }

        List<IpConfig> ips = new ArrayList<>();
        List<Object> rawIps = Json.optArray(json, where, "ips");
        for (int i = 0; i < rawIps.size(); i++) {
            String at = Json.path(where, "ips") + "[" + i + "]";
            Map<String, Object> m = Json.asObject(rawIps.get(i), at);
            IpPrefix address = IpPrefix.parse(Json.requireString(m, at, "address"), Json.path(at, "address"));
            InetAddress gateway = optAddress(m, at, "gateway");
            if (gateway != null && gateway.getAddress().length != address.address().getAddress().length) {
                throw new CniException(ErrorCode.INVALID_CONFIG,
                        at + ".gateway is not in the address family of " + address);
            }
            int index = m.get("interface") == null ? -1 : optUnsigned(m, at, "interface");
            if (index >= 0 && !interfaces.isEmpty() && index >= interfaces.size()) {
                throw new CniException(ErrorCode.INVALID_CONFIG, at + ".interface " + index
                        + " is not an index into interfaces (" + interfaces.size() + " entries)");
            }
            ips.add(new IpConfig(address, gateway, index));
        }

        List<RouteConfig> routes = new ArrayList<>();
        List<Object> rawRoutes = Json.optArray(json, where, "routes");
        for (int i = 0; i < rawRoutes.size(); i++) {
            String at = Json.path(where, "routes") + "[" + i + "]";
            Map<String, Object> m = Json.asObject(rawRoutes.get(i), at);
            IpPrefix dst = IpPrefix.parse(Json.requireString(m, at, "dst"), Json.path(at, "dst"));
            InetAddress gw = optAddress(m, at, "gw");
            routes.add(new RouteConfig(dst, gw, optUnsigned(m, at, "mtu"), optUnsigned(m, at, "advmss"),
                    optUnsigned(m, at, "priority"), optUnsigned(m, at, "table"), optUnsigned(m, at, "scope")));
        }

        Map<String, Object> d = Json.optObject(json, where, "dns");
        String dnsAt = Json.path(where, "dns");
        Dns dns = new Dns(Json.optStringList(d, dnsAt, "nameservers"), Json.optString(d, dnsAt, "domain", ""),
                Json.optStringList(d, dnsAt, "search"), Json.optStringList(d, dnsAt, "options"));
        return new Result(interfaces, ips, routes, dns);
    }

    private static InetAddress optAddress(Map<String, Object> m, String where, String key) throws CniException {
        String text = Json.optString(m, where, key, "");
        return text.isEmpty() ? null : IpPrefix.parseAddress(text, Json.path(where, key));
    }

    /** The spec's uint fields: absent is 0, negative is an error. */
    private static int optUnsigned(Map<String, Object> m, String where, String key) throws CniException {
        int v = Json.optInt(m, where, key, 0);
        if (v < 0) {
            throw new CniException(ErrorCode.INVALID_CONFIG, Json.path(where, key) + " must not be negative");
        }
        return v;
    }

    private static void putIfNotEmpty(Map<String, Object> m, String key, String value) {
        if (!value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static void putIfPositive(Map<String, Object> m, String key, int value) {
        if (value > 0) {
            m.put(key, value);
        }
    }
}
