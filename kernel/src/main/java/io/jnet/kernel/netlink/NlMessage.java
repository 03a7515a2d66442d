package io.jnet.kernel.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** One received netlink message: the header fields and its payload (a host-order view after the header). */
public record NlMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {

    /** Splits a datagram (or a captured byte stream) into messages. */
    public static List<NlMessage> parseAll(ByteBuffer data) {
        ByteBuffer b = data.slice().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        while (b.remaining() >= Nl.HEADER_LEN) {
            int start = b.position();
            int len = b.getInt(start);
            if (len < Nl.HEADER_LEN || len > b.remaining()) {
                throw new IllegalArgumentException("malformed netlink message: length " + len
                        + " with " + b.remaining() + " bytes left");
            }
            int type = b.getShort(start + 4) & 0xffff;
            int flags = b.getShort(start + 6) & 0xffff;
            int seq = b.getInt(start + 8);
            int pid = b.getInt(start + 12);
            ByteBuffer payload = b.duplicate().position(start + Nl.HEADER_LEN).limit(start + len).slice()
                    .order(ByteOrder.nativeOrder());
            out.add(new NlMessage(type, flags, seq, pid, payload));
            b.position(Math.min(b.limit(), start + Nl.align(len)));
        }
        return out;
    }

    /** The attributes that follow a fixed header of {@code fixedLen} bytes. */
    public NlAttrs attrs(int fixedLen) {
        return NlAttrs.parse(payload.duplicate().position(Math.min(fixedLen, payload.limit())).slice());
    }
}
