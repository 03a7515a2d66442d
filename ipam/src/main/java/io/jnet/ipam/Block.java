package io.jnet.ipam;

/**
 * A range compiled for allocation: addresses {@code start..end} (inclusive), the gateway to skip, and the subnet's
 * prefix length for the lease. {@code size} is Long.MAX_VALUE when it does not fit in 63 bits (IPv6).
 */
record Block(Ip start, Ip end, Ip gateway, int prefixLength, long size) {

    static Block of(Range r) {
        Ip start = r.start();
        long d = start.distanceTo(r.end());
        return new Block(start, r.end(), Ip.of(r.gateway()), r.subnet().prefixLength(),
                d == Long.MAX_VALUE ? d : d + 1);
    }

    /** Whether the free map of this block is a bitmap in the index file (up to a /8 of IPv4). */
    boolean hasBitmap() {
        return size <= RangeIndex.MAX_BITMAP_BITS;
    }

    boolean contains(Ip ip) {
        return ip.sameFamily(start) && ip.compareTo(start) >= 0 && ip.compareTo(end) <= 0;
    }

    /** The offset of {@code ip} from start; only for blocks with a bitmap. */
    long offsetOf(Ip ip) {
        return start.distanceTo(ip);
    }

    /** The bitmap's length in 64-bit words. */
    long words() {
        return hasBitmap() ? (size + 63) >>> 6 : 0;
    }
}
