package io.jnet.ipam;

import java.io.IOException;

/**
 * Finds the next free address of a range set, round-robin after the set's cursor: the rest of the cursor's range,
 * the ranges after it, the ranges before it, and the start of the cursor's range, as host-local iterates. A
 * candidate is free when it is not reserved and has no lease file; the bitmap only says where to look.
 */
final class Allocator {

    private final Pool pool;
    private final LeaseDirectory store;

    Allocator(Pool pool, LeaseDirectory store) {
        this.pool = pool;
        this.store = store;
    }

    /**
     * The next free address of {@code set}, or null when it is full. When the bitmap says full, the lease files
     * have the last word: the index is rebuilt from them and searched once more.
     */
    Ip nextFree(Pool.SetPlan set, RangeIndex index) throws IOException {
        Ip ip = next(set, index);
        if (ip == null && !index.isFresh()) {
            index.rebuild(store, set, pool);
            ip = next(set, index);
        }
        return ip;
    }

    /** Whether {@code set} has a free address, read from the lease files alone: STATUS writes nothing. */
    boolean hasFree(Pool.SetPlan set) throws IOException {
        long[][] maps = RangeIndex.bitmaps(store, set, pool);
        for (int b = 0; b < set.blocks().size(); b++) {
            Block block = set.blocks().get(b);
            if (block.hasBitmap()) {
                for (long word : maps[b]) {
                    if (word != -1L) {
                        return true;
                    }
                }
            } else if (scan(set, null, b, block.start(), block.end()) != null) {
                return true;     // a block without a bitmap is probed through the lease files, never the index
            }
        }
        return false;
    }

    /** The next free address of {@code set}, or null when the set is full according to {@code index}. */
    Ip next(Pool.SetPlan set, RangeIndex index) throws IOException {
        int n = set.blocks().size();
        Ip cursor = index.cursor();
        int at = cursor == null ? -1 : set.blockOf(cursor);
        if (at < 0) {
            for (int i = 0; i < n; i++) {
                Ip ip = scan(set, index, i, set.blocks().get(i).start(), set.blocks().get(i).end());
                if (ip != null) {
                    return ip;
                }
            }
            return null;
        }
        Block first = set.blocks().get(at);
        if (!cursor.equals(first.end())) {
            Ip ip = scan(set, index, at, cursor.next(), first.end());
            if (ip != null) {
                return ip;
            }
        }
        for (int k = 1; k < n; k++) {
            int i = (at + k) % n;
            Ip ip = scan(set, index, i, set.blocks().get(i).start(), set.blocks().get(i).end());
            if (ip != null) {
                return ip;
            }
        }
        return scan(set, index, at, first.start(), cursor);
    }

    /** The first free address in {@code [from, to]} of block {@code b}, or null. */
    private Ip scan(Pool.SetPlan set, RangeIndex index, int b, Ip from, Ip to) throws IOException {
        Block block = set.blocks().get(b);
        if (block.hasBitmap()) {
            long pos = block.offsetOf(from);
            long end = block.offsetOf(to) + 1;
            while (pos < end) {
                long bit = index.findClear(b, pos, end);
                if (bit < 0) {
                    return null;
                }
                Ip ip = block.start().plus(bit);
                if (!pool.reserved(block, ip) && !store.leaseExists(ip)) {
                    return ip;
                }
                index.mark(b, bit, true);    // the hint was stale: remember what the lease files say
                pos = bit + 1;
            }
            return null;
        }
        // too large for a bitmap (IPv6): such ranges are sparse, so probing lease files finds one quickly
        Ip ip = from;
        while (true) {
            Exclusions.Interval excluded = pool.exclusions.find(ip);
            if (excluded != null) {
                if (excluded.last().compareTo(to) >= 0) {
                    return null;
                }
                ip = excluded.last().next();
                continue;
            }
            if (!ip.equals(block.gateway()) && !store.leaseExists(ip)) {
                return ip;
            }
            if (ip.equals(to)) {
                return null;
            }
            ip = ip.next();
        }
    }
}
