package io.jnet.kernel.nft;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.jnet.kernel.nft.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same ruleset built by {@code nft -f} in one namespace and by our batches in another must list the same,
 * in nft's text and JSON forms (handles and blank space aside).
 */
@ExtendWith(SandboxExtension.class)
class NftDifferentialTest {

    private static void assertSameRuleset(Sandbox sandbox, String nftText, NftBatch ours) throws Exception {
        Sandbox.Ns byNft = sandbox.namespace("diff-nft");
        Sandbox.Ns byUs = sandbox.namespace("diff-jnet");
        Sandbox.run(Map.of(), nftText.getBytes(StandardCharsets.UTF_8),
                Sandbox.inCommand(byNft, "nft", "-f", "-")).ok();
        try (Nftables nft = NftablesKernelTest.open(byUs)) {
            nft.apply(ours);
        }
        String expected = text(sandbox, byNft);
        assertTrue(expected.contains("table inet jnet"), expected);
        assertEquals(expected, text(sandbox, byUs));
        assertEquals(json(sandbox, byNft), json(sandbox, byUs));
    }

    private static String text(Sandbox sandbox, Sandbox.Ns ns) {
        String listed = sandbox.in(ns, "nft", "-a", "list", "ruleset").ok().stdout();
        return listed.lines().map(l -> l.replaceAll("\\s*# handle \\d+", "").strip()).filter(l -> !l.isEmpty())
                .collect(Collectors.joining("\n"));
    }

    private static String json(Sandbox sandbox, Sandbox.Ns ns) {
        return sandbox.in(ns, "nft", "-j", "list", "ruleset").ok().stdout().replaceAll("\"handle\": \\d+", "");
    }

