package io.jnet.bridge;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.nft.NftEvent;
import io.jnet.kernel.nft.NftEvents;
import io.jnet.kernel.rtnl.Rtnetlink;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Puts the firewall back when someone else removes part of it (a firewall reload, {@code nft flush ruleset}, a
 * deleted chain or element): it listens to nf_tables events in its namespace and, once they stop for a moment,
 * re-applies every network's rules and every live attachment's elements from the state store under its root. Its
 * own process's writes are told apart by the sender's port id ({@link HostSockets#isOwn}) and never start a heal.
 * An attachment counts as live while its record is complete and its host veth exists: a DEL deletes the veth
 * before the elements, so a direct-mode DEL's element removal is not undone.
 */
public final class FirewallHealer implements AutoCloseable {

    /** A heal starts when no event came for this long... */
    private static final int QUIET_MILLIS = 100;
    /** ...or this long after the first removal, whichever is first: well inside a second. */
    private static final long MAX_DELAY_NANOS = 300_000_000L;

    private final Path root;
    private final HostSockets sockets;
    private final Consumer<String> log;
    private final NftEvents events;
    private final AtomicLong heals = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    private FirewallHealer(Path root, HostSockets sockets, Consumer<String> log, NftEvents events) {
        this.root = root;
        this.sockets = sockets;
        this.log = log;
        this.events = events;
        // created by the caller, so in its network namespace, which is where the events and the heals happen
        this.thread = new Thread(this::run, "jnet-firewall-healer");
        this.thread.setDaemon(true);
    }

    /** Starts listening in the calling thread's namespace, for the state under {@code root}. */
    public static FirewallHealer start(Path root, HostSockets sockets, Consumer<String> log) throws IOException {
        FirewallHealer healer = new FirewallHealer(root.toAbsolutePath(), sockets, log, NftEvents.open(QUIET_MILLIS));
        sockets.watched(true);
        healer.thread.start();
        return healer;
    }

    /** The heals performed: each one re-applied at least one attachment. */
    public long heals() {
        return heals.get();
    }

    private void run() {
        long dirtySince = 0;
        NftEvent cause = null;
        while (!closed) {
            List<NftEvent> batch;
            try {
                batch = events.next();
            } catch (IOException e) {
                if (!closed) {
                    log.accept("firewall events: " + e.getMessage());
                }
                return;
            }
            long now = System.nanoTime();
            for (NftEvent e : batch) {
                if (concerns(e)) {
                    sockets.forget();
                    if (cause == null) {
                        dirtySince = now;
                        cause = e;
                    }
                }
            }
            if (cause != null && (batch.isEmpty() || now - dirtySince > MAX_DELAY_NANOS)) {
                heal(cause);
                cause = null;
            }
        }
    }

    /** A removal from our tables by another process, or lost events. */
    private boolean concerns(NftEvent e) {
        if (e.kind() == NftEvent.Kind.LOST) {
            return true;
        }
        return e.kind().removes() && !sockets.isOwn(e.portId())
                && (NftFirewall.TABLE.equals(e.table()) || NftFirewall.L2.equals(e.table()));
    }

    private void heal(NftEvent cause) {
        long start = System.nanoTime();
        try {
            int attachments = reapply();
            if (attachments > 0) {
                heals.incrementAndGet();
                log.accept("healed the firewall after " + describe(cause) + " by port id " + cause.portId()
                        + ": re-applied " + attachments + " attachment(s) in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
        } catch (IOException | RuntimeException e) {
            log.accept("could not heal the firewall after " + describe(cause) + ": " + e.getMessage());
        }
    }

    private static String describe(NftEvent e) {
        return switch (e.kind()) {
            case LOST -> "lost nf_tables events";
            case DEL_TABLE -> "deletion of table " + e.table();
            default -> e.kind().name().toLowerCase().replace('_', ' ') + " in " + e.table() + " " + e.object();
        };
    }

    /**
     * Writes every network's layout and its live attachments' elements again, one transaction per network; returns
     * how many attachments it re-applied.
     */
    int reapply() throws IOException {
        EndpointStore store = new EndpointStore(root);
        boolean brNetfilter = BridgePlugin.brNetfilter();
        int count = 0;
        List<String> failures = new ArrayList<>();
        try (NftFirewall firewall = NftFirewall.open(sockets); Rtnetlink rtnl = sockets.rtnetlink()) {
            for (String network : store.networks()) {
                Endpoint last = null;
                Set<IpPrefix> subnets = new LinkedHashSet<>();
                List<Firewall.Publication> live = new ArrayList<>();
                for (Endpoint e : store.list(network).records()) {
                    if (e.isComplete() && e.policy() != null && rtnl.link(e.hostVeth()).isPresent()) {
                        last = e;
                        live.add(BridgePlugin.publication(e));
                        for (IpPrefix ip : e.ips()) {
                            subnets.add(ip.network());
                        }
                    }
                }
                if (last == null) {
                    continue;
                }
                Endpoint.Policy p = last.policy();
                Firewall.Network n = new Firewall.Network(network, last.bridge(), List.copyOf(subnets), p.ipMasq(),
                        p.icc(), p.internal(), brNetfilter, p.overlay());
                try {
                    firewall.reapply(n, live);
                    count += live.size();
                } catch (IOException e) {
                    failures.add("network " + network + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException(String.join("; ", failures));
        }
        return count;
    }

    @Override
    public void close() {
        closed = true;
        sockets.watched(false);
        try {
            thread.join(2 * QUIET_MILLIS + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }
}
