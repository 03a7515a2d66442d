package io.jnet.cli;

import io.jnet.cni.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Docker's side of the plugin protocol, for the tests: one HTTP/1.1 POST per connection on the plugin's Unix
 * socket, written and read by hand so that the test sees exactly the bytes the daemon sends.
 */
final class PluginClient {

    /** An answer: the status, the content type and the JSON body. */
    record Answer(int status, String contentType, Map<String, Object> body) {
        String err() {
            return (String) body.get("Err");
        }
    }

    private final Path socket;

    PluginClient(Path socket) {
        this.socket = socket;
    }

    Answer post(String call, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /" + call + " HTTP/1.1\r\nHost: plugin\r\nAccept: application/vnd.docker.plugins.v1.2+json"
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        return parse(exchange(concat(head.getBytes(StandardCharsets.US_ASCII), body)));
    }

    /** Sends raw bytes and returns whatever comes back until the daemon closes the connection. */
    byte[] exchange(byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request);
            try {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            } catch (IOException refusedMidway) {
                // the daemon answered and closed before reading it all (an oversized body): read its answer
            }
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                in.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return in.toByteArray();
        }
    }

    static Answer parse(byte[] raw) throws Exception {
        String text = new String(raw, StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new IOException("not an HTTP response: \"" + text + "\"");
        }
        String[] lines = text.substring(0, split).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String type = "";
        for (String line : lines) {
            if (line.toLowerCase().startsWith("content-type:")) {
                type = line.substring("content-type:".length()).strip();
            }
        }
        return new Answer(status, type, Json.parseObject(text.substring(split + 4).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
