package io.jnet.kernel.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The attributes of a message or of a nested attribute, in order; types are compared without the flag bits. */
public final class NlAttrs {

    /** One attribute: its type (flags removed) and its value. */
    public record Attr(int type, ByteBuffer value) {
    }

    private final List<Attr> attrs;

    private NlAttrs(List<Attr> attrs) {
        this.attrs = attrs;
    }

    public static NlAttrs parse(ByteBuffer region) {
        ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
        List<Attr> list = new ArrayList<>();
        while (b.remaining() >= 4) {
            int start = b.position();
            int len = b.getShort(start) & 0xffff;
            int type = b.getShort(start + 2) & Nl.NLA_TYPE_MASK;
            if (len < 4 || len > b.remaining()) {
                break;
            }
            ByteBuffer value = b.duplicate().position(start + 4).limit(start + len).slice().order(ByteOrder.nativeOrder());
            list.add(new Attr(type, value));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return new NlAttrs(list);
    }

    public List<Attr> all() {
        return attrs;
    }

    /** Every attribute of this type, in order (nf_tables lists repeat NFTA_LIST_ELEM). */
    public List<ByteBuffer> all(int type) {
        List<ByteBuffer> out = new ArrayList<>();
        for (Attr a : attrs) {
            if (a.type == type) {
                out.add(a.value.duplicate().order(ByteOrder.nativeOrder()));
            }
        }
        return out;
    }

    /** The first attribute of this type, or null. */
    public ByteBuffer get(int type) {
        for (Attr a : attrs) {
            if (a.type == type) {
                return a.value.duplicate().order(ByteOrder.nativeOrder());
            }
        }
        return null;
    }

    public boolean has(int type) {
        return get(type) != null;
    }

    public int u8(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 1 ? absent : v.get(0) & 0xff;
    }

    public int u16(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? absent : v.getShort(0) & 0xffff;
    }

    public int u32(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 4 ? absent : v.getInt(0);
    }

    public long u64(int type, long absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 8 ? absent : v.getLong(0);
    }

    public int u16be(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? absent : v.order(ByteOrder.BIG_ENDIAN).getShort(0) & 0xffff;
    }

    public int u32be(int type, int absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 4 ? absent : v.order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    public long u64be(int type, long absent) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 8 ? absent : v.order(ByteOrder.BIG_ENDIAN).getLong(0);
    }

    /** A string attribute without its NUL terminator, or null. */
    public String string(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        byte[] b = toBytes(v);
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = get(type);
        return v == null ? null : toBytes(v);
    }

    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a bad length, checked above
        }
    }

    public NlAttrs nested(int type) {
        ByteBuffer v = get(type);
        return v == null ? null : parse(v);
    }

    public static byte[] toBytes(ByteBuffer v) {
        byte[] b = new byte[v.remaining()];
        v.duplicate().get(b);
        return b;
    }
}
