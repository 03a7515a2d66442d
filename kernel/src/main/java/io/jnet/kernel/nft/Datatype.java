package io.jnet.kernel.nft;

import java.util.List;

/**
 * An nft data type of a set key or map value (nft's {@code enum datatypes}): its id, byte length and the byte order
 * that nft records in the set's userdata so that {@code nft list} prints elements in that type's notation.
 */
public record Datatype(int id, String name, int length, int byteorder) {

    static final int BYTEORDER_INVALID = 0;
    static final int BYTEORDER_HOST = 1;
    static final int BYTEORDER_BIG = 2;

    public static final Datatype VERDICT = new Datatype(1, "verdict", 0, BYTEORDER_INVALID);
    public static final Datatype IPV4_ADDR = new Datatype(7, "ipv4_addr", 4, BYTEORDER_BIG);
    public static final Datatype IPV6_ADDR = new Datatype(8, "ipv6_addr", 16, BYTEORDER_BIG);
    public static final Datatype ETHER_ADDR = new Datatype(9, "ether_addr", 6, BYTEORDER_BIG);
    public static final Datatype INET_PROTO = new Datatype(12, "inet_proto", 1, BYTEORDER_INVALID);
    public static final Datatype INET_SERVICE = new Datatype(13, "inet_service", 2, BYTEORDER_BIG);
    public static final Datatype MARK = new Datatype(19, "mark", 4, BYTEORDER_HOST);
    public static final Datatype IFACE_INDEX = new Datatype(20, "iface_index", 4, BYTEORDER_HOST);
    public static final Datatype IFNAME = new Datatype(41, "ifname", Bytes.IFNAMSIZ, BYTEORDER_HOST);

    private static final List<Datatype> KNOWN =
            List.of(VERDICT, IPV4_ADDR, IPV6_ADDR, ETHER_ADDR, INET_PROTO, INET_SERVICE, MARK, IFACE_INDEX, IFNAME);

    public Datatype {
        if (id <= 0 || id >= 64 || length < 0) {
            throw new IllegalArgumentException("datatype " + id + " of length " + length);
        }
    }

    /** The known type with this id, or an opaque one of the given length. */
    static Datatype of(int id, int length) {
        for (Datatype t : KNOWN) {
            if (t.id == id) {
                return t;
            }
        }
        return new Datatype(id, "type " + id, length, BYTEORDER_INVALID);
    }

    static boolean isKnown(int id) {
        return KNOWN.stream().anyMatch(t -> t.id == id);
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof Datatype d && id == d.id && length == d.length && byteorder == d.byteorder
                && name.equals(d.name);
    }

    @Override
    public int hashCode() {
        return ((id * 31 + name.hashCode()) * 31 + length) * 31 + byteorder;
    }

    @Override
    public String toString() {
        return name;
    }
}
