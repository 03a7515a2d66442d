package io.jnet.kernel.nft;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The documented differences between nft 1.0.6's messages and ours (golden/nft/README.md), as rewrites of nft's
 * messages. Each rewrite changes only what it names, so anything else that differs still fails the comparison.
 */
final class Deviations {

    private static final int NEWRULE = NftCodec.type(Nft.MSG_NEWRULE);
    private static final int NEWSETELEM = NftCodec.type(Nft.MSG_NEWSETELEM);

    private Deviations() {
    }

    /**
     * nft sends a transaction set id with every reference to a set, also to a set created by an earlier batch
     * (where the kernel resolves the name and never reads the id); we send one only for a set of the same batch.
     */
    static Golden.Msg withoutSetIdsOfExistingSets(Golden.Msg m) {
        if (m.type() == NEWSETELEM) {
            return rewrite(m, top -> top.stream().filter(t -> id(t) != Nft.NFTA_SET_ELEM_LIST_SET_ID).toList());
        }
        if (m.type() == NEWRULE) {
            return rewrite(m, top -> top.stream().map(t -> id(t) != Nft.NFTA_RULE_EXPRESSIONS ? t
                    : t.withChildren(t.children().stream().map(Deviations::lookupWithoutSetId).toList())).toList());
        }
        return m;
    }

    private static Golden.Tlv lookupWithoutSetId(Golden.Tlv expr) {
        boolean lookup = expr.children().stream().anyMatch(c -> id(c) == Nft.NFTA_EXPR_NAME
                && new String(c.value(), java.nio.charset.StandardCharsets.UTF_8).startsWith("lookup\0"));
        if (!lookup) {
            return expr;
        }
        return expr.withChildren(expr.children().stream().map(c -> id(c) != Nft.NFTA_EXPR_DATA ? c
                : c.withChildren(c.children().stream().filter(d -> id(d) != Nft.NFTA_LOOKUP_SET_ID).toList()))
                .toList());
    }

    /**
     * nft starts the first elements it adds to an empty rbtree interval set with an interval end at key zero (a
     * relic the kernel does not need); we do not send it. The remaining list entries are renumbered as nft
     * numbers them.
     */
    static Golden.Msg withoutLeadingZeroEnd(Golden.Msg m) {
        if (m.type() != NEWSETELEM) {
            return m;
        }
        return rewrite(m, top -> top.stream().map(t -> id(t) != Nft.NFTA_SET_ELEM_LIST_ELEMENTS ? t
                : t.withChildren(renumber(t.children().subList(isZeroEnd(t.children().get(0)) ? 1 : 0,
                        t.children().size())))).toList());
    }

    static UnaryOperator<Golden.Msg> both() {
        return m -> withoutLeadingZeroEnd(withoutSetIdsOfExistingSets(m));
    }

    private static boolean isZeroEnd(Golden.Tlv elem) {
        boolean end = elem.children().stream().anyMatch(c -> id(c) == Nft.NFTA_SET_ELEM_FLAGS);
        boolean zero = elem.children().stream().filter(c -> id(c) == Nft.NFTA_SET_ELEM_KEY)
                .allMatch(k -> Bytes.of(k.children().get(0).value()).isZero());
        return end && zero;
    }

    private static List<Golden.Tlv> renumber(List<Golden.Tlv> elems) {
        List<Golden.Tlv> out = new ArrayList<>();
        for (int i = 0; i < elems.size(); i++) {
            Golden.Tlv e = elems.get(i);
            out.add(new Golden.Tlv((i + 1) | (e.type() & ~0x3fff), e.value(), e.children()));
        }
        return out;
    }

    private static int id(Golden.Tlv t) {
        return t.type() & 0x3fff;
    }

    private static Golden.Msg rewrite(Golden.Msg m, UnaryOperator<List<Golden.Tlv>> change) {
        byte[] payload = HexFormat.of().parseHex(m.payload());
        byte[] header = java.util.Arrays.copyOf(payload, Nft.NFGENMSG_LEN);
        List<Golden.Tlv> top = Golden.Tlv.parse(payload, Nft.NFGENMSG_LEN, payload.length);
        return new Golden.Msg(m.type(), m.flags(), HexFormat.of().formatHex(Golden.Tlv.serialize(header,
                change.apply(top))));
    }
}
