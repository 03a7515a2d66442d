package io.jnet.kernel.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one netlink message builder, used by rtnetlink and nf_tables alike. It appends messages (header, fixed
 * struct, attributes) to a growing buffer in host byte order; the {@code *Be} methods write network byte order,
 * which nf_tables attributes use. Sequence numbers are assigned in order from the first one given.
 */
public final class NlWriter {

    private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
    private int nextSeq;
    private int messages;
    private int lastStart = -1;

    public NlWriter(int firstSeq) {
        this.nextSeq = firstSeq;
    }

    /** Starts a message and returns its sequence number; the message ends at the next {@link #begin} or at the end. */
    public int begin(int type, int flags) {
        finishMessage();
        int seq = nextSeq++;
        ensure(Nl.HEADER_LEN);
        lastStart = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
        messages++;
        return seq;
    }

    private void finishMessage() {
        if (lastStart >= 0) {
            padTo4();
            buf.putInt(lastStart, buf.position() - lastStart);
        }
    }

    /** The next sequence number this writer would assign. */
    public int nextSeq() {
        return nextSeq;
    }

    public int messageCount() {
        return messages;
    }

    public NlWriter u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public NlWriter u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public NlWriter u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    public NlWriter u16be(int v) {
        ensure(2);
        buf.put((byte) (v >>> 8)).put((byte) v);
        return this;
    }

    public NlWriter bytes(byte[] v) {
        ensure(v.length);
        buf.put(v);
        return this;
    }

    public NlWriter zeros(int n) {
        ensure(n);
        buf.position(buf.position() + n);
        return this;
    }

    public NlWriter attr(int type, byte[] value) {
        int len = 4 + value.length;
        ensure(Nl.align(len));
        buf.putShort((short) len).putShort((short) type).put(value);
        padTo4();
        return this;
    }

    public NlWriter attrFlag(int type) {
        return attr(type, new byte[0]);
    }

    public NlWriter attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public NlWriter attrU16(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    public NlWriter attrU32(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    public NlWriter attrU64(int type, long v) {
        return attr(type, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array());
    }

    public NlWriter attrU16be(int type, int v) {
        return attr(type, ByteBuffer.allocate(2).putShort((short) v).array());
    }

    public NlWriter attrU32be(int type, int v) {
        return attr(type, ByteBuffer.allocate(4).putInt(v).array());
    }

    public NlWriter attrU64be(int type, long v) {
        return attr(type, ByteBuffer.allocate(8).putLong(v).array());
    }

    /** A NUL-terminated string, as the kernel's NLA_STRING and NLA_NUL_STRING policies accept. */
    public NlWriter attrString(int type, String v) {
        byte[] s = v.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(s, s.length + 1));
    }

    public NlWriter attrAddress(int type, InetAddress address) {
        return attr(type, address.getAddress());
    }

    /** Opens a nested attribute; pass the type with {@link Nl#NLA_F_NESTED} where the family expects it. */
    public int nest(int type) {
        ensure(4);
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return start;
    }

    public NlWriter endNest(int start) {
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    /** The messages written so far, each with its final length. */
    public byte[] toByteArray() {
        finishMessage();
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** Copies the messages into a direct buffer (flipped, ready to send), growing it when needed. */
    public ByteBuffer copyTo(ByteBuffer direct) {
        finishMessage();
        ByteBuffer target = direct.capacity() >= buf.position() ? direct.clear()
                : ByteBuffer.allocateDirect(Math.max(buf.position(), direct.capacity() * 2)).order(ByteOrder.nativeOrder());
        target.put(buf.array(), 0, buf.position()).flip();
        return target;
    }

    private void padTo4() {
        int pad = Nl.align(buf.position()) - buf.position();
        ensure(pad);
        for (int i = 0; i < pad; i++) {
            buf.put((byte) 0);
        }
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                    .order(ByteOrder.nativeOrder());
            bigger.put(buf.array(), 0, buf.position());
            buf = bigger;
        }
    }
}
