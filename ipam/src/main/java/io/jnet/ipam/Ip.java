package io.jnet.ipam;

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
        byte[] bytes = text == null ? null : text.indexOf(':') >= 0 ? parse6(text) : parse4(text, 0, text.length());
        if (bytes == null) {
            throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
        }
        return ofBytes(bytes);
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
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    // ---- parsing ------------------------------------------------------------------------------------------------

    private static int decimal(String text, int from, int to) {
        int len = to - from;
        if (len < 1 || len > 3 || (len > 1 && text.charAt(from) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static byte[] parse4(String text, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || text.charAt(i) == '.') {
                int v = part == 4 ? -1 : decimal(text, start, i);
                if (v < 0 || v > 255) {
                    return null;
                }
                out[part++] = (byte) v;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static byte[] parse6(String text) {
        byte[] out = new byte[16];
        int n = 0;
        int ellipsis = -1;
        int i = 0;
        int len = text.length();
        if (text.startsWith("::")) {
            ellipsis = 0;
            i = 2;
            if (i == len) {
                return out;
            }
        }
        while (i < len) {
            int j = i;
            while (j < len && isHex(text.charAt(j)) && j - i < 5) {
                j++;
            }
            if (j < len && text.charAt(j) == '.') {
                if (n > 12 || (ellipsis < 0 && n != 12)) {
                    return null;
                }
                byte[] v4 = parse4(text, i, len);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, n, 4);
                n += 4;
                break;
            }
            int digits = j - i;
            if (digits < 1 || digits > 4 || n == 16) {
                return null;
            }
            int group = Integer.parseInt(text, i, j, 16);
            out[n++] = (byte) (group >>> 8);
            out[n++] = (byte) group;
            if (j == len) {
                break;
            }
            if (text.charAt(j) != ':' || j + 1 == len) {
                return null;
            }
            if (text.charAt(j + 1) == ':') {
                if (ellipsis >= 0) {
                    return null;
                }
                ellipsis = n;
                j++;
                if (j + 1 == len) {
                    break;
                }
            }
            i = j + 1;
        }
        if (ellipsis < 0) {
            return n == 16 ? out : null;
        }
        if (n == 16) {
            return null;
        }
        int tail = n - ellipsis;
        System.arraycopy(out, ellipsis, out, 16 - tail, tail);
        java.util.Arrays.fill(out, ellipsis, 16 - tail, (byte) 0);
        return out;
    }
}
