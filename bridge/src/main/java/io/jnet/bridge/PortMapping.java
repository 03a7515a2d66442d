package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A published port ({@code -p [hostIP:]hostPort:containerPort[/protocol]}), from the {@code portMappings}
 * capability. {@code hostIp} null means every host address of the mapping's family (or both families).
 */
public record PortMapping(String protocol, int hostPort, int containerPort, InetAddress hostIp) {

    public PortMapping {
        if (!protocol.equals("tcp") && !protocol.equals("udp") && !protocol.equals("sctp")) {
            throw new IllegalArgumentException("protocol must be tcp, udp or sctp, not \"" + protocol + "\"");
        }
        checkPort(hostPort, "hostPort");
        checkPort(containerPort, "containerPort");
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " " + port + " is not a port (1-65535)");
        }
    }

    public int protocolNumber() {
        return switch (protocol) {
            case "tcp" -> 6;
            case "udp" -> 17;
            default -> 132;
        };
    }

    /** Whether the mapping applies to that family: a host IP pins it to one. */
    public boolean appliesTo(boolean ipv4) {
        return hostIp == null || (hostIp instanceof Inet4Address) == ipv4;
    }

    @Override
    public String toString() {
        return (hostIp == null ? "" : IpPrefix.formatAddress(hostIp) + ":") + hostPort + "->" + containerPort + "/" + protocol;
    }

    /** The host side as people write it: {@code 8080/tcp}, or {@code 127.0.0.1:8080/tcp} for one host address. */
    public String hostText() {
        return (hostIp == null ? "" : IpPrefix.formatAddress(hostIp) + ":") + hostPort + "/" + protocol;
    }

    /** Parses {@code runtimeConfig.portMappings}; an empty {@code hostIP} means {@code defaultHostIp} (may be null). */
    static List<PortMapping> parseAll(Object value, InetAddress defaultHostIp) throws CniException {
        List<PortMapping> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        List<Object> list = Json.asArray(value, "runtimeConfig.portMappings");
        for (int i = 0; i < list.size(); i++) {
            String where = "runtimeConfig.portMappings[" + i + "]";
            Map<String, Object> m = Json.asObject(list.get(i), where);
            String hostIpText = Json.optString(m, where, "hostIP", "");
            InetAddress hostIp = hostIpText.isEmpty() ? defaultHostIp : IpPrefix.parseAddress(hostIpText, where + ".hostIP");
            if (hostIp != null && hostIp.isAnyLocalAddress()) {
                hostIp = null; // 0.0.0.0 and :: mean every address, as in Docker
            }
            try {
                out.add(new PortMapping(Json.optString(m, where, "protocol", "tcp").toLowerCase(java.util.Locale.ROOT),
                        Json.optInt(m, where, "hostPort", 0), Json.optInt(m, where, "containerPort", 0), hostIp));
            } catch (IllegalArgumentException e) {
                throw new CniException(ErrorCode.INVALID_CONFIG, where + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                if (out.get(i).overlaps(out.get(j))) {
                    throw new CniException(ErrorCode.INVALID_CONFIG, "runtimeConfig.portMappings: " + out.get(i)
                            + " and " + out.get(j) + " publish the same host port");
                }
            }
        }
        return out;
    }

    boolean overlaps(PortMapping other) {
        return protocol.equals(other.protocol) && hostPort == other.hostPort
                && (hostIp == null || other.hostIp == null ? appliesTo(true) && other.appliesTo(true)
                        || appliesTo(false) && other.appliesTo(false) : hostIp.equals(other.hostIp));
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostPort", (long) hostPort);
        m.put("containerPort", (long) containerPort);
        m.put("protocol", protocol);
        if (hostIp != null) {
            m.put("hostIP", IpPrefix.formatAddress(hostIp));
        }
        return m;
    }
}
