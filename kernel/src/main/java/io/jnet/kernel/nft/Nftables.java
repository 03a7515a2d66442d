package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NetlinkException;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * nf_tables over one NETLINK_NETFILTER socket, and so in one network namespace: {@link #open()} uses the caller's,
 * {@code new Nftables(netns.openSocket(NetlinkSocket.NETLINK_NETFILTER))} another's. Changes go in
 * {@link NftBatch}es, each one atomic; the rest reads the ruleset back. Like its socket, one instance serves one
 * thread at a time.
 */
public final class Nftables implements AutoCloseable {

    private static final int MAX_DUMP_ATTEMPTS = 10;

    private final NetlinkSocket socket;
    private Boolean destroySupported;

    public Nftables(NetlinkSocket socket) {
        this(socket, null);
    }

    /** With {@code destroySupported} given instead of probed, to exercise both encodings of a destroy. */
    Nftables(NetlinkSocket socket, Boolean destroySupported) {
        this.destroySupported = destroySupported;
        if (socket.protocol() != NetlinkSocket.NETLINK_NETFILTER) {
            throw new IllegalArgumentException("nf_tables needs a NETLINK_NETFILTER socket, not protocol "
                    + socket.protocol());
        }
        this.socket = socket;
    }

    /** nf_tables in the calling thread's network namespace. */
    public static Nftables open() throws ErrnoException {
        return new Nftables(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER));
    }

    /** The port id of the socket: the sender that nf_tables notifications of this instance's batches name. */
    public int portId() {
        return socket.portId();
    }

    /**
     * Applies a batch as one transaction. Every message asks for an acknowledgement, and replies are matched to
     * messages by sequence number. When the kernel rejects the batch, nothing of it is applied, and the exception
     * names the first message that failed (later ones often fail only because of it; they are attached as
     * suppressed exceptions), with its errno and the kernel's extended-ACK text.
     */
    public void apply(NftBatch batch) throws ErrnoException {
        if (batch.isEmpty()) {
            return;
        }
        boolean destroy = batch.ops().stream().anyMatch(Nftables::isDestroy) && supportsDestroy();
        NlWriter w = socket.writer();
        Map<Integer, NftBatch.Said> what = batch.encode(w, destroy);
        Map<Integer, NetlinkException> errors = socket.transact(w, null);
        if (errors.isEmpty()) {
            return;
        }
        List<NlMessage> sent = NlMessage.parseAll(ByteBuffer.wrap(w.toByteArray()));
        int first = errors.keySet().stream().mapToInt(Integer::intValue).min().orElseThrow();
        NetlinkException failure = named("nf_tables batch failed: ", what, sent, errors.get(first));
        errors.forEach((seq, e) -> {
            if (seq != first) {
                failure.addSuppressed(named("then ", what, sent, e));
            }
        });
        throw failure;
    }

    /** The kernel's error, said of the message it answers and the part of it the kernel blamed. */
    private static NetlinkException named(String prefix, Map<Integer, NftBatch.Said> what, List<NlMessage> sent,
                                          NetlinkException e) {
        String where = "";
        if (e.badAttrOffset() >= 0) {
            for (NlMessage m : sent) {
                if (m.seq() == e.seq()) {
                    where = BadAttribute.describe(message(m), e.badAttrOffset());
                }
            }
        }
        return new NetlinkException(prefix + what.get(e.seq()) + where, e.errno(), e.extack(), e.seq(),
                e.badAttrOffset());
    }

    /** The whole message again, header included, as the kernel's offsets count from it. */
    private static ByteBuffer message(NlMessage m) {
        ByteBuffer out = ByteBuffer.allocate(Nl.HEADER_LEN + m.payload().remaining()).order(ByteOrder.nativeOrder());
        out.putInt(out.capacity()).putShort((short) m.type()).putShort((short) m.flags()).putInt(m.seq())
                .putInt(m.pid()).put(m.payload().duplicate());
        return out.flip();
    }

    /**
     * Whether the kernel knows the DESTROY messages (Linux 6.3 and later). Probed once with a batch that only
     * destroys a table that does not exist, which changes nothing either way.
     */
    public boolean supportsDestroy() throws ErrnoException {
        if (destroySupported == null) {
            NlWriter w = socket.writer();
            new NftBatch().destroyTable(new Table(Family.INET, "jnet-destroy-probe")).encode(w, true);
            Map<Integer, NetlinkException> errors = socket.transact(w, null);
            for (NetlinkException e : errors.values()) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.EOPNOTSUPP) {
                    throw e;
                }
            }
            destroySupported = errors.isEmpty();
        }
        return destroySupported;
    }

    private static boolean isDestroy(NftBatch.Op op) {
        return op instanceof NftBatch.DeleteTable d && d.destroy()
                || op instanceof NftBatch.DeleteChain c && c.destroy()
                || op instanceof NftBatch.DeleteSet s && s.destroy()
                || op instanceof NftBatch.DeleteElements e && e.destroy();
    }

    /**
     * A dump that saw one generation of the ruleset. A dump spans several reads, and nf_tables does not flag every
     * dump that a commit interrupts (a set's elements shift under a resumed dump), but every reply carries the
     * generation it was written in: the dump is repeated until all its replies carry the generation that is current
     * after it.
     */
    private List<NlMessage> dump(Consumer<NlWriter> request, String what) throws ErrnoException {
        for (int attempt = 0; attempt < MAX_DUMP_ATTEMPTS; attempt++) {
            List<NlMessage> replies = socket.dump(request, what);
            NlWriter w = socket.writer();
            NftCodec.getGeneration(w);
            int generation = NftCodec.resId(socket.get(w, "get nf_tables generation"));
            if (replies.stream().allMatch(m -> NftCodec.resId(m) == generation)) {
                return replies;
            }
        }
        throw new ErrnoException(what + ": the ruleset changed during " + MAX_DUMP_ATTEMPTS + " dumps in a row",
                Errno.EAGAIN);
    }

    /** Every table of every family. */
    public List<Table> tables() throws ErrnoException {
        List<Table> out = new ArrayList<>();
        for (NlMessage m : dump(NftCodec::getTables, "list nf_tables tables")) {
            out.add(NftCodec.decodeTable(m));
        }
        return out;
    }

    public boolean exists(Table table) throws ErrnoException {
        NlWriter w = socket.writer();
        NftCodec.getTable(w, table);
        try {
            socket.get(w, "get table " + table);
            return true;
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    public List<Chain> chains(Table table) throws ErrnoException {
        List<Chain> out = new ArrayList<>();
        for (NlMessage m : dump(w -> NftCodec.getChains(w, table), "list chains of table " + table)) {
            out.add(NftCodec.decodeChain(m));
        }
        return out;
    }

    public Optional<Chain> chain(Table table, String name) throws ErrnoException {
        NlWriter w = socket.writer();
        NftCodec.getChain(w, table, name);
        try {
            return Optional.of(NftCodec.decodeChain(socket.get(w, "get chain " + table + " " + name)));
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The rules of every chain of the table, chain by chain in order. */
    public List<ListedRule> rules(Table table) throws ErrnoException {
        return rules(table, Optional.empty());
    }

    public List<ListedRule> rules(Table table, String chain) throws ErrnoException {
        return rules(table, Optional.of(chain));
    }

    private List<ListedRule> rules(Table table, Optional<String> chain) throws ErrnoException {
        List<ListedRule> out = new ArrayList<>();
        String what = "list rules of " + chain.map(c -> "chain " + table + " " + c).orElse("table " + table);
        for (NlMessage m : dump(w -> NftCodec.getRules(w, table, chain), what)) {
            out.add(NftCodec.decodeRule(m));
        }
        return out;
    }

    /**
     * Whether each named chain of the table holds exactly the given rules, in order, as the kernel reports them back
     * ({@link Rule#canonical()}). Only the named chains' rules are decoded, and rules are compared by their encoding:
     * a record's generated {@code equals} would link one method handle per expression type, milliseconds each in a
     * short-lived process. A missing chain (or table) holds no rules.
     */
    public boolean holds(Table table, Map<String, List<Rule>> rulesByChain) throws ErrnoException {
        Map<String, List<Rule>> listed = new java.util.HashMap<>();
        try {
            for (NlMessage m : dump(w -> NftCodec.getRules(w, table, Optional.empty()), "list rules of " + table)) {
                String chain = m.attrs(Nft.NFGENMSG_LEN).string(Nft.NFTA_RULE_CHAIN);
                if (rulesByChain.containsKey(chain)) {
                    listed.computeIfAbsent(chain, k -> new ArrayList<>()).add(NftCodec.decodeRule(m).rule());
                }
            }
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
        for (var chain : rulesByChain.entrySet()) {
            List<Rule> have = listed.getOrDefault(chain.getKey(), List.of());
            if (have.size() != chain.getValue().size()) {
                return false;
            }
            for (int i = 0; i < have.size(); i++) {
                if (!java.util.Arrays.equals(wire(chain.getValue().get(i).canonical()), wire(have.get(i)))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] wire(Rule rule) {
        NlWriter w = new NlWriter(0);
        NftCodec.newRule(w, rule, true, NftCodec.SetIds.NONE);
        return w.toByteArray();
    }

    /** The named sets and maps of the table (not the anonymous sets that nft makes for inline {@code { ... }}). */
    public List<NftSet> sets(Table table) throws ErrnoException {
        List<NftSet> out = new ArrayList<>();
        for (NlMessage m : dump(w -> NftCodec.getSets(w, table), "list sets of table " + table)) {
            if (!NftCodec.isAnonymous(m)) {
                out.add(NftCodec.decodeSet(m));
            }
        }
        return out;
    }

    public Optional<NftSet> set(Table table, String name) throws ErrnoException {
        NlWriter w = socket.writer();
        NftCodec.getSet(w, table, name);
        try {
            return Optional.of(NftCodec.decodeSet(socket.get(w, "get set " + table + " " + name)));
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The elements of a set or map in key order, an interval set's ranges joined back together; a dump that races
     * a change is repeated.
     */
    public List<Element> elements(NftSet set) throws ErrnoException {
        List<NftCodec.Wire> wire = new ArrayList<>();
        for (NlMessage m : dump(w -> NftCodec.getElements(w, set), "list elements of " + set)) {
            wire.addAll(NftCodec.decodeWire(m));
        }
        return NftCodec.fromWire(set, wire);
    }

    @Override
    public void close() {
        socket.close();
    }
}
