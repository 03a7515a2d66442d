package io.jnet.daemon;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client of the daemon's socket over the JDK's own Unix sockets (no netty): status, and "is one listening?". */
public final class DaemonClient {

    private DaemonClient() {
    }

    /** A decoded response: its kind ({@link Wire}) and body. */
    public record Response(int version, int kind, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** True when something accepts connections on {@code socket}. */
    public static boolean listening(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The status document (JSON). */
    public static String status(Path socket) throws IOException {
        Response r = exchange(socket, Wire.status());
        if (r.kind() != Wire.KIND_STATUS) {
            throw new IOException("the daemon on " + socket + " did not answer with its status (kind " + r.kind()
                    + ", protocol " + r.version() + ")");
        }
        return r.text();
    }

    /** Sends one request and reads the one response. */
    public static Response exchange(Path socket, ByteBuffer request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ByteBuffer head = read(ch, Wire.HEADER + 1 + 4);
            byte[] magic = new byte[4];
            head.get(magic);
            int version = head.getShort() & 0xffff;
            int kind = head.get() & 0xff;
            long length = head.getInt() & 0xffffffffL;
            if (length > Integer.MAX_VALUE - 8) {
                throw new IOException("response length " + length);
            }
            return new Response(version, kind, read(ch, (int) length).array());
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("the daemon closed the connection");
            }
        }
        return buf.flip();
    }
}
