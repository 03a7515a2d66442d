package io.jnet.cli;

import io.jnet.cni.IpPrefix;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A published port as {@code -p} gives it: {@code [ip:]hostPort[-end]:containerPort[-end][/tcp|udp]}, with an
 * IPv6 host address in brackets ({@code [::1]:8080:80}). A host range with a single container port forwards every
 * port of the range to that port; two ranges must be equally long and map one to one.
 *
 * @param hostIp the host address to publish on, "" for every address
 */
public record PublishSpec(String hostIp, int hostPort, int hostPortEnd, int containerPort, int containerPortEnd,
                          String protocol) {

    public PublishSpec {
        if (hostIp == null || protocol == null) {
            throw new IllegalArgumentException("port mapping: null host address or protocol");
        }
        if (!hostIp.isEmpty()) {
            hostIp = IpPrefix.formatAddress(IpPrefix.parseAddress(hostIp));
        }
        checkPort(hostPort);
        checkPort(hostPortEnd);
        checkPort(containerPort);
        checkPort(containerPortEnd);
        if (hostPortEnd < hostPort || containerPortEnd < containerPort) {
            throw new IllegalArgumentException("port range ends before it starts");
        }
        int containerSpan = containerPortEnd - containerPort;
        if (containerSpan != 0 && containerSpan != hostPortEnd - hostPort) {
            throw new IllegalArgumentException("host ports " + range(hostPort, hostPortEnd) + " and container ports "
                    + range(containerPort, containerPortEnd) + " are ranges of different lengths");
        }
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("protocol must be tcp or udp, not \"" + protocol + "\"");
        }
    }

    /** Parses a {@code -p} value; IllegalArgumentException says what is wrong with it. */
    public static PublishSpec parse(String spec) {
        try {
            return parse0(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid port mapping \"" + spec + "\": " + e.getMessage()
                    + " (expected [ip:]hostPort[-end]:containerPort[/tcp|udp])");
        }
    }

    private static PublishSpec parse0(String spec) {
        String rest = spec;
        String protocol = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            protocol = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("a host port is required");
        }
        int[] container = ports(rest.substring(colon + 1), "container port");
        String host = rest.substring(0, colon);
        String ip = "";
        if (host.startsWith("[")) {
            int close = host.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("a bracketed IPv6 address must be followed by :hostPort");
            }
            ip = host.substring(1, close);
            if (!(IpPrefix.parseAddress(ip) instanceof Inet6Address)) {
                throw new IllegalArgumentException("only IPv6 addresses go in brackets");
            }
            host = host.substring(close + 2);
        } else if (host.indexOf(':') >= 0) {
            int last = host.lastIndexOf(':');
            ip = host.substring(0, last);
            if (ip.indexOf(':') >= 0) {
                throw new IllegalArgumentException("write an IPv6 host address in brackets, e.g. [::1]:8080:80");
            }
            host = host.substring(last + 1);
        }
        int[] hostPorts = ports(host, "host port");
        if (!ip.isEmpty()) {
            IpPrefix.parseAddress(ip);
        }
        return new PublishSpec(ip, hostPorts[0], hostPorts[1], container[0], container[1], protocol);
    }

    private static int[] ports(String text, String what) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a " + what + " is required");
        }
        int dash = text.indexOf('-');
        int first = number(dash < 0 ? text : text.substring(0, dash), what);
        int last = dash < 0 ? first : number(text.substring(dash + 1), what);
        return new int[] {first, last};
    }

    private static int number(String text, String what) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not a number");
        }
        int port = Integer.parseInt(text);
        checkPort(port);
        return port;
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
    }

    /** The CNI {@code portMappings} capability entries: one per host port, as the capability has no ranges. */
    public List<Map<String, Object>> toCni() {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (int port = hostPort; port <= hostPortEnd; port++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("hostPort", (long) port);
            e.put("containerPort", (long) (containerPortEnd == containerPort ? containerPort
                    : containerPort + (port - hostPort)));
            e.put("protocol", protocol);
            if (!hostIp.isEmpty()) {
                e.put("hostIP", hostIp);
            }
            entries.add(e);
        }
        return entries;
    }

    /** The container side as {@code docker port} writes it: {@code 80/tcp} or {@code 80-90/udp}. */
    public String containerSide() {
        return range(containerPort, containerPortEnd) + "/" + protocol;
    }

    /** The host side as {@code docker port} writes it: {@code 0.0.0.0:8080}, {@code [::1]:8080-8090}. */
    public String hostSide() {
        String ip = hostIp.isEmpty() ? "0.0.0.0" : hostIp;
        boolean v6 = ip.indexOf(':') >= 0;
        return (v6 ? "[" + ip + "]" : ip) + ":" + range(hostPort, hostPortEnd);
    }

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    /** The {@code -p} form, which {@link #parse} reads back. */
    @Override
    public String toString() {
        String ip = hostIp.isEmpty() ? "" : hostIp.indexOf(':') >= 0 ? "[" + hostIp + "]:" : hostIp + ":";
        return ip + range(hostPort, hostPortEnd) + ":" + range(containerPort, containerPortEnd) + "/" + protocol;
    }
}
