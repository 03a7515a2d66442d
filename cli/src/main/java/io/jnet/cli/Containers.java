package io.jnet.cli;

import io.jnet.kernel.fs.StateRoot;
import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.FirewallElement;
import io.jnet.bridge.BridgePlugin;
import io.jnet.bridge.PortInUseException;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;
import io.jnet.container.AmbiguousIdException;
import io.jnet.container.ContainerPlugin;
import io.jnet.container.ContainerRecord;
import io.jnet.container.ContainerStore;
import io.jnet.container.NetworkMode;
import io.jnet.container.PortMapping;
import io.jnet.host.HostPlugin;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.none.NonePlugin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the container commands do, without the command line: create, remove, check and collect containers in the
 * {@link ContainerStore}, wiring each through its mode's CNI plugin in-process ({@link InProcessCni}); a bridge
 * container through jnet-bridge with the config of its network ({@link Networks}). Every
 * change runs under the store's lock. {@code jnet demo} uses the same code against a throwaway store, run
 * directory and host namespace.
 *
 * <p>Order makes a crash at any instant recoverable: {@code create} writes the record before it touches the
 * kernel (so nothing in the kernel is ever unrecorded) and the ADD result after; {@code rm} undoes the kernel side
 * before it drops the record. A record without a result, or whose namespace is gone, is what {@code jnet check}
 * reports and {@code jnet gc} or {@code jnet rm} clean up.
 */
final class Containers {

    /** CNI_IFNAME for the modes that have no interface of their own to name; the plugins report but never create it. */
    static final String SHARED_IFNAME = "eth0";

    private final ContainerStore store;
    private final Path netnsDir;
    private final NetNs host;
    private final PrintStream warnings;
    private final InProcessCni cni;
    private final Networks networks;

    /**
     * @param netnsDir where containers' namespaces are bind-mounted ({@code <run-dir>/netns})
     * @param host     the namespace that plays the host: host mode shares it, and every plugin runs in it
     * @param warnings where warnings go (stderr)
     */
    Containers(ContainerStore store, Path netnsDir, NetNs host, PrintStream warnings) {
        this.store = store;
        this.netnsDir = netnsDir;
        this.host = host;
        this.warnings = warnings;
        this.cni = new InProcessCni(host);
        this.networks = new Networks(NetworkStore.at(store.root()), store, host);
    }

    ContainerStore store() {
        return store;
    }

    /** The bridge networks of the same state root and host. */
    Networks networks() {
        return networks;
    }

    /** What {@code jnet create} asks for; {@code name} is null for a generated one. */
    record CreateRequest(String name, Network network, List<PortMapping> ports, String ip, String mac) {
        CreateRequest {
            ports = List.copyOf(ports);
            ip = ip == null ? "" : ip;
            mac = mac == null ? "" : mac;
        }
    }

    // ---- lookup

    /** The container {@code ref} names (name, id or unique id prefix). */
    ContainerRecord get(String ref) throws CliException {
        return find(ref).orElseThrow(() -> new CliException("no such container: " + ref));
    }

