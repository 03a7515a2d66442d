package io.jnet.daemon;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One connection: authenticates the caller (SO_PEERCRED), checks that it is in the daemon's network namespace,
 * runs its call on a worker thread (never on the event loop: plugins block and switch namespaces) and writes the
 * one response. A request that does not arrive whole within the read timeout closes the connection.
 */
final class ConnectionHandler extends SimpleChannelInboundHandler<Request> {

    private final Daemon daemon;
    private ScheduledFuture<?> deadline;

    ConnectionHandler(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            daemon.log("closed a connection: no whole request within " + daemon.config().readTimeoutMillis() + " ms");
            daemon.stats().malformed();
            ctx.close();
        }, daemon.config().readTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Request request) {
        deadline.cancel(false);
        PeerCredentials peer;
        try {
            peer = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
        } catch (IOException e) {
            daemon.log("closed a connection: SO_PEERCRED failed: " + e.getMessage());
            ctx.close();
            return;
        }
        if (request instanceof Request.OtherVersion other) {
            daemon.log("told pid " + peer.pid() + " to run directly: it speaks protocol " + other.version()
                    + ", this daemon " + Wire.VERSION);
            daemon.stats().direct();
            reply(ctx, Wire.KIND_DIRECT, utf8("protocol version " + Wire.VERSION));
        } else if (request instanceof Request.Status) {
            if (allowed(ctx, peer, "status")) {
                reply(ctx, Wire.KIND_STATUS, Json.writeBytes(daemon.stats().snapshot()));
            }
        } else if (request instanceof Request.Call call) {
            if (allowed(ctx, peer, call.env().getOrDefault("CNI_COMMAND", "")) && sameNetns(ctx, peer)) {
                submit(ctx, call);
            }
        }
    }

    private boolean allowed(ChannelHandlerContext ctx, PeerCredentials peer, String what) {
        if (daemon.config().allowedUids().contains(peer.uid())) {
            return true;
        }
        daemon.log("refused " + what + " from uid " + peer.uid() + " (pid " + peer.pid() + ")");
        daemon.stats().refused();
        String msg = "jnet daemon serves uid " + daemon.config().allowedUids() + " only; the caller is uid " + peer.uid();
        byte[] error = Json.writeBytes(Map.of("cniVersion", "1.1.0", "code", 999, "msg", msg));
        ByteBuf body = ctx.alloc().buffer();
        body.writeInt(1).writeInt(error.length + 1).writeBytes(error).writeByte('\n').writeInt(0);
        reply(ctx, Wire.KIND_RESULT, body);
        return false;
    }

    /** A daemon acts only for callers in its own network namespace; any other caller runs the call itself. */
    private boolean sameNetns(ChannelHandlerContext ctx, PeerCredentials peer) {
        NamespaceId theirs;
        try {
            theirs = NamespaceId.ofProcess(Integer.toString(peer.pid()));
        } catch (IOException e) {
            daemon.log("closed a connection: the network namespace of pid " + peer.pid() + ": " + e.getMessage());
            ctx.close();
            return false;
        }
        if (theirs.equals(daemon.netns())) {
            return true;
        }
        daemon.log("told pid " + peer.pid() + " to run directly: it is in " + theirs + ", this daemon in "
                + daemon.netns());
        daemon.stats().direct();
        reply(ctx, Wire.KIND_DIRECT, utf8("another network namespace"));
        return false;
    }

    private void submit(ChannelHandlerContext ctx, Request.Call call) {
        ExecutorService workers = daemon.workers();
        String command = call.env().getOrDefault("CNI_COMMAND", "");
        daemon.stats().started();
        long start = System.nanoTime();
        try {
            workers.execute(() -> {
                Calls.Outcome outcome;
                try {
                    outcome = Calls.run(call.type(), call.env(), call.stdin(), daemon.sockets());
                } catch (Throwable t) {     // the daemon outlives any one call
                    daemon.stats().finished(command, System.nanoTime() - start);
                    daemon.log(command + " failed inside the daemon: " + t);
                    ctx.close();
                    return;
                }
                ByteBuf body = ctx.alloc().buffer(12 + outcome.stdout().length + outcome.stderr().length);
                body.writeInt(outcome.exitCode()).writeInt(outcome.stdout().length).writeBytes(outcome.stdout())
                        .writeInt(outcome.stderr().length).writeBytes(outcome.stderr());
                reply(ctx, Wire.KIND_RESULT, body).addListener(f -> {
                    long nanos = System.nanoTime() - start;
                    daemon.stats().finished(command, nanos);
                    daemon.log(line(command, call, outcome, nanos));
                });
            });
        } catch (RejectedExecutionException e) {   // stopping: the shim falls back (DEL) or reports code 11
            daemon.stats().finished(command, System.nanoTime() - start);
            ctx.close();
        }
    }

    /** One log line per request: command, container, network, duration, exit code (and the CNI code of an error). */
    private static String line(String command, Request.Call call, Calls.Outcome outcome, long nanos) {
        StringBuilder sb = new StringBuilder(command).append(" jnet-").append(call.type())
                .append(" container=").append(call.env().getOrDefault("CNI_CONTAINERID", "-"))
                .append(" network=").append(field(call.stdin(), "name"))
                .append(' ').append(String.format("%.1f", nanos / 1e6)).append(" ms exit=").append(outcome.exitCode());
        if (outcome.exitCode() == 1) {
            sb.append(" code=").append(field(outcome.stdout(), "code"));
        }
        return sb.toString();
    }

    private static String field(byte[] json, String name) {
        try {
            Object v = Json.parseObject(json).get(name);
            return v == null ? "-" : v.toString();
        } catch (CniException | RuntimeException e) {
            return "-";
        }
    }

    private io.netty.channel.ChannelFuture reply(ChannelHandlerContext ctx, int kind, byte[] body) {
        return reply(ctx, kind, ctx.alloc().buffer(body.length).writeBytes(body));
    }

    private static io.netty.channel.ChannelFuture reply(ChannelHandlerContext ctx, int kind, ByteBuf body) {
        ByteBuf head = ctx.alloc().buffer(Wire.HEADER + 5);
        head.writeBytes(Wire.MAGIC).writeShort(Wire.VERSION).writeByte(kind).writeInt(body.readableBytes());
        ctx.write(head);
        return ctx.writeAndFlush(body).addListener(ChannelFutureListener.CLOSE);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        daemon.stats().malformed();
        daemon.log("closed a connection: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        ctx.close();
    }
}
