package io.jnet.daemon;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestDecoderTest {

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new RequestDecoder(1 << 20));
    }

    @Test
    void aCallArrivingByteByByteDecodesOnceWhole() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "ADD");
        env.put("JNET_ROOT", "/tmp/x=y");
        byte[] stdin = "{\"cniVersion\":\"1.1.0\"}".getBytes(StandardCharsets.UTF_8);
        byte[] frame = bytes(Wire.call("bridge", env, stdin));
        EmbeddedChannel ch = channel();
        for (int i = 0; i < frame.length - 1; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(frame, i, 1));
            assertNull(ch.readInbound(), "nothing before the last byte");
        }
        ch.writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1));
        Request.Call call = assertInstanceOf(Request.Call.class, ch.readInbound());
        assertEquals("bridge", call.type());
        assertEquals(env, call.env());
        assertArrayEquals(stdin, call.stdin());
    }

    @Test
    void statusAndAnotherVersion() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(bytes(Wire.status())));
        assertInstanceOf(Request.Status.class, ch.readInbound());

        EmbeddedChannel other = channel();
        other.writeInbound(Unpooled.wrappedBuffer(new byte[] {'J', 'N', 'E', 'T', 0, 7, 1, 2, 3}));
        assertEquals(7, assertInstanceOf(Request.OtherVersion.class, other.readInbound()).version());
    }

    @Test
    void malformedFramesAreErrors() {
        byte[][] bad = {
            {'H', 'T', 'T', 'P', ' ', '/'},
            {'J', 'N', 'E', 'T', 0, 1, 0x7f, 0, 0, 0},                       // over the limit
            {'J', 'N', 'E', 'T', 0, 1, 0, 0, 0, 0},                          // empty
            {'J', 'N', 'E', 'T', 0, 1, 0, 0, 0, 1, 9},                       // unknown operation
            {'J', 'N', 'E', 'T', 0, 1, 0, 0, 0, 2, 2, 0},                    // bytes after STATUS
            {'J', 'N', 'E', 'T', 0, 1, 0, 0, 0, 3, 1, 0, 9},                 // type longer than the frame
        };
        for (byte[] frame : bad) {
            EmbeddedChannel ch = channel();
            assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(frame)));
        }
        byte[] path = bytes(Wire.call("none", Map.of("PATH", "/bin"), new byte[0]));
        DecoderException e = assertThrows(DecoderException.class, () -> channel().writeInbound(Unpooled.wrappedBuffer(path)));
        assertTrue(e.getMessage().contains("not CNI_* or JNET_*"), e.getMessage());
    }

    @Test
    void aFrameCutShortIsAnErrorWhenTheCallerCloses() {
        byte[] frame = bytes(Wire.call("none", Map.of("CNI_COMMAND", "DEL"), new byte[10]));
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(frame, 0, frame.length - 3));
        assertNull(ch.readInbound());
        assertThrows(DecoderException.class, ch::finish);
    }
}
