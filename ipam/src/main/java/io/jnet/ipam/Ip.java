package io.jnet.ipam;

import io.jnet.cni.IpPrefix;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as an unsigned 32- or 128-bit number, for range arithmetic. IPv4 lives in the low 32
 * bits of {@code lo}. Parsing is literal-only (never DNS); {@link #toString()} is the canonical text, which is
 * also the name of the address's lease file.
 */
record Ip(boolean v6, long hi, long lo) implements Comparable<Ip> {

    Ip {
        if (!v6 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("not a 32-bit value: " + Long.toHexString(lo));
        }
    }

    static Ip v4(long value) {
        return new Ip(false, 0, value);
    }

    static Ip of(InetAddress address) {
        return ofBytes(address.getAddress());
    }

    static Ip ofBytes(byte[] b) {
        if (b.length == 4) {
            return v4(((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
        }
        if (b.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + b.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xffL);
            lo = (lo << 8) | (b[i + 8] & 0xffL);
        }
        // an IPv4-mapped IPv6 address is the IPv4 address, as Java and Go's To4 treat it
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return v4(lo & 0xffffffffL);
        }
        return new Ip(true, hi, lo);
    }

    /** Parses a dotted quad (no leading zeros) or an IPv6 literal (with "::" and a dotted-quad tail, no zone). */
    static Ip parse(String text) {
        try {
            return ofBytes(IpPrefix.parseAddress(text).getAddress());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid IP address \"" + text + "\"", e);
        }
    }

    int bits() {
        return v6 ? 128 : 32;
    }

    byte[] toBytes() {
        if (!v6) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    InetAddress toInet() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    /** This address plus {@code n >= 0}, wrapping within the family (callers stay inside a subnet). */
    Ip plus(long n) {
        if (!v6) {
            return v4((lo + n) & 0xffffffffL);
        }
        long newLo = lo + n;
        long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
        return new Ip(true, hi + carry, newLo);
    }

    Ip next() {
        return plus(1);
    }

    Ip prev() {
        if (!v6) {
            return v4((lo - 1) & 0xffffffffL);
        }
        return new Ip(true, lo == 0 ? hi - 1 : hi, lo - 1);
    }

    /** {@code other - this} when {@code other >= this}; Long.MAX_VALUE when it does not fit in 63 bits. */
    long distanceTo(Ip other) {
        long dLo = other.lo - lo;
        long dHi = other.hi - hi - (Long.compareUnsigned(other.lo, lo) < 0 ? 1 : 0);
        return dHi != 0 || dLo < 0 ? Long.MAX_VALUE : dLo;
    }

    /** The address with the host bits of a /{@code prefix} cleared. */
    Ip mask(int prefix) {
        return withHostBits(prefix, false);
    }

    /** The address with the host bits of a /{@code prefix} set: the last address of the prefix. */
    Ip last(int prefix) {
        return withHostBits(prefix, true);
    }

    private Ip withHostBits(int prefix, boolean set) {
        if (!v6) {
            long host = prefix == 0 ? 0xffffffffL : (1L << (32 - prefix)) - 1;
            return v4(set ? lo | host : lo & ~host);
        }
        long hostHi = prefix >= 64 ? 0 : prefix == 0 ? -1L : -1L >>> prefix;
        long hostLo = prefix <= 64 ? -1L : prefix == 128 ? 0 : -1L >>> (prefix - 64);
        return set ? new Ip(true, hi | hostHi, lo | hostLo) : new Ip(true, hi & ~hostHi, lo & ~hostLo);
    }

    boolean sameFamily(Ip other) {
        return v6 == other.v6;
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof Ip ip && v6 == ip.v6 && hi == ip.hi && lo == ip.lo;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(v6) * 31 * 31 + Long.hashCode(hi) * 31 + Long.hashCode(lo);
    }

    @Override
    public int compareTo(Ip o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** Dotted quad, or RFC 5952 IPv6 (lower case, the longest run of two or more zero groups as "::"). */
    @Override
    public String toString() {
        if (!v6) {
            return (lo >>> 24) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        return IpPrefix.formatAddress(toInet());
    }
}