    Optional<ContainerRecord> find(String ref) throws CliException {
        try {
            return store.find(ref);
        } catch (AmbiguousIdException e) {
            throw new CliException(e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException("look up container " + ref + ": " + e.getMessage(), e);
        }
    }

    List<ContainerRecord> list() throws CliException {
        try {
            return store.list();
        } catch (IOException e) {
            throw new CliException("list containers: " + e.getMessage(), e);
        }
    }

    // ---- create

    ContainerRecord create(CreateRequest request) throws CliException {
        return locked("create container", () -> {
            String id = ContainerStore.newId();
            String name = request.name() != null ? request.name() : id.substring(0, 12);
            Optional<ContainerRecord> taken = named(name);
            if (taken.isPresent()) {
                throw new CliException("the container name \"" + name + "\" is already in use by container "
                        + taken.get().shortId() + "; remove that container (jnet rm " + name
                        + ") or choose another name");
            }
            ContainerRecord record = draft(name, id, request);
            store.put(record);  // the intent first: whatever the kernel gets from here on is recorded
            Map<String, Object> result;
            try {
                result = attach(record);
            } catch (CliException | IOException | RuntimeException e) {
                store.remove(name);    // each attach undid its own kernel work; the intent goes with it
                throw e;
            }
            ContainerRecord done = record.withResult(result);
            store.put(done);
            if (done.mode() == NetworkMode.CONTAINER) {
                ContainerRecord leader = named(done.leader()).orElseThrow();
                List<String> members = new ArrayList<>(leader.members());
                members.add(name);
                store.put(leader.withMembers(members));
            }
            return done;
        });
    }

    private ContainerRecord draft(String name, String id, CreateRequest request) throws CliException {
        Network network = request.network();
        Instant now = Instant.now();
        if (network instanceof Network.Joined joined) {
            ContainerRecord leader = owner(get(joined.ref()));
            if (!NetNs.isNamespace(Path.of(leader.netns()))) {
                throw new CliException("container " + leader.name() + " has no network namespace ("
                        + leader.netns() + " is gone); jnet gc removes it");
            }
            return new ContainerRecord(name, id, NetworkMode.CONTAINER, "container:" + leader.name(), leader.netns(),
                    now, SHARED_IFNAME, leader.name(), List.of(), request.ports(), request.ip(), request.mac(),
                    Map.of());
        }
        NetworkMode mode = network.mode();
        String networkName = network instanceof Network.Bridge bridge ? bridge.network() : mode.text();
        return new ContainerRecord(name, id, mode, networkName, netnsDir.resolve(name).toString(), now,
                mode == NetworkMode.NONE ? "lo" : SHARED_IFNAME, "", List.of(), request.ports(), request.ip(),
                request.mac(), Map.of());
    }

    /** Wires a recorded container into its mode: its namespace (unless it joins one) and its plugin's ADD. */
    private Map<String, Object> attach(ContainerRecord record) throws CliException, IOException {
        return switch (record.mode()) {
            case NONE -> attachNone(record);
            case HOST -> attachHost(record);
            case CONTAINER -> attachJoined(record);
            case BRIDGE -> attachBridge(record);
        };
    }

    /** The container that owns the namespace {@code record} is in: itself, or the leader a member joined. */
    private ContainerRecord owner(ContainerRecord record) throws CliException {
        if (record.mode() != NetworkMode.CONTAINER) {
            return record;
        }
        return named(record.leader()).orElseThrow(() -> new CliException("container " + record.name()
                + " joined container " + record.leader() + ", which is gone; jnet gc removes it"));
    }

    /** The container with exactly this name (never an id prefix: names in records are names, and so is a new one). */
    private Optional<ContainerRecord> named(String name) throws CliException {
        try {
            return store.named(name);
        } catch (IOException e) {
            throw new CliException("look up container " + name + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> attachNone(ContainerRecord record) throws CliException, IOException {
        if (!record.ports().isEmpty()) {
            warnings.println("WARNING: published ports are discarded when using none network mode");
        }
        Path file = Path.of(record.netns());
        NetNs.create(file.getParent(), record.name()).close();
        try {
            return cni.add(plugin(record), conf(record), record.id(), record.netns(), record.ifname());
        } catch (CliException | RuntimeException e) {
            NetNs.delete(file.getParent(), record.name());
            throw e;
        }
    }

    /** Host mode has no namespace of its own; its name under the run directory is a bind mount of the host's. */
    private Map<String, Object> attachHost(ContainerRecord record) throws CliException, IOException {
        Path file = Path.of(record.netns());
        NetNs.attach(file.getParent(), record.name(), host.path()).close();
        try {
            return cni.add(plugin(record), conf(record), record.id(), record.netns(), record.ifname());
        } catch (CliException | RuntimeException e) {
            NetNs.delete(file.getParent(), record.name());
            throw e;
        }
    }

    private Map<String, Object> attachJoined(ContainerRecord record) throws CliException {
        return cni.add(plugin(record), conf(record), record.id(), record.netns(), record.ifname());
    }

    // ---- rm

    /**
     * Removes a container: its plugin's DEL, then its namespace (a member leaves the shared one to its owner), then
     * its record. A namespace that others joined is refused unless {@code depend}, which removes them first, as
     * Podman's {@code rm --depend}; so a shared namespace lives until its last member is gone. A failing DEL keeps
     * the container unless {@code force}. Returns the names removed, in order.
     */
    List<String> remove(String ref, boolean force, boolean depend) throws CliException {
        return locked("remove container " + ref, () -> {
            ContainerRecord record = get(ref);
            List<String> removed = new ArrayList<>();
            List<ContainerRecord> dependents = dependents(record);
            if (!dependents.isEmpty()) {
                if (!depend) {
                    throw new CliException("container " + record.name() + " has dependent containers that use its "
                            + "network namespace: " + String.join(", ", names(dependents))
                            + "; remove them first, or use --depend");
                }
                for (ContainerRecord member : dependents) {
                    removeOne(member, force);
                    removed.add(member.name());
                }
            }
            removeOne(record, force);
            removed.add(record.name());
            return removed;
        });
    }

    /** The members of {@code record}'s namespace: those that name it as leader, and those its record lists. */
    private List<ContainerRecord> dependents(ContainerRecord record) throws CliException, IOException {
        if (record.mode() == NetworkMode.CONTAINER) {
            return List.of();
        }
        Map<String, ContainerRecord> all = new LinkedHashMap<>();
        for (ContainerRecord member : store.membersOf(record.name())) {
            all.put(member.name(), member);
        }
        for (String name : record.members()) {
            named(name).filter(r -> r.leader().equals(record.name())).ifPresent(r -> all.put(name, r));
        }
        return new ArrayList<>(all.values());
    }

    private void removeOne(ContainerRecord record, boolean force) throws CliException, IOException {
        Path file = Path.of(record.netns());
        boolean present = NetNs.isNamespace(file);
        try {
            cni.del(plugin(record), delConf(record), record.id(), present ? record.netns() : "", record.ifname());
        } catch (CliException e) {
            if (!force) {
                throw new CliException(e.getMessage() + "; container " + record.name()
                        + " was kept (jnet rm -f removes it anyway)", e);
            }
            warnings.println("WARNING: " + record.name() + ": " + e.getMessage() + " (removed anyway: -f)");
        }
        if (record.mode() == NetworkMode.CONTAINER) {
            Optional<ContainerRecord> leader = named(record.leader());
            if (leader.isPresent()) {
                List<String> members = new ArrayList<>(leader.get().members());
                members.remove(record.name());
                store.put(leader.get().withMembers(members));
            }
        } else {
            NetNs.delete(file.getParent(), file.getFileName().toString());
        }
        store.remove(record.name());
    }

    // ---- check

    enum Status { OK, DRIFTED, REPAIRED, FAILED }

    /** What {@code jnet check} found for one container; {@code detail} names the drift, "" when OK. */
    record CheckOutcome(String name, Status status, String detail) {
    }

    /**
     * Checks every container against the kernel with its plugin's CHECK (owners before members, so a repaired
     * namespace is there when its members are checked). With {@code repair}, a container that drifted gets its ADD
     * again (its namespace first, when that is gone), and is checked once more.
     */
    List<CheckOutcome> check(boolean repair) throws CliException {
        return locked("check containers", () -> {
            List<ContainerRecord> ordered = new ArrayList<>();
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER) {
                    ordered.add(r);
                }
            }
            for (ContainerRecord r : store.list()) {
                if (r.mode() == NetworkMode.CONTAINER) {
                    ordered.add(r);
                }
            }
            List<CheckOutcome> outcomes = new ArrayList<>();
            for (ContainerRecord record : ordered) {
                String drift = drift(record);
                if (drift == null) {
                    outcomes.add(new CheckOutcome(record.name(), Status.OK, ""));
                } else if (!repair) {
                    outcomes.add(new CheckOutcome(record.name(), Status.DRIFTED, drift));
                } else {
                    outcomes.add(repair(record, drift));
                }
            }
            return outcomes;
        });
    }

    /** What has drifted, or null when the container is as its ADD left it. */
    private String drift(ContainerRecord record) throws CliException {
        if (!NetNs.isNamespace(Path.of(record.netns()))) {
            return "network namespace " + record.netns() + " is gone";
        }
        if (record.result().isEmpty()) {
            return "no ADD result was recorded (jnet create was interrupted)";
        }
        if (record.mode() == NetworkMode.CONTAINER && named(record.leader()).isEmpty()) {
            return "the container it joined, " + record.leader() + ", is gone";
        }
        try {
            cni.check(plugin(record), conf(record), record.result(), record.id(), record.netns(), record.ifname());
            return null;
        } catch (CliException e) {
            return e.getMessage();
        }
    }

    private CheckOutcome repair(ContainerRecord record, String drift) throws IOException {
        try {
            Path file = Path.of(record.netns());
            Map<String, Object> result;
            if (record.mode() == NetworkMode.BRIDGE) {
                result = repairBridge(record);
            } else if (record.mode() != NetworkMode.CONTAINER && !NetNs.isNamespace(file)) {
                NetNs.delete(file.getParent(), file.getFileName().toString());  // the empty file an unmount leaves
                result = attach(record);
            } else {
                result = cni.add(plugin(record), conf(record), record.id(), record.netns(), record.ifname());
            }
            ContainerRecord repaired = record.withResult(result);
            store.put(repaired);
            String still = drift(repaired);
            return still == null ? new CheckOutcome(record.name(), Status.REPAIRED, drift)
                    : new CheckOutcome(record.name(), Status.FAILED, drift + "; after repair: " + still);
        } catch (CliException e) {
            return new CheckOutcome(record.name(), Status.FAILED, drift + "; repair failed: " + e.getMessage());
        }
    }

    // ---- gc

    /** What {@code jnet gc} did: one line per container removed, and the failures. */
    record GcReport(List<String> removed, List<String> failures) {
    }

    /**
     * Removes the containers whose network namespace was deleted behind jnet's back (their plugin's DEL runs with
     * no netns, which releases what the host side still holds), the members of such a namespace, members whose
     * leader is gone, and temporary files a killed writer left in the store.
     */
    GcReport gc() throws CliException {
        return locked("collect containers", () -> {
            List<String> removed = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            Set<String> gone = new LinkedHashSet<>();
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER && !NetNs.isNamespace(Path.of(r.netns()))) {
                    gone.add(r.name());
                    try {
                        removeOne(r, false);
                        removed.add(r.name() + ": its network namespace " + r.netns() + " is gone");
                    } catch (CliException e) {
                        failures.add(r.name() + ": " + e.getMessage());
                    }
                }
            }
            for (ContainerRecord r : store.list()) {
                if (r.mode() != NetworkMode.CONTAINER) {
                    continue;
                }
                boolean leaderGone = gone.contains(r.leader()) || named(r.leader()).isEmpty();
                if (leaderGone || !NetNs.isNamespace(Path.of(r.netns()))) {
                    try {
                        removeOne(r, false);
                        removed.add(r.name() + ": the namespace of " + r.leader() + " that it joined is gone");
                    } catch (CliException e) {
                        failures.add(r.name() + ": " + e.getMessage());
                    }
                }
            }
            collectAttachments(removed, failures);
            for (Path leftover : store.removeLeftovers()) {
                removed.add("temporary file " + leftover);
            }
            return new GcReport(removed, failures);
        });
    }

