package io.jnet.daemon;

import io.jnet.bridge.FirewallHealer;
import io.jnet.bridge.HostSockets;
import io.jnet.kernel.fs.StateRoot;
import io.jnet.kernel.sys.Sys;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketChannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code jnet daemon}: serves CNI calls from the plugins' shims on a Unix socket, on netty's epoll transport. One event
 * loop thread reads and writes; the calls run on a pool of platform threads, through the same {@code PluginMain} as a
 * direct call. The file locks of the state store stay authoritative, so daemon and direct callers mix.
 */
public final class Daemon {

    /** The socket that shims use unless {@code JNET_SOCKET} names another. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/jnet/jnet.sock");

    /**
     * @param allowedUids callers served (SO_PEERCRED); anyone else gets a CNI error
     * @param maxRequestBytes the largest request frame (config and environment)
     * @param warmupCalls the bridge ADDs of the warm-up ({@link Warmup}); 0 for none
     */
    public record Config(Path socket, int workers, int readTimeoutMillis, int maxRequestBytes, Set<Integer> allowedUids,
                         int warmupCalls) {
        /** The warm-up's ADDs by default: past them a call takes about what it takes after thousands. */
        public static final int WARMUP_CALLS = 200;

        public static Config of(Path socket, int workers, int warmupCalls) {
            // a config is at most 16 MiB (the direct path's own limit), plus the environment
            return new Config(socket, workers, 10_000, (16 << 20) + (1 << 20), Set.of(0), warmupCalls);
        }
    }

    /** The warm-up's limit: a machine where the calls are this slow gains little from them. */
    private static final long WARMUP_BUDGET_MILLIS = 10_000;

    /** netty logs through java.util.logging; its notes (no interfaces in a fresh namespace, ...) are not ours. */
    private static final Logger NETTY_LOG = Logger.getLogger("io.netty");

    static {
        NETTY_LOG.setLevel(Level.SEVERE);
    }

    private final Config config;
    private final PrintStream log;
    private final Stats stats = new Stats();
    private final NamespaceId netns;
    private final ExecutorService workers;
    private final EventLoopGroup loop = new EpollEventLoopGroup(1);
    /** The host's nf_tables and rtnetlink sockets, one of each per worker, open for the daemon's whole life. */
    private final HostSockets sockets = HostSockets.kept();
    private FirewallHealer healer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private Channel server;
    private boolean ownsSocketFile;

    private Daemon(Config config, PrintStream log) throws IOException {
        this.config = config;
        this.log = log;
        this.netns = NamespaceId.ofProcess("self");
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "jnet-call-" + n.incrementAndGet());   // platform threads: setns is per thread
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Starts serving: on the socket systemd passed ({@code LISTEN_FDS}/{@code LISTEN_PID}), or else on
     * {@code config.socket()}, replacing a stale socket file but refusing when a live daemon answers on it. The
     * warm-up runs before the socket appears, so that a daemon that serves is a warm one; under socket activation
     * a caller already waits on the socket, so it runs beside the calls instead.
     */
    public static Daemon start(Config config, Map<String, String> env, PrintStream log) throws IOException {
        Daemon d = new Daemon(config, log);
        try {
            d.heal(StateRoot.of(env));
            OptionalInt activated = SocketActivation.listeningFd(env, ProcessHandle.current().pid());
            if (activated.isPresent()) {
                d.bind(activated);
                Thread t = new Thread(() -> {
                    try {
                        d.warmUp();
                    } catch (InterruptedIOException stopping) {
                        // the JVM is ending
                    }
                }, "jnet-warmup");
                t.setDaemon(true);
                t.start();
            } else {
                d.prepare(config.socket().toAbsolutePath());    // a live daemon there: refused before the warm-up
                d.warmUp();
                d.bind(activated);
            }
        } catch (IOException | RuntimeException e) {
            d.closeFirewall();
            d.loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            d.workers.shutdownNow();
            throw e;
        }
        return d;
    }

    /** Heals the firewall from the state under {@code root}; without nf_tables events the daemon serves all the same. */
    private void heal(Path root) {
        try {
            healer = FirewallHealer.start(root, sockets, this::log);
            stats.heals(healer::heals);
        } catch (IOException e) {
            log("not healing the firewall: nf_tables events: " + e.getMessage());
        }
    }

