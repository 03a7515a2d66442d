package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The golden captures under {@code golden/nft}: the messages that nft sent in one batch, as
 * {@code <type> <flags> <payload-after-nlmsghdr>} lines. See capture.sh and README.md there.
 */
final class Golden {

    /** One message: header type and flags, and the payload after the 16-byte nlmsghdr. */
    record Msg(int type, int flags, String payload) {
    }

    private Golden() {
    }

    static List<Msg> load(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/nft/" + name + ".hex")) {
            if (in == null) {
                throw new AssertionError("no golden capture " + name + ".hex");
            }
            List<Msg> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                out.add(new Msg(Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16), f.length > 2 ? f[2] : ""));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the batch encodes to, as the same kind of lines. */
    static List<Msg> encode(NftBatch batch, boolean destroySupported) {
        NlWriter w = new NlWriter(0);
        batch.encode(w, destroySupported);
        List<Msg> out = new ArrayList<>();
        for (NlMessage m : NlMessage.parseAll(ByteBuffer.wrap(w.toByteArray()))) {
            out.add(new Msg(m.type(), m.flags(), HexFormat.of().formatHex(NlAttrs.toBytes(m.payload()))));
        }
        return out;
    }

    /**
     * Compares our batch with nft's, message by message. Flags are compared without NLM_F_ACK, which we set on
     * every message and nft does not; {@code nftDeviation} rewrites nft's payloads where README.md documents a
     * deliberate difference.
     */
    static void assertMatches(String name, NftBatch batch, UnaryOperator<Msg> nftDeviation) {
        List<Msg> expected = load(name).stream().map(nftDeviation).toList();
        List<Msg> actual = encode(batch, true);
        assertEquals(render(expected), render(actual.stream()
                .map(m -> new Msg(m.type(), m.flags() & ~Nl.F_ACK, m.payload())).toList()), name);
        for (Msg m : actual) {
            boolean batchMarker = m.type() == Nft.NFNL_MSG_BATCH_BEGIN || m.type() == Nft.NFNL_MSG_BATCH_END;
            assertEquals(!batchMarker, (m.flags() & Nl.F_ACK) != 0, "NLM_F_ACK on " + Integer.toHexString(m.type()));
        }
    }

    static void assertMatches(String name, NftBatch batch) {
        assertMatches(name, batch, UnaryOperator.identity());
    }

    private static String render(List<Msg> msgs) {
        StringBuilder out = new StringBuilder();
        for (Msg m : msgs) {
            out.append(String.format("%04x %04x%n", m.type(), m.flags()));
            out.append(Tlv.render(HexFormat.of().parseHex(m.payload()))).append('\n');
        }
        return out.toString();
    }

    /**
     * A netlink attribute tree of an nf_tables payload (nfgenmsg, then attributes), for readable diffs and for
     * the documented rewrites of nft's messages. Nests are recognised by NLA_F_NESTED, which nft sets on all.
     */
    record Tlv(int type, byte[] value, List<Tlv> children) {

        static List<Tlv> parse(byte[] b, int from, int to) {
            List<Tlv> out = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
            int at = from;
            while (at + 4 <= to) {
                int len = buf.getShort(at) & 0xffff;
                int type = buf.getShort(at + 2) & 0xffff;
                byte[] value = Arrays.copyOfRange(b, at + 4, at + len);
                List<Tlv> children = (type & Nl.NLA_F_NESTED) != 0 ? parse(value, 0, value.length) : List.of();
                out.add(new Tlv(type, value, children));
                at += Nl.align(len);
            }
            return out;
        }

        static String render(byte[] payload) {
            StringBuilder out = new StringBuilder("  nfgenmsg " + HexFormat.of().formatHex(payload, 0, 4) + "\n");
            render(parse(payload, 4, payload.length), 2, out);
            return out.toString();
        }

        private static void render(List<Tlv> tlvs, int indent, StringBuilder out) {
            for (Tlv t : tlvs) {
                out.append(" ".repeat(indent)).append(t.type & Nl.NLA_TYPE_MASK);
                if ((t.type & Nl.NLA_F_NESTED) != 0) {
                    out.append(" {\n");
                    render(t.children, indent + 2, out);
                    out.append(" ".repeat(indent)).append("}\n");
                } else {
                    out.append(' ').append(HexFormat.of().formatHex(t.value)).append('\n');
                }
            }
        }

        static byte[] serialize(byte[] header, List<Tlv> tlvs) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(header);
            for (Tlv t : tlvs) {
                t.writeTo(out);
            }
            return out.toByteArray();
        }

        private void writeTo(ByteArrayOutputStream out) {
            byte[] body;
            if ((type & Nl.NLA_F_NESTED) != 0) {
                ByteArrayOutputStream inner = new ByteArrayOutputStream();
                for (Tlv c : children) {
                    c.writeTo(inner);
                }
                body = inner.toByteArray();
            } else {
                body = value;
            }
            int len = 4 + body.length;
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
                    .putShort((short) len).putShort((short) type).array());
            out.writeBytes(body);
            out.writeBytes(new byte[Nl.align(len) - len]);
        }

        Tlv withChildren(List<Tlv> newChildren) {
            return new Tlv(type, value, newChildren);
        }
    }
}