    /** Work that reads and writes the store, under its lock. */
    @FunctionalInterface
    private interface Locked<T> {
        T run() throws CliException, IOException;
    }

    @SuppressWarnings("try")    // the lock is held for the body; nothing in it refers to the lock itself
    private <T> T locked(String what, Locked<T> body) throws CliException {
        try (ContainerStore.Lock lock = store.lock()) {
            return body.run();
        } catch (IOException e) {
            throw new CliException(what + ": " + e.getMessage(), e);
        }
    }

    // ---- the plugin of each mode

    /** The plugin of each mode, run in-process; {@link #conf} is its network config. */
    private CniPlugin plugin(ContainerRecord record) {
        return switch (record.mode()) {
            case NONE -> new NonePlugin();
            case HOST -> new HostPlugin(warnings);
            case CONTAINER -> new ContainerPlugin(store.root());
            case BRIDGE -> new BridgePlugin(StateRoot.env(store.root()));
        };
    }

    /** The network config of the container's plugin, as ADD and CHECK need it. */
    private Map<String, Object> conf(ContainerRecord record) throws CliException {
        return conf(record, record.ip().isEmpty() ? List.of() : List.of(record.ip()), record.mac());
    }

    /**
     * The network config; for a bridge network its definition plus the runtime config a runtime would pass: the
     * published ports (one mapping per host port), the requested addresses and MAC.
     */
    private Map<String, Object> conf(ContainerRecord record, List<String> ips, String mac) throws CliException {
        Map<String, Object> fields = new LinkedHashMap<>();
        switch (record.mode()) {
            case HOST -> {
                List<Object> ports = portMappings(record);
                if (!ports.isEmpty()) {
                    fields.put("runtimeConfig", Map.of("portMappings", ports));
                }
            }
            case CONTAINER -> {
                fields.put("container", record.leader());
                fields.put("dataDir", store.root().toString());
            }
            case BRIDGE -> {
                fields.putAll(networks.get(record.network()).pluginFields(store.root()));
                Map<String, Object> runtime = new LinkedHashMap<>();
                List<Object> ports = portMappings(record);
                if (!ports.isEmpty()) {
                    runtime.put("portMappings", ports);
                }
                if (!ips.isEmpty()) {
                    runtime.put("ips", ips);
                }
                if (!mac.isEmpty()) {
                    runtime.put("mac", mac);
                }
                if (!runtime.isEmpty()) {
                    fields.put("runtimeConfig", runtime);
                }
            }
            case NONE -> { }
        }
        return InProcessCni.conf(record.network().startsWith("container:") ? "container" : record.network(),
                "jnet-" + record.mode().text(), fields);
    }

