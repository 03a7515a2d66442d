package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bridge network, as {@code jnet network create} made it (or the default network {@code bridge}, made on first
 * use): a file {@code <root>/networks/<name>.json}. It becomes the jnet-bridge config that the CLI runs in-process
 * and that {@code jnet network conflist} prints for runtimes, so both attach to the same bridge, firewall chains
 * and IPAM store.
 *
 * @param id      64 lower-case hex digits, random, as Docker's network ids
 * @param bridge  the bridge device ({@code jnet0} for the default network, {@code jnet-<id prefix>} otherwise)
 * @param subnets one per address family, IPv4 first
 * @param mtu     0 for the kernel's default
 * @param options the {@code -o} options as given, for inspect
 */
record NetworkConfig(String name, String id, String bridge, List<SubnetConfig> subnets, boolean internal,
                     boolean icc, int mtu, Map<String, String> options, Instant created) {

    static final String DRIVER = "bridge";

    NetworkConfig {
        if (!Names.isValidName(name)) {
            throw new IllegalArgumentException("invalid network name \"" + name + "\"");
        }
        Objects.requireNonNull(id, "id");
        if (!Names.isValidIfName(bridge)) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        subnets = List.copyOf(subnets);
        if (subnets.isEmpty()) {
            throw new IllegalArgumentException("network " + name + " has no subnet");
        }
        options = Map.copyOf(options);
        Objects.requireNonNull(created, "created");
    }

    /**
     * One address family of a network: the subnet, the gateway (on the bridge) and the part of the subnet that
     * containers get addresses from ({@code ipRange}, null for all of it).
     */
    record SubnetConfig(IpPrefix subnet, InetAddress gateway, IpPrefix ipRange) {
        SubnetConfig {
            Objects.requireNonNull(subnet, "subnet");
            Objects.requireNonNull(gateway, "gateway");
        }

        boolean isIpv4() {
            return subnet.isIpv4();
        }

        /** The range as jnet-ipam reads it (host-local's schema). */
        Map<String, Object> toIpam() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("subnet", subnet.toString());
            r.put("gateway", IpPrefix.formatAddress(gateway));
            if (ipRange != null) {
                BigInteger firstHost = first(subnet).add(BigInteger.ONE);
                BigInteger lastHost = isIpv4() ? last(subnet).subtract(BigInteger.ONE) : last(subnet);
                r.put("rangeStart", IpPrefix.formatAddress(address(first(ipRange).max(firstHost), isIpv4())));
                r.put("rangeEnd", IpPrefix.formatAddress(address(last(ipRange).min(lastHost), isIpv4())));
            }
            return r;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subnet", subnet.toString());
            m.put("gateway", IpPrefix.formatAddress(gateway));
            if (ipRange != null) {
                m.put("ipRange", ipRange.toString());
            }
            return m;
        }

        static SubnetConfig fromJson(Map<String, Object> m, String where) throws CniException {
            String range = Json.optString(m, where, "ipRange", "");
            return new SubnetConfig(IpPrefix.parse(Json.requireString(m, where, "subnet"), where + ".subnet"),
                    IpPrefix.parseAddress(Json.requireString(m, where, "gateway"), where + ".gateway"),
                    range.isEmpty() ? null : IpPrefix.parse(range, where + ".ipRange"));
        }
    }

    /** An overlay network's host part, as {@link Networks#find} builds it from the daemon's local record. */
    boolean isOverlay() {
        return "overlay".equals(options.get(OVERLAY_OPTION));
    }

    static final String OVERLAY_OPTION = "driver";

    boolean ipv6() {
        return subnets.stream().anyMatch(s -> !s.isIpv4());
    }

    String shortId() {
        return id.substring(0, 12);
    }

    /**
     * The jnet-bridge plugin config of this network (without cniVersion, name and type), with its state under
     * {@code root}: the same for the CLI and for a runtime using the conflist.
     */
    Map<String, Object> pluginFields(Path root) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bridge", bridge);
        m.put("isGateway", true);
        m.put("isDefaultGateway", true);
        m.put("ipMasq", !internal && !"false".equals(options.get("ip-masquerade")));
        m.put("hairpinMode", true);
        if (mtu > 0) {
            m.put("mtu", (long) mtu);
        }
        m.put("icc", icc);
        m.put("internal", internal);
        if (options.containsKey("host-binding-ip")) {
            m.put("hostBindingIp", options.get("host-binding-ip"));
        }
        m.put("dataDir", root.toAbsolutePath().toString());
        if (isOverlay()) {
            // jnet-bridge takes this host's part (subnet, bridge, MTU) from the daemon's local record at each call
            m.put("overlay", true);
        }
        List<Object> ranges = new ArrayList<>();
        for (SubnetConfig s : subnets) {
            ranges.add(List.of(s.toIpam()));
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("type", "jnet-ipam");
        ipam.put("ranges", ranges);
        m.put("ipam", ipam);
        return m;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("id", id);
        m.put("driver", isOverlay() ? "overlay" : DRIVER);
        // who made it, and so who removes it: jnet, or Docker through the daemon's driver (kept in the options)
        m.put("owner", options.getOrDefault(DockerNetworks.OWNER, "jnet"));
        m.put("bridge", bridge);
        m.put("created", created.toString());
        List<Object> list = new ArrayList<>();
        for (SubnetConfig s : subnets) {
            list.add(s.toJson());
        }
        m.put("subnets", list);
        m.put("ipv6", ipv6());
        m.put("internal", internal);
        m.put("icc", icc);
        m.put("mtu", (long) mtu);
        m.put("options", new LinkedHashMap<>(options));
        return m;
    }

    /** Reads what {@link #toJson} wrote; code 7 naming the field when it is not that. */
    static NetworkConfig fromJson(Map<String, Object> m, String where) throws CniException {
        List<SubnetConfig> subnets = new ArrayList<>();
        List<Object> list = Json.optArray(m, where, "subnets");
        for (int i = 0; i < list.size(); i++) {
            String at = where + ".subnets[" + i + "]";
            subnets.add(SubnetConfig.fromJson(Json.asObject(list.get(i), at), at));
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.optObject(m, where, "options").entrySet()) {
            options.put(e.getKey(), Json.asString(e.getValue(), where + ".options." + e.getKey()));
        }
        String createdText = Json.requireString(m, where, "created");
        try {
            return new NetworkConfig(Json.requireString(m, where, "name"), Json.requireString(m, where, "id"),
                    Json.requireString(m, where, "bridge"), subnets, Json.optBoolean(m, where, "internal", false),
                    Json.optBoolean(m, where, "icc", true), Json.optInt(m, where, "mtu", 0), options,
                    Instant.parse(createdText));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, where + ": " + e.getMessage());
        }
    }

    // ---- address arithmetic

    static BigInteger first(IpPrefix prefix) {
        return new BigInteger(1, prefix.network().address().getAddress());
    }

    static BigInteger last(IpPrefix prefix) {
        int bits = prefix.isIpv4() ? 32 : 128;
        return first(prefix).or(BigInteger.ONE.shiftLeft(bits - prefix.prefixLength()).subtract(BigInteger.ONE));
    }

    static InetAddress address(BigInteger value, boolean ipv4) {
        int length = ipv4 ? 4 : 16;
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte array is always an address", e);
        }
    }

    /** Whether two prefixes share an address (never across families). */
    static boolean overlaps(IpPrefix a, IpPrefix b) {
        return a.isIpv4() == b.isIpv4() && first(a).compareTo(last(b)) <= 0 && first(b).compareTo(last(a)) <= 0;
    }
}
