package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NetlinkException;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.jnet.kernel.nft.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches applied to the kernel in throwaway namespaces, read back with our decoder and with nft as the oracle. */
@ExtendWith(SandboxExtension.class)
class NftablesKernelTest {

    static Nftables open(Sandbox.Ns ns) throws IOException {
        try (NetNs netns = NetNs.open(ns.path())) {
            return new Nftables(netns.openSocket(NetlinkSocket.NETLINK_NETFILTER));
        }
    }

    static Nftables open(Sandbox.Ns ns, boolean destroySupported) throws IOException {
        try (NetNs netns = NetNs.open(ns.path())) {
            return new Nftables(netns.openSocket(NetlinkSocket.NETLINK_NETFILTER), destroySupported);
        }
    }

    /** Every rule of the golden tests, in the chains of BASE. */
    static List<Rule> everyRule() {
        List<Rule> rules = new ArrayList<>();
        rules.add(Rule.in(POSTROUTING).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0"))
                .add(Rules.saddr(ip("10.233.0.0"), 24)).add(Rules.masquerade()).comment("masq br0").build());
        rules.add(Rule.in(PREROUTING).add(Rules.fibDaddrLocal()).add(Rules.dnatByProtoPort(Family.IP, "dnat4"))
                .comment("published ports").build());
        rules.add(Rule.in(FORWARD).add(Rules.ctState(Rules.CT_STATE_ESTABLISHED | Rules.CT_STATE_RELATED))
                .add(Rules.accept()).build());
        rules.add(Rule.in(FORWARD).add(Rules.iifnameVmap("vm")).build());
        rules.add(Rule.in(FORWARD).add(Rules.saddrIn("subnets", true)).add(Rules.counter(), Rules.drop()).build());
        rules.add(Rule.in(FORWARD).add(Rules.jump("isolation")).build());
        rules.add(Rule.in(ISOLATION).add(Rules.oifname("br1")).add(Rules.goTo("isolation2")).build());
        rules.add(Rule.in(ISOLATION).add(Rules.returnFromChain()).build());
        rules.add(Rule.in(POSTROUTING).add(Rules.iifname("br0")).add(Rules.oifname("br0"))
                .add(Rules.ctStatus(Rules.CT_STATUS_DNAT)).add(Rules.masquerade()).comment("hairpin").build());
        rules.add(Rule.in(POSTROUTING).add(Rules.saddr(ip("fd00:1::"), 64)).add(Rules.snat(ip("fd00::1"))).build());
        rules.add(Rule.in(PREROUTING).add(Rules.l4proto(Rules.TCP)).add(Rules.dport(8443))
                .add(Rules.dnat(ip("10.233.0.2"), 443)).build());
        rules.add(Rule.in(PREROUTING).add(Rules.iifnameNot("lo")).add(Rules.saddr(ip("127.0.0.0"), 8))
                .add(Rules.drop()).comment("martian").build());
        rules.add(Rule.in(FORWARD).add(Rules.saddr(ip("10.233.0.0"), 23)).add(Rules.mark(0x2000)).add(
                new Expr.Range(Expr.CmpOp.NEQ, Reg.R1, Bytes.host32(1), Bytes.host32(5)),
                new Expr.Ct(Expr.CtKey.DST_IP, Optional.of(Expr.CtDirection.ORIGINAL), Reg.R1),
                new Expr.Cmp(Expr.CmpOp.NEQ, Reg.R1, addr("10.0.0.1")),
                new Expr.Immediate(Reg.R1, Bytes.host32(0x2000)), new Expr.MetaSet(Expr.MetaKey.MARK, Reg.R1),
                new Expr.CtSet(Expr.CtKey.MARK, Reg.R1), Rules.verdict(Verdict.CONTINUE)).build());
        rules.add(Rule.in(POSTROUTING).add(Rules.l4proto(Rules.UDP)).add(new Expr.Immediate(Reg.R1, Bytes.be16(1024)),
                new Expr.Immediate(Reg.R2, Bytes.be16(65535)), new Expr.Masquerade(Expr.Nat.PROTO_SPECIFIED
                        | Expr.Nat.RANDOM, Optional.of(Reg.R1), Optional.of(Reg.R2))).build());
        return rules;
    }

