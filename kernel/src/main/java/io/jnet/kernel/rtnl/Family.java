package io.jnet.kernel.rtnl;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP address family, with its AF_* number. */
public enum Family {
    INET(Rtnl.AF_INET, 4),
    INET6(Rtnl.AF_INET6, 16);

    private final int af;
    private final int addressLength;

    Family(int af, int addressLength) {
        this.af = af;
        this.addressLength = addressLength;
    }

    public int af() {
        return af;
    }

    /** The number of bits in an address: 32 or 128. */
    public int bits() {
        return addressLength * 8;
    }

    public static Family of(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }

    /** The unspecified address (0.0.0.0 or ::) that a default route's destination is. */
    public InetAddress any() {
        try {
            return InetAddress.getByAddress(new byte[addressLength]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // the length is always 4 or 16
        }
    }

    static Family ofAf(int af) {
        return switch (af) {
            case Rtnl.AF_INET -> INET;
            case Rtnl.AF_INET6 -> INET6;
            default -> throw new IllegalArgumentException("not an IP family: " + af);
        };
    }
}