    /**
     * The config for DEL, which must work even when a bridge network's definition is gone: jnet-bridge's DEL needs
     * only what its ADD recorded under the state root.
     */
    private Map<String, Object> delConf(ContainerRecord record) throws CliException {
        if (record.mode() == NetworkMode.BRIDGE && networks.find(record.network()).isEmpty()) {
            return InProcessCni.conf(record.network(), "jnet-bridge", Map.of("dataDir", store.root().toString(),
                    "ipam", Map.of("type", "jnet-ipam")));
        }
        return conf(record);
    }

    private static List<Object> portMappings(ContainerRecord record) {
        List<Object> ports = new ArrayList<>();
        for (PortMapping p : record.ports()) {
            ports.addAll(p.toCni());
        }
        return ports;
    }

    private static List<String> names(List<ContainerRecord> records) {
        return records.stream().map(ContainerRecord::name).toList();
    }

    // ---- bridge networks

    /**
     * Wires {@code record} (already in the store as an intent, with its ports, ip and mac) into its bridge network:
     * the network on first use (only the default one, {@code bridge}, is made on demand), then its namespace at
     * {@code record.netns()} and jnet-bridge's ADD, which undoes its own work when it fails; the namespace goes too.
     */
    private Map<String, Object> attachBridge(ContainerRecord record) throws CliException, IOException {
        networks.ensure(record.network());
        return attachBridge(record, conf(record));
    }

