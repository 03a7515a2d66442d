package io.jnet.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the one request frame of a connection ({@link Wire}). Anything malformed (a bad magic, a length over the
 * limit, a field that overruns the frame, an environment entry that is not {@code CNI_*} or {@code JNET_*}) is a
 * {@link CorruptedFrameException}, which closes this connection only. Bytes after the frame are ignored.
 */
final class RequestDecoder extends ByteToMessageDecoder {

    static final int MAX_TYPE_BYTES = 64;
    static final int MAX_ENV_ENTRIES = 4096;

    private final int maxLength;
    private boolean done;

    RequestDecoder(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Wire.HEADER) {
            return;
        }
        int start = in.readerIndex();
        for (int i = 0; i < Wire.MAGIC.length; i++) {
            if (in.getByte(start + i) != Wire.MAGIC[i]) {
                throw new CorruptedFrameException("not a jnet request (bad magic)");
            }
        }
        int version = in.getUnsignedShort(start + 4);
        if (version != Wire.VERSION) {
            done = true;
            in.skipBytes(in.readableBytes());
            out.add(new Request.OtherVersion(version));
            return;
        }
        if (in.readableBytes() < Wire.HEADER + 4) {
            return;
        }
        long length = in.getUnsignedInt(start + Wire.HEADER);
        if (length < 1 || length > maxLength) {
            throw new CorruptedFrameException("request length " + length + " outside 1.." + maxLength);
        }
        if (in.readableBytes() < Wire.HEADER + 4 + length) {
            return;
        }
        in.skipBytes(Wire.HEADER + 4);
        ByteBuf payload = in.readSlice((int) length);
        done = true;
        out.add(parse(payload));
    }

    /** The caller closed its end with part of a frame sent. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!done && in.isReadable()) {
            int n = in.readableBytes();
            in.skipBytes(n);
            throw new CorruptedFrameException("truncated request (" + n + " bytes, then end of stream)");
        }
    }

    private static Request parse(ByteBuf p) {
        int op = p.readUnsignedByte();
        if (op == Wire.OP_STATUS) {
            end(p);
            return new Request.Status();
        }
        if (op != Wire.OP_CALL) {
            throw new CorruptedFrameException("unknown operation " + op);
        }
        String type = string(p, need(p, 2, p.readableBytes() >= 2 ? p.readUnsignedShort() : -1, MAX_TYPE_BYTES));
        long count = need(p, 4, p.readableBytes() >= 4 ? p.readUnsignedInt() : -1, MAX_ENV_ENTRIES);
        Map<String, String> env = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String entry = string(p, need(p, 4, p.readableBytes() >= 4 ? p.readUnsignedInt() : -1, p.readableBytes()));
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            if (eq <= 0 || !(name.startsWith("CNI_") || name.startsWith("JNET_"))) {
                throw new CorruptedFrameException("environment entry is not CNI_* or JNET_*: " + shorten(name));
            }
            env.put(name, entry.substring(eq + 1));
        }
        int stdinLength = need(p, 4, p.readableBytes() >= 4 ? p.readUnsignedInt() : -1, p.readableBytes());
        byte[] stdin = new byte[stdinLength];
        p.readBytes(stdin);
        end(p);
        return new Request.Call(type, env, stdin);
    }

    /** A field length that was readable ({@code value >= 0}) and does not exceed {@code max}. */
    private static int need(ByteBuf p, int width, long value, long max) {
        if (value < 0) {
            throw new CorruptedFrameException("truncated request (a " + width + "-byte length is missing)");
        }
        if (value > max || value > p.readableBytes()) {
            throw new CorruptedFrameException("field length " + value + " overruns the request");
        }
        return (int) value;
    }

    private static String string(ByteBuf p, int length) {
        String s = p.toString(p.readerIndex(), length, StandardCharsets.UTF_8);
        p.skipBytes(length);
        return s;
    }

    private static void end(ByteBuf p) {
        if (p.isReadable()) {
            throw new CorruptedFrameException(p.readableBytes() + " bytes after the request's last field");
        }
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
