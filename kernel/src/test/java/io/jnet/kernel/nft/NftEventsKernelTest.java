package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** nf_tables notifications in a throwaway namespace: what changed, and whose batch changed it. */
@ExtendWith(SandboxExtension.class)
class NftEventsKernelTest {

    private static final Table T = new Table(Family.INET, "jt-events");

    @Test
    void notificationsNameTheObjectAndTheSendersPortId(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("ev");
        NftEvents events;
        try (NetNs netns = NetNs.open(ns.path())) {
            events = NftEvents.on(netns.openSocket(NetlinkSocket.NETLINK_NETFILTER), 100);
        }
        try (events; Nftables nft = NftablesKernelTest.open(ns)) {
            Chain chain = Chain.regular(T, "c1");
            nft.apply(new NftBatch().addTable(T).addChain(chain)
                    .addRule(Rule.in(chain).add(Rules.accept()).comment("one").build()));
            sandbox.in(ns, "nft", "flush", "chain", "inet", T.name(), "c1").ok();
            sandbox.in(ns, "nft", "delete", "table", "inet", T.name()).ok();

            List<NftEvent> seen = new ArrayList<>();
            long until = System.nanoTime() + 5_000_000_000L;
            while (seen.stream().noneMatch(e -> e.kind() == NftEvent.Kind.DEL_TABLE) && System.nanoTime() < until) {
                seen.addAll(events.next());
            }
            List<NftEvent> ours = seen.stream().filter(e -> e.portId() == nft.portId()).toList();
            assertEquals(List.of(NftEvent.Kind.NEW_TABLE, NftEvent.Kind.NEW_CHAIN, NftEvent.Kind.NEW_RULE),
                    ours.stream().map(NftEvent::kind).toList(), seen.toString());
            assertEquals(new NftEvent(NftEvent.Kind.NEW_CHAIN, T, "c1", nft.portId()), ours.get(1));

            List<NftEvent> theirs = seen.stream().filter(e -> e.portId() != nft.portId()).toList();
            assertTrue(theirs.contains(new NftEvent(NftEvent.Kind.DEL_RULE, T, "c1", theirs.get(0).portId())),
                    "nft's flush: " + theirs);
            assertTrue(theirs.stream().anyMatch(e -> e.kind() == NftEvent.Kind.DEL_TABLE && e.table().equals(T)),
                    theirs.toString());
            assertTrue(theirs.stream().allMatch(e -> e.kind().removes()), theirs.toString());
            assertEquals(List.of(), events.next(), "nothing more within the timeout");
        }
    }
}
