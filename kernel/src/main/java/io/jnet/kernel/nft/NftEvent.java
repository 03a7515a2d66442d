package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;

import java.util.Optional;

/**
 * One nf_tables notification: what changed (a table, chain, rule, set or set elements), where, and the port id of the
 * netlink socket whose batch changed it, so that a listener can tell its own writes from others'. {@link Kind#LOST}
 * stands for notifications the kernel dropped (the listener's queue overflowed): anything may have changed.
 */
public record NftEvent(Kind kind, Table table, String object, int portId) {

    public enum Kind {
        NEW_TABLE, DEL_TABLE, NEW_CHAIN, DEL_CHAIN, NEW_RULE, DEL_RULE, NEW_SET, DEL_SET, NEW_ELEMENTS, DEL_ELEMENTS,
        LOST;

        /** Whether the event removed something (a flush of a chain arrives as one DEL_RULE per rule). */
        public boolean removes() {
            return this == DEL_TABLE || this == DEL_CHAIN || this == DEL_RULE || this == DEL_SET
                    || this == DEL_ELEMENTS || this == LOST;
        }
    }

    /** The nf_tables multicast group (NFNLGRP_NFTABLES). */
    public static final int GROUP = 7;

    public static NftEvent lost() {
        return new NftEvent(Kind.LOST, null, "", 0);
    }

    /** The event a notification reports; empty for messages of other kinds (a generation, an object, a flowtable). */
    public static Optional<NftEvent> decode(NlMessage m) {
        if (m.type() >> 8 != Nft.NFNL_SUBSYS_NFTABLES || m.payload().remaining() < Nft.NFGENMSG_LEN) {
            return Optional.empty();
        }
        Family family;
        try {
            family = NftCodec.family(m);
        } catch (IllegalArgumentException unknownFamily) {
            return Optional.empty();
        }
        NlAttrs a = m.attrs(Nft.NFGENMSG_LEN);
        Kind kind;
        int tableAttr;
        int objectAttr;
        switch (m.type() & 0xff) {
            case Nft.MSG_NEWTABLE, Nft.MSG_DELTABLE -> {
                kind = (m.type() & 0xff) == Nft.MSG_NEWTABLE ? Kind.NEW_TABLE : Kind.DEL_TABLE;
                tableAttr = Nft.NFTA_TABLE_NAME;
                objectAttr = -1;
            }
            case Nft.MSG_NEWCHAIN, Nft.MSG_DELCHAIN -> {
                kind = (m.type() & 0xff) == Nft.MSG_NEWCHAIN ? Kind.NEW_CHAIN : Kind.DEL_CHAIN;
                tableAttr = Nft.NFTA_CHAIN_TABLE;
                objectAttr = Nft.NFTA_CHAIN_NAME;
            }
            case Nft.MSG_NEWRULE, Nft.MSG_DELRULE -> {
                kind = (m.type() & 0xff) == Nft.MSG_NEWRULE ? Kind.NEW_RULE : Kind.DEL_RULE;
                tableAttr = Nft.NFTA_RULE_TABLE;
                objectAttr = Nft.NFTA_RULE_CHAIN;
            }
            case Nft.MSG_NEWSET, Nft.MSG_DELSET -> {
                kind = (m.type() & 0xff) == Nft.MSG_NEWSET ? Kind.NEW_SET : Kind.DEL_SET;
                tableAttr = Nft.NFTA_SET_TABLE;
                objectAttr = Nft.NFTA_SET_NAME;
            }
            case Nft.MSG_NEWSETELEM, Nft.MSG_DELSETELEM -> {
                kind = (m.type() & 0xff) == Nft.MSG_NEWSETELEM ? Kind.NEW_ELEMENTS : Kind.DEL_ELEMENTS;
                tableAttr = Nft.NFTA_SET_ELEM_LIST_TABLE;
                objectAttr = Nft.NFTA_SET_ELEM_LIST_SET;
            }
            default -> {
                return Optional.empty();
            }
        }
        String table = a.string(tableAttr);
        if (table == null) {
            return Optional.empty();
        }
        String object = objectAttr < 0 ? "" : a.string(objectAttr);
        return Optional.of(new NftEvent(kind, new Table(family, table), object == null ? "" : object, m.pid()));
    }
}
