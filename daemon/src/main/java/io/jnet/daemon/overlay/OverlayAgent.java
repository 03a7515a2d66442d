package io.jnet.daemon.overlay;

import io.etcd.jetcd.Watch;
import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.NetworkInUseException;
import io.jnet.bridge.OverlayRecord;
import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.kernel.fs.DurableFiles;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.MacAddress;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.kernel.sysctl.Sysctl;
import io.jnet.kernel.netns.NetNs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The overlay's control plane in {@code jnet daemon --etcd}: one etcd lease for this host, kept alive every third
 * of its TTL; per overlay network a host subnet claimed with a compare-and-create transaction bound to that lease
 * (the subnet remembered in the local {@link OverlayRecord} first, so a restarted host gets its subnet back); and
 * the kernel converged to the peers' claims ({@link DataPlane}) on every change the etcd watch reports, and on
 * every tick. All of it runs on one platform thread. When etcd is away nothing in the kernel changes: the data
 * plane keeps working, and ADDs keep working from the local record while its lease time lasts.
 */
public final class OverlayAgent implements AutoCloseable {

    /** A dead host leaves its peers' kernels within a minute; an etcd outage up to that long is ridden out. */
    public static final long DEFAULT_LEASE_TTL_SECONDS = 60;

    public record Config(String etcd, long leaseTtlSeconds, String underlay, Path root) {
        public Config {
            if (leaseTtlSeconds < 2) {
                throw new IllegalArgumentException("--lease-ttl " + leaseTtlSeconds + ": at least 2 seconds");
            }
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RETRY_MILLIS = 500;

    private final Config config;
    private final PrintStream log;
    private final EtcdStore store;
    private final Rtnetlink rtnl;
    private final DataPlane dataPlane;
    private final BridgeDriver bridge;
    private final Underlay underlay;
    private final String host;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** Networks whose claim is bound to the current lease. */
    private final Set<String> claimed = new HashSet<>();
    private final Map<String, String> lastError = new HashMap<>();
    private long lease;
    private long leaseExpiresMillis;
    private Watch.Watcher watcher;
    private volatile boolean watchBroken = true;
    private boolean etcdAway;

    private OverlayAgent(Config config, PrintStream log, Rtnetlink rtnl, Underlay underlay) {
        this.config = config;
        this.log = log;
        this.store = EtcdStore.connect(config.etcd(), EtcdStore.DAEMON_TIMEOUT);
        this.rtnl = rtnl;
        this.dataPlane = new DataPlane(rtnl);
        this.bridge = new BridgeDriver(config.root());
        this.underlay = underlay;
        this.host = hostname() + " " + underlay.address().getHostAddress();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jnet-overlay");     // a platform thread: netlink in the daemon's namespace
            t.setDaemon(true);
            return t;
        });
    }

    /** Finds the underlay and starts the loop; etcd need not be up yet. */
    public static OverlayAgent start(Config config, PrintStream log) throws IOException {
        Rtnetlink rtnl = Rtnetlink.open();
        Underlay underlay;
        try {
            underlay = Underlay.find(rtnl, config.underlay());
        } catch (IOException | RuntimeException e) {
            rtnl.close();
            throw e;
        }
        OverlayAgent agent = new OverlayAgent(config, log, rtnl, underlay);
        agent.log("etcd " + config.etcd() + ", underlay " + underlay + ", lease TTL " + config.leaseTtlSeconds() + " s");
        agent.thread.execute(agent::tick);
        return agent;
    }

    public Underlay underlay() {
        return underlay;
    }

