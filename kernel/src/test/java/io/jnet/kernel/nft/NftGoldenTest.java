package io.jnet.kernel.nft;

import io.jnet.kernel.nft.Expr.Cmp;
import io.jnet.kernel.nft.Expr.CmpOp;
import io.jnet.kernel.nft.Expr.Ct;
import io.jnet.kernel.nft.Expr.CtDirection;
import io.jnet.kernel.nft.Expr.CtKey;
import io.jnet.kernel.nft.Expr.CtSet;
import io.jnet.kernel.nft.Expr.Immediate;
import io.jnet.kernel.nft.Expr.Masquerade;
import io.jnet.kernel.nft.Expr.Meta;
import io.jnet.kernel.nft.Expr.MetaKey;
import io.jnet.kernel.nft.Expr.MetaSet;
import io.jnet.kernel.nft.Expr.Nat;
import io.jnet.kernel.nft.Expr.NatType;
import io.jnet.kernel.nft.Expr.Payload;
import io.jnet.kernel.nft.Expr.PayloadBase;
import io.jnet.kernel.nft.Expr.Range;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.jnet.kernel.nft.Deviations.both;
import static io.jnet.kernel.nft.Fixtures.*;
import static io.jnet.kernel.nft.Golden.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our batches against the bytes nft 1.0.6 sent for the same commands (golden/nft/*.hex, see capture.sh). */
class NftGoldenTest {

    private static NftBatch batch() {
        return new NftBatch();
    }

    private static Rule.Builder rule(Chain chain) {
        return Rule.in(chain);
    }

    // ---- tables

    @Test
    void tables() {
        assertMatches("table-add-inet", batch().addTable(T));
        assertMatches("table-add-ip", batch().addTable(new Table(Family.IP, "jnet")));
        assertMatches("table-add-ip6", batch().addTable(new Table(Family.IP6, "jnet")));
        assertMatches("table-delete", batch().deleteTable(T));
    }

    @Test
    void destroyWithoutKernelSupportIsAddThenDelete() {
        List<Golden.Msg> fallback = Golden.encode(batch().destroyTable(T), false);
        List<Golden.Msg> nft = Golden.load("table-destroy-fallback");
        assertEquals(nft.stream().map(Golden.Msg::payload).toList(),
                fallback.stream().map(Golden.Msg::payload).toList());

        NftBatch elements = batch().destroyElements(DNAT4,
                List.of(Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80))));
        List<Golden.Msg> nftElements = Golden.load("elem-destroy-fallback").stream()
                .map(Deviations::withoutSetIdsOfExistingSets).toList();
        assertEquals(nftElements.stream().map(Golden.Msg::payload).toList(),
                Golden.encode(elements, false).stream().map(Golden.Msg::payload).toList());
    }

    @Test
    void destroyIsDeleteWithTheDestroyMessageType() {
        List<Golden.Msg> destroy = Golden.encode(batch().destroyTable(T), true);
        List<Golden.Msg> delete = Golden.encode(batch().deleteTable(T), true);
        assertEquals(NftCodec.type(Nft.MSG_DESTROYTABLE), destroy.get(1).type());
        assertEquals(delete.get(1).payload(), destroy.get(1).payload());
        assertEquals(NftCodec.type(Nft.MSG_DESTROYSETELEM), Golden.encode(batch().destroyElements(DNAT4,
                List.of(Element.of(protoPort(Rules.TCP, 1)))), true).get(1).type());
        assertEquals(NftCodec.type(Nft.MSG_DESTROYCHAIN), Golden.encode(batch().destroyChain(ISOLATION), true)
                .get(1).type());
        assertEquals(NftCodec.type(Nft.MSG_DESTROYSET), Golden.encode(batch().destroySet(VM), true).get(1).type());
    }

    // ---- chains

    @Test
    void chains() {
        assertMatches("chain-add-regular", batch().addChain(ISOLATION));
        assertMatches("chain-add-nat-postrouting", batch().addChain(POSTROUTING));
        assertMatches("chain-add-nat-prerouting", batch().addChain(PREROUTING));
        assertMatches("chain-add-filter-forward-drop", batch().addChain(FORWARD));
        assertMatches("chain-add-route-output", batch().addChain(Chain.base(new Table(Family.IP, "jnet"), "output",
                Chain.Type.ROUTE, Chain.HookPoint.OUTPUT, Chain.PRIORITY_MANGLE, Chain.Policy.ACCEPT)));
        assertMatches("chain-add-filter-input-negative", batch().addChain(Chain.base(new Table(Family.IP6, "jnet"),
                "input", Chain.Type.FILTER, Chain.HookPoint.INPUT, -5, Chain.Policy.ACCEPT)));
        assertMatches("chain-flush", batch().flushChain(FORWARD));
        assertMatches("chain-delete", batch().deleteChain(ISOLATION));
    }

    // ---- rules

    @Test
    void masqueradeWithComment() {
        assertMatches("rule-masquerade", batch().addRule(rule(POSTROUTING)
                .add(Rules.iifname("br0")).add(Rules.oifnameNot("br0")).add(Rules.saddr(ip("10.233.0.0"), 24))
                .add(Rules.masquerade()).comment("masq br0").build()));
    }

    @Test
    void dnatThroughConcatenatedMap() {
        assertMatches("rule-dnat-map", batch().addRule(rule(PREROUTING)
                .add(Rules.fibDaddrLocal()).add(Rules.dnatByProtoPort(Family.IP, "dnat4")).build()),
                Deviations::withoutSetIdsOfExistingSets);
    }

    @Test
    void dnatMapsPerHostAddressAndForIpv6() {
        assertMatches("rule-dnat-maps", batch()
                .addRule(rule(PREROUTING).add(Rules.dnatByDaddrProtoPort(Family.IP, "hostports")).build())
                .addRule(rule(PREROUTING).add(Rules.dnatByProtoPort(Family.IP6, "dnat6")).build()),
                Deviations::withoutSetIdsOfExistingSets);
    }

    @Test
    void ctStateEstablishedRelated() {
        assertMatches("rule-ct-state", batch().addRule(rule(FORWARD)
                .add(Rules.ctState(Rules.CT_STATE_ESTABLISHED | Rules.CT_STATE_RELATED)).add(Rules.accept()).build()));
    }

    @Test
    void verdictMap() {
        assertMatches("rule-vmap", batch().addRule(rule(FORWARD).add(Rules.iifnameVmap("vm")).build()),
                Deviations::withoutSetIdsOfExistingSets);
    }

    @Test
    void verdicts() {
        assertMatches("rule-verdicts", batch()
                .addRule(rule(FORWARD).add(Rules.jump("isolation")).build())
                .addRule(rule(FORWARD).add(Rules.goTo("isolation")).build())
                .addRule(rule(ISOLATION).add(Rules.returnFromChain()).build())
                .addRule(rule(FORWARD).add(Rules.drop()).build())
                .addRule(rule(FORWARD).add(Rules.verdict(Verdict.CONTINUE)).build())
                .addRule(rule(FORWARD).add(Rules.counter(), Rules.accept()).build()));
    }

    @Test
    void insertAtTheStart() {
        assertMatches("rule-insert", batch().insertRule(rule(FORWARD)
                .add(Rules.oifname("br0")).add(Rules.drop()).comment("ICC").build()));
    }

    @Test
    void snat() {
        assertMatches("rule-snat-ip", batch().addRule(rule(POSTROUTING)
                .add(Rules.saddr(ip("10.233.0.0"), 24)).add(Rules.snat(ip("198.18.0.1"))).build()));
        assertMatches("rule-snat-ip6", batch().addRule(rule(POSTROUTING)
                .add(Rules.saddr(ip("fd00:1::"), 64)).add(Rules.snat(ip("fd00::1"))).build()));
        assertMatches("rule-snat-range", batch().addRule(rule(POSTROUTING).add(Rules.l4proto(Rules.TCP))
                .add(new Immediate(Reg.R1, addr("10.0.0.1")), new Immediate(Reg.R2, addr("10.0.0.5")),
                        new Immediate(Reg.R3, Bytes.be16(100)), new Immediate(Reg.R4, Bytes.be16(200)),
                        new Nat(NatType.SNAT, Family.IP, Optional.of(Reg.R1), Optional.of(Reg.R2),
                                Optional.of(Reg.R3), Optional.of(Reg.R4), Nat.PROTO_SPECIFIED)).build()));
    }

    @Test
    void dnat() {
        assertMatches("rule-dnat-port-range", batch().addRule(rule(PREROUTING).add(Rules.l4proto(Rules.TCP))
                .add(new Immediate(Reg.R1, addr("10.233.0.2")), new Immediate(Reg.R2, Bytes.be16(8000)),
                        new Immediate(Reg.R3, Bytes.be16(8010)),
                        new Nat(NatType.DNAT, Family.IP, Optional.of(Reg.R1), Optional.empty(),
                                Optional.of(Reg.R2), Optional.of(Reg.R3), Nat.PROTO_SPECIFIED)).build()));
        assertMatches("rule-dnat-addr", batch().addRule(rule(PREROUTING)
                .add(Rules.daddr(ip("198.18.0.1"), 32)).add(new Immediate(Reg.R1, addr("10.233.0.2")),
                        new Nat(NatType.DNAT, Family.IP, Optional.of(Reg.R1), Optional.empty(), Optional.empty(),
                                Optional.empty(), 0)).build()));
    }

    @Test
    void invertedLookup() {
        assertMatches("rule-lookup-inverted", batch().addRule(rule(FORWARD)
                .add(Rules.saddrIn("subnets", true)).add(Rules.drop()).build()),
                Deviations::withoutSetIdsOfExistingSets);
    }

    @Test
    void marks() {
        assertMatches("rule-meta-mark", batch()
                .addRule(rule(FORWARD).add(Rules.mark(0x2000)).add(Rules.accept()).build())
                .addRule(rule(FORWARD).add(new Immediate(Reg.R1, Bytes.host32(0x2000)),
                        new MetaSet(MetaKey.MARK, Reg.R1)).build())
                .addRule(rule(FORWARD).add(new Meta(MetaKey.MARK, Reg.R1), new CtSet(CtKey.MARK, Reg.R1)).build()));
    }

    @Test
    void conntrackOriginalDestination() {
        assertMatches("rule-ct-original-daddr", batch().addRule(rule(FORWARD)
                .add(new Ct(CtKey.DST_IP, Optional.of(CtDirection.ORIGINAL), Reg.R1),
                        new Cmp(CmpOp.EQ, Reg.R1, addr("10.0.0.1")), Rules.accept()).build()));
    }

    @Test
    void hairpin() {
        assertMatches("rule-hairpin", batch().addRule(rule(POSTROUTING).add(Rules.iifname("br0"))
                .add(Rules.oifname("br0")).add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.masquerade()).build()));
    }

    @Test
    void comparisonsAndRanges() {
        Payload dport = new Payload(PayloadBase.TRANSPORT, 2, 2, Reg.R1);
        assertMatches("rule-cmp-ops", batch()
                .addRule(rule(FORWARD).add(Rules.l4proto(Rules.TCP)).add(dport,
                        new Cmp(CmpOp.GTE, Reg.R1, Bytes.be16(1000)), new Cmp(CmpOp.LTE, Reg.R1, Bytes.be16(2000)),
                        Rules.accept()).build())
                .addRule(rule(FORWARD).add(Rules.l4proto(Rules.TCP)).add(dport,
                        new Cmp(CmpOp.LT, Reg.R1, Bytes.be16(1024)), Rules.accept()).build())
                .addRule(rule(FORWARD).add(Rules.l4proto(Rules.TCP)).add(dport,
                        new Cmp(CmpOp.GT, Reg.R1, Bytes.be16(1024)), Rules.accept()).build()));
        assertMatches("rule-range-neq", batch().addRule(rule(FORWARD).add(Rules.l4proto(Rules.TCP)).add(dport,
                new Range(CmpOp.NEQ, Reg.R1, Bytes.be16(1000), Bytes.be16(2000)), Rules.accept()).build()));
    }

    @Test
    void masqueradeOptions() {
        assertMatches("rule-masq-flags", batch()
                .addRule(rule(POSTROUTING).add(new Masquerade(Nat.RANDOM | Nat.PERSISTENT, Optional.empty(),
                        Optional.empty())).build())
                .addRule(rule(POSTROUTING).add(Rules.l4proto(Rules.TCP)).add(
                        new Immediate(Reg.R1, Bytes.be16(1024)), new Immediate(Reg.R2, Bytes.be16(65535)),
                        new Masquerade(Nat.PROTO_SPECIFIED, Optional.of(Reg.R1), Optional.of(Reg.R2))).build()));
    }

    @Test
    void addressMatches() {
        assertMatches("rule-prefix-bitwise", batch().addRule(rule(FORWARD)
                .add(Rules.saddr(ip("10.233.0.0"), 23)).add(Rules.accept()).build()));
        assertMatches("rule-ip6-daddr", batch().addRule(rule(FORWARD)
                .add(Rules.daddr(ip("fd00::5"), 128)).add(Rules.accept()).build()));
        assertMatches("rule-martian", batch().addRule(rule(PREROUTING)
                .add(Rules.iifnameNot("lo")).add(Rules.saddr(ip("127.0.0.0"), 8)).add(Rules.drop()).build()));
    }

    @Test
    void interfaces() {
        assertMatches("rule-iif", batch()
                .addRule(rule(FORWARD).add(new Meta(MetaKey.IIF, Reg.R1), new Cmp(CmpOp.EQ, Reg.R1, Bytes.host32(1)),
                        Rules.accept()).build())
                .addRule(rule(FORWARD).add(new Meta(MetaKey.IIFTYPE, Reg.R1),
                        new Cmp(CmpOp.EQ, Reg.R1, Bytes.host16(1)), Rules.accept()).build()));
    }

    @Test
    void deleteRuleByHandle() {
        // capture.sh looked the handle up: the 9th object of the table
        assertMatches("rule-delete", batch().deleteRule(T, "forward", 9));
    }

    // ---- sets, maps and elements

    @Test
    void sets() {
        assertMatches("set-add-interval", batch().addSet(SUBNETS));
        assertMatches("map-add-concat", batch().addSet(DNAT4));
        assertMatches("map-add-concat-interval", batch().addSet(PORTS));
        assertMatches("vmap-add", batch().addSet(VM));
        assertMatches("map-add-hostports", batch().addSet(HOSTPORTS).addSet(DNAT6));
        assertMatches("set-add-ip6-mark", batch()
                .addSet(NftSet.set(T, "v6", SetType.of(Datatype.IPV6_ADDR)))
                .addSet(NftSet.set(T, "marks", SetType.of(Datatype.MARK))));
        assertMatches("set-delete", batch().deleteSet(DNAT4));
    }

    @Test
    void setElementsAndRuleInOneBatchReferToTheNewSetById() {
        NftSet blocked = NftSet.set(T, "blocked", SetType.of(Datatype.IPV4_ADDR));
        assertMatches("set-and-rule-one-batch", batch().addSet(blocked)
                .addElement(blocked, Element.of(addr("198.18.0.9")))
                .addRule(rule(FORWARD).add(Rules.saddrIn("blocked", false)).add(Rules.drop()).build()));
    }

    @Test
    void concatenatedMapElements() {
        assertMatches("elem-add-concat", batch().addElements(DNAT4, List.of(
                Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80)),
                Element.of(protoPort(Rules.UDP, 53), addrPort("10.233.0.3", 53)))),
                Deviations::withoutSetIdsOfExistingSets);
        assertMatches("elem-delete-concat", batch().deleteElement(DNAT4, Element.of(protoPort(Rules.TCP, 8080))));
        assertMatches("elem-add-hostports", batch()
                .addElement(HOSTPORTS, Element.of(Bytes.concat(addr("198.18.0.1"), Bytes.u8(Rules.TCP),
                        Bytes.be16(8080)), addrPort("10.233.0.2", 80)))
                .addElement(DNAT6, Element.of(protoPort(Rules.UDP, 53), addrPort("fd00:1::2", 5353))),
                Deviations::withoutSetIdsOfExistingSets);
    }

    @Test
    void intervalSetElements() {
        assertMatches("elem-add-interval", batch().addElements(SUBNETS, List.of(
                Element.prefix(addr("10.233.0.0"), 24), Element.of(addr("10.233.5.1")))), both());
        assertMatches("elem-delete-interval", batch().deleteElement(SUBNETS, Element.prefix(addr("10.233.0.0"), 24)));
        assertMatches("elem-add-interval-edges", batch().addElements(SUBNETS, List.of(
                Element.prefix(addr("0.0.0.0"), 8), Element.prefix(addr("255.0.0.0"), 8))), both());
        NftSet portRanges = NftSet.map(T, "pr", SetType.of(Datatype.INET_SERVICE), SetType.of(Datatype.IPV4_ADDR))
                .withInterval();
        assertMatches("elem-add-interval-map", batch().addElement(portRanges,
                Element.range(Bytes.be16(1000), Bytes.be16(2000), addr("10.0.0.1"))), both());
    }

    @Test
    void concatenatedIntervalElements() {
        Element range = Element.range(protoPort(Rules.TCP, 8000), protoPort(Rules.TCP, 8010),
                addrPort("10.233.0.2", 80));
        assertMatches("elem-add-concat-interval", batch().addElement(PORTS, range),
                Deviations::withoutSetIdsOfExistingSets);
        assertMatches("elem-delete-concat-interval", batch().deleteElement(PORTS,
                Element.range(range.key(), range.keyEnd())));
    }

    @Test
    void verdictMapElements() {
        assertMatches("elem-add-vmap", batch().addElements(VM, List.of(
                Element.of(Bytes.ifname("br0"), Verdict.jump("isolation")),
                Element.of(Bytes.ifname("br1"), Verdict.DROP))), Deviations::withoutSetIdsOfExistingSets);
    }
}
