package io.jnet.cni;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address with a prefix length, as CNI writes it: {@code "10.0.0.2/24"}. The address keeps its host bits
 * (an interface address); {@link #network()} masks them. Parsing is literal-only and never touches DNS.
 */
public record IpPrefix(InetAddress address, int prefixLength) {

    public IpPrefix {
        if (address == null) {
            throw new IllegalArgumentException("address is null");
        }
        int max = maxPrefix(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max
                    + " for " + formatAddress(address));
        }
    }

    /** Parses {@code "address/prefix"}; throws IllegalArgumentException naming the text when it is not one. */
    public static IpPrefix parse(String cidr) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: \"" + cidr + "\" (expected address/prefix)");
        }
        InetAddress address = parseAddress(cidr.substring(0, slash));
        int prefix = parseDecimal(cidr, slash + 1, cidr.length(), 3);
        if (prefix < 0 || prefix > maxPrefix(address)) {
            throw new IllegalArgumentException("invalid CIDR address: \"" + cidr + "\" (bad prefix length)");
        }
        return new IpPrefix(address, prefix);
    }

    /** {@link #parse(String)} for a config field: code 7 naming {@code field} instead of an unchecked exception. */
    public static IpPrefix parse(String cidr, String field) throws CniException {
        try {
            return parse(cidr);
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, field + ": " + e.getMessage());
        }
    }

    /**
     * Parses an IPv4 dotted quad (no leading zeros, as Go's net.ParseIP) or an IPv6 literal (with "::" and an
     * optional dotted-quad tail, no zone). IPv4-mapped IPv6 addresses come back as {@link Inet4Address}, as Java
     * and Go both treat them.
     */
    public static InetAddress parseAddress(String text) {
        byte[] bytes = text == null ? null : text.indexOf(':') >= 0 ? parse6(text) : parse4(text, 0, text.length());
        if (bytes == null) {
            throw new IllegalArgumentException("invalid IP address: \"" + text + "\"");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte array is always an address", e);
        }
    }

    /** {@link #parseAddress(String)} for a config field: code 7 naming {@code field}. */
    public static InetAddress parseAddress(String text, String field) throws CniException {
        try {
            return parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, field + ": " + e.getMessage());
        }
    }

    /** The canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run of two or more as "::"). */
    public static String formatAddress(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
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
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The prefix with its host bits cleared: {@code 10.0.0.2/24 -> 10.0.0.0/24}. */
    public IpPrefix network() {
        return new IpPrefix(masked(address.getAddress(), prefixLength), prefixLength);
    }

    /** Whether {@code other} (of the same family) lies inside this prefix. */
    public boolean contains(InetAddress other) {
        byte[] mine = address.getAddress();
        byte[] theirs = other.getAddress();
        if (mine.length != theirs.length) {
            return false;
        }
        return masked(mine, prefixLength).equals(masked(theirs, prefixLength));
    }

    @Override
    public String toString() {
        return formatAddress(address) + "/" + prefixLength;
    }

    private static InetAddress masked(byte[] bytes, int prefix) {
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            bytes[i] &= (byte) (0xff00 >>> keep);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte array is always an address", e);
        }
    }

    private static int maxPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    /** Decimal digits in text[from, to), at most maxDigits, no leading zero; -1 when not that. */
    private static int parseDecimal(String text, int from, int to, int maxDigits) {
        int len = to - from;
        if (len < 1 || len > maxDigits || (len > 1 && text.charAt(from) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static byte[] parse4(String text, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || text.charAt(i) == '.') {
                if (part == 4) {
                    return null;
                }
                int v = parseDecimal(text, start, i, 3);
                if (v < 0 || v > 255) {
                    return null;
                }
                out[part++] = (byte) v;
                start = i + 1;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] parse6(String text) {
        byte[] out = new byte[16];
        int n = 0;              // bytes written
        int ellipsis = -1;      // byte offset where "::" stands
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
                // a dotted-quad tail fills the last 32 bits
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
            return null;    // "::" must stand for at least one group
        }
        int tail = n - ellipsis;
        System.arraycopy(out, ellipsis, out, 16 - tail, tail);
        Arrays.fill(out, ellipsis, 16 - tail, (byte) 0);
        return out;
    }
}
