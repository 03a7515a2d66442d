package io.jnet.ipam;

import java.net.InetAddress;

/**
 * One range of host-local's schema with its defaults filled in: addresses {@code rangeStart..rangeEnd} of
 * {@code subnet} are handed out, except the gateway and excluded addresses. The constructor enforces what
 * host-local checks and a little more: the subnet has room for hosts (not a /31, /32, /127 or /128), the range
 * lies inside the subnet's host addresses (never the network address or the IPv4 broadcast address), and the
 * gateway is a host address of the subnet.
 */
public record Range(Subnet subnet, InetAddress rangeStart, InetAddress rangeEnd, InetAddress gateway) {

    public Range {
        if (subnet == null || rangeStart == null || rangeEnd == null || gateway == null) {
            throw new IllegalArgumentException("a range needs a subnet, rangeStart, rangeEnd and gateway");
        }
        Ip start = Ip.of(rangeStart);
        Ip end = Ip.of(rangeEnd);
        Ip gw = Ip.of(gateway);
        Ip network = subnet.first();
        if (subnet.prefixLength() > network.bits() - 2) {
            throw new IllegalArgumentException("subnet " + subnet + " is too small to allocate from");
        }
        Ip firstHost = firstHost(subnet);
        Ip lastHost = lastHost(subnet);
        checkHost("rangeStart", start, subnet, firstHost, lastHost);
        checkHost("rangeEnd", end, subnet, firstHost, lastHost);
        checkHost("gateway", gw, subnet, firstHost, lastHost);
        if (start.compareTo(end) > 0) {
            throw new IllegalArgumentException("rangeStart " + start + " is after rangeEnd " + end);
        }
        rangeStart = start.toInet();
        rangeEnd = end.toInet();
        gateway = gw.toInet();
    }

    /** host-local's defaults: rangeStart = .1, rangeEnd = the last host (IPv4: broadcast - 1), gateway = .1. */
    public static Range of(Subnet subnet) {
        return new Range(subnet, firstHost(subnet).toInet(), lastHost(subnet).toInet(), firstHost(subnet).toInet());
    }

    /** The number of addresses from rangeStart to rangeEnd, Long.MAX_VALUE when it does not fit. */
    public long size() {
        long d = start().distanceTo(end());
        return d == Long.MAX_VALUE ? d : d + 1;
    }

    /** Whether {@code address} is between rangeStart and rangeEnd. */
    public boolean contains(InetAddress address) {
        return contains(Ip.of(address));
    }

    boolean contains(Ip ip) {
        return ip.sameFamily(start()) && ip.compareTo(start()) >= 0 && ip.compareTo(end()) <= 0;
    }

    Ip start() {
        return Ip.of(rangeStart);
    }

    Ip end() {
        return Ip.of(rangeEnd);
    }

    static Ip firstHost(Subnet subnet) {
        return subnet.first().next();
    }

    static Ip lastHost(Subnet subnet) {
        Ip last = subnet.last();
        return subnet.isIpv4() ? last.prev() : last;
    }

    private static void checkHost(String field, Ip ip, Subnet subnet, Ip firstHost, Ip lastHost) {
        if (!ip.sameFamily(firstHost) || ip.compareTo(subnet.first()) < 0 || ip.compareTo(subnet.last()) > 0) {
            throw new IllegalArgumentException(field + " " + ip + " is not in subnet " + subnet);
        }
        if (ip.compareTo(firstHost) < 0) {
            throw new IllegalArgumentException(field + " " + ip + " is the network address of " + subnet);
        }
        if (ip.compareTo(lastHost) > 0) {
            throw new IllegalArgumentException(field + " " + ip + " is the broadcast address of " + subnet);
        }
    }

    @Override
    public String toString() {
        return subnet + " " + Ip.of(rangeStart) + "-" + Ip.of(rangeEnd) + " gw " + Ip.of(gateway);
    }
}
