package io.jnet.kernel.nft;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string: a register value, a set key or map data, exactly as nf_tables sees it. Most values are
 * in network byte order ({@link #be16}, {@link #be32}, addresses); a few keys compare in host order ({@link #host32}
 * for marks, conntrack state and status). {@code toString} is lower-case hex.
 */
public final class Bytes implements Data, Comparable<Bytes> {

    /** Interface names are NUL-padded to IFNAMSIZ in nf_tables registers. */
    public static final int IFNAMSIZ = 16;

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Bytes of(byte... bytes) {
        return new Bytes(bytes.clone());
    }

    public static Bytes parseHex(String hex) {
        return new Bytes(HexFormat.of().parseHex(hex));
    }

    public static Bytes u8(int v) {
        return new Bytes(new byte[] {(byte) v});
    }

    public static Bytes be16(int v) {
        return new Bytes(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    public static Bytes be32(int v) {
        return new Bytes(ByteBuffer.allocate(4).putInt(v).array());
    }

    public static Bytes host16(int v) {
        return new Bytes(ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    public static Bytes host32(int v) {
        return new Bytes(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    public static Bytes zeros(int length) {
        return new Bytes(new byte[length]);
    }

    public static Bytes address(InetAddress address) {
        return new Bytes(address.getAddress());
    }

    /** An interface name as meta iifname/oifname load it: the name, NUL-padded to 16 bytes. */
    public static Bytes ifname(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        if (s.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
        }
        return new Bytes(Arrays.copyOf(s, IFNAMSIZ));
    }

    /**
     * A concatenation (a key or data of type {@code a . b}): each field padded with zeros to a multiple of 4 bytes,
     * because each field occupies whole 32-bit registers.
     */
    public static Bytes concat(Bytes... fields) {
        int length = 0;
        for (Bytes f : fields) {
            length += align4(f.length());
        }
        byte[] out = new byte[length];
        int at = 0;
        for (Bytes f : fields) {
            System.arraycopy(f.bytes, 0, out, at, f.length());
            at += align4(f.length());
        }
        return new Bytes(out);
    }

    static Bytes wrap(byte[] owned) {
        return new Bytes(owned);
    }

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    public int length() {
        return bytes.length;
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    /** The same bytes padded with zeros (or cut) to {@code length}. */
    public Bytes resize(int length) {
        return new Bytes(Arrays.copyOf(bytes, length));
    }

    /** This value plus one, as an unsigned big-endian number of the same width (wraps to zero). */
    public Bytes increment() {
        byte[] out = bytes.clone();
        for (int i = out.length - 1; i >= 0; i--) {
            if (++out[i] != 0) {
                break;
            }
        }
        return new Bytes(out);
    }

    /** This value minus one, as an unsigned big-endian number of the same width (wraps to all ones). */
    public Bytes decrement() {
        byte[] out = bytes.clone();
        for (int i = out.length - 1; i >= 0; i--) {
            if (out[i]-- != 0) {
                break;
            }
        }
        return new Bytes(out);
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isAllOnes() {
        for (byte b : bytes) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    /** Unsigned big-endian order, as interval sets order their keys. */
    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
