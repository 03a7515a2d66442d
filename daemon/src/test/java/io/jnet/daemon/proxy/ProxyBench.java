package io.jnet.daemon.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The pieces of docs/bench/proxy.sh, each a process of its own: the userland proxy alone, the servers behind it
 * (echo and discard), and the clients (bulk throughput, sequential connections). Not a test: a benchmark's parts,
 * run inside a sandbox namespace by the script, never timed by JUnit.
 */
public final class ProxyBench {

    private ProxyBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "proxy" -> proxy(args);
            case "servers" -> servers(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "throughput" -> throughput(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "connections" -> connections(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("proxy|servers|throughput|connections");
        }
    }

    /** {@code proxy HOST_IP (HOST_PORT TARGET_PORT)...}: tcp bindings to 127.0.0.1, until killed. */
    private static void proxy(String[] args) throws Exception {
        EventLoopGroup loop = new EpollEventLoopGroup(1);
        UserlandProxy proxy = new UserlandProxy(loop);
        InetAddress host = InetAddress.getByName(args[1]);
        for (int i = 2; i + 1 < args.length; i += 2) {
            proxy.start(new UserlandProxy.Binding("tcp", host, Integer.parseInt(args[i]),
                    InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[i + 1])));
        }
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }

    /** An echo server and a discard server on 127.0.0.1, a thread per connection. */
    private static void servers(int echo, int discard) throws Exception {
        ServerSocket e = new ServerSocket(echo, 512, InetAddress.getByName("127.0.0.1"));
        ServerSocket d = new ServerSocket(discard, 512, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> accept(d, false));
        t.start();
        System.out.println("ready");
        accept(e, true);
    }

    private static void accept(ServerSocket server, boolean echo) {
        while (true) {
            try {
                Socket s = server.accept();
                new Thread(() -> serve(s, echo)).start();
            } catch (IOException ex) {
                return;
            }
        }
    }

    private static void serve(Socket s, boolean echo) {
        byte[] buf = new byte[1 << 16];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (echo) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** Writes {@code bytes} and waits for the server to close after reading them all; prints MB/s. */
    private static void throughput(String host, int port, long bytes) throws Exception {
        byte[] buf = new byte[1 << 16];
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port));
            OutputStream out = s.getOutputStream();
            for (long left = bytes; left > 0; left -= buf.length) {
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
            s.shutdownOutput();
            while (s.getInputStream().read(buf) >= 0) {
                // until the server has read everything and closed
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%.0f%n", bytes / seconds / 1e6);
    }

    /** {@code n} connections one after another, each a one-byte echo; prints connections per second. */
    private static void connections(String host, int port, int n) throws Exception {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(host), port);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket()) {
                s.connect(to);
                s.getOutputStream().write(1);
                if (s.getInputStream().read() != 1) {
                    throw new IOException("no echo on connection " + i);
                }
            }
        }
        System.out.printf("%.0f%n", n / ((System.nanoTime() - start) / 1e9));
    }
}
