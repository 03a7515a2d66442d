package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;
import io.jnet.kernel.nft.Expr.Bitwise;
import io.jnet.kernel.nft.Expr.Cmp;
import io.jnet.kernel.nft.Expr.CmpOp;
import io.jnet.kernel.nft.Expr.Counter;
import io.jnet.kernel.nft.Expr.Ct;
import io.jnet.kernel.nft.Expr.CtDirection;
import io.jnet.kernel.nft.Expr.CtKey;
import io.jnet.kernel.nft.Expr.CtSet;
import io.jnet.kernel.nft.Expr.Fib;
import io.jnet.kernel.nft.Expr.FibResult;
import io.jnet.kernel.nft.Expr.Immediate;
import io.jnet.kernel.nft.Expr.Lookup;
import io.jnet.kernel.nft.Expr.MapLookup;
import io.jnet.kernel.nft.Expr.Masquerade;
import io.jnet.kernel.nft.Expr.Meta;
import io.jnet.kernel.nft.Expr.MetaKey;
import io.jnet.kernel.nft.Expr.MetaSet;
import io.jnet.kernel.nft.Expr.Nat;
import io.jnet.kernel.nft.Expr.NatType;
import io.jnet.kernel.nft.Expr.Payload;
import io.jnet.kernel.nft.Expr.PayloadBase;
import io.jnet.kernel.nft.Expr.Range;
import io.jnet.kernel.nft.Expr.Unknown;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.jnet.kernel.nft.Nft.*;

/**
 * Pure encoders and decoders of nf_tables messages, laid out attribute for attribute as nft 1.0.6 sends them (the
 * golden tests hold the proof). Every nest carries NLA_F_NESTED and every number is big-endian, as nf_tables
 * expects; only userdata TLVs are in host order, as libnftnl writes them.
 */
final class NftCodec {

    private static final int NESTED = Nl.NLA_F_NESTED;
    private static final int AF_UNSPEC = 0;

    private NftCodec() {
    }

