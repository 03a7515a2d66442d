package io.jnet.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code ipam} section of a network config, in host-local's schema plus {@code exclude}. Every range set
 * yields one address per attachment; no two ranges overlap; every range has at least one address to hand out
 * after the gateway and the exclusions. The constructor checks all of that; {@link #parse(Map)} reads the JSON
 * tree and reports any problem as {@link IpamException.Reason#INVALID_CONFIG} naming the field.
 *
 * @param dataDir the store's root when the config names one ({@code dataDir})
 */
public record IpamConfig(List<RangeSet> rangeSets, List<StaticRoute> routes, DnsSettings dns, List<Subnet> exclude,
                         Optional<Path> dataDir) {

    public IpamConfig {
        rangeSets = List.copyOf(rangeSets);
        routes = List.copyOf(routes);
        exclude = List.copyOf(exclude);
        if (dns == null || dataDir == null) {
            throw new IllegalArgumentException("dns and dataDir must not be null (use EMPTY and Optional.empty())");
        }
        if (rangeSets.isEmpty()) {
            throw new IllegalArgumentException("no IP ranges specified");
        }
        List<Range> all = new ArrayList<>();
        for (int s = 0; s < rangeSets.size(); s++) {
            RangeSet set = rangeSets.get(s);
            for (Range r : set.ranges()) {
                if (r.subnet().isIpv4() != set.isIpv4()) {
                    throw new IllegalArgumentException("range set " + s + " mixes IPv4 and IPv6: " + set);
                }
                for (Range other : all) {
                    if (r.start().sameFamily(other.start()) && r.start().compareTo(other.end()) <= 0
                            && other.start().compareTo(r.end()) <= 0) {
                        throw new IllegalArgumentException("range " + r + " overlaps range " + other);
                    }
                }
                all.add(r);
            }
        }
        Exclusions excluded = Exclusions.of(exclude);
        for (Range r : all) {
            if (!hasRoom(r, excluded)) {
                throw new IllegalArgumentException("range " + r
                        + " has no address to hand out besides its gateway and excluded addresses");
            }
        }
    }

    /** One range set of one subnet with host-local's defaults, as {@code jnet network create} makes them. */
    public static IpamConfig of(Subnet... subnets) {
        List<RangeSet> sets = new ArrayList<>();
        for (Subnet s : subnets) {
            sets.add(new RangeSet(List.of(Range.of(s))));
        }
        return new IpamConfig(sets, List.of(), DnsSettings.EMPTY, List.of(), Optional.empty());
    }

    /**
     * Reads an {@code ipam} object as a JSON tree (Map, List, String, Long, ... as cni's Json returns them): the
     * legacy top-level {@code subnet}/{@code rangeStart}/{@code rangeEnd}/{@code gateway} become the first range
     * set, as in host-local; {@code resolvConf} is read now. A JSON null counts as absent.
     */
    public static IpamConfig parse(Map<String, Object> ipam) throws IpamException {
        try {
            List<RangeSet> sets = new ArrayList<>();
            if (ipam.get("subnet") != null) {
                sets.add(new RangeSet(List.of(range(ipam, "ipam"))));
            }
            List<Object> ranges = array(ipam, "ipam", "ranges");
            for (int s = 0; s < ranges.size(); s++) {
                String setPath = "ipam.ranges[" + s + "]";
                List<Object> set = asArray(ranges.get(s), setPath);
                if (set.isEmpty()) {
                    throw new IllegalArgumentException(setPath + " is an empty range set");
                }
                List<Range> members = new ArrayList<>();
                for (int r = 0; r < set.size(); r++) {
                    String path = setPath + "[" + r + "]";
                    members.add(range(asObject(set.get(r), path), path));
                }
                sets.add(new RangeSet(members));
            }
            List<StaticRoute> routes = new ArrayList<>();
            List<Object> routeList = array(ipam, "ipam", "routes");
            for (int i = 0; i < routeList.size(); i++) {
                String path = "ipam.routes[" + i + "]";
                Map<String, Object> route = asObject(routeList.get(i), path);
                String dst = string(route, path, "dst");
                if (dst == null) {
                    throw new IllegalArgumentException(path + ".dst is missing");
                }
                String gw = string(route, path, "gw");
                routes.add(new StaticRoute(field(path + ".dst", () -> Subnet.parse(dst, true)),
                        gw == null ? Optional.empty() : Optional.of(address(gw, path + ".gw"))));
            }
            List<Subnet> exclude = new ArrayList<>();
            List<Object> excludeList = array(ipam, "ipam", "exclude");
            for (int i = 0; i < excludeList.size(); i++) {
                String path = "ipam.exclude[" + i + "]";
                String text = asString(excludeList.get(i), path);
                exclude.add(field(path, () -> text.indexOf('/') >= 0 ? Subnet.parse(text) : host(Ip.parse(text))));
            }
            String resolvConf = string(ipam, "ipam", "resolvConf");
            DnsSettings dns = resolvConf == null || resolvConf.isEmpty()
                    ? DnsSettings.EMPTY : field("ipam.resolvConf", () -> ResolvConf.read(Path.of(resolvConf)));
            String dataDir = string(ipam, "ipam", "dataDir");
            Optional<Path> dir = dataDir == null || dataDir.isEmpty()
                    ? Optional.empty() : Optional.of(field("ipam.dataDir", () -> Path.of(dataDir)));
            return new IpamConfig(sets, routes, dns, exclude, dir);
        } catch (IllegalArgumentException e) {
            throw new IpamException(IpamException.Reason.INVALID_CONFIG, e.getMessage(), e);
        }
    }

    /** Parses requested addresses: {@code "10.0.0.5"} or, as host-local accepts, {@code "10.0.0.5/24"}. */
    public static InetAddress requestedAddress(String text, String where) throws IpamException {
        try {
            int slash = text.indexOf('/');
            Ip ip = Ip.parse(slash < 0 ? text : text.substring(0, slash));
            if (slash >= 0) {
                Subnet.prefixLength(text, slash + 1, ip.bits());
            }
            return ip.toInet();
        } catch (IllegalArgumentException e) {
            throw new IpamException(IpamException.Reason.INVALID_CONFIG, where + ": " + e.getMessage(), e);
        }
    }

    static Subnet host(Ip ip) {
        return new Subnet(ip.toInet(), ip.bits());
    }

    private static boolean hasRoom(Range r, Exclusions excluded) {
        Ip start = r.start();
        Ip end = r.end();
        Ip gw = Ip.of(r.gateway());
        // walk the gaps between excluded intervals until one holds an address that is not the gateway
        Ip cursor = start;
        for (Exclusions.Interval i : excluded.within(start, end)) {
            if (cursor.compareTo(i.first()) < 0 && gapHasNonGateway(cursor, i.first().prev(), gw)) {
                return true;
            }
            if (i.last().compareTo(end) >= 0) {
                return false;
            }
            cursor = i.last().next();
        }
        return gapHasNonGateway(cursor, end, gw);
    }

    private static boolean gapHasNonGateway(Ip from, Ip to, Ip gw) {
        return !(from.equals(to) && from.equals(gw));
    }

    private static Range range(Map<String, Object> obj, String path) {
        String subnetText = string(obj, path, "subnet");
        if (subnetText == null || subnetText.isEmpty()) {
            throw new IllegalArgumentException(path + ".subnet is missing");
        }
        Subnet subnet = field(path + ".subnet", () -> Subnet.parse(subnetText));
        Range defaults = field(path, () -> Range.of(subnet));
        InetAddress start = optionalAddress(obj, path, "rangeStart", defaults.rangeStart());
        InetAddress end = optionalAddress(obj, path, "rangeEnd", defaults.rangeEnd());
        InetAddress gateway = optionalAddress(obj, path, "gateway", defaults.gateway());
        return field(path, () -> new Range(subnet, start, end, gateway));
    }

    private static InetAddress optionalAddress(Map<String, Object> obj, String path, String key, InetAddress fallback) {
        String text = string(obj, path, key);
        return text == null || text.isEmpty() ? fallback : address(text, path + "." + key);
    }

    private static InetAddress address(String text, String path) {
        return field(path, () -> Ip.parse(text).toInet());
    }

    /** Runs a parse step and prefixes its failure with the field's path. */
    private static <T> T field(String path, ParseStep<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {   // InvalidPathException too
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private interface ParseStep<T> {
        T get();
    }

    private static String string(Map<String, Object> obj, String where, String key) {
        Object v = obj.get(key);
        return v == null ? null : asString(v, where + "." + key);
    }

    private static List<Object> array(Map<String, Object> obj, String where, String key) {
        Object v = obj.get(key);
        return v == null ? List.of() : asArray(v, where + "." + key);
    }

    private static String asString(Object v, String path) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(path + " must be a string, not " + kind(v));
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asArray(Object v, String path) {
        if (!(v instanceof List<?>)) {
            throw new IllegalArgumentException(path + " must be an array, not " + kind(v));
        }
        return (List<Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object v, String path) {
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(path + " must be an object, not " + kind(v));
        }
        return (Map<String, Object>) v;
    }

    private static String kind(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Number || v instanceof BigInteger) {
            return "a number";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        return v instanceof Map<?, ?> ? "an object" : "null";
    }
}