    /** Warms up; a shutdown during it is thrown, so that a stopping daemon does not go on to bind its socket. */
    private void warmUp() throws InterruptedIOException {
        if (config.warmupCalls() <= 0) {
            return;
        }
        try {
            Warmup.Outcome o = Warmup.run(config.warmupCalls(), WARMUP_BUDGET_MILLIS);
            log("warmed up: " + o.calls() + " calls in throwaway namespaces in " + o.millis() + " ms"
                    + (o.failed() == 0 ? "" : ", " + o.failed() + " failed: " + o.firstError()));
        } catch (InterruptedIOException stopping) {
            throw stopping;
        } catch (IOException | RuntimeException e) {
            log("no warm-up: " + e.getMessage());
        }
    }

    private void closeFirewall() {
        if (healer != null) {
            healer.close();
        }
        sockets.close();
    }

    private void bind(OptionalInt activated) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(loop).childHandler(new ChannelInitializer<DomainSocketChannel>() {
            @Override
            protected void initChannel(DomainSocketChannel ch) {
                ch.pipeline().addLast(new RequestDecoder(config.maxRequestBytes()), new ConnectionHandler(Daemon.this));
            }
        });
        if (activated.isPresent()) {
            int fd = activated.getAsInt();
            // systemd passes a blocking socket; netty's accept loop runs until EAGAIN and would block the event loop
            Sys.setNonBlocking(fd, "O_NONBLOCK on the socket systemd passed (fd " + fd + ")");
            server = b.channelFactory(() -> new EpollServerDomainSocketChannel(fd, true)).register()
                    .syncUninterruptibly().channel();
            log("serving on the socket systemd passed (fd " + fd + "), protocol " + Wire.VERSION + ", "
                    + config.workers() + " workers, " + netns);
            return;
        }
        Path socket = config.socket().toAbsolutePath();
        server = SocketFiles.bindPrivate(b, socket);
        ownsSocketFile = true;
        log("serving on " + socket + ", protocol " + Wire.VERSION + ", " + config.workers() + " workers, " + netns);
    }

    /** Creates the directory (0700) if missing; removes a stale socket file, refuses a live one or a non-socket. */
    private void prepare(Path socket) throws IOException {
        Path dir = socket.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!"socket".equals(fileType(socket))) {
            throw new IOException(socket + " exists and is not a socket");
        }
        if (DaemonClient.listening(socket)) {
            throw new IOException("a daemon already serves " + socket);
        }
        Files.delete(socket);
        log("replaced the stale socket " + socket);
    }

    private static String fileType(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0xF000) == 0xC000 ? "socket" : "other";
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops accepting (and removes the socket file, so new calls go direct at once), waits up to {@code drainMillis}
     * for the calls in flight to answer, then ends the threads.
     */
    public void stop(long drainMillis) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close().syncUninterruptibly();
            if (ownsSocketFile) {
                try {
                    Files.deleteIfExists(config.socket().toAbsolutePath());
                } catch (IOException e) {
                    log("could not remove " + config.socket() + ": " + e.getMessage());
                }
            }
            int inFlight = stats.inFlight();
            log("stopping: " + inFlight + " call(s) in flight");
            long until = System.nanoTime() + drainMillis * 1_000_000L;
            while (stats.inFlight() > 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            workers.shutdown();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            if (workers.awaitTermination(1, TimeUnit.SECONDS)) {
                closeFirewall();
            }
            log("stopped" + (stats.inFlight() > 0 ? " with " + stats.inFlight() + " call(s) unanswered" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    void log(String line) {
        log.println(Instant.now() + " jnet daemon: " + line);
    }

    /** The event loop, for the daemon's other sockets (Docker's plugin socket) to share. */
    public EventLoopGroup eventLoop() {
        return loop;
    }

    Config config() {
        return config;
    }

    Stats stats() {
        return stats;
    }

    NamespaceId netns() {
        return netns;
    }

    HostSockets sockets() {
        return sockets;
    }

    ExecutorService workers() {
        return workers;
    }
}
