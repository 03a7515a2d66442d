package io.jnet.ipam;

import java.net.InetAddress;

/** A network prefix whose host bits are zero: {@code 10.0.0.0/24}, {@code fd00::/64}. */
public record Subnet(InetAddress network, int prefixLength) {

    public Subnet {
        if (network == null) {
            throw new IllegalArgumentException("subnet address is null");
        }
        Ip ip = Ip.of(network);
        network = ip.toInet();      // an IPv4-mapped IPv6 address becomes the IPv4 address
        if (prefixLength < 0 || prefixLength > ip.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + ip.bits());
        }
        if (!ip.mask(prefixLength).equals(ip)) {
            throw new IllegalArgumentException(ip + "/" + prefixLength + " has host bits set; the network is "
                    + ip.mask(prefixLength) + "/" + prefixLength);
        }
    }

    /** Parses {@code "address/prefix"}, rejecting host bits. */
    public static Subnet parse(String cidr) {
        return parse(cidr, false);
    }

    /** Parses {@code "address/prefix"}; with {@code maskHostBits} clears them, as Go's net.ParseCIDR does. */
    static Subnet parse(String cidr, boolean maskHostBits) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR \"" + cidr + "\" (expected address/prefix)");
        }
        Ip ip = Ip.parse(cidr.substring(0, slash));
        int prefix = prefixLength(cidr, slash + 1, ip.bits());
        return new Subnet((maskHostBits ? ip.mask(prefix) : ip).toInet(), prefix);
    }

    /** The decimal prefix length in cidr[from..], at most {@code max}. */
    static int prefixLength(String cidr, int from, int max) {
        String digits = cidr.substring(from);
        if (digits.isEmpty() || digits.length() > 3 || (digits.length() > 1 && digits.charAt(0) == '0')
                || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(digits) > max) {
            throw new IllegalArgumentException("invalid CIDR \"" + cidr + "\" (bad prefix length)");
        }
        return Integer.parseInt(digits);
    }

    public boolean isIpv4() {
        return network.getAddress().length == 4;
    }

    /** Whether {@code address} lies in this subnet (false for the other family). */
    public boolean contains(InetAddress address) {
        Ip ip = Ip.of(address);
        Ip net = Ip.of(network);
        return ip.sameFamily(net) && ip.mask(prefixLength).equals(net);
    }

    Ip first() {
        return Ip.of(network);
    }

    Ip last() {
        return Ip.of(network).last(prefixLength);
    }

    @Override
    public String toString() {
        return Ip.of(network) + "/" + prefixLength;
    }
}