    private Map<String, Object> attachBridge(ContainerRecord record, Map<String, Object> conf)
            throws CliException, IOException {
        Path file = Path.of(record.netns());
        NetNs ns = NetNs.create(file.getParent(), record.name());
        try (ns; Rtnetlink rtnl = Rtnetlink.openIn(ns)) {
            // a runtime's loopback plugin would do this; jnet-bridge, as the reference bridge plugin, leaves lo alone
            rtnl.setUp(rtnl.link("lo").orElseThrow().index(), true);
            return cni.add(plugin(record), conf, record.id(), record.netns(), record.ifname());
        } catch (CliException | IOException | RuntimeException e) {
            NetNs.delete(file.getParent(), record.name());
            Optional<PortInUseException> taken = InProcessCni.cause(e, PortInUseException.class);
            if (taken.isPresent()) {
                throw portInUse(taken.get(), e);
            }
            throw e;
        }
    }

    /** The driver's refusal of a used host port, as one line that names the port and the container that has it. */
    private CliException portInUse(PortInUseException taken, Exception refused) throws CliException {
        String owner = "another container";
        if (taken.owner().isPresent()) {
            String id = taken.owner().get().containerId();
            Optional<ContainerRecord> mine = find(id).filter(r -> r.id().equals(id));
            owner = mine.isPresent() ? "container " + mine.get().name() : "container " + id + " (a runtime's)";
        }
        return new CliException("port " + taken.port().hostText() + " is already published by " + owner + " ("
                + IpPrefix.formatAddress(taken.target()) + ":" + taken.targetPort() + "); choose another host port",
                refused);
    }

