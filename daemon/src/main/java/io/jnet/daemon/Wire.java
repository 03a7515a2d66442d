package io.jnet.daemon;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The shim-to-daemon protocol (README, "The daemon and the shims"). One request and one response per connection;
 * integers are big-endian.
 * <pre>
 * request:  "JNET" u16 version | u32 length | payload
 *           payload CALL   = u8 1 | u16 n, type | u32 count, count x (u32 n, "NAME=VALUE") | u32 n, stdin
 *           payload STATUS = u8 2
 * response: "JNET" u16 version | u8 kind | u32 length | body
 *           RESULT = u32 exit code | u32 n, stdout | u32 n, stderr
 *           DIRECT = UTF-8 reason: the caller runs the call itself (direct mode)
 *           STATUS = UTF-8 JSON
 * </pre>
 * The six bytes {@code "JNET" u16 version} that open both directions are the handshake, and no version may change
 * them: a daemon that reads another version answers DIRECT under its own version and closes, so a shim of any
 * version falls back to the JVM launcher instead of misreading.
 */
public final class Wire {

    public static final int VERSION = 1;
    static final byte[] MAGIC = {'J', 'N', 'E', 'T'};
    static final int HEADER = 6;

    public static final int OP_CALL = 1;
    public static final int OP_STATUS = 2;

    public static final int KIND_RESULT = 0;
    public static final int KIND_DIRECT = 1;
    public static final int KIND_STATUS = 2;

    private Wire() {
    }

    /** A CALL request, header included: what a shim sends. */
    public static ByteBuffer call(String type, Map<String, String> env, byte[] stdin) {
        byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
        byte[][] entries = new byte[env.size()][];
        int length = 1 + 2 + typeBytes.length + 4 + 4 + stdin.length;
        int i = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            entries[i] = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
            length += 4 + entries[i++].length;
        }
        ByteBuffer buf = header(length);
        buf.put((byte) OP_CALL).putShort((short) typeBytes.length).put(typeBytes).putInt(entries.length);
        for (byte[] entry : entries) {
            buf.putInt(entry.length).put(entry);
        }
        return buf.putInt(stdin.length).put(stdin).flip();
    }

    /** A STATUS request, header included. */
    public static ByteBuffer status() {
        return header(1).put((byte) OP_STATUS).flip();
    }

    private static ByteBuffer header(int length) {
        return ByteBuffer.allocate(HEADER + 4 + length).put(MAGIC).putShort((short) VERSION).putInt(length);
    }
}
