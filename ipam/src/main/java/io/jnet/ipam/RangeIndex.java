package io.jnet.ipam;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The allocation index of one range set, {@code index/<hash of its key>}: the round-robin cursor (the last address
 * handed out) and, for each range of up to 2^24 addresses, a bitmap with a bit set for every address that is
 * leased or reserved. Allocation reads the bitmap from the cursor onwards in 4 KiB pages, so finding a free address
 * in a /16 that is 99% full costs a read or two instead of a lookup per taken address.
 *
 * <p>The index is a <em>hint</em>, never the truth: the lease files are. A clear bit is confirmed with one lookup
 * of the lease file before the address is used (a taken one gets its bit set), and before a set is declared full
 * the index is rebuilt from the lease directory. So the index needs no fsync, and whatever a crash leaves in it
 * (lost updates, a torn page, a missing file) costs speed at most, never a duplicate or a false "exhausted".
 *
 * <p>Layout: magic (8 bytes), key length (4), the key (UTF-8: the ranges, gateways and exclusions, so a changed
 * config gets a new index), padding to 8, the cursor (24: family, high and low 64 bits), then the bitmaps as
 * little-endian 64-bit words.
 */
final class RangeIndex implements AutoCloseable {

    /** The largest range with a bitmap: a /8 of IPv4, 2 MiB of bitmap. Larger ranges probe lease files. */
    static final long MAX_BITMAP_BITS = 1L << 24;

    private static final long MAGIC = 0x3158_4449_5445_4e4aL;   // "JNETIDX1" read little-endian
    private static final int PAGE_WORDS = 512;

