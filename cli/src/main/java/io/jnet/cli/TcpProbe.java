package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.netns.NetNs;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP server in a network namespace that answers every connection with the address it saw the client come from:
 * the witness {@code jnet demo} uses to prove masquerade, published ports and isolation with real connections.
 * The socket is made inside the namespace (and stays there); accepting runs on a daemon thread of its own.
 */
final class TcpProbe implements AutoCloseable {

    private final ServerSocket socket;

    private TcpProbe(ServerSocket socket) {
        this.socket = socket;
        Thread thread = new Thread(this::serve, "tcp-probe " + socket.getLocalSocketAddress());
        thread.setDaemon(true);
        thread.start();
    }

    /** Listens on {@code address:port} inside {@code ns}. */
    static TcpProbe listen(NetNs ns, InetAddress address, int port) throws IOException {
        return new TcpProbe(ns.call(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port));
            return s;
        }));
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                String seen = IpPrefix.formatAddress(((InetSocketAddress) client.getRemoteSocketAddress()).getAddress());
                client.getOutputStream().write((seen + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closedOrReset) {
                // closed: the loop ends; a client that went away: the next one
            }
        }
    }

    /** What a connection got: the server's answer, or why there was none ({@code answer} is then ""). */
    record Reply(String answer, String failure) {
        static Reply of(String answer) {
            return new Reply(answer, "");
        }

        static Reply none(String why) {
            return new Reply("", why);
        }

        boolean connected() {
            return failure.isEmpty();
        }

        @Override
        public String toString() {
            return connected() ? answer : "no connection: " + failure;
        }
    }

    /**
     * Connects from inside {@code from} to {@code to:port} and returns the server's answer (the client address it
     * saw), or why there was none, within {@code timeoutMillis}.
     */
    static Reply ask(NetNs from, InetAddress to, int port, int timeoutMillis) throws IOException {
        return from.call(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(to, port), timeoutMillis);
                s.setSoTimeout(timeoutMillis);
                InputStream in = s.getInputStream();
                String answer = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip();
                return answer.isEmpty() ? Reply.none("closed without an answer") : Reply.of(answer);
            } catch (IOException e) {
                return Reply.none(e.getMessage());
            }
        });
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
