package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlWriter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalInt;

import static io.jnet.kernel.nft.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The part of a message that NLMSGERR_ATTR_OFFS points at, named for a person. */
class BadAttributeTest {

    private static final int FIRST_ATTR = Nl.HEADER_LEN + Nft.NFGENMSG_LEN;

    private static ByteBuffer encode(java.util.function.Consumer<NlWriter> write) {
        NlWriter w = new NlWriter(1);
        write.accept(w);
        return ByteBuffer.wrap(w.toByteArray()).order(ByteOrder.nativeOrder());
    }

    /** The offset of the {@code index}-th (from 1) entry of the nest that starts at {@code nest}. */
    private static int entry(ByteBuffer m, int nest, int index) {
        int at = nest + 4;
        for (int i = 1; i < index; i++) {
            at += Nl.align(m.getShort(at) & 0xffff);
        }
        return at;
    }

    private static int attr(ByteBuffer m, int index) {
        int at = FIRST_ATTR;
        for (int i = 1; i < index; i++) {
            at += Nl.align(m.getShort(at) & 0xffff);
        }
        return at;
    }

    @Test
    void namesTheExpressionOfARule() {
        Rule rule = Rule.in(FORWARD).add(Rules.saddrIn("nosuchset", false)).add(Rules.drop()).build();
        ByteBuffer m = encode(w -> NftCodec.newRule(w, rule, true, NftCodec.SetIds.NONE));
        int expressions = attr(m, 3);
        assertEquals(", at expression 4 (lookup)", BadAttribute.describe(m, entry(m, expressions, 4)));
        assertEquals(", at expression 5 (immediate)", BadAttribute.describe(m, entry(m, expressions, 5) + 8));
        assertEquals(", at NFTA_RULE_CHAIN", BadAttribute.describe(m, attr(m, 2)));
    }

    @Test
    void namesTheElementByItsKey() {
        List<Element> elements = List.of(Element.of(protoPort(Rules.TCP, 80), addrPort("10.233.0.2", 80)),
                Element.of(protoPort(Rules.TCP, 443), addrPort("10.233.0.2", 443)));
        ByteBuffer m = encode(w -> NftCodec.setElems(w, Nft.MSG_NEWSETELEM, DNAT4,
                NftCodec.toWire(DNAT4, elements, true), OptionalInt.empty()));
        int list = attr(m, 3);
        assertEquals(", at element {06000000" + "01bb0000}", BadAttribute.describe(m, entry(m, list, 2)));
        assertEquals(", at NFTA_SET_ELEM_LIST_SET", BadAttribute.describe(m, attr(m, 2)));
    }

    @Test
    void saysNothingForOffsetsOutsideTheAttributes() {
        ByteBuffer m = encode(w -> NftCodec.newTable(w, T));
        assertEquals("", BadAttribute.describe(m, 0));
        assertEquals("", BadAttribute.describe(m, m.limit()));
        assertEquals(", at NFTA_TABLE_NAME", BadAttribute.describe(m, FIRST_ATTR));
    }
}
