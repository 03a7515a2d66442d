package io.jnet.daemon.docker;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** netty's aggregator, answering an oversized body as every other refusal: a JSON {@code Err}, then closing. */
final class BoundedAggregator extends HttpObjectAggregator {

    BoundedAggregator(int maxBytes) {
        super(maxBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(DockerHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body larger than " + DockerPlugin.MAX_BODY_BYTES + " bytes"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