    static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }

    /** struct nfgenmsg { u8 family; u8 version; __be16 res_id; }. */
    private static void nfgenmsg(NlWriter w, int family, int resId) {
        w.u8(family).u8(0).u16be(resId);
    }

    private static int begin(NlWriter w, int msg, int flags, Family family) {
        int seq = w.begin(type(msg), Nl.F_REQUEST | flags);
        nfgenmsg(w, family.wire, 0);
        return seq;
    }

    // ---- batches

    static int batchBegin(NlWriter w) {
        int seq = w.begin(NFNL_MSG_BATCH_BEGIN, Nl.F_REQUEST);
        nfgenmsg(w, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
        return seq;
    }

    static int batchEnd(NlWriter w) {
        int seq = w.begin(NFNL_MSG_BATCH_END, Nl.F_REQUEST);
        nfgenmsg(w, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
        return seq;
    }

    // ---- tables

    static int newTable(NlWriter w, Table table) {
        int seq = begin(w, MSG_NEWTABLE, Nl.F_ACK, table.family());
        w.attrString(NFTA_TABLE_NAME, table.name());
        w.attrU32be(NFTA_TABLE_FLAGS, 0);
        return seq;
    }

    /** DELTABLE or DESTROYTABLE. */
    static int delTable(NlWriter w, int msg, Table table) {
        int seq = begin(w, msg, Nl.F_ACK, table.family());
        w.attrString(NFTA_TABLE_NAME, table.name());
        return seq;
    }

    // ---- chains

    static int newChain(NlWriter w, Chain chain) {
        int seq = begin(w, MSG_NEWCHAIN, Nl.F_ACK | Nl.F_CREATE, chain.table().family());
        w.attrString(NFTA_CHAIN_TABLE, chain.table().name());
        w.attrString(NFTA_CHAIN_NAME, chain.name());
        chain.base().ifPresent(hook -> {
            w.attrString(NFTA_CHAIN_TYPE, hook.type().wire);
            w.attrU32be(NFTA_CHAIN_POLICY, hook.policy().wire);
            int nest = w.nest(NFTA_CHAIN_HOOK | NESTED);
            w.attrU32be(NFTA_HOOK_HOOKNUM, hook.hook().wire);
            w.attrU32be(NFTA_HOOK_PRIORITY, hook.priority());
            w.endNest(nest);
        });
        return seq;
    }

    /** DELCHAIN or DESTROYCHAIN. */
    static int delChain(NlWriter w, int msg, Table table, String chain) {
        int seq = begin(w, msg, Nl.F_ACK, table.family());
        w.attrString(NFTA_CHAIN_TABLE, table.name());
        w.attrString(NFTA_CHAIN_NAME, chain);
        return seq;
    }

    /** Deleting the rules of a chain without a handle flushes it. */
    static int flushChain(NlWriter w, Table table, String chain) {
        int seq = begin(w, MSG_DELRULE, Nl.F_ACK, table.family());
        w.attrString(NFTA_RULE_TABLE, table.name());
        w.attrString(NFTA_RULE_CHAIN, chain);
        return seq;
    }

    // ---- rules

    /** Resolves the transaction id of a set that the same batch creates, so a rule or element can refer to it. */
    interface SetIds {
        OptionalInt of(Table table, String set);

        SetIds NONE = (table, set) -> OptionalInt.empty();
    }

    /** NEWRULE; {@code append} adds at the end of the chain, otherwise at its start. */
    static int newRule(NlWriter w, Rule rule, boolean append, SetIds ids) {
        int seq = begin(w, MSG_NEWRULE, Nl.F_ACK | Nl.F_CREATE | (append ? Nl.F_APPEND : 0), rule.table().family());
        w.attrString(NFTA_RULE_TABLE, rule.table().name());
        w.attrString(NFTA_RULE_CHAIN, rule.chain());
        int list = w.nest(NFTA_RULE_EXPRESSIONS | NESTED);
        for (Expr e : rule.exprs()) {
            expr(w, e, set -> ids.of(rule.table(), set));
        }
        w.endNest(list);
        if (!rule.comment().isEmpty()) {
            w.attr(NFTA_RULE_USERDATA, commentUserdata(rule.comment()));
        }
        return seq;
    }

    /** DELRULE or DESTROYRULE by handle. */
    static int delRule(NlWriter w, int msg, Table table, String chain, long handle) {
        int seq = begin(w, msg, Nl.F_ACK, table.family());
        w.attrString(NFTA_RULE_TABLE, table.name());
        w.attrString(NFTA_RULE_CHAIN, chain);
        w.attrU64be(NFTA_RULE_HANDLE, handle);
        return seq;
    }

    /** The TLV that nft reads as a rule's comment: type 0, length with the NUL, the string and a NUL. */
    static byte[] commentUserdata(String comment) {
        byte[] s = comment.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[s.length + 3];
        out[0] = (byte) UDATA_RULE_COMMENT;
        out[1] = (byte) (s.length + 1);
        System.arraycopy(s, 0, out, 2, s.length);
        return out;
    }

    interface SetId {
        OptionalInt of(String set);
    }

    static void expr(NlWriter w, Expr e, SetId ids) {
        int elem = w.nest(NFTA_LIST_ELEM | NESTED);
        w.attrString(NFTA_EXPR_NAME, name(e));
        int data = w.nest(NFTA_EXPR_DATA | NESTED);
        if (e instanceof Meta m) {
            w.attrU32be(NFTA_META_KEY, m.key().wire);
            reg(w, NFTA_META_DREG, m.dreg());
        } else if (e instanceof MetaSet m) {
            w.attrU32be(NFTA_META_KEY, m.key().wire);
            reg(w, NFTA_META_SREG, m.sreg());
        } else if (e instanceof Payload p) {
            reg(w, NFTA_PAYLOAD_DREG, p.dreg());
            w.attrU32be(NFTA_PAYLOAD_BASE, p.base().wire);
            w.attrU32be(NFTA_PAYLOAD_OFFSET, p.offset());
            w.attrU32be(NFTA_PAYLOAD_LEN, p.length());
        } else if (e instanceof Cmp c) {
            reg(w, NFTA_CMP_SREG, c.sreg());
            w.attrU32be(NFTA_CMP_OP, c.op().wire);
            data(w, NFTA_CMP_DATA, c.data());
        } else if (e instanceof Range r) {
            reg(w, NFTA_RANGE_SREG, r.sreg());
            w.attrU32be(NFTA_RANGE_OP, r.op().wire);
            data(w, NFTA_RANGE_FROM_DATA, r.from());
            data(w, NFTA_RANGE_TO_DATA, r.to());
        } else if (e instanceof Bitwise b) {
            reg(w, NFTA_BITWISE_SREG, b.sreg());
            reg(w, NFTA_BITWISE_DREG, b.dreg());
            w.attrU32be(NFTA_BITWISE_LEN, b.mask().length());
            data(w, NFTA_BITWISE_MASK, b.mask());
            data(w, NFTA_BITWISE_XOR, b.xor());
        } else if (e instanceof Immediate i) {
            reg(w, NFTA_IMMEDIATE_DREG, i.dreg());
            data(w, NFTA_IMMEDIATE_DATA, i.data());
        } else if (e instanceof Lookup l) {
            reg(w, NFTA_LOOKUP_SREG, l.sreg());
            w.attrString(NFTA_LOOKUP_SET, l.set());
            ids.of(l.set()).ifPresent(id -> w.attrU32be(NFTA_LOOKUP_SET_ID, id));
            if (l.inverted()) {
                w.attrU32be(NFTA_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
            }
        } else if (e instanceof MapLookup l) {
            reg(w, NFTA_LOOKUP_SREG, l.sreg());
            reg(w, NFTA_LOOKUP_DREG, l.dreg());
            w.attrString(NFTA_LOOKUP_SET, l.map());
            ids.of(l.map()).ifPresent(id -> w.attrU32be(NFTA_LOOKUP_SET_ID, id));
        } else if (e instanceof Ct c) {
            w.attrU32be(NFTA_CT_KEY, c.key().wire);
            reg(w, NFTA_CT_DREG, c.dreg());
            c.direction().ifPresent(d -> w.attrU8(NFTA_CT_DIRECTION, d.wire));
        } else if (e instanceof CtSet c) {
            w.attrU32be(NFTA_CT_KEY, c.key().wire);
            reg(w, NFTA_CT_SREG, c.sreg());
        } else if (e instanceof Nat n) {
            w.attrU32be(NFTA_NAT_TYPE, n.type().wire);
            w.attrU32be(NFTA_NAT_FAMILY, n.family().wire);
            n.addrMin().ifPresent(r -> reg(w, NFTA_NAT_REG_ADDR_MIN, r));
            n.addrMax().ifPresent(r -> reg(w, NFTA_NAT_REG_ADDR_MAX, r));
            n.protoMin().ifPresent(r -> reg(w, NFTA_NAT_REG_PROTO_MIN, r));
            n.protoMax().ifPresent(r -> reg(w, NFTA_NAT_REG_PROTO_MAX, r));
            if (n.flags() != 0) {
                w.attrU32be(NFTA_NAT_FLAGS, n.flags());
            }
        } else if (e instanceof Masquerade m) {
            if (m.flags() != 0) {
                w.attrU32be(NFTA_MASQ_FLAGS, m.flags());
            }
            m.protoMin().ifPresent(r -> reg(w, NFTA_MASQ_REG_PROTO_MIN, r));
            m.protoMax().ifPresent(r -> reg(w, NFTA_MASQ_REG_PROTO_MAX, r));
        } else if (e instanceof Counter c) {
            if (c.bytes() != 0) {
                w.attrU64be(NFTA_COUNTER_BYTES, c.bytes());
            }
            if (c.packets() != 0) {
                w.attrU64be(NFTA_COUNTER_PACKETS, c.packets());
            }
        } else if (e instanceof Fib f) {
            w.attrU32be(NFTA_FIB_FLAGS, f.flags());
            w.attrU32be(NFTA_FIB_RESULT, f.result().wire);
            reg(w, NFTA_FIB_DREG, f.dreg());
        } else if (e instanceof Unknown u) {
            w.bytes(u.data().toArray());
        } else {
            throw new AssertionError("unencoded expression " + e);
        }
        w.endNest(data);
        w.endNest(elem);
    }

    static String name(Expr e) {
        if (e instanceof Meta || e instanceof MetaSet) {
            return "meta";
        } else if (e instanceof Payload) {
            return "payload";
        } else if (e instanceof Cmp) {
            return "cmp";
        } else if (e instanceof Range) {
            return "range";
        } else if (e instanceof Bitwise) {
            return "bitwise";
        } else if (e instanceof Immediate) {
            return "immediate";
        } else if (e instanceof Lookup || e instanceof MapLookup) {
            return "lookup";
        } else if (e instanceof Ct || e instanceof CtSet) {
            return "ct";
        } else if (e instanceof Nat) {
            return "nat";
        } else if (e instanceof Masquerade) {
            return "masq";
        } else if (e instanceof Counter) {
            return "counter";
        } else if (e instanceof Fib) {
            return "fib";
        } else if (e instanceof Unknown u) {
            return u.name();
        }
        throw new AssertionError("unnamed expression " + e);
    }

    private static void reg(NlWriter w, int type, Reg reg) {
        w.attrU32be(type, reg.number());
    }

    private static void data(NlWriter w, int type, Data d) {
        int nest = w.nest(type | NESTED);
        if (d instanceof Bytes b) {
            w.attr(NFTA_DATA_VALUE, b.toArray());
        } else if (d instanceof Verdict v) {
            int verdict = w.nest(NFTA_DATA_VERDICT | NESTED);
            w.attrU32be(NFTA_VERDICT_CODE, v.code().wire);
            if (!v.chain().isEmpty()) {
                w.attrString(NFTA_VERDICT_CHAIN, v.chain());
            }
            w.endNest(verdict);
        }
        w.endNest(nest);
    }

    // ---- sets

    static int newSet(NlWriter w, NftSet set, int id) {
        int seq = begin(w, MSG_NEWSET, Nl.F_ACK | Nl.F_CREATE, set.table().family());
        w.attrString(NFTA_SET_TABLE, set.table().name());
        w.attrString(NFTA_SET_NAME, set.name());
        w.attrU32be(NFTA_SET_FLAGS, set.flags());
        w.attrU32be(NFTA_SET_KEY_TYPE, set.key().id());
        w.attrU32be(NFTA_SET_KEY_LEN, set.key().length());
        set.data().ifPresent(data -> {
            w.attrU32be(NFTA_SET_DATA_TYPE, data.id());
            w.attrU32be(NFTA_SET_DATA_LEN, data.length());
        });
        w.attrU32be(NFTA_SET_ID, id);
        if (set.interval() && set.key().isConcat()) {
            // pipapo needs the length of each field of the concatenation
            int desc = w.nest(NFTA_SET_DESC | NESTED);
            int concat = w.nest(NFTA_SET_DESC_CONCAT | NESTED);
            for (Datatype field : set.key().fields()) {
                int elem = w.nest(NFTA_LIST_ELEM | NESTED);
                w.attrU32be(NFTA_SET_FIELD_LEN, field.length());
                w.endNest(elem);
            }
            w.endNest(concat);
            w.endNest(desc);
        }
        w.attr(NFTA_SET_USERDATA, setUserdata(set));
        return seq;
    }

    /**
     * The set userdata nft writes and reads back to print keys and values in their types' notation: the key's
     * (and a map's data's) byte order, for a concatenation nft 1.0.6's "typeof" record of a concatenation, and
     * for a map whether its data are intervals.
     */
    static byte[] setUserdata(NftSet set) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        udataU32(out, UDATA_SET_KEYBYTEORDER, set.key().byteorder());
        set.data().ifPresent(data -> udataU32(out, UDATA_SET_DATABYTEORDER, data.byteorder()));
        if (set.key().isConcat()) {
            concatTypeof(out, UDATA_SET_KEY_TYPEOF);
        }
        set.data().filter(SetType::isConcat).ifPresent(data -> concatTypeof(out, UDATA_SET_DATA_TYPEOF));
        if (set.isMap()) {
            udataU32(out, UDATA_SET_DATA_INTERVAL, 0);
        }
        return out.toByteArray();
    }

    private static void concatTypeof(ByteArrayOutputStream out, int type) {
        out.write(type);
        out.write(8);
        udataU32(out, UDATA_SET_TYPEOF_EXPR, NFT_EXPR_CONCAT);
        out.write(UDATA_SET_TYPEOF_DATA);
        out.write(0);
    }

    private static void udataU32(ByteArrayOutputStream out, int type, int value) {
        out.write(type);
        out.write(4);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** DELSET or DESTROYSET. */
    static int delSet(NlWriter w, int msg, Table table, String set) {
        int seq = begin(w, msg, Nl.F_ACK, table.family());
        w.attrString(NFTA_SET_TABLE, table.name());
        w.attrString(NFTA_SET_NAME, set);
        return seq;
    }

    // ---- elements

    /** One element as the kernel stores it: an rbtree interval is two of these, a start and an end. */
    record Wire(Bytes key, Optional<Bytes> keyEnd, Optional<Data> data, boolean intervalEnd, boolean openEnd) {
    }

    /** The kernel elements that carry these elements into (or out of) a set of this kind. */
    static List<Wire> toWire(NftSet set, List<Element> elements, boolean adding) {
        List<Wire> out = new ArrayList<>();
        for (Element e : elements) {
            check(set, e, adding);
            Optional<Data> data = adding ? e.data() : Optional.empty();
            if (set.isRangePairs()) {
                boolean open = e.keyEnd().isAllOnes();
                out.add(new Wire(e.key(), Optional.empty(), data, false, open && adding));
                if (!open) {
                    out.add(new Wire(e.keyEnd().increment(), Optional.empty(), Optional.empty(), true, false));
                }
            } else if (set.interval()) {
                out.add(new Wire(e.key(), Optional.of(e.keyEnd()), data, false, false));
            } else {
                out.add(new Wire(e.key(), Optional.empty(), data, false, false));
            }
        }
        return out;
    }

    private static void check(NftSet set, Element e, boolean adding) {
        if (e.key().length() != set.key().length()) {
            throw new IllegalArgumentException(set + " has " + set.key().length() + "-byte keys of type " + set.key()
                    + ", not " + e.key().length() + " bytes: " + e);
        }
        if (e.isRange() && !set.interval()) {
            throw new IllegalArgumentException(set + " has no interval flag for the range " + e);
        }
        if (adding && e.data().isPresent() != set.isMap() || !set.isMap() && e.data().isPresent()) {
            throw new IllegalArgumentException(set + (set.isMap() ? " needs data for " : " takes no data: ") + e);
        }
        e.data().ifPresent(d -> {
            SetType type = set.data().orElseThrow();
            boolean fits = type.isVerdict() ? d instanceof Verdict
                    : d instanceof Bytes b && b.length() == type.length();
            if (!fits) {
                throw new IllegalArgumentException(set + " maps to " + type + ", not to " + d);
            }
        });
    }

    /**
     * NEWSETELEM, DELSETELEM or DESTROYSETELEM for some kernel elements of a set; the caller splits long lists so
     * that the elements nest stays within a netlink attribute's 64 KiB.
     */
    static int setElems(NlWriter w, int msg, NftSet set, List<Wire> elements, OptionalInt setId) {
        int seq = begin(w, msg, Nl.F_ACK | (msg == MSG_NEWSETELEM ? Nl.F_CREATE : 0), set.table().family());
        w.attrString(NFTA_SET_ELEM_LIST_TABLE, set.table().name());
        w.attrString(NFTA_SET_ELEM_LIST_SET, set.name());
        setId.ifPresent(id -> w.attrU32be(NFTA_SET_ELEM_LIST_SET_ID, id));
        int list = w.nest(NFTA_SET_ELEM_LIST_ELEMENTS | NESTED);
        int index = 0;
        for (Wire e : elements) {
            // nft numbers the list entries; the kernel ignores their type
            int elem = w.nest(++index | NESTED);
            if (e.intervalEnd()) {
                w.attrU32be(NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            }
            data(w, NFTA_SET_ELEM_KEY, e.key());
            e.keyEnd().ifPresent(end -> data(w, NFTA_SET_ELEM_KEY_END, end));
            e.data().ifPresent(d -> data(w, NFTA_SET_ELEM_DATA, d));
            if (e.openEnd()) {
                ByteArrayOutputStream udata = new ByteArrayOutputStream();
                udataU32(udata, UDATA_SET_ELEM_FLAGS, UDATA_SET_ELEM_F_INTERVAL_OPEN);
                w.attr(NFTA_SET_ELEM_USERDATA, udata.toByteArray());
            }
            w.endNest(elem);
        }
        w.endNest(list);
        return seq;
    }

    // ---- requests for reading back

    static void getTables(NlWriter w) {
        w.begin(type(MSG_GETTABLE), Nl.F_REQUEST | Nl.F_DUMP);
        nfgenmsg(w, AF_UNSPEC, 0);
    }

    static void getTable(NlWriter w, Table table) {
        w.begin(type(MSG_GETTABLE), Nl.F_REQUEST);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_TABLE_NAME, table.name());
    }

    static void getChains(NlWriter w, Table table) {
        w.begin(type(MSG_GETCHAIN), Nl.F_REQUEST | Nl.F_DUMP);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_CHAIN_TABLE, table.name());
    }

    static void getChain(NlWriter w, Table table, String name) {
        w.begin(type(MSG_GETCHAIN), Nl.F_REQUEST);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_CHAIN_TABLE, table.name());
        w.attrString(NFTA_CHAIN_NAME, name);
    }

    static void getRules(NlWriter w, Table table, Optional<String> chain) {
        w.begin(type(MSG_GETRULE), Nl.F_REQUEST | Nl.F_DUMP);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_RULE_TABLE, table.name());
        chain.ifPresent(c -> w.attrString(NFTA_RULE_CHAIN, c));
    }

    static void getSets(NlWriter w, Table table) {
        w.begin(type(MSG_GETSET), Nl.F_REQUEST | Nl.F_DUMP);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_SET_TABLE, table.name());
    }

    static void getSet(NlWriter w, Table table, String name) {
        w.begin(type(MSG_GETSET), Nl.F_REQUEST);
        nfgenmsg(w, table.family().wire, 0);
        w.attrString(NFTA_SET_TABLE, table.name());
        w.attrString(NFTA_SET_NAME, name);
    }

    static void getElements(NlWriter w, NftSet set) {
        w.begin(type(MSG_GETSETELEM), Nl.F_REQUEST | Nl.F_DUMP);
        nfgenmsg(w, set.table().family().wire, 0);
        w.attrString(NFTA_SET_ELEM_LIST_TABLE, set.table().name());
        w.attrString(NFTA_SET_ELEM_LIST_SET, set.name());
    }

    static void getGeneration(NlWriter w) {
        w.begin(type(MSG_GETGEN), Nl.F_REQUEST);
        nfgenmsg(w, AF_UNSPEC, 0);
    }

    /** The nfgenmsg res_id of a reply: nf_tables puts the ruleset generation's low 16 bits there. */
    static int resId(NlMessage m) {
        ByteBuffer p = m.payload();
        return ((p.get(2) & 0xff) << 8) | (p.get(3) & 0xff);
    }

    // ---- decoders

    static Family family(NlMessage m) {
        return Family.of(m.payload().get(0) & 0xff);
    }

    static Table decodeTable(NlMessage m) {
        return new Table(family(m), m.attrs(NFGENMSG_LEN).string(NFTA_TABLE_NAME));
    }

    static Chain decodeChain(NlMessage m) {
        NlAttrs a = m.attrs(NFGENMSG_LEN);
        Table table = new Table(family(m), a.string(NFTA_CHAIN_TABLE));
        NlAttrs hook = a.nested(NFTA_CHAIN_HOOK);
        if (hook == null || a.string(NFTA_CHAIN_TYPE) == null) {
            return Chain.regular(table, a.string(NFTA_CHAIN_NAME));
        }
        return Chain.base(table, a.string(NFTA_CHAIN_NAME), Chain.Type.of(a.string(NFTA_CHAIN_TYPE)),
                Chain.HookPoint.of(hook.u32be(NFTA_HOOK_HOOKNUM, -1)), hook.u32be(NFTA_HOOK_PRIORITY, 0),
                Chain.Policy.of(a.u32be(NFTA_CHAIN_POLICY, Chain.Policy.ACCEPT.wire)));
    }

    static ListedRule decodeRule(NlMessage m) {
        NlAttrs a = m.attrs(NFGENMSG_LEN);
        Table table = new Table(family(m), a.string(NFTA_RULE_TABLE));
        List<Expr> exprs = new ArrayList<>();
        NlAttrs list = a.nested(NFTA_RULE_EXPRESSIONS);
        if (list != null) {
            for (ByteBuffer elem : list.all(NFTA_LIST_ELEM)) {
                exprs.add(decodeExpr(NlAttrs.parse(elem)));
            }
        }
        String comment = a.has(NFTA_RULE_USERDATA) ? comment(a.bytes(NFTA_RULE_USERDATA)) : "";
        Rule rule = new Rule(table, a.string(NFTA_RULE_CHAIN), exprs, comment);
        return new ListedRule(rule, a.u64be(NFTA_RULE_HANDLE, 0));
    }

    /** The comment TLV among a rule's userdata TLVs, or "". */
    static String comment(byte[] udata) {
        for (int at = 0; at + 2 <= udata.length; at += 2 + (udata[at + 1] & 0xff)) {
            int len = udata[at + 1] & 0xff;
            if (udata[at] == UDATA_RULE_COMMENT && at + 2 + len <= udata.length) {
                int end = at + 2;
                while (end < at + 2 + len && udata[end] != 0) {
                    end++;
                }
                return new String(udata, at + 2, end - at - 2, StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    /** An expression; one this library does not model, or models only in part, comes back as {@link Unknown}. */
    static Expr decodeExpr(NlAttrs elem) {
        String name = elem.string(NFTA_EXPR_NAME);
        ByteBuffer raw = elem.get(NFTA_EXPR_DATA);
        Bytes data = raw == null ? Bytes.zeros(0) : Bytes.wrap(NlAttrs.toBytes(raw));
        NlAttrs a = raw == null ? NlAttrs.parse(ByteBuffer.allocate(0)) : NlAttrs.parse(raw);
        try {
            Expr e = decodeKnown(name, a);
            return e == null ? new Unknown(name, data) : e;
        } catch (IllegalArgumentException | IndexOutOfBoundsException unmodelled) {
            return new Unknown(name, data);
        }
    }

    private static Expr decodeKnown(String name, NlAttrs a) {
        switch (name) {
            case "meta":
                if (a.has(NFTA_META_SREG)) {
                    return new MetaSet(MetaKey.of(u32(a, NFTA_META_KEY)), reg(a, NFTA_META_SREG));
                }
                return new Meta(MetaKey.of(u32(a, NFTA_META_KEY)), reg(a, NFTA_META_DREG));
            case "payload":
                if (a.has(NFTA_PAYLOAD_SREG)) {
                    return null;
                }
                return new Payload(PayloadBase.of(u32(a, NFTA_PAYLOAD_BASE)), u32(a, NFTA_PAYLOAD_OFFSET),
                        u32(a, NFTA_PAYLOAD_LEN), reg(a, NFTA_PAYLOAD_DREG));
            case "cmp":
                return new Cmp(CmpOp.of(u32(a, NFTA_CMP_OP)), reg(a, NFTA_CMP_SREG), value(a, NFTA_CMP_DATA));
            case "range":
                return new Range(CmpOp.of(u32(a, NFTA_RANGE_OP)), reg(a, NFTA_RANGE_SREG),
                        value(a, NFTA_RANGE_FROM_DATA), value(a, NFTA_RANGE_TO_DATA));
            case "bitwise":
                if (a.u32be(NFTA_BITWISE_OP, 0) != 0) {
                    return null; // shifts and the newer boolean operations are not modelled
                }
                return new Bitwise(reg(a, NFTA_BITWISE_SREG), reg(a, NFTA_BITWISE_DREG), value(a, NFTA_BITWISE_MASK),
                        value(a, NFTA_BITWISE_XOR));
            case "immediate":
                return new Immediate(reg(a, NFTA_IMMEDIATE_DREG), decodeData(a.nested(NFTA_IMMEDIATE_DATA)));
            case "lookup":
                if (a.has(NFTA_LOOKUP_DREG)) {
                    return new MapLookup(reg(a, NFTA_LOOKUP_SREG), a.string(NFTA_LOOKUP_SET),
                            reg(a, NFTA_LOOKUP_DREG));
                }
                return new Lookup(reg(a, NFTA_LOOKUP_SREG), a.string(NFTA_LOOKUP_SET),
                        (a.u32be(NFTA_LOOKUP_FLAGS, 0) & NFT_LOOKUP_F_INV) != 0);
            case "ct":
                if (a.has(NFTA_CT_SREG)) {
                    return new CtSet(CtKey.of(u32(a, NFTA_CT_KEY)), reg(a, NFTA_CT_SREG));
                }
                Optional<CtDirection> dir = a.has(NFTA_CT_DIRECTION)
                        ? Optional.of(CtDirection.of(a.u8(NFTA_CT_DIRECTION, 0))) : Optional.empty();
                return new Ct(CtKey.of(u32(a, NFTA_CT_KEY)), dir, reg(a, NFTA_CT_DREG));
            case "nat":
                return new Nat(NatType.of(u32(a, NFTA_NAT_TYPE)), Family.of(u32(a, NFTA_NAT_FAMILY)),
                        optReg(a, NFTA_NAT_REG_ADDR_MIN), optReg(a, NFTA_NAT_REG_ADDR_MAX),
                        optReg(a, NFTA_NAT_REG_PROTO_MIN), optReg(a, NFTA_NAT_REG_PROTO_MAX),
                        a.u32be(NFTA_NAT_FLAGS, 0));
            case "masq":
                return new Masquerade(a.u32be(NFTA_MASQ_FLAGS, 0), optReg(a, NFTA_MASQ_REG_PROTO_MIN),
                        optReg(a, NFTA_MASQ_REG_PROTO_MAX));
            case "counter":
                return new Counter(a.u64be(NFTA_COUNTER_PACKETS, 0), a.u64be(NFTA_COUNTER_BYTES, 0));
            case "fib":
                return new Fib(u32(a, NFTA_FIB_FLAGS), FibResult.of(u32(a, NFTA_FIB_RESULT)), reg(a, NFTA_FIB_DREG));
            default:
                return null;
        }
    }

    private static int u32(NlAttrs a, int type) {
        if (!a.has(type)) {
            throw new IllegalArgumentException("attribute " + type + " missing");
        }
        return a.u32be(type, 0);
    }

    private static Reg reg(NlAttrs a, int type) {
        return new Reg(u32(a, type));
    }

    private static Optional<Reg> optReg(NlAttrs a, int type) {
        return a.has(type) ? Optional.of(new Reg(a.u32be(type, 0))) : Optional.empty();
    }

    private static Bytes value(NlAttrs a, int type) {
        Data d = decodeData(a.nested(type));
        if (d instanceof Bytes b) {
            return b;
        }
        throw new IllegalArgumentException("attribute " + type + " is not a value");
    }

    private static Data decodeData(NlAttrs data) {
        if (data == null) {
            throw new IllegalArgumentException("data missing");
        }
        if (data.has(NFTA_DATA_VALUE)) {
            return Bytes.wrap(data.bytes(NFTA_DATA_VALUE));
        }
        NlAttrs v = data.nested(NFTA_DATA_VERDICT);
        if (v == null) {
            throw new IllegalArgumentException("data without value or verdict");
        }
        String chain = v.string(NFTA_VERDICT_CHAIN);
        return new Verdict(Verdict.Code.of(v.u32be(NFTA_VERDICT_CODE, 0)), chain == null ? "" : chain);
    }

    static boolean isAnonymous(NlMessage m) {
        return (m.attrs(NFGENMSG_LEN).u32be(NFTA_SET_FLAGS, 0) & 0x1) != 0;
    }

    static NftSet decodeSet(NlMessage m) {
        NlAttrs a = m.attrs(NFGENMSG_LEN);
        Table table = new Table(family(m), a.string(NFTA_SET_TABLE));
        int flags = a.u32be(NFTA_SET_FLAGS, 0);
        List<Integer> fieldLengths = new ArrayList<>();
        NlAttrs desc = a.nested(NFTA_SET_DESC);
        NlAttrs concat = desc == null ? null : desc.nested(NFTA_SET_DESC_CONCAT);
        if (concat != null) {
            for (ByteBuffer field : concat.all(NFTA_LIST_ELEM)) {
                fieldLengths.add(NlAttrs.parse(field).u32be(NFTA_SET_FIELD_LEN, 0));
            }
        }
        SetType key = SetType.decode(a.u32be(NFTA_SET_KEY_TYPE, 0), a.u32be(NFTA_SET_KEY_LEN, 0), fieldLengths);
        Optional<SetType> data = (flags & NFT_SET_MAP) == 0 ? Optional.empty()
                : Optional.of(SetType.decode(a.u32be(NFTA_SET_DATA_TYPE, 0), a.u32be(NFTA_SET_DATA_LEN, 0),
                        List.of()));
        return new NftSet(table, a.string(NFTA_SET_NAME), key, data, (flags & NFT_SET_INTERVAL) != 0);
    }

    /** The kernel elements of one GETSETELEM dump message. */
    static List<Wire> decodeWire(NlMessage m) {
        List<Wire> out = new ArrayList<>();
        NlAttrs list = m.attrs(NFGENMSG_LEN).nested(NFTA_SET_ELEM_LIST_ELEMENTS);
        if (list == null) {
            return out;
        }
        for (NlAttrs.Attr attr : list.all()) {
            NlAttrs e = NlAttrs.parse(attr.value());
            NlAttrs key = e.nested(NFTA_SET_ELEM_KEY);
            if (key == null) {
                continue; // the catch-all element has no key
            }
            Optional<Bytes> keyEnd = e.has(NFTA_SET_ELEM_KEY_END)
                    ? Optional.of((Bytes) decodeData(e.nested(NFTA_SET_ELEM_KEY_END))) : Optional.empty();
            Optional<Data> data = e.has(NFTA_SET_ELEM_DATA)
                    ? Optional.of(decodeData(e.nested(NFTA_SET_ELEM_DATA))) : Optional.empty();
            boolean end = (e.u32be(NFTA_SET_ELEM_FLAGS, 0) & NFT_SET_ELEM_INTERVAL_END) != 0;
            out.add(new Wire((Bytes) decodeData(key), keyEnd, data, end, false));
        }
        return out;
    }

    /**
     * Elements from the kernel's elements. The rbtree of an interval set holds each range as a start and an end
     * one past it (in descending order); a start with no end runs to the largest key. nft's leading end element at
     * zero starts nothing and is dropped. Elements come out in key order.
     */
    static List<Element> fromWire(NftSet set, List<Wire> wire) {
        List<Element> out = new ArrayList<>();
        List<Wire> sorted = new ArrayList<>(wire);
        // where one range ends exactly where the next starts, the end sorts first
        sorted.sort(Comparator.comparing(Wire::key).thenComparing(w -> !w.intervalEnd()));
        if (!set.isRangePairs()) {
            for (Wire w : sorted) {
                out.add(new Element(w.key(), w.keyEnd().orElse(w.key()), w.data()));
            }
            return out;
        }
        for (int i = 0; i < sorted.size(); i++) {
            Wire start = sorted.get(i);
            if (start.intervalEnd()) {
                continue;
            }
            Bytes last = i + 1 < sorted.size() ? sorted.get(i + 1).key().decrement()
                    : Bytes.zeros(start.key().length()).decrement();
            out.add(new Element(start.key(), last, start.data()));
        }
        return out;
    }
}