    private final List<Block> blocks;
    private final long[] bitmapAt;
    private final long cursorAt;
    private FileChannel channel;
    private boolean fresh;
    private final ByteBuffer page = ByteBuffer.allocate(PAGE_WORDS * 8).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer word = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);

    private RangeIndex(FileChannel channel, List<Block> blocks, long cursorAt, boolean fresh) {
        this.channel = channel;
        this.blocks = blocks;
        this.cursorAt = cursorAt;
        this.fresh = fresh;
        this.bitmapAt = new long[blocks.size()];
        long at = cursorAt + 24;
        for (int i = 0; i < blocks.size(); i++) {
            bitmapAt[i] = blocks.get(i).hasBitmap() ? at : -1;
            at += blocks.get(i).words() * 8;
        }
    }

    /** The canonical description of a range set that its index depends on. */
    static String key(List<Block> blocks, Exclusions exclusions) {
        StringBuilder sb = new StringBuilder("jnet-ipam-index 1\n");
        for (Block b : blocks) {
            sb.append("range ").append(b.start()).append(' ').append(b.end()).append(' ').append(b.gateway())
                    .append(' ').append(b.prefixLength()).append('\n');
        }
        for (Block b : blocks) {
            for (Exclusions.Interval i : exclusions.within(b.start(), b.end())) {
                sb.append("exclude ").append(i.first()).append(' ').append(i.last()).append('\n');
            }
        }
        return sb.toString();
    }

    /** The index file's name: the 64-bit FNV-1a hash of the key, in hex. */
    static String fileName(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** Opens the set's index, building it from the lease files when it is missing or does not match. */
    static RangeIndex open(LeaseDirectory store, Pool.SetPlan set, Pool pool) throws IOException {
        Path file = store.index().resolve(fileName(set.key()));
        RangeIndex existing = openExisting(file, set.key());
        return existing != null ? existing : build(store, set, pool, null);
    }

    /** Whether this index was built from the lease files when it was opened (a rebuild would find nothing new). */
    boolean isFresh() {
        return fresh;
    }

    /** Rebuilds this index from the lease files, keeping the cursor. */
    void rebuild(LeaseDirectory store, Pool.SetPlan set, Pool pool) throws IOException {
        Ip cursor = cursor();
        channel.close();
        channel = build(store, set, pool, cursor).channel;
        fresh = true;
    }

    private static RangeIndex openExisting(Path file, String key) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            byte[] expected = key.getBytes(StandardCharsets.UTF_8);
            ByteBuffer head = ByteBuffer.allocate(12 + expected.length).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(head, 0) == head.capacity() && head.getLong(0) == MAGIC && head.getInt(8) == expected.length
                    && head.slice(12, expected.length).equals(ByteBuffer.wrap(expected))) {
                List<Block> blocks = parseBlocks(key);
                long cursorAt = align8(12 + expected.length);
                if (ch.size() == end(blocks, cursorAt)) {
                    return new RangeIndex(ch, blocks, cursorAt, false);
                }
            }
            ch.close();
            return null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Opens an index file of any key, for clearing bits on release; null when it is not a whole index file. */
    private static RangeIndex openAny(Path file) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(head, 0) == 12 && head.getLong(0) == MAGIC && head.getInt(8) > 0
                    && head.getInt(8) < ch.size()) {
                ByteBuffer keyBytes = ByteBuffer.allocate(head.getInt(8));
                if (ch.read(keyBytes, 12) == keyBytes.capacity()) {
                    List<Block> blocks = parseBlocks(new String(keyBytes.array(), StandardCharsets.UTF_8));
                    long cursorAt = align8(12 + keyBytes.capacity());
                    if (blocks != null && ch.size() == end(blocks, cursorAt)) {
                        return new RangeIndex(ch, blocks, cursorAt, false);
                    }
                }
            }
            ch.close();
            return null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Clears the bits of released addresses in every index of the network (there is one per range-set config). */
    static void released(LeaseDirectory store, List<Ip> addresses) throws IOException {
        if (addresses.isEmpty()) {
            return;
        }
        for (String name : store.list(LeaseDirectory.INDEX)) {
            if (name.startsWith(".")) {
                continue;
            }
            try (RangeIndex index = openAny(store.index().resolve(name))) {
                if (index != null) {
                    for (Ip ip : addresses) {
                        index.mark(ip, false);
                    }
                }
            }
        }
    }

    /**
     * The set's free maps, built from the lease files in memory: a set bit is taken (a lease, the gateway, an excluded
     * address, or past the block's end). Null for a block too large for a bitmap.
     */
    static long[][] bitmaps(LeaseDirectory store, Pool.SetPlan set, Pool pool) throws IOException {
        List<Block> blocks = set.blocks();
        long[][] maps = new long[blocks.size()][];
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (!b.hasBitmap()) {
                continue;
            }
            long[] m = new long[(int) b.words()];
            maps[i] = m;
            if ((b.size() & 63) != 0) {
                m[m.length - 1] = -1L << (b.size() & 63);   // bits past the end are never free
            }
            if (b.contains(b.gateway())) {
                setBit(m, b.offsetOf(b.gateway()));
            }
            for (Exclusions.Interval x : pool.exclusions.within(b.start(), b.end())) {
                setBits(m, b.offsetOf(x.first()), b.offsetOf(x.last()));
            }
        }
        for (String name : store.list(LeaseDirectory.LEASES)) {
            if (name.startsWith(".")) {
                continue;
            }
            Ip ip;
            try {
                ip = Ip.parse(name);
            } catch (IllegalArgumentException notALease) {
                continue;
            }
            int i = set.blockOf(ip);
            if (i >= 0 && maps[i] != null) {
                setBit(maps[i], blocks.get(i).offsetOf(ip));
            }
        }
        return maps;
    }

    private static RangeIndex build(LeaseDirectory store, Pool.SetPlan set, Pool pool, Ip cursor) throws IOException {
        List<Block> blocks = set.blocks();
        long[][] maps = bitmaps(store, set, pool);
        byte[] key = set.key().getBytes(StandardCharsets.UTF_8);
        long cursorAt = align8(12 + key.length);
        long size = end(blocks, cursorAt);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(MAGIC).putInt(key.length).put(key);
        out.position((int) cursorAt);
        putCursor(out, cursor);
        for (long[] m : maps) {
            if (m != null) {
                out.asLongBuffer().put(m);
                out.position(out.position() + m.length * 8);
            }
        }
        out.flip();
        // a hint needs no fsync; the rename only keeps readers from seeing a half-written file
        String name = fileName(set.key());
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        Path temp = io.jnet.kernel.fs.DurableFiles.writeTemp(store.index(), name, bytes, false);
        Path file = store.index().resolve(name);
        LeaseDirectory.rename(temp, file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RangeIndex(ch, blocks, cursorAt, true);
    }

    // ---- the cursor ----------------------------------------------------------------------------------------------

    /** The last address handed out in this set, or null. */
    Ip cursor() throws IOException {
        word.clear();
        readFully(word, cursorAt);
        long family = word.getLong(0);
        if (family != 4 && family != 6) {
            return null;
        }
        try {
            return new Ip(family == 6, word.getLong(8), word.getLong(16));
        } catch (IllegalArgumentException torn) {
            return null;
        }
    }

    void setCursor(Ip ip) throws IOException {
        word.clear();
        putCursor(word, ip);
        word.flip();
        writeFully(word, cursorAt);
    }

    private static void putCursor(ByteBuffer out, Ip ip) {
        out.putLong(ip == null ? 0 : ip.v6() ? 6 : 4).putLong(ip == null ? 0 : ip.hi()).putLong(ip == null ? 0 : ip.lo());
    }

    // ---- the bitmaps ---------------------------------------------------------------------------------------------

    /**
     * The first clear bit of block {@code b} in {@code [from, to)}, or -1. Reads whole pages, so a nearly full
     * /16 costs a couple of reads.
     */
    long findClear(int b, long from, long to) throws IOException {
        long base = bitmapAt[b];
        long firstWord = from >>> 6;
        long endWord = (to + 63) >>> 6;
        for (long w = firstWord; w < endWord; w += PAGE_WORDS) {
            int n = (int) Math.min(PAGE_WORDS, endWord - w);
            page.clear().limit(n * 8);
            readFully(page, base + w * 8);
            for (int i = 0; i < n; i++) {
                long bits = page.getLong(i * 8);
                if (w + i == firstWord) {
                    bits |= (1L << (from & 63)) - 1;   // bits before 'from' do not count
                }
                if (bits != -1L) {
                    long bit = ((w + i) << 6) + Long.numberOfTrailingZeros(~bits);
                    return bit < to ? bit : -1;
                }
            }
        }
        return -1;
    }

    /** Sets or clears the bit of {@code ip} in whichever bitmap block holds it. */
    void mark(Ip ip, boolean taken) throws IOException {
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            if (b.hasBitmap() && b.contains(ip)) {
                mark(i, b.offsetOf(ip), taken);
            }
        }
    }

    void mark(int b, long bit, boolean taken) throws IOException {
        long at = bitmapAt[b] + (bit >>> 6) * 8;
        word.clear().limit(8);
        readFully(word, at);
        long v = word.getLong(0);
        long nv = taken ? v | (1L << (bit & 63)) : v & ~(1L << (bit & 63));
        if (nv != v) {
            word.clear().limit(8);
            word.putLong(0, nv);
            writeFully(word, at);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static List<Block> parseBlocks(String key) {
        List<Block> blocks = new ArrayList<>();
        for (String line : key.split("\n")) {
            if (!line.startsWith("range ")) {
                continue;
            }
            String[] f = line.split(" ");
            if (f.length != 5) {
                return null;
            }
            try {
                Ip start = Ip.parse(f[1]);
                Ip end = Ip.parse(f[2]);
                long d = start.distanceTo(end);
                blocks.add(new Block(start, end, Ip.parse(f[3]), Integer.parseInt(f[4]),
                        d == Long.MAX_VALUE ? d : d + 1));
            } catch (IllegalArgumentException damaged) {
                return null;
            }
        }
        return blocks;
    }

    private static long end(List<Block> blocks, long cursorAt) {
        long at = cursorAt + 24;
        for (Block b : blocks) {
            at += b.words() * 8;
        }
        return at;
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    private static void setBit(long[] m, long bit) {
        m[(int) (bit >>> 6)] |= 1L << (bit & 63);
    }

    private static void setBits(long[] m, long first, long last) {
        for (long bit = first; bit <= last; ) {
            if ((bit & 63) == 0 && bit + 63 <= last) {
                m[(int) (bit >>> 6)] = -1L;
                bit += 64;
            } else {
                setBit(m, bit++);
            }
        }
    }

    private void readFully(ByteBuffer buf, long at) throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new EOFException("index file ends at " + pos);
            }
            pos += n;
        }
    }

    private void writeFully(ByteBuffer buf, long at) throws IOException {
        long pos = at;
        while (buf.hasRemaining()) {
            pos += channel.write(buf, pos);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
