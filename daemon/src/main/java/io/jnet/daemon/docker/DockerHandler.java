package io.jnet.daemon.docker;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One connection of Docker's: each request's JSON body goes to its call on the calls thread, never on the event
 * loop; the answer is {@code application/vnd.docker.plugins.v1.2+json}. Anything refused is an HTTP error whose body
 * is {@code {"Err": "..."}}, which Docker shows the user; a request that is not HTTP closes its connection only.
 */
final class DockerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String CONTENT_TYPE = "application/vnd.docker.plugins.v1.2+json";

    private final DockerApi api;
    private final ExecutorService calls;
    private final PrintStream log;

    DockerHandler(DockerApi api, ExecutorService calls, PrintStream log) {
        this.api = api;
        this.calls = calls;
        this.log = log;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            respond(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + decoded.cause().getMessage()),
                    false);
            return;
        }
        String path = request.uri();
        if (!HttpMethod.POST.equals(request.method())) {
            respond(ctx, error(HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " " + path
                    + ": plugin calls are POST"), keepAlive);
            return;
        }
        DockerApi.Call call = api.call(path);
        if (call == null) {
            respond(ctx, error(HttpResponseStatus.NOT_FOUND, "unknown call " + path), keepAlive);
            return;
        }
        byte[] body = new byte[request.content().readableBytes()];
        request.content().readBytes(body);
        try {
            calls.execute(() -> respond(ctx, answer(path, call, body), keepAlive));
        } catch (RejectedExecutionException stopping) {
            respond(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the jnet daemon is stopping"), false);
        }
    }

    private FullHttpResponse answer(String path, DockerApi.Call call, byte[] body) {
        long start = System.nanoTime();
        FullHttpResponse response;
        String outcome;
        try {
            Map<String, Object> fields = body.length == 0 ? Map.of() : Json.parseObject(body);
            response = json(HttpResponseStatus.OK, call.answer(new Body(path.substring(1), fields)));
            outcome = "ok";
        } catch (CniException e) {
            response = error(HttpResponseStatus.BAD_REQUEST, "malformed JSON body: " + e.getMessage());
            outcome = "malformed JSON";
        } catch (DockerException e) {
            response = error(HttpResponseStatus.valueOf(e.status()), e.getMessage());
            outcome = "refused: " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage() == null ? e.toString()
                    : e.getMessage());
            outcome = "failed: " + e;
        }
        log.printf("%s jnet daemon: docker %s %s (%.1f ms)%n", Instant.now(), path, outcome,
                (System.nanoTime() - start) / 1e6);
        return response;
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    static FullHttpResponse error(HttpResponseStatus status, String message) {
        return json(status, Map.of("Err", message));
    }

    private static FullHttpResponse json(HttpResponseStatus status, Map<String, Object> body) {
        byte[] bytes = Json.writeBytes(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