    @Test
    void masqueradePerNetwork(Sandbox sandbox) throws Exception {
        assertSameRuleset(sandbox, """
                table inet jnet {
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    iifname "br0" oifname != "br0" ip saddr 10.233.0.0/24 masquerade comment "masq br0"
                    iifname "br0" oifname "br0" ct status dnat masquerade comment "hairpin br0"
                    ip6 saddr fd00:1::/64 oifname != "br0" snat ip6 to fd00::1
                  }
                }
                """, new NftBatch().addTable(T).addChain(POSTROUTING)
                .addRule(Rule.in(POSTROUTING).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0"))
                        .add(Rules.saddr(ip("10.233.0.0"), 24)).add(Rules.masquerade()).comment("masq br0").build())
                .addRule(Rule.in(POSTROUTING).add(Rules.iifname("br0")).add(Rules.oifname("br0"))
                        .add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.masquerade()).comment("hairpin br0")
                        .build())
                .addRule(Rule.in(POSTROUTING).add(Rules.saddr(ip("fd00:1::"), 64)).add(Rules.oifnameNot("br0"))
                        .add(Rules.snat(ip("fd00::1"))).build()));
    }

    @Test
    void dnatThroughMapsWithConcatenatedKeys(Sandbox sandbox) throws Exception {
        Chain output = Chain.base(T, "output", Chain.Type.NAT, Chain.HookPoint.OUTPUT, Chain.PRIORITY_DSTNAT,
                Chain.Policy.ACCEPT);
        assertSameRuleset(sandbox, """
                table inet jnet {
                  map dnat4 {
                    type inet_proto . inet_service : ipv4_addr . inet_service
                    elements = { tcp . 8080 : 10.233.0.2 . 80, udp . 5353 : 10.233.0.3 . 53 }
                  }
                  map hostports {
                    type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
                    elements = { 198.18.0.1 . tcp . 8443 : 10.233.0.2 . 443 }
                  }
                  map dnat6 {
                    type inet_proto . inet_service : ipv6_addr . inet_service
                    elements = { tcp . 8080 : fd00:1::2 . 80 }
                  }
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    dnat ip to ip daddr . meta l4proto . th dport map @hostports
                    fib daddr type local dnat ip to meta l4proto . th dport map @dnat4 comment "published ports"
                    fib daddr type local dnat ip6 to meta l4proto . th dport map @dnat6
                  }
                  chain output {
                    type nat hook output priority -100; policy accept;
                    fib daddr type local dnat ip to meta l4proto . th dport map @dnat4
                  }
                }
                """, new NftBatch().addTable(T).addSet(DNAT4).addSet(HOSTPORTS).addSet(DNAT6)
                .addElements(DNAT4, List.of(Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80)),
                        Element.of(protoPort(Rules.UDP, 5353), addrPort("10.233.0.3", 53))))
                .addElement(HOSTPORTS, Element.of(Bytes.concat(addr("198.18.0.1"), Bytes.u8(Rules.TCP),
                        Bytes.be16(8443)), addrPort("10.233.0.2", 443)))
                .addElement(DNAT6, Element.of(protoPort(Rules.TCP, 8080), addrPort("fd00:1::2", 80)))
                .addChain(PREROUTING).addChain(output)
                .addRule(Rule.in(PREROUTING).add(Rules.dnatByDaddrProtoPort(Family.IP, "hostports")).build())
                .addRule(Rule.in(PREROUTING).add(Rules.fibDaddrLocal()).add(Rules.dnatByProtoPort(Family.IP, "dnat4"))
                        .comment("published ports").build())
                .addRule(Rule.in(PREROUTING).add(Rules.fibDaddrLocal()).add(Rules.dnatByProtoPort(Family.IP6, "dnat6"))
                        .build())
                .addRule(Rule.in(output).add(Rules.fibDaddrLocal()).add(Rules.dnatByProtoPort(Family.IP, "dnat4"))
                        .build()));
    }

    @Test
    void intervalMapsAndSets(Sandbox sandbox) throws Exception {
        NftSet portRanges = NftSet.map(T, "pr", SetType.of(Datatype.INET_SERVICE), SetType.of(Datatype.IPV4_ADDR))
                .withInterval();
        NftSet ranges = NftSet.map(T, "ranges", SetType.of(Datatype.INET_PROTO, Datatype.INET_SERVICE),
                SetType.of(Datatype.IPV4_ADDR)).withInterval();
        assertSameRuleset(sandbox, """
                table inet jnet {
                  set subnets {
                    type ipv4_addr
                    flags interval
                    elements = { 10.233.0.0/24, 10.233.5.1, 10.234.0.0-10.234.0.9, 255.0.0.0/8 }
                  }
                  map ports {
                    type inet_proto . inet_service : ipv4_addr . inet_service
                    flags interval
                    elements = { tcp . 8000-8010 : 10.233.0.2 . 80, udp . 53 : 10.233.0.3 . 53 }
                  }
                  map pr {
                    type inet_service : ipv4_addr
                    flags interval
                    elements = { 1000-2000 : 10.0.0.1, 3000 : 10.0.0.2 }
                  }
                  map ranges {
                    type inet_proto . inet_service : ipv4_addr
                    flags interval
                    elements = { tcp . 9000-9010 : 10.233.0.2 }
                  }
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    meta l4proto tcp dnat ip to meta l4proto . th dport map @ports
                    meta l4proto tcp dnat ip to meta l4proto . th dport map @ranges
                  }
                }
                """, new NftBatch().addTable(T).addSet(SUBNETS).addSet(PORTS).addSet(portRanges)
                .addElements(SUBNETS, List.of(Element.prefix(addr("10.233.0.0"), 24), Element.of(addr("10.233.5.1")),
                        Element.range(addr("10.234.0.0"), addr("10.234.0.9")), Element.prefix(addr("255.0.0.0"), 8)))
                .addElements(PORTS, List.of(Element.range(protoPort(Rules.TCP, 8000), protoPort(Rules.TCP, 8010),
                        addrPort("10.233.0.2", 80)), Element.of(protoPort(Rules.UDP, 53), addrPort("10.233.0.3", 53))))
                .addElements(portRanges, List.of(Element.range(Bytes.be16(1000), Bytes.be16(2000), addr("10.0.0.1")),
                        Element.of(Bytes.be16(3000), addr("10.0.0.2"))))
                .addSet(ranges)
                .addElement(ranges, Element.range(protoPort(Rules.TCP, 9000), protoPort(Rules.TCP, 9010),
                        addr("10.233.0.2")))
                .addChain(PREROUTING)
                .addRule(Rule.in(PREROUTING).add(Rules.l4proto(Rules.TCP))
                        .add(Rules.dnatByProtoPort(Family.IP, "ports")).build())
                .addRule(Rule.in(PREROUTING).add(Rules.l4proto(Rules.TCP))
                        .add(Rules.dnatAddressByProtoPort(Family.IP, "ranges")).build()));
    }

    @Test
    void verdictMaps(Sandbox sandbox) throws Exception {
        Chain isolation2 = Chain.regular(T, "isolation2");
        assertSameRuleset(sandbox, """
                table inet jnet {
                  map vm {
                    type ifname : verdict
                    elements = { "br0" : jump isolation, "br1" : drop, "br2" : goto isolation2 }
                  }
                  chain isolation {
                    oifname "br1" drop
                    return
                  }
                  chain isolation2 {
                    accept
                  }
                  chain forward {
                    type filter hook forward priority filter; policy drop;
                    iifname vmap @vm
                    oifname vmap @vm comment "by output interface"
                  }
                }
                """, new NftBatch().addTable(T).addSet(VM).addChain(ISOLATION).addChain(isolation2)
                .addChain(FORWARD)
                .addElements(VM, List.of(Element.of(Bytes.ifname("br0"), Verdict.jump("isolation")),
                        Element.of(Bytes.ifname("br1"), Verdict.DROP),
                        Element.of(Bytes.ifname("br2"), Verdict.goTo("isolation2"))))
                .addRule(Rule.in(ISOLATION).add(Rules.oifname("br1")).add(Rules.drop()).build())
                .addRule(Rule.in(ISOLATION).add(Rules.returnFromChain()).build())
                .addRule(Rule.in(isolation2).add(Rules.accept()).build())
                .addRule(Rule.in(FORWARD).add(Rules.iifnameVmap("vm")).build())
                .addRule(Rule.in(FORWARD).add(Rules.oifnameVmap("vm")).comment("by output interface").build()));
    }

    @Test
    void conntrackStateForwardChain(Sandbox sandbox) throws Exception {
        assertSameRuleset(sandbox, """
                table inet jnet {
                  set subnets {
                    type ipv4_addr
                    flags interval
                    elements = { 10.233.0.0/24 }
                  }
                  chain forward {
                    type filter hook forward priority filter; policy drop;
                    ct state established,related accept comment "established"
                    ct state invalid drop
                    ct status dnat accept comment "published ports"
                    iifname "br0" oifname != "br0" accept comment "egress br0"
                    iifname "br0" oifname "br0" drop comment "ICC br0"
                    ip saddr != @subnets counter drop
                    meta l4proto tcp th dport 1000-2000 accept
                  }
                  chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    iifname != "lo" ip saddr 127.0.0.0/8 drop comment "martian"
                  }
                }
                """, new NftBatch().addTable(T).addSet(SUBNETS)
                .addElement(SUBNETS, Element.prefix(addr("10.233.0.0"), 24))
                .addChain(FORWARD).addChain(PREROUTING)
                .addRule(Rule.in(FORWARD).add(Rules.ctState(Rules.CT_STATE_ESTABLISHED | Rules.CT_STATE_RELATED))
                        .add(Rules.accept()).comment("established").build())
                .addRule(Rule.in(FORWARD).add(Rules.ctState(Rules.CT_STATE_INVALID)).add(Rules.drop()).build())
                .addRule(Rule.in(FORWARD).add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.accept())
                        .comment("published ports").build())
                .addRule(Rule.in(FORWARD).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0")).add(Rules.accept())
                        .comment("egress br0").build())
                .addRule(Rule.in(FORWARD).add(Rules.iifname("br0")).add(Rules.oifname("br0")).add(Rules.drop())
                        .comment("ICC br0").build())
                .addRule(Rule.in(FORWARD).add(Rules.saddrIn("subnets", true)).add(Rules.counter(), Rules.drop())
                        .build())
                .addRule(Rule.in(FORWARD).add(Rules.l4proto(Rules.TCP)).add(
                        new Expr.Payload(Expr.PayloadBase.TRANSPORT, 2, 2, Reg.R1),
                        new Expr.Cmp(Expr.CmpOp.GTE, Reg.R1, Bytes.be16(1000)),
                        new Expr.Cmp(Expr.CmpOp.LTE, Reg.R1, Bytes.be16(2000)), Rules.accept()).build())
                .addRule(Rule.in(PREROUTING).add(Rules.iifnameNot("lo")).add(Rules.saddr(ip("127.0.0.0"), 8))
                        .add(Rules.drop()).comment("martian").build()));
    }
}