    /**
     * Keep-alive, watch and a full converge, every third of the TTL; every half second while etcd is away, so that
     * the keep-alive resumes on the same lease as soon as etcd is back.
     */
    private void tick() {
        try {
            keepAlive();
            watch();
            reconcile();
        } catch (RuntimeException e) {     // the loop outlives any one failure
            log("tick failed: " + e);
        } finally {
            long period = etcdAway || lease == 0 ? RETRY_MILLIS : Math.max(1000, config.leaseTtlSeconds() * 1000 / 3);
            try {
                thread.schedule(this::tick, period, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // close() stopped the loop
            }
        }
    }

    /** A reconcile soon, coalesced: the watch calls this for every event. */
    private void changed() {
        if (pending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    pending.set(false);
                    try {
                        reconcile();
                    } catch (RuntimeException e) {
                        log("converge failed: " + e);
                    }
                });
            } catch (RejectedExecutionException closing) {
                // close() stopped the loop
            }
        }
    }

    private void keepAlive() {
        long now = System.currentTimeMillis();
        try {
            if (lease != 0) {
                long ttl = store.keepAlive(lease);
                if (ttl > 0) {
                    leaseExpiresMillis = now + ttl * 1000;
                    reachable();
                    writeLeaseExpiry();
                    return;
                }
                log("lease " + Long.toHexString(lease) + " expired in etcd; granting a new one and claiming again");
                claimed.clear();
            }
            lease = store.grant(config.leaseTtlSeconds());
            leaseExpiresMillis = now + config.leaseTtlSeconds() * 1000;
            reachable();
            log("holding lease " + Long.toHexString(lease));
        } catch (IOException e) {
            unreachable(e);
        }
    }

    /** etcd did not answer: a fresh connection, the watch again, and the tick retries soon (it also keeps alive). */
    private void unreachable(IOException e) {
        store.reconnect();
        watchBroken = true;
        if (!etcdAway) {
            etcdAway = true;
            log("etcd unreachable, the kernel stays as it is"
                    + (lease == 0 ? "" : "; lease valid until " + Instant.ofEpochMilli(leaseExpiresMillis))
                    + ": " + e.getMessage());
        }
    }

    private void reachable() {
        if (etcdAway) {
            etcdAway = false;
            log("etcd reachable again" + (lease == 0 ? "" : ", lease " + Long.toHexString(lease)));
        }
    }

    private void watch() {
        if (watchBroken && lease != 0 && !etcdAway) {
            closeWatcher();
            watchBroken = false;
            watcher = store.watch(this::changed, e -> {
                watchBroken = true;
                changed();
            });
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException gone) {
                // its client was replaced by reconnect()
            }
            watcher = null;
        }
    }

    private void reconcile() {
        if (lease == 0) {
            return;
        }
        List<OverlayNetwork> networks;
        try {
            networks = store.networks();
        } catch (EtcdStore.UnreachableException e) {
            unreachable(e);                  // nothing in the kernel changes
            return;
        } catch (IOException e) {
            return;                          // an error etcd answered with: the next tick asks again
        }
        Set<String> present = new HashSet<>();
        for (OverlayNetwork network : networks) {
            present.add(network.name());
            try {
                converge(network);
            } catch (EtcdStore.UnreachableException e) {
                // the other networks would wait for etcd too, and hold up the next keep-alive behind them
                unreachable(e);
                return;
            } catch (IOException | CniException | RuntimeException e) {
                report(network.name(), e.getMessage());
            }
        }
        try {
            for (String name : OverlayRecord.names(config.root())) {
                if (!present.contains(name)) {
                    try {
                        remove(name);
                    } catch (IOException | RuntimeException e) {
                        report(name, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            log("cannot list the overlay records: " + e.getMessage());
        }
    }

    /** Logs a network's failure once, not on every tick while it lasts. */
    private void report(String network, String message) {
        if (!String.valueOf(message).equals(lastError.put(network, String.valueOf(message)))) {
            log("network " + network + ": " + message);
        }
    }

    /**
     * Takes down this host's part of a network deleted from etcd: the local record first (so no new ADD finds the
     * network), then through the bridge driver the bridge, chains, records and address store, then the VXLAN
     * device, whose routes, neighbour and FDB entries the kernel drops with it. While containers here still use
     * the network nothing changes (their traffic keeps flowing), and it is logged; the first tick after the last
     * one is gone takes the part down.
     */
    private void remove(String name) throws IOException {
        List<BridgeDriver.Attachment> attached = bridge.endpoints(name);
        if (!attached.isEmpty()) {
            throw inUse(attached, 0);
        }
        byte[] record = Files.readAllBytes(OverlayRecord.file(config.root(), name));
        OverlayRecord.delete(config.root(), name);
        try {
            bridge.removeNetwork(name, OverlayRecord.bridgeDevice(name));
        } catch (NetworkInUseException e) {          // an ADD got in before the record went: it stays
            DurableFiles.write(OverlayRecord.file(config.root(), name), record);
            throw inUse(e.attachments(), e.damaged());
        }
        Optional<Link> vxlan = rtnl.link(OverlayRecord.vxlanDevice(name));
        if (vxlan.isPresent()) {
            rtnl.deleteLink(vxlan.get().index());
        }
        claimed.remove(name);
        lastError.remove(name);
        log("network " + name + ": deleted in etcd; removed its VXLAN device, bridge, firewall chains and address "
                + "store on this host");
    }

    private static IOException inUse(List<BridgeDriver.Attachment> attached, int damaged) {
        return new IOException("deleted in etcd, but " + (attached.size() + damaged) + " container(s) here still use it"
                + (attached.isEmpty() ? "" : " (e.g. " + attached.get(0).containerId() + ")")
                + ": its part on this host stays until they are removed");
    }

    private void converge(OverlayNetwork network) throws IOException, CniException {
        List<EtcdStore.Claimed> claims = store.claims(network.name());
        Optional<OverlayRecord> local = OverlayRecord.read(config.root(), network.name());
        OverlayRecord record = local.filter(r -> r.vni() == network.vni() && r.subnet().equals(network.subnet()))
                .orElse(null);
        String mac = record != null && !record.vtepMac().isEmpty() ? record.vtepMac() : randomMac();
        IpPrefix mine = record == null ? null : record.hostSubnet();
        boolean held = mine != null && claimed.contains(network.name()) && claims.stream()
                .anyMatch(c -> c.claim().hostSubnet().equals(mine) && c.lease() == lease);
        if (!held) {
            claimed.remove(network.name());
            Optional<IpPrefix> got = claim(network, claims, mine, MacAddress.parse(mac));
            if (got.isEmpty()) {
                String error = "no free host subnet in " + network.subnet() + " (all " + network.hostSubnets()
                        + " /" + network.hostSubnetLength() + " taken)";
                new OverlayRecord(network.name(), network.subnet(), network.vni(), null, mac, mtu(), 0, error)
                        .write(config.root());
                throw new IOException(error);
            }
            claimed.add(network.name());
            lastError.remove(network.name());
            record = new OverlayRecord(network.name(), network.subnet(), network.vni(), got.get(), mac, mtu(),
                    leaseExpiresMillis, "");
            record.write(config.root());
            log("network " + network.name() + ": " + (got.get().equals(mine) ? "reclaimed " : "claimed ") + got.get()
                    + " (VNI " + network.vni() + ", VTEP " + mac + ")");
            claims = store.claims(network.name());
        }
        IpPrefix own = record.hostSubnet();
        List<HostClaim> peers = new ArrayList<>();
        for (EtcdStore.Claimed c : claims) {
            if (!c.claim().hostSubnet().equals(own) && network.isHostSubnet(c.claim().hostSubnet())) {
                peers.add(c.claim());
            }
        }
        forwarding();
        int vxlan = dataPlane.ensureDevice(record, underlay);
        int changes = dataPlane.converge(vxlan, peers);
        if (changes > 0) {
            log("network " + network.name() + ": converged to " + peers.size() + " peer(s), " + changes + " change(s)");
        }
    }

    /**
     * Claims {@code preferred} (the subnet this host held before) if it is free or still ours under an older lease,
     * else the first free host subnet; a lost race moves on to the next one.
     */
    private Optional<IpPrefix> claim(OverlayNetwork network, List<EtcdStore.Claimed> claims, IpPrefix preferred,
                                     MacAddress mac) throws IOException {
        if (preferred != null && network.isHostSubnet(preferred)) {
            HostClaim wanted = new HostClaim(preferred, underlay.address(), mac, host);
            if (store.claim(network.name(), wanted, lease)) {
                return Optional.of(preferred);
            }
            for (EtcdStore.Claimed c : store.claims(network.name())) {
                HostClaim other = c.claim();
                if (other.hostSubnet().equals(preferred) && other.underlay().equals(underlay.address())
                        && other.vtepMac().equals(mac) && store.takeOver(network.name(), wanted, c.raw(), lease)) {
                    return Optional.of(preferred);
                }
            }
            log("network " + network.name() + ": " + preferred + ", held before, belongs to another host now");
        }
        Set<IpPrefix> taken = new HashSet<>();
        claims.forEach(c -> taken.add(c.claim().hostSubnet()));
        for (int i = 0; i < network.hostSubnets(); i++) {
            IpPrefix candidate = network.hostSubnet(i);
            if (!taken.contains(candidate)
                    && store.claim(network.name(), new HostClaim(candidate, underlay.address(), mac, host), lease)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private void writeLeaseExpiry() {
        for (String name : claimed) {
            try {
                Optional<OverlayRecord> r = OverlayRecord.read(config.root(), name);
                if (r.isPresent() && r.get().hostSubnet() != null) {
                    r.get().withLease(leaseExpiresMillis).write(config.root());
                }
            } catch (IOException | CniException e) {
                log("network " + name + ": cannot record the lease: " + e.getMessage());
            }
        }
    }

    private void forwarding() throws IOException {
        try (NetNs self = NetNs.current()) {
            if (!"1".equals(Sysctl.read(self, "net.ipv4.ip_forward"))) {
                Sysctl.write(self, "net.ipv4.ip_forward", "1");
            }
        }
    }

    private int mtu() {
        return underlay.mtu() - DataPlane.VXLAN_OVERHEAD;
    }

    /** A random locally administered unicast MAC. */
    private static String randomMac() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfc) | 0x02);
        return MacAddress.of(b).toString();
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private void log(String line) {
        log.println(Instant.now() + " jnet daemon: overlay: " + line);
    }

    /** Stops the loop and the client; the lease is left to expire, so a restart within its TTL keeps the subnets. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeWatcher();
        store.close();
        rtnl.close();
    }
}