    /**
     * The elements of jnet's firewall that belong to a bridge container, read back from the kernel by the bridge
     * driver; empty for the other modes and for a container whose attachment is not recorded.
     */
    List<FirewallElement> ownedElements(ContainerRecord record) throws CliException {
        if (record.mode() != NetworkMode.BRIDGE || record.result().isEmpty()) {
            return List.of();
        }
        for (BridgeDriver.Attachment a : networks.attachments(record.network())) {
            if (a.containerId().equals(record.id()) && a.ifName().equals(record.ifname())) {
                try {
                    return host.call(() -> networks.driver().ownedElements(a));
                } catch (IOException e) {
                    throw new CliException("read the firewall elements of " + record.name() + ": " + e.getMessage(), e);
                }
            }
        }
        return List.of();
    }

    /**
     * Re-attaches a bridge container that drifted: DEL takes what is left of the attachment (jnet-bridge's ADD
     * refuses an interface that exists), then ADD makes it again with the addresses and MAC it had, in its
     * namespace or, when that is gone, in a new one of the same name.
     */
    private Map<String, Object> repairBridge(ContainerRecord record) throws CliException, IOException {
        Path file = Path.of(record.netns());
        boolean present = NetNs.isNamespace(file);
        cni.del(plugin(record), delConf(record), record.id(), present ? record.netns() : "", record.ifname());
        List<String> ips = new ArrayList<>();
        String mac = record.mac();
        if (!record.result().isEmpty()) {
            try {
                Result previous = ResultCodec.decode(record.result(), "result");
                for (IpConfig ip : previous.ips()) {
                    ips.add(IpPrefix.formatAddress(ip.address().address()));
                }
                for (Interface i : previous.interfaces()) {
                    if (i.name().equals(record.ifname()) && !i.sandbox().isEmpty()) {
                        mac = i.mac();
                    }
                }
            } catch (CniException unreadable) {
                ips.clear();   // then the addresses it asked for, as on create
            }
        }
        if (ips.isEmpty() && !record.ip().isEmpty()) {
            ips.add(record.ip());
        }
        Map<String, Object> conf = conf(record, ips, mac);
        if (present) {
            return cni.add(plugin(record), conf, record.id(), record.netns(), record.ifname());
        }
        NetNs.delete(file.getParent(), file.getFileName().toString());  // the empty file an unmount leaves
        return attachBridge(record, conf);
    }

    /**
     * jnet-bridge's GC on every network: an attachment is valid while its namespace exists (the CLI's and those a
     * runtime made through the network's conflist alike); the others lose their veth, firewall elements and lease.
     */
    private void collectAttachments(List<String> removed, List<String> failures) throws CliException {
        for (NetworkConfig network : networks.list()) {
            List<BridgeDriver.Attachment> before = networks.attachments(network.name());
            List<Map<String, Object>> valid = new ArrayList<>();
            for (BridgeDriver.Attachment a : before) {
                if (!a.netns().isEmpty() && NetNs.isNamespace(Path.of(a.netns()))) {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("containerID", a.containerId());
                    v.put("ifname", a.ifName());
                    valid.add(v);
                }
            }
            try {
                cni.gc(new BridgePlugin(StateRoot.env(store.root())),
                        InProcessCni.conf(network.name(), "jnet-bridge", network.pluginFields(store.root())), valid);
            } catch (CliException e) {
                failures.add("network " + network.name() + ": " + e.getMessage());
            }
            Set<String> left = new LinkedHashSet<>();
            for (BridgeDriver.Attachment a : networks.attachments(network.name())) {
                left.add(a.containerId() + "/" + a.ifName());
            }
            for (BridgeDriver.Attachment a : before) {
                if (!left.contains(a.containerId() + "/" + a.ifName())) {
                    removed.add("attachment " + a.containerId() + "/" + a.ifName() + " of network " + network.name()
                            + ": its network namespace " + (a.netns().isEmpty() ? "(none)" : a.netns()) + " is gone");
                }
            }
        }
    }
}
