package io.jnet.daemon.docker;

import io.jnet.bridge.BridgeDriver;
import io.jnet.daemon.DaemonClient;
import io.jnet.daemon.SocketFiles;
import io.jnet.daemon.proxy.UserlandProxy;
import io.jnet.ipam.IpamException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's Docker plugin socket: libnetwork's remote NetworkDriver and IpamDriver (driver name {@code jnet}),
 * HTTP/1.1 with JSON bodies on a Unix socket, on the daemon's epoll event loop. Calls run one at a time on a
 * platform thread of their own, in the daemon's namespaces: Docker serialises its own calls per network, and one
 * thread makes every call's read-then-write of the Docker records safe without locks.
 */
public final class DockerPlugin implements AutoCloseable {

    /** Where Docker looks for plugin sockets; the socket's name is the driver's. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/docker/plugins/jnet.sock");

    /** A request body is a few hundred bytes; a megabyte leaves room for many port bindings and labels. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final Path socket;
    private final Channel server;
    private final ExecutorService calls;
    private final UserlandProxy proxy;
    private final PrintStream log;

    private DockerPlugin(Path socket, Channel server, ExecutorService calls, UserlandProxy proxy, PrintStream log) {
        this.socket = socket;
        this.server = server;
        this.calls = calls;
        this.proxy = proxy;
        this.log = log;
    }

    /**
     * Serves {@code socket} on {@code loop}, with networks in {@code networks} and everything else under
     * {@code root}. A stale socket file is replaced; a live one is refused.
     */
    public static DockerPlugin start(Path socket, EventLoopGroup loop, Path root, NetworkCatalog networks,
                                     PrintStream log) throws IOException {
        Path path = socket.toAbsolutePath();
        DockerStore store = new DockerStore(root);
        UserlandProxy proxy = new UserlandProxy(loop);
        NetworkDriver driver = new NetworkDriver(networks, new BridgeDriver(root), store, proxy);
        DockerApi api;
        try {
            api = new DockerApi(driver, new IpamDriver(root, store, networks));
        } catch (IpamException e) {
            throw new IOException("open the address store under " + root + ": " + e.getMessage(), e);
        }
        for (String failed : driver.restoreProxies()) {
            log.println(Instant.now() + " jnet daemon: could not restore the proxy of endpoint " + failed);
        }
        Files.createDirectories(path.getParent());
        if (DaemonClient.listening(path)) {
            throw new IOException("a driver already serves " + path);
        }
        Files.deleteIfExists(path);   // a stale socket file from a crash
        ExecutorService calls = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jnet-docker");
            t.setDaemon(true);
            return t;
        });
        Channel server;
        try {
            server = SocketFiles.bindPrivate(new ServerBootstrap().group(loop)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS),
                                    new HttpServerCodec(), new BoundedAggregator(MAX_BODY_BYTES),
                                    new DockerHandler(api, calls, log));
                        }
                    }), path);
        } catch (IOException | RuntimeException e) {
            calls.shutdownNow();
            throw new IOException("serve " + path + ": " + e.getMessage(), e);
        }
        log.println(Instant.now() + " jnet daemon: Docker network and IPAM driver \"jnet\" on " + path);
        return new DockerPlugin(path, server, calls, proxy, log);
    }

    public Path socket() {
        return socket;
    }

    /** Stops accepting, lets the call in progress finish, closes the proxy's listeners, removes the socket file. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        calls.shutdown();
        try {
            calls.awaitTermination(30, TimeUnit.SECONDS);
            proxy.close();    // the endpoints keep their bindings: the next start listens again
            Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.println(Instant.now() + " jnet daemon: could not remove " + socket + ": " + e.getMessage());
        }
    }
}
