package io.jnet.bridge;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.conntrack.Conntrack;
import io.jnet.kernel.netlink.NetlinkException;
import io.jnet.kernel.nft.Bytes;
import io.jnet.kernel.nft.Chain;
import io.jnet.kernel.nft.Datatype;
import io.jnet.kernel.nft.Element;
import io.jnet.kernel.nft.Expr;
import io.jnet.kernel.nft.Family;
import io.jnet.kernel.nft.NftBatch;
import io.jnet.kernel.nft.NftSet;
import io.jnet.kernel.nft.Nftables;
import io.jnet.kernel.nft.Reg;
import io.jnet.kernel.nft.Rule;
import io.jnet.kernel.nft.Rules;
import io.jnet.kernel.nft.SetType;
import io.jnet.kernel.nft.Table;
import io.jnet.kernel.nft.Verdict;
import io.jnet.kernel.sys.Errno;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The firewall in nf_tables, table {@code inet jnet}:
 * <pre>
 * prerouting-filter  iifname vmap @pre_in                     -> pre-NET: martian drop (route_localnet is on)
 * prerouting, output fib daddr type local jump published      -> dnat by @pub4host, @pub4, @pub6host, @pub6
 * forward            ct state established,related accept; ct status dnat accept;
 *                    iifname vmap @fwd_in  -> fwd-in-NET  (internal: no egress)
 *                    oifname vmap @fwd_out -> fwd-out-NET (only replies and published ports reach containers)
 * postrouting        iifname vmap @snat_in  -> snat-in-NET  (masquerade the subnets going out)
 *                    oifname vmap @snat_out -> snat-out-NET (hairpin and the host's 127.0.0.1 to a published port)
 * </pre>
 * {@code icc=false} has two forms. With br_netfilter (the kernel's default), switched traffic passes the forward
 * chain too, and fwd-in-NET drops what goes back out of the bridge after {@code ct status dnat accept}, as Docker
 * does. Without it, table {@code bridge jnet} drops frames switched between two ports of the bridge:
 * {@code iifname . ether saddr @icc_off drop}, with (host end, container MAC) of each container of such a network
 * as elements; published ports reached through the host are routed, carry the bridge's MAC and pass.
 * The rules are per network and constant in number ({@link #layout}); a container adds and deletes only map
 * elements. An ADD whose network's rules are in place (read back, or known from nf_tables events in the daemon) adds
 * only its elements, so rule handles and counters survive; otherwise it rewrites the layout in the same transaction,
 * which re-creates what someone flushed or deleted. Rewriting deletes rules, and a namespace with deleted objects
 * makes the next close of an nf_tables socket wait for an RCU grace period.
 */
final class NftFirewall implements Firewall {

    static final Table TABLE = new Table(Family.INET, "jnet");
    static final Table L2 = new Table(Family.BRIDGE, "jnet");
    private static final NftSet ICC_OFF = NftSet.set(L2, "icc_off", SetType.of(Datatype.IFNAME, Datatype.ETHER_ADDR));
    private static final Chain L2_FORWARD = Chain.base(L2, "forward", Chain.Type.FILTER, Chain.HookPoint.FORWARD,
            Chain.PRIORITY_FILTER, Chain.Policy.ACCEPT);
    private static final SetType IFNAME = SetType.of(Datatype.IFNAME);
    private static final NftSet PUB4 = NftSet.map(TABLE, "pub4", SetType.of(Datatype.INET_PROTO, Datatype.INET_SERVICE),
            SetType.of(Datatype.IPV4_ADDR, Datatype.INET_SERVICE));
    private static final NftSet PUB4_HOST = NftSet.map(TABLE, "pub4host",
            SetType.of(Datatype.IPV4_ADDR, Datatype.INET_PROTO, Datatype.INET_SERVICE),
            SetType.of(Datatype.IPV4_ADDR, Datatype.INET_SERVICE));
    private static final NftSet PUB6 = NftSet.map(TABLE, "pub6", SetType.of(Datatype.INET_PROTO, Datatype.INET_SERVICE),
            SetType.of(Datatype.IPV6_ADDR, Datatype.INET_SERVICE));
    private static final NftSet PUB6_HOST = NftSet.map(TABLE, "pub6host",
            SetType.of(Datatype.IPV6_ADDR, Datatype.INET_PROTO, Datatype.INET_SERVICE),
            SetType.of(Datatype.IPV6_ADDR, Datatype.INET_SERVICE));
    private static final NftSet PRE_IN = NftSet.verdictMap(TABLE, "pre_in", IFNAME);
    private static final NftSet FWD_IN = NftSet.verdictMap(TABLE, "fwd_in", IFNAME);
    private static final NftSet FWD_OUT = NftSet.verdictMap(TABLE, "fwd_out", IFNAME);
    private static final NftSet SNAT_IN = NftSet.verdictMap(TABLE, "snat_in", IFNAME);
    private static final NftSet SNAT_OUT = NftSet.verdictMap(TABLE, "snat_out", IFNAME);
    private static final List<NftSet> SETS = List.of(PUB4, PUB4_HOST, PUB6, PUB6_HOST, PRE_IN, FWD_IN, FWD_OUT,
            SNAT_IN, SNAT_OUT);

    private static final Chain PREROUTING_FILTER = Chain.base(TABLE, "prerouting-filter", Chain.Type.FILTER,
            Chain.HookPoint.PREROUTING, Chain.PRIORITY_DSTNAT - 10, Chain.Policy.ACCEPT);
    private static final Chain PREROUTING = Chain.base(TABLE, "prerouting", Chain.Type.NAT,
            Chain.HookPoint.PREROUTING, Chain.PRIORITY_DSTNAT, Chain.Policy.ACCEPT);
    private static final Chain OUTPUT = Chain.base(TABLE, "output", Chain.Type.NAT, Chain.HookPoint.OUTPUT,
            Chain.PRIORITY_DSTNAT, Chain.Policy.ACCEPT);
    private static final Chain FORWARD = Chain.base(TABLE, "forward", Chain.Type.FILTER, Chain.HookPoint.FORWARD,
            Chain.PRIORITY_FILTER, Chain.Policy.ACCEPT);
    private static final Chain POSTROUTING = Chain.base(TABLE, "postrouting", Chain.Type.NAT,
            Chain.HookPoint.POSTROUTING, Chain.PRIORITY_SRCNAT, Chain.Policy.ACCEPT);
    private static final Chain PUBLISHED = Chain.regular(TABLE, "published");
    private static final List<Chain> SHARED_CHAINS = List.of(PREROUTING_FILTER, PREROUTING, OUTPUT, FORWARD,
            POSTROUTING, PUBLISHED);
    private static final int ETHER_SADDR = 6;
    private static final InetAddress LOOPBACK_NET = IpPrefix.parseAddress("127.0.0.0");

    private final Nftables nft;
    private final HostSockets sockets;

    private NftFirewall(Nftables nft, HostSockets sockets) {
        this.nft = nft;
        this.sockets = sockets;
    }

    /** The firewall of the calling thread's namespace, on a socket of its own. */
    static NftFirewall open() throws IOException {
        return open(HostSockets.perCall());
    }

    /** The firewall of the calling thread's namespace, on the socket that {@code sockets} gives this thread. */
    static NftFirewall open(HostSockets sockets) throws IOException {
        return new NftFirewall(sockets.nftables(), sockets);
    }

    @Override
    public void attach(Network network, Publication publication) throws IOException {
        long since = sockets.epoch();
        boolean inPlace = sockets.knownInPlace(network.name()) || layoutInPlace(network);
        try {
            apply(batch(network, List.of(publication), !inPlace), network, publication);
        } catch (NetlinkException e) {
            if (!inPlace || !e.isNotFound()) {
                throw e;
            }
            // removed between the read-back (or the last event) and the batch
            apply(batch(network, List.of(publication), true), network, publication);
        }
        sockets.inPlace(network.name(), since);
        flushUdp(publication);
    }

    /**
     * Writes the network's layout again, whatever is in place, with the elements of every publication given: what
     * the healer does after someone flushed or deleted part of the firewall.
     */
    void reapply(Network network, List<Publication> publications) throws IOException {
        long since = sockets.epoch();
        nft.apply(batch(network, publications, true));
        sockets.inPlace(network.name(), since);
    }

    private void apply(NftBatch batch, Network network, Publication publication) throws IOException {
        try {
            nft.apply(batch);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                PortInUseException clash = clash(network, publication, e);
                if (clash != null) {
                    throw clash;
                }
            }
            throw e;
        }
    }

    /**
     * One transaction: the table, sets and chains (created where missing, which changes nothing where present),
     * the rules of {@link #layout} when {@code rewrite} (each chain flushed first), the network's verdict-map
     * elements and the publications' elements.
     */
    private static NftBatch batch(Network network, List<Publication> publications, boolean rewrite) {
        NftBatch batch = new NftBatch();
        batch.addTable(TABLE);
        for (NftSet set : SETS) {
            batch.addSet(set);
        }
        batch.addTable(L2).addSet(ICC_OFF);
        List<ChainRules> layout = layout(network);
        for (ChainRules c : layout) {
            batch.addChain(c.chain());
        }
        if (rewrite) {
            for (ChainRules c : layout) {
                batch.flushChain(c.chain());
                for (Rule r : c.rules()) {
                    batch.addRule(r);
                }
            }
        }
        for (NftSet vmap : List.of(PRE_IN, FWD_IN, FWD_OUT, SNAT_IN, SNAT_OUT)) {
            batch.addElement(vmap, vmapElement(vmap, network));
        }
        Firewall.Overlay overlay = network.overlay();
        if (overlay != null) {
            // what leaves by the VXLAN device passes fwd-out-NET too: only this network's bridge may send into it
            batch.addElement(FWD_OUT, Element.of(Bytes.ifname(overlay.device()),
                    Verdict.jump("fwd-out-" + network.name())));
        }
        for (Publication publication : publications) {
            for (var entry : elements(network, publication).entrySet()) {
                batch.addElements(entry.getKey(), entry.getValue());
            }
        }
        return batch;
    }

    /**
     * Whether every chain of the network's {@link #layout} holds exactly its rules, read back from the kernel: two
     * dumps, and nothing to destroy, against a rewrite of some twenty rules.
     */
    private boolean layoutInPlace(Network network) throws IOException {
        Map<String, List<Rule>> inet = new HashMap<>();
        Map<String, List<Rule>> l2 = new HashMap<>();
        for (ChainRules c : layout(network)) {
            (c.chain().table().equals(L2) ? l2 : inet).put(c.chain().name(), c.rules());
        }
        return nft.holds(TABLE, inet) && nft.holds(L2, l2);
    }

    /**
     * The published port that made a batch fail with EEXIST: an element of ours whose key the kernel's map holds with
     * other data (another attachment's target). Null when there is none, and the EEXIST was about something else (a
     * verdict-map element of another network on the same bridge, say). The batch was rolled back, so the maps show
     * what was there before it.
     */
    private PortInUseException clash(Network network, Publication publication, NetlinkException e) throws IOException {
        for (Published p : published(publication)) {
            if (nft.set(TABLE, p.map().name()).isEmpty()) {
                continue;
            }
            for (Element present : nft.elements(p.map())) {
                if (present.key().equals(p.element().key()) && !present.data().equals(p.element().data())
                        && present.data().orElse(null) instanceof Bytes data) {
                    java.net.InetSocketAddress target = target(data, p.v4());
                    return new PortInUseException(p.port(), target.getAddress(), target.getPort(), null, e);
                }
            }
        }
        return null;
    }

    /**
     * A UDP flow to a host port that started before the port was published (or was DNAT'd to a container that is
     * gone) keeps its conntrack entry as long as packets keep coming, and with it the old translation; deleting the
     * entries makes the next packet take the current mapping.
     */
    private static void flushUdp(Publication publication) throws IOException {
        List<PortMapping> udp = new ArrayList<>();
        for (PortMapping p : publication.ports()) {
            if (p.protocolNumber() == Rules.UDP) {
                udp.add(p);
            }
        }
        if (udp.isEmpty()) {
            return;
        }
        try (Conntrack ct = Conntrack.open()) {
            for (PortMapping p : udp) {
                for (InetAddress a : publication.addresses()) {
                    if (p.appliesTo(a instanceof Inet4Address)) {
                        ct.flush(a instanceof Inet4Address ? Conntrack.AF_INET : Conntrack.AF_INET6, Rules.UDP,
                                p.hostPort());
                    }
                }
            }
        }
    }

    /** Where the elements that publish {@code port} lead now: one container address per family that has one. */
    List<InetAddress> targets(PortMapping port) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        if (!nft.exists(TABLE)) {
            return out;
        }
        for (boolean v4 : new boolean[] {true, false}) {
            if (!port.appliesTo(v4)) {
                continue;
            }
            Published probe = published(new Publication("", "", "",
                    List.of(v4 ? LOOPBACK_NET : IpPrefix.parseAddress("::")), List.of(port))).get(0);
            if (nft.set(TABLE, probe.map().name()).isEmpty()) {
                continue;
            }
            for (Element present : nft.elements(probe.map())) {
                if (present.key().equals(probe.element().key()) && present.data().orElse(null) instanceof Bytes t) {
                    out.add(target(t, v4).getAddress());
                }
            }
        }
        return out;
    }

    /** A published port's data: the container address and port it leads to. */
    private static java.net.InetSocketAddress target(Bytes data, boolean v4) throws IOException {
        byte[] b = data.toArray();
        int length = v4 ? 4 : 16;
        if (b.length < length + 2) {
            throw new IOException("a published port's element has " + b.length + " bytes of data");
        }
        return new java.net.InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOf(b, length)),
                ((b[length] & 0xff) << 8) | (b[length + 1] & 0xff));
    }

    @Override
    public void detach(Network network, Publication publication) throws IOException {
        if (!nft.exists(TABLE) || !nft.exists(L2)) {
            return;
        }
        NftBatch batch = new NftBatch();
        for (var entry : elements(network, publication).entrySet()) {
            batch.destroyElements(entry.getKey(), entry.getValue());
        }
        nft.apply(batch);
        flushUdp(publication);
    }

    @Override
    public void detachAddresses(Publication publication) throws IOException {
        if (!nft.exists(TABLE) || publication.addresses().isEmpty()) {
            return;
        }
        NftBatch batch = new NftBatch();
        for (NftSet map : List.of(PUB4, PUB4_HOST, PUB6, PUB6_HOST)) {
            boolean v4 = map == PUB4 || map == PUB4_HOST;
            if (nft.set(TABLE, map.name()).isEmpty()) {
                continue;
            }
            List<Element> theirs = new ArrayList<>();
            for (Element e : nft.elements(map)) {
                if (e.data().orElse(null) instanceof Bytes data
                        && publication.addresses().contains(target(data, v4).getAddress())) {
                    theirs.add(e);
                }
            }
            if (!theirs.isEmpty()) {
                batch.destroyElements(map, theirs);
            }
        }
        nft.apply(batch);
    }

    @Override
    public List<String> check(Network network, Publication publication) throws IOException {
        List<String> drift = new ArrayList<>();
        if (!nft.exists(TABLE)) {
            drift.add("nftables table " + TABLE + " is missing");
            return drift;
        }
        Set<String> chains = new HashSet<>();
        for (Chain c : nft.chains(TABLE)) {
            chains.add(c.name());
        }
        List<Chain> expected = new ArrayList<>(SHARED_CHAINS);
        expected.addAll(networkChains(network));
        for (Chain c : expected) {
            if (!chains.contains(c.name())) {
                drift.add("nftables chain " + c.name() + " is missing");
            } else if (c.base().isPresent() || c.equals(PUBLISHED) || alwaysHasRules(c, network)) {
                if (nft.rules(TABLE, c.name()).isEmpty()) {
                    drift.add("nftables chain " + c.name() + " has no rules (flushed?)");
                }
            }
        }
        for (NftSet vmap : List.of(PRE_IN, FWD_IN, FWD_OUT, SNAT_IN, SNAT_OUT)) {
            checkElements(vmap, List.of(vmapElement(vmap, network)), drift);
        }
        for (var entry : elements(network, publication).entrySet()) {
            checkElements(entry.getKey(), entry.getValue(), drift);
        }
        return drift;
    }

    /**
     * Removes what one network holds in the table, in one transaction: its elements of the verdict maps, then its
     * chains (which those elements jump to). The shared chains and maps stay, as other networks use them; a network
     * that has nothing there (or no table) is fine.
     */
    void removeNetwork(Network network) throws IOException {
        if (!nft.exists(TABLE)) {
            return;
        }
        Set<String> present = new HashSet<>();
        for (Chain c : nft.chains(TABLE)) {
            present.add(c.name());
        }
        NftBatch batch = new NftBatch();
        for (NftSet vmap : List.of(PRE_IN, FWD_IN, FWD_OUT, SNAT_IN, SNAT_OUT)) {
            if (nft.set(TABLE, vmap.name()).isPresent()) {
                batch.destroyElements(vmap, List.of(vmapElement(vmap, network)));
            }
        }
        if (nft.set(TABLE, FWD_OUT.name()).isPresent()) {
            // an overlay network's VXLAN device jumps to its fwd-out chain too (the device name follows the network's)
            batch.destroyElements(FWD_OUT, List.of(Element.of(Bytes.ifname(OverlayRecord.vxlanDevice(network.name())),
                    Verdict.jump("fwd-out-" + network.name()))));
        }
        for (Chain c : networkChains(network)) {
            if (present.contains(c.name())) {
                batch.flushChain(c).deleteChain(c);
            }
        }
        if (!batch.isEmpty()) {
            nft.apply(batch);
        }
    }

    /** What a network still has in the table: its chains and its elements of the verdict maps. */
    List<String> remains(Network network) throws IOException {
        List<String> out = new ArrayList<>();
        if (!nft.exists(TABLE)) {
            return out;
        }
        Set<String> mine = new HashSet<>();
        for (Chain c : networkChains(network)) {
            mine.add(c.name());
        }
        for (Chain c : nft.chains(TABLE)) {
            if (mine.contains(c.name())) {
                out.add("chain " + c.name());
            }
        }
        for (NftSet vmap : List.of(PRE_IN, FWD_IN, FWD_OUT, SNAT_IN, SNAT_OUT)) {
            if (nft.set(TABLE, vmap.name()).isPresent()
                    && nft.elements(vmap).contains(vmapElement(vmap, network))) {
                out.add("element of " + vmap.name() + " for " + network.bridge());
            }
        }
        return out;
    }

    /** A network's chains that ADD always gives a rule (the others may be empty by config): empty means flushed. */
    private static boolean alwaysHasRules(Chain c, Network n) {
        return c.name().equals("pre-" + n.name()) || c.name().equals("fwd-out-" + n.name())
                || c.name().equals("snat-out-" + n.name());
    }

    private void checkElements(NftSet set, List<Element> wanted, List<String> drift) throws IOException {
        Optional<NftSet> present = nft.exists(set.table()) ? nft.set(set.table(), set.name()) : Optional.empty();
        if (present.isEmpty()) {
            drift.add("nftables map " + set.name() + " is missing");
            return;
        }
        Set<Element> have = new HashSet<>(nft.elements(set));
        for (Element e : wanted) {
            if (!have.contains(e)) {
                drift.add("nftables element {" + e + "} of map " + set.name() + " is missing");
            }
        }
    }

    // ---- the ruleset ---------------------------------------------------------------------------------------------

    /**
     * The whole rule layout that {@code n} needs, chain by chain in the order they are written: the shared chains of
     * every network first, then the network's own. This is the one place that says what the rules are; the writer,
     * the read-back and CHECK all go by it.
     */
    static List<ChainRules> layout(Network n) {
        Layout out = new Layout();
        // shared by every network
        out.put(PREROUTING_FILTER, List.of(rule(PREROUTING_FILTER, "per-network checks before NAT")
                .add(Rules.iifnameVmap(PRE_IN.name())).build()));
        for (Chain c : List.of(PREROUTING, OUTPUT)) {
            out.put(c, List.of(rule(c, "published ports").add(Rules.fibDaddrLocal()).add(Rules.jump(PUBLISHED.name()))
                    .build()));
        }
        out.put(FORWARD, List.of(
                rule(FORWARD, "replies").add(Rules.ctState(Rules.CT_STATE_ESTABLISHED | Rules.CT_STATE_RELATED))
                        .add(Rules.accept()).build(),
                rule(FORWARD, "published ports are reachable from everywhere")
                        .add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.accept()).build(),
                rule(FORWARD, "traffic from a network").add(Rules.iifnameVmap(FWD_IN.name())).build(),
                rule(FORWARD, "traffic to a network").add(Rules.oifnameVmap(FWD_OUT.name())).build()));
        out.put(POSTROUTING, List.of(
                rule(POSTROUTING, "traffic from a network").add(Rules.iifnameVmap(SNAT_IN.name())).build(),
                rule(POSTROUTING, "traffic to a network").add(Rules.oifnameVmap(SNAT_OUT.name())).build()));
        out.put(PUBLISHED, List.of(
                rule(PUBLISHED, "ports published on one host address")
                        .add(Rules.dnatByDaddrProtoPort(Family.IP, PUB4_HOST.name())).build(),
                rule(PUBLISHED, "ports published on every host address")
                        .add(Rules.nfproto(Family.IP)).add(Rules.dnatByProtoPort(Family.IP, PUB4.name())).build(),
                rule(PUBLISHED, "ports published on one host address")
                        .add(Rules.dnatByDaddrProtoPort(Family.IP6, PUB6_HOST.name())).build(),
                rule(PUBLISHED, "ports published on every host address")
                        .add(Rules.nfproto(Family.IP6)).add(Rules.dnatByProtoPort(Family.IP6, PUB6.name())).build()));
        out.put(L2_FORWARD, List.of(rule(L2_FORWARD, "icc=false: no traffic between the containers of a network")
                .add(new Expr.Meta(Expr.MetaKey.IIFNAME, Reg.R1),
                        new Expr.Payload(Expr.PayloadBase.LINK, ETHER_SADDR, 6, Reg.atOffset(Bytes.IFNAMSIZ)),
                        new Expr.Lookup(Reg.R1, ICC_OFF.name(), false))
                .add(Rules.drop()).build()));

        // the network's own
        List<Chain> chains = networkChains(n);
        Chain pre = chains.get(0);
        Chain fwdIn = chains.get(1);
        Chain fwdOut = chains.get(2);
        Chain snatIn = chains.get(3);
        Chain snatOut = chains.get(4);
        String br = n.bridge();
        out.put(pre, List.of(rule(pre, "martian: the host's loopback is not reachable from " + n.name())
                .add(Rules.daddr(LOOPBACK_NET, 8)).add(Rules.drop()).build()));
        List<Rule> fwdInRules = new ArrayList<>();
        if (n.internal()) {
            fwdInRules.add(rule(fwdIn, "internal network " + n.name() + ": no egress")
                    .add(Rules.oifnameNot(br)).add(Rules.drop()).build());
        }
        if (!n.icc()) {
            fwdInRules.add(rule(fwdIn, "icc=false: no traffic between the containers of " + n.name())
                    .add(Rules.oifname(br)).add(Rules.drop()).build());
        }
        out.put(fwdIn, fwdInRules);
        List<Rule> fwdOutRules = new ArrayList<>();
        Firewall.Overlay overlay = n.overlay();
        if (overlay != null) {
            fwdOutRules.add(rule(fwdOut, "overlay " + overlay.subnet() + " from the other hosts reaches " + n.name())
                    .add(Rules.iifname(overlay.device()))
                    .add(Rules.saddr(overlay.subnet().address(), overlay.subnet().prefixLength()))
                    .add(Rules.accept()).build());
        }
        fwdOutRules.add(rule(fwdOut, "only replies and published ports reach " + n.name())
                .add(Rules.iifnameNot(br)).add(Rules.drop()).build());
        out.put(fwdOut, fwdOutRules);
        List<Rule> snatInRules = new ArrayList<>();
        if (n.ipMasq()) {
            for (IpPrefix subnet : n.subnets()) {
                Rule.Builder masquerade = rule(snatIn, "masquerade " + n.name() + " " + subnet)
                        .add(Rules.oifnameNot(br)).add(Rules.saddr(subnet.address(), subnet.prefixLength()));
                if (overlay != null && overlay.subnet().isIpv4() == subnet.isIpv4()) {
                    // traffic staying inside the overlay keeps its source address
                    masquerade.add(Rules.daddrNot(overlay.subnet().address(), overlay.subnet().prefixLength()));
                }
                snatInRules.add(masquerade.add(Rules.masquerade()).build());
            }
        }
        out.put(snatIn, snatInRules);
        List<Rule> snatOutRules = new ArrayList<>();
        // keyed by source address: in postrouting the input interface of a hairpinned packet is not the bridge
        for (IpPrefix subnet : n.subnets()) {
            snatOutRules.add(rule(snatOut, "hairpin: " + subnet + " reaching a published port through the host")
                    .add(Rules.saddr(subnet.address(), subnet.prefixLength()))
                    .add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.masquerade()).build());
        }
        snatOutRules.add(rule(snatOut, "the host's 127.0.0.1 reaching a published port")
                .add(Rules.saddr(LOOPBACK_NET, 8)).add(Rules.masquerade()).build());
        out.put(snatOut, snatOutRules);
        return out.chains;
    }

    /** A chain of the layout and its rules in order. */
    record ChainRules(Chain chain, List<Rule> rules) {
    }

    /** Collects the layout in order; a list, not a map: hashing the records would link their generated methods. */
    private static final class Layout {
        final List<ChainRules> chains = new ArrayList<>();

        void put(Chain chain, List<Rule> rules) {
            chains.add(new ChainRules(chain, List.copyOf(rules)));
        }
    }

    private static List<Chain> networkChains(Network n) {
        return List.of(Chain.regular(TABLE, "pre-" + n.name()), Chain.regular(TABLE, "fwd-in-" + n.name()),
                Chain.regular(TABLE, "fwd-out-" + n.name()), Chain.regular(TABLE, "snat-in-" + n.name()),
                Chain.regular(TABLE, "snat-out-" + n.name()));
    }

    private static Element vmapElement(NftSet vmap, Network n) {
        String chain = switch (vmap.name()) {
            case "pre_in" -> "pre-";
            case "fwd_in" -> "fwd-in-";
            case "fwd_out" -> "fwd-out-";
            case "snat_in" -> "snat-in-";
            default -> "snat-out-";
        } + n.name();
        return Element.of(Bytes.ifname(n.bridge()), Verdict.jump(chain));
    }

    /**
     * The elements an attachment owns, by set: one per port mapping and container address family, and its host
     * end in {@code icc_off} when its network has icc=false.
     */
    static java.util.Map<NftSet, List<Element>> elements(Network n, Publication p) {
        java.util.Map<NftSet, List<Element>> out = new java.util.LinkedHashMap<>();
        if (!n.icc() && !n.brNetfilter() && !p.mac().isEmpty()) {
            out.put(ICC_OFF, List.of(Element.of(Bytes.concat(Bytes.ifname(p.port()), Bytes.of(macBytes(p.mac()))))));
        }
        for (Published pub : published(p)) {
            out.computeIfAbsent(pub.map(), m -> new ArrayList<>()).add(pub.element());
        }
        return out;
    }

    /** One published port's element: which mapping, for which address family, in which map. */
    record Published(PortMapping port, boolean v4, NftSet map, Element element) {
    }

    /** The published-port elements of an attachment, one per port mapping and container address family. */
    static List<Published> published(Publication p) {
        List<Published> out = new ArrayList<>();
        for (PortMapping port : p.ports()) {
            for (InetAddress address : p.addresses()) {
                boolean v4 = address instanceof Inet4Address;
                if (!port.appliesTo(v4)) {
                    continue;
                }
                Bytes protoPort = Bytes.concat(Bytes.u8(port.protocolNumber()), Bytes.be16(port.hostPort()));
                Bytes target = Bytes.concat(Bytes.address(address), Bytes.be16(port.containerPort()));
                NftSet map;
                Bytes key;
                if (port.hostIp() == null) {
                    map = v4 ? PUB4 : PUB6;
                    key = protoPort;
                } else {
                    map = v4 ? PUB4_HOST : PUB6_HOST;
                    key = Bytes.concat(Bytes.address(port.hostIp()), Bytes.u8(port.protocolNumber()),
                            Bytes.be16(port.hostPort()));
                }
                out.add(new Published(port, v4, map, Element.of(key, target)));
            }
        }
        return out;
    }

    private static byte[] macBytes(String mac) {
        return io.jnet.kernel.rtnl.MacAddress.parse(mac).toBytes();
    }

    private static Rule.Builder rule(Chain chain, String comment) {
        return Rule.in(chain).comment(comment);
    }

    @Override
    public void close() {
        if (!sockets.keeps()) {
            nft.close();
        }
    }
}
