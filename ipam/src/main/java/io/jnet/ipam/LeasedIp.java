package io.jnet.ipam;

import java.net.InetAddress;

/** One leased address with its subnet's prefix length and the range's gateway: {@code 10.0.0.5/24 gw 10.0.0.1}. */
public record LeasedIp(InetAddress address, int prefixLength, InetAddress gateway) {

    public LeasedIp {
        if (address == null || gateway == null) {
            throw new IllegalArgumentException("a leased address needs an address and a gateway");
        }
        Ip ip = Ip.of(address);
        Ip gw = Ip.of(gateway);
        if (!ip.sameFamily(gw)) {
            throw new IllegalArgumentException("gateway " + gw + " is not in the family of " + ip);
        }
        if (prefixLength < 0 || prefixLength > ip.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + ip);
        }
        address = ip.toInet();
        gateway = gw.toInet();
    }

    /** {@code "10.0.0.5/24"}. */
    public String cidr() {
        return Ip.of(address) + "/" + prefixLength;
    }

    @Override
    public String toString() {
        return cidr() + " gw " + Ip.of(gateway);
    }
}
