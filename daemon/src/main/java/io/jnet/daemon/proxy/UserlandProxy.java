package io.jnet.daemon.proxy;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's userland proxy, for what nf_tables cannot do: a port published on an IPv6 host address for a
 * container that has only IPv4 (NAT does not translate between families). Each binding is a listener on the
 * daemon's epoll event loop, in the daemon's network namespace: TCP connections are relayed byte for byte with
 * back-pressure, UDP datagrams through one connected socket per client, closed after a minute of silence. IPv6
 * listeners are IPV6_V6ONLY, so an IPv6 binding never answers IPv4, which the kernel's NAT serves.
 */
public final class UserlandProxy implements AutoCloseable {

    /** One published port that the proxy serves: what listens on the host, and where it leads. */
    public record Binding(String protocol, InetAddress hostIp, int hostPort, InetAddress target, int targetPort) {
        public Binding {
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("the userland proxy serves tcp and udp, not " + protocol);
            }
        }

        @Override
        public String toString() {
            return protocol + " [" + IpPrefix.formatAddress(hostIp) + "]:" + hostPort + " -> "
                    + IpPrefix.formatAddress(target) + ":" + targetPort;
        }
    }

    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int SO_REUSEADDR = 2;
    private static final int UDP_FLOW_IDLE_SECONDS = 60;

    private final EventLoopGroup loop;
    private final Map<Binding, Channel> listeners = new ConcurrentHashMap<>();

    public UserlandProxy(EventLoopGroup loop) {
        this.loop = loop;
    }

    /** Listens for {@code b}; a binding that is already served is left as it is. */
    public synchronized void start(Binding b) throws IOException {
        if (listeners.containsKey(b)) {
            return;
        }
        InetSocketAddress local = new InetSocketAddress(b.hostIp(), b.hostPort());
        InetSocketAddress target = new InetSocketAddress(b.target(), b.targetPort());
        try {
            Channel ch = b.protocol().equals("tcp") ? tcp(local, target) : udp(local, target);
            listeners.put(b, ch);
        } catch (RuntimeException e) {
            throw new IOException("listen on " + b.protocol() + " [" + IpPrefix.formatAddress(b.hostIp()) + "]:"
                    + b.hostPort() + ": " + e.getMessage(), e);
        }
    }

    /** Stops listening for {@code b}; connections already relayed end with their peers. */
    public synchronized void stop(Binding b) {
        Channel ch = listeners.remove(b);
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    public Set<Binding> bindings() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public synchronized void close() {
        for (Binding b : bindings()) {
            stop(b);
        }
    }

    private Channel tcp(InetSocketAddress local, InetSocketAddress target) throws IOException {
        ServerBootstrap server = new ServerBootstrap().group(loop)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        connect(inbound, target);
                    }
                });
        if (local.getAddress() instanceof Inet6Address) {
            int fd = v6only(SOCK_STREAM);
            server.channelFactory(() -> new EpollServerSocketChannel(fd));
        } else {
            server.channel(EpollServerSocketChannel.class).option(ChannelOption.SO_REUSEADDR, true);
        }
        return server.bind(local).syncUninterruptibly().channel();
    }

    /** Connects to the target and relays both ways once it answers; refused or unreachable closes the client. */
    private void connect(SocketChannel inbound, InetSocketAddress target) {
        new Bootstrap().group(inbound.eventLoop()).channel(EpollSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new Relay(inbound))
                .connect(target).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        inbound.close();
                        return;
                    }
                    inbound.pipeline().addLast(new Relay(f.channel()));
                    inbound.config().setAutoRead(true);
                    f.channel().config().setAutoRead(true);
                });
    }

    private Channel udp(InetSocketAddress local, InetSocketAddress target) throws IOException {
        Bootstrap b = new Bootstrap().group(loop);
        if (local.getAddress() instanceof Inet6Address) {
            int fd = v6only(SOCK_DGRAM);
            b.channelFactory(() -> new EpollDatagramChannel(fd));
        } else {
            b.channel(EpollDatagramChannel.class);
        }
        Map<InetSocketAddress, ChannelFuture> flows = new ConcurrentHashMap<>();
        return b.handler(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                InetSocketAddress client = packet.sender();
                ChannelFuture flow = flows.computeIfAbsent(client, c -> flow(ctx.channel(), c, target, flows));
                packet.content().retain();
                flow.addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        f.channel().writeAndFlush(packet.content());
                    } else {
                        packet.content().release();
                        flows.remove(client);
                    }
                });
            }
        }).bind(local).syncUninterruptibly().channel();
    }

    /** A client's own socket to the target: replies go back to the client from the listener's address. */
    private static ChannelFuture flow(Channel listener, InetSocketAddress client, InetSocketAddress target,
                                      Map<InetSocketAddress, ChannelFuture> flows) {
        ChannelFuture f = new Bootstrap().group(listener.eventLoop()).channel(EpollDatagramChannel.class)
                .handler(new ChannelInitializer<EpollDatagramChannel>() {
                    @Override
                    protected void initChannel(EpollDatagramChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, UDP_FLOW_IDLE_SECONDS, TimeUnit.SECONDS),
                                new SimpleChannelInboundHandler<DatagramPacket>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
                                        listener.writeAndFlush(new DatagramPacket(reply.content().retain(), client));
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                        if (event instanceof IdleStateEvent) {
                                            ctx.close();
                                        }
                                    }
                                });
                    }
                }).connect(target);
        f.channel().closeFuture().addListener(closed -> flows.remove(client, f));
        listener.closeFuture().addListener(closed -> f.channel().close());
        return f;
    }

    /** An IPv6 socket that serves IPv6 only, non-blocking, for netty to own. */
    private static int v6only(int type) throws IOException {
        Fd fd = Sys.socket(AF_INET6, type | Sys.O_NONBLOCK, 0);
        try {
            Sys.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
            Sys.setsockopt(fd, Sys.SOL_SOCKET, SO_REUSEADDR, 1);
            return fd.get();
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }
}
