package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.jnet.kernel.nft.Nft.*;

/**
 * Names the part of a sent message that the kernel blamed (NLMSGERR_ATTR_OFFS): nf_tables points at the failing
 * expression of a rule and the failing element of an element list, which a message's description alone cannot say.
 */
final class BadAttribute {

    private BadAttribute() {
    }

    /**
     * "" when the offset names nothing we can describe, else e.g. {@code ", at expression 4 (lookup)"} or
     * {@code ", at element {0600000000500000}"}.
     *
     * @param message the failed message as sent, from its nlmsghdr on
     * @param offset  the blamed attribute's offset from the start of the message
     */
    static String describe(ByteBuffer message, int offset) {
        ByteBuffer m = message.slice().order(ByteOrder.nativeOrder());
        int start = Nl.HEADER_LEN + NFGENMSG_LEN;
        if (offset < start || offset >= m.limit()) {
            return "";
        }
        int type = m.getShort(4) & 0xff;
        int at = start;
        while (at + 4 <= m.limit()) {
            int len = m.getShort(at) & 0xffff;
            int attr = m.getShort(at + 2) & Nl.NLA_TYPE_MASK;
            if (len < 4) {
                return "";
            }
            if (offset >= at && offset < at + len) {
                if (type == MSG_NEWRULE && attr == NFTA_RULE_EXPRESSIONS) {
                    return listEntry(m, at, len, offset, "expression");
                }
                if ((type == MSG_NEWSETELEM || type == MSG_DELSETELEM || type == MSG_DESTROYSETELEM)
                        && attr == NFTA_SET_ELEM_LIST_ELEMENTS) {
                    return listEntry(m, at, len, offset, "element");
                }
                return ", at " + name(type, attr);
            }
            at += Nl.align(len);
        }
        return "";
    }

    /** The uapi name of a top-level attribute of the messages we send. */
    private static String name(int type, int attr) {
        String[] names = switch (type) {
            case MSG_NEWTABLE, MSG_DELTABLE, MSG_DESTROYTABLE ->
                new String[] {"", "NFTA_TABLE_NAME", "NFTA_TABLE_FLAGS"};
            case MSG_NEWCHAIN, MSG_DELCHAIN, MSG_DESTROYCHAIN -> new String[] {"", "NFTA_CHAIN_TABLE",
                "NFTA_CHAIN_HANDLE", "NFTA_CHAIN_NAME", "NFTA_CHAIN_HOOK", "NFTA_CHAIN_POLICY", "NFTA_CHAIN_USE",
                "NFTA_CHAIN_TYPE"};
            case MSG_NEWRULE, MSG_DELRULE -> new String[] {"", "NFTA_RULE_TABLE", "NFTA_RULE_CHAIN",
                "NFTA_RULE_HANDLE", "NFTA_RULE_EXPRESSIONS", "NFTA_RULE_COMPAT", "NFTA_RULE_POSITION",
                "NFTA_RULE_USERDATA"};
            case MSG_NEWSET, MSG_DELSET, MSG_DESTROYSET -> new String[] {"", "NFTA_SET_TABLE", "NFTA_SET_NAME",
                "NFTA_SET_FLAGS", "NFTA_SET_KEY_TYPE", "NFTA_SET_KEY_LEN", "NFTA_SET_DATA_TYPE", "NFTA_SET_DATA_LEN",
                "NFTA_SET_POLICY", "NFTA_SET_DESC", "NFTA_SET_ID", "NFTA_SET_TIMEOUT", "NFTA_SET_GC_INTERVAL",
                "NFTA_SET_USERDATA"};
            case MSG_NEWSETELEM, MSG_DELSETELEM, MSG_DESTROYSETELEM -> new String[] {"", "NFTA_SET_ELEM_LIST_TABLE",
                "NFTA_SET_ELEM_LIST_SET", "NFTA_SET_ELEM_LIST_ELEMENTS", "NFTA_SET_ELEM_LIST_SET_ID"};
            default -> new String[0];
        };
        return attr > 0 && attr < names.length ? names[attr] : "attribute " + attr;
    }

    /** The entry of a nested list that contains the offset: an expression by position and name, an element by key. */
    private static String listEntry(ByteBuffer m, int nest, int nestLen, int offset, String what) {
        int index = 0;
        int at = nest + 4;
        while (at + 4 <= nest + nestLen) {
            int len = m.getShort(at) & 0xffff;
            if (len < 4) {
                return "";
            }
            index++;
            if (offset >= at && offset < at + len) {
                NlAttrs entry = NlAttrs.parse(m.duplicate().position(at + 4).limit(at + len));
                if (what.equals("expression")) {
                    return ", at expression " + index + " (" + entry.string(NFTA_EXPR_NAME) + ")";
                }
                NlAttrs key = entry.nested(NFTA_SET_ELEM_KEY);
                byte[] value = key == null ? null : key.bytes(NFTA_DATA_VALUE);
                return ", at element " + (value == null ? String.valueOf(index) : "{" + Bytes.of(value) + "}");
            }
            at += Nl.align(len);
        }
        return "";
    }
}
