package io.jnet.kernel.nft;

import java.util.Objects;
import java.util.Optional;

/**
 * An element of a set or map: a key, or for an interval set the inclusive range {@code key..keyEnd}, and for a map
 * the data (a value or a verdict). Keys are built with {@link Bytes}, e.g.
 * {@code Bytes.concat(Bytes.u8(6), Bytes.be16(8080))} for {@code tcp . 8080}.
 */
public record Element(Bytes key, Bytes keyEnd, Optional<Data> data) {

    public Element {
        Objects.requireNonNull(data);
        if (key.length() != keyEnd.length()) {
            throw new IllegalArgumentException("range " + key + "-" + keyEnd + " has bounds of different lengths");
        }
        if (key.compareTo(keyEnd) > 0) {
            throw new IllegalArgumentException("range " + key + "-" + keyEnd + " ends before it starts");
        }
    }

    public static Element of(Bytes key) {
        return new Element(key, key, Optional.empty());
    }

    public static Element of(Bytes key, Data data) {
        return new Element(key, key, Optional.of(data));
    }

    public static Element range(Bytes from, Bytes to) {
        return new Element(from, to, Optional.empty());
    }

    public static Element range(Bytes from, Bytes to, Data data) {
        return new Element(from, to, Optional.of(data));
    }

    /** The range of an IPv4 or IPv6 prefix, e.g. 10.233.0.0/24 as 10.233.0.0..10.233.0.255. */
    public static Element prefix(Bytes address, int prefixLength) {
        int bits = address.length() * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " of a " + bits + "-bit address");
        }
        byte[] from = address.toArray();
        byte[] to = address.toArray();
        for (int bit = prefixLength; bit < bits; bit++) {
            from[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            to[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return range(Bytes.wrap(from), Bytes.wrap(to));
    }

    public boolean isRange() {
        return !key.equals(keyEnd);
    }

    @Override
    public String toString() {
        return (isRange() ? key + "-" + keyEnd : key.toString()) + data.map(d -> " : " + d).orElse("");
    }
}
