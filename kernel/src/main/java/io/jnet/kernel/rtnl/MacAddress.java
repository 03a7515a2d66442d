package io.jnet.kernel.rtnl;

import java.util.Locale;

/** A 48-bit link-layer address; {@link #toString} is the canonical "aa:bb:cc:dd:ee:ff". */
public record MacAddress(long bits) {

    public MacAddress {
        if ((bits >>> 48) != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC address: " + Long.toHexString(bits));
        }
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (either case). */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.length() != 2 || Character.digit(part.charAt(0), 16) < 0 || Character.digit(part.charAt(1), 16) < 0) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            bits = bits << 8 | Integer.parseInt(part, 16);
        }
        return new MacAddress(bits);
    }

    public static MacAddress of(byte[] b) {
        if (b.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + b.length);
        }
        long bits = 0;
        for (byte x : b) {
            bits = bits << 8 | (x & 0xff);
        }
        return new MacAddress(bits);
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (byte x : toBytes()) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(String.format(Locale.ROOT, "%02x", x & 0xff));
        }
        return s.toString();
    }
}