    static NftBatch everything() {
        NftBatch b = Fixtures.base().addChain(Chain.regular(T, "isolation2"));
        everyRule().forEach(b::addRule);
        b.addElements(DNAT4, List.of(Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80)),
                Element.of(protoPort(Rules.UDP, 53), addrPort("10.233.0.3", 53))));
        b.addElements(SUBNETS, List.of(Element.prefix(addr("10.233.0.0"), 24), Element.prefix(addr("10.233.1.0"), 24),
                Element.of(addr("10.233.5.1"))));
        b.addElement(PORTS, Element.range(protoPort(Rules.TCP, 8000), protoPort(Rules.TCP, 8010),
                addrPort("10.233.0.2", 80)));
        b.addElements(VM, List.of(Element.of(Bytes.ifname("br0"), Verdict.jump("isolation")),
                Element.of(Bytes.ifname("br1"), Verdict.DROP)));
        return b;
    }

    @Test
    void appliesABatchAndReadsEverythingBack(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            nft.apply(everything());

            assertTrue(nft.tables().contains(T));
            assertTrue(nft.exists(T));
            assertFalse(nft.exists(new Table(Family.IP, "jnet")));
            assertEquals(List.of(DNAT4, SUBNETS, PORTS, VM), nft.sets(T));
            assertEquals(Optional.of(VM), nft.set(T, "vm"));
            assertEquals(Optional.empty(), nft.set(T, "nosuch"));
            assertEquals(List.of(ISOLATION, FORWARD, POSTROUTING, PREROUTING, Chain.regular(T, "isolation2")),
                    nft.chains(T));
            assertEquals(Optional.of(FORWARD), nft.chain(T, "forward"));

            // the rules come back chain by chain, each as the kernel reports what we wrote
            List<Rule> written = everyRule();
            List<Rule> read = nft.rules(T).stream().map(ListedRule::rule).toList();
            assertEquals(written.size(), read.size());
            for (Rule r : read) {
                assertTrue(written.stream().anyMatch(w -> w.canonical().equals(r.canonical())), "unexpected " + r);
            }
            assertEquals(written.stream().filter(r -> r.chain().equals("forward")).map(Rule::canonical).toList(),
                    nft.rules(T, "forward").stream().map(l -> l.rule().canonical()).toList());

            assertEquals(List.of(Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80)),
                    Element.of(protoPort(Rules.UDP, 53), addrPort("10.233.0.3", 53))), nft.elements(DNAT4));
            assertEquals(List.of(Element.prefix(addr("10.233.0.0"), 24), Element.prefix(addr("10.233.1.0"), 24),
                    Element.of(addr("10.233.5.1"))), nft.elements(SUBNETS));
            assertEquals(List.of(Element.range(protoPort(Rules.TCP, 8000), protoPort(Rules.TCP, 8010),
                    addrPort("10.233.0.2", 80))), nft.elements(PORTS));
            assertEquals(List.of(Element.of(Bytes.ifname("br0"), Verdict.jump("isolation")),
                    Element.of(Bytes.ifname("br1"), Verdict.DROP)), nft.elements(VM));
        }
        // the oracle: nft reads the same ruleset, with comments and typed elements
        String listed = sandbox.in(ns, "nft", "list", "ruleset").ok().stdout();
        assertTrue(listed.contains("iifname \"br0\" oifname != \"br0\" ip saddr 10.233.0.0/24 masquerade"
                + " comment \"masq br0\""), listed);
        assertTrue(listed.contains("fib daddr type local dnat ip to meta l4proto . th dport map @dnat4"
                + " comment \"published ports\""), listed);
        assertTrue(listed.contains("tcp . 8080 : 10.233.0.2 . 80"), listed);
        assertTrue(listed.contains("tcp . 8000-8010 : 10.233.0.2 . 80"), listed);
        assertTrue(listed.contains("\"br0\" : jump isolation"), listed);
        assertTrue(listed.contains("elements = { 10.233.0.0/24, 10.233.1.0/24,"), listed);
        assertTrue(listed.contains("ct state established,related accept"), listed);
    }

    @Test
    void holdsComparesEveryKindOfRuleInWireFormAndSeesAFlushOrAChangedRule(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            java.util.Map<String, List<Rule>> byChain = new java.util.HashMap<>();
            for (Rule r : everyRule()) {
                byChain.computeIfAbsent(r.chain(), k -> new ArrayList<>()).add(r);
            }
            assertFalse(nft.holds(T, byChain), "no table");
            nft.apply(everything());
            assertTrue(nft.holds(T, byChain), "every rule as written");
            assertTrue(nft.holds(T, java.util.Map.of("isolation2", List.of())), "an empty chain holds no rules");

            java.util.Map<String, List<Rule>> changed = new java.util.HashMap<>(byChain);
            List<Rule> isolation = new ArrayList<>(byChain.get("isolation"));
            isolation.set(0, Rule.in(ISOLATION).add(Rules.oifname("br2")).add(Rules.goTo("isolation2")).build());
            changed.put("isolation", isolation);
            assertFalse(nft.holds(T, changed), "another interface name");
            java.util.Map<String, List<Rule>> recommented = new java.util.HashMap<>(byChain);
            List<Rule> post = new ArrayList<>(byChain.get("postrouting"));
            Rule first = post.get(0);
            post.set(0, new Rule(first.table(), first.chain(), first.exprs(), "another comment"));
            recommented.put("postrouting", post);
            assertFalse(nft.holds(T, recommented), "another comment");

            sandbox.in(ns, "nft", "flush", "chain", "inet", "jnet", "forward").ok();
            assertFalse(nft.holds(T, byChain), "a flushed chain");
            byChain.remove("forward");
            assertTrue(nft.holds(T, byChain), "the other chains");
        }
    }

    @Test
    void aRuleThatReferencesAMissingSetFailsTheWholeBatchAndNamesTheRule(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            NftBatch batch = Fixtures.base()
                    .addRule(Rule.in(FORWARD).add(Rules.ctState(Rules.CT_STATE_ESTABLISHED)).add(Rules.accept())
                            .comment("fine").build())
                    .addRule(Rule.in(FORWARD).add(Rules.saddrIn("nosuchset", false)).add(Rules.drop())
                            .comment("refers to nosuchset").build())
                    .addRule(Rule.in(FORWARD).add(Rules.drop()).comment("after").build())
                    .addElement(DNAT4, Element.of(protoPort(Rules.TCP, 1), addrPort("10.233.0.2", 1)));
            NetlinkException e = assertThrows(NetlinkException.class, () -> nft.apply(batch));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().startsWith("nf_tables batch failed: add rule in chain inet jnet forward"
                    + " (comment \"refers to nosuchset\"), at expression 4 (lookup): ENOENT"), e.getMessage());
            assertFalse(nft.exists(T));
        }
        // the oracle: nothing of the batch is in the kernel
        String json = sandbox.in(ns, "nft", "-j", "list", "ruleset").ok().stdout();
        assertFalse(json.contains("\"table\""), json);
    }

    @Test
    void theFirstFailureIsReportedAndLaterOnesAreAttached(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            // the chain fails (no such table); the rule fails because of it
            NftBatch batch = new NftBatch().addChain(Chain.regular(new Table(Family.IP, "absent"), "c"))
                    .addRule(Rule.in(Chain.regular(new Table(Family.IP, "absent"), "c")).add(Rules.drop()).build());
            NetlinkException e = assertThrows(NetlinkException.class, () -> nft.apply(batch));
            assertTrue(e.getMessage().startsWith("nf_tables batch failed: add chain ip absent c, at NFTA_CHAIN_TABLE:"
                    + " ENOENT"),
                    e.getMessage());
            assertEquals(1, e.getSuppressed().length);
            assertTrue(e.getSuppressed()[0].getMessage().startsWith("then add rule in chain ip absent c"),
                    e.getSuppressed()[0].getMessage());
        }
    }

    @Test
    void anUnsupportedChainIsRejectedWithItsErrno(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            nft.apply(Fixtures.base());
            // a hook that nat chains do not support: the kernel says why
            NftBatch bad = new NftBatch().addChain(Chain.base(T, "natfwd", Chain.Type.NAT, Chain.HookPoint.FORWARD,
                    0, Chain.Policy.ACCEPT));
            NetlinkException e = assertThrows(NetlinkException.class, () -> nft.apply(bad));
            assertEquals("nf_tables batch failed: add chain inet jnet natfwd: EOPNOTSUPP", e.getMessage());
            assertEquals(Errno.EOPNOTSUPP, e.errno());
        }
    }

    @Test
    void addsAreIdempotentAndDeletesAreStrict(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            Element e = Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80));
            nft.apply(Fixtures.base().addElement(DNAT4, e));
            nft.apply(Fixtures.base().addElement(DNAT4, e));
            assertEquals(List.of(e), nft.elements(DNAT4));

            NftBatch deleteMissing = new NftBatch().deleteElement(DNAT4, Element.of(protoPort(Rules.TCP, 1)));
            NetlinkException missing = assertThrows(NetlinkException.class, () -> nft.apply(deleteMissing));
            assertEquals(Errno.ENOENT, missing.errno());
            assertTrue(missing.getMessage().startsWith("nf_tables batch failed: delete element {0600000000010000} of"
                    + " map inet jnet dnat4, at element {0600000000010000}: ENOENT"), missing.getMessage());

            // in a message of many elements, the one that failed
            List<Element> many = new ArrayList<>();
            for (int port = 100; port < 110; port++) {
                many.add(Element.of(protoPort(Rules.TCP, port), addrPort("10.233.0.2", 80)));
            }
            nft.apply(new NftBatch().addElements(DNAT4, many));
            many.set(7, Element.of(protoPort(Rules.TCP, 107), addrPort("10.233.0.9", 80)));
            NetlinkException clash = assertThrows(NetlinkException.class,
                    () -> nft.apply(new NftBatch().addElements(DNAT4, many)));
            assertTrue(clash.getMessage().contains(", at element {06000000006b0000}: "), clash.getMessage());
            nft.apply(new NftBatch().deleteElements(DNAT4, nft.elements(DNAT4).stream()
                    .filter(x -> !x.equals(e)).toList()));

            nft.apply(new NftBatch().deleteElement(DNAT4, e));
            assertEquals(List.of(), nft.elements(DNAT4));
        }
    }

    @Test
    void destroyIsIdempotentWithAndWithoutKernelSupport(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        for (boolean supported : List.of(true, false)) {
            try (Nftables nft = open(ns, supported)) {
                Element e = Element.of(protoPort(Rules.TCP, 8080), addrPort("10.233.0.2", 80));
                Element range = Element.prefix(addr("10.233.0.0"), 24);
                nft.apply(Fixtures.base().addElement(DNAT4, e).addElement(SUBNETS, range));
                for (int round = 0; round < 2; round++) {
                    nft.apply(new NftBatch().destroyElements(DNAT4, List.of(e))
                            .destroyElements(SUBNETS, List.of(range)).destroyChain(ISOLATION).destroySet(VM));
                    assertEquals(List.of(), nft.elements(DNAT4));
                    assertEquals(List.of(), nft.elements(SUBNETS));
                    assertEquals(Optional.empty(), nft.chain(T, "isolation"));
                    assertEquals(Optional.empty(), nft.set(T, "vm"));
                }
                nft.apply(new NftBatch().destroyTable(T));
                nft.apply(new NftBatch().destroyTable(T));
                assertFalse(nft.exists(T), "supported " + supported);
            }
        }
        try (Nftables nft = open(ns)) {
            assertTrue(nft.supportsDestroy(), "this machine's kernel is 6.3 or later");
        }
    }

    @Test
    void deletesRulesByHandleFlushesChainsAndDeletesTables(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            Rule first = Rule.in(FORWARD).add(Rules.oifname("br0")).add(Rules.drop()).comment("first").build();
            Rule second = Rule.in(FORWARD).add(Rules.oifname("br1")).add(Rules.drop()).comment("second").build();
            Rule head = Rule.in(FORWARD).add(Rules.oifname("br2")).add(Rules.accept()).comment("head").build();
            nft.apply(Fixtures.base().addRule(first).addRule(second).insertRule(head));
            List<ListedRule> listed = nft.rules(T, "forward");
            assertEquals(List.of(head, first, second), listed.stream().map(ListedRule::rule).toList());

            nft.apply(new NftBatch().deleteRule(T, "forward", listed.get(1).handle()));
            assertEquals(List.of(head, second), nft.rules(T, "forward").stream().map(ListedRule::rule).toList());
            assertFalse(sandbox.in(ns, "nft", "list", "chain", "inet", "jnet", "forward").ok().stdout()
                    .contains("comment \"first\""));

            nft.apply(new NftBatch().flushChain(FORWARD));
            assertEquals(List.of(), nft.rules(T, "forward"));
            nft.apply(new NftBatch().deleteChain(ISOLATION));
            assertEquals(Optional.empty(), nft.chain(T, "isolation"));

            nft.apply(new NftBatch().deleteTable(T));
            assertFalse(nft.exists(T));
            assertThrows(NetlinkException.class, () -> nft.apply(new NftBatch().deleteTable(T)));
        }
        assertEquals("", sandbox.in(ns, "nft", "list", "ruleset").ok().stdout().trim());
    }

    @Test
    void listsLargeSetsAcrossManyDumpMessages(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (Nftables nft = open(ns)) {
            List<Element> elements = new ArrayList<>();
            for (int port = 1; port <= 5000; port++) {
                elements.add(Element.of(protoPort(Rules.TCP, port), addrPort("10.233.0.2", port)));
            }
            nft.apply(Fixtures.base().addElements(DNAT4, elements));
            assertEquals(elements, nft.elements(DNAT4));
        }
        String count = sandbox.in(ns, "sh", "-c",
                "nft list map inet jnet dnat4 | grep -o ': 10.233.0.2 . [0-9]*' | wc -l").ok().stdout().trim();
        assertEquals("5000", count);
    }

    @Test
    void worksOnASocketOfTheCurrentNamespaceToo(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        try (NetNs netns = NetNs.open(ns.path())) {
            // open() uses the calling thread's namespace: run it on a thread inside the sandbox
            boolean exists = netns.call(() -> {
                try (Nftables nft = Nftables.open()) {
                    nft.apply(new NftBatch().addTable(T));
                    return nft.exists(T);
                }
            });
            assertTrue(exists);
        }
        assertTrue(sandbox.in(ns, "nft", "list", "tables").ok().stdout().contains("table inet jnet"));
    }

    @Test
    void elementDumpsThatRaceChangesAreConsistent(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("nft");
        List<Element> base = new ArrayList<>();
        for (int port = 1; port <= 3000; port++) {
            base.add(Element.of(protoPort(Rules.TCP, port), addrPort("10.233.0.2", port)));
        }
        Element churn = Element.of(protoPort(Rules.UDP, 1), addrPort("10.233.0.3", 1));
        try (Nftables reader = open(ns); Nftables writer = open(ns)) {
            reader.apply(Fixtures.base().addElements(DNAT4, base));
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Integer> changes = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    while (!stop.get()) {
                        writer.apply(new NftBatch().addElement(DNAT4, churn));
                        writer.apply(new NftBatch().deleteElement(DNAT4, Element.of(churn.key())));
                        n += 2;
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return n;
            });
            try {
                for (int i = 0; i < 40; i++) {
                    List<Element> seen = reader.elements(DNAT4);
                    List<Element> withoutChurn = seen.stream().filter(e -> !e.equals(churn)).toList();
                    // a dump resumed after a commit repeats or skips elements: not a snapshot
                    assertTrue(withoutChurn.equals(base) && seen.size() - withoutChurn.size() <= 1, "dump " + i
                            + " is not a snapshot: " + seen.size() + " elements, "
                            + new HashSet<>(seen).size() + " distinct");
                }
            } finally {
                stop.set(true);
            }
            assertTrue(changes.get() > 0);
        }
    }
}
