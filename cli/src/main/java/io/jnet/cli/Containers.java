package io.jnet.cli;

import io.jnet.bridge.FirewallElement;
import io.jnet.container.AmbiguousIdException;
import io.jnet.kernel.netns.NetNs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final Networks networks;
    private final PrintStream warnings;
    private final ModeWiring wiring;
    private final Maintenance maintenance;

    /**
     * @param netnsDir where containers' namespaces are bind-mounted ({@code <run-dir>/netns})
     * @param host     the namespace that plays the host: host mode shares it, and every plugin runs in it
     * @param warnings where warnings go (stderr)
     */
    Containers(ContainerStore store, Path netnsDir, NetNs host, PrintStream warnings) {
        this.store = store;
        this.netnsDir = netnsDir;
        this.warnings = warnings;
        this.networks = new Networks(NetworkStore.at(store.root()), store, host);
        this.wiring = new ModeWiring(store, host, warnings, networks);
        this.maintenance = new Maintenance(this, store, wiring);
    }

    ContainerStore store() {
        return store;
    }

    /** The bridge networks of the same state root and host. */
    Networks networks() {
        return networks;
    }

    /** What {@code jnet create} asks for; {@code name} is null for a generated one. */
    record CreateRequest(String name, Network network, List<PublishSpec> ports, String ip, String mac) {
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
                result = wiring.attach(record);
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

    /** The container that owns the namespace {@code record} is in: itself, or the leader a member joined. */
    private ContainerRecord owner(ContainerRecord record) throws CliException {
        if (record.mode() != NetworkMode.CONTAINER) {
            return record;
        }
        return named(record.leader()).orElseThrow(() -> new CliException("container " + record.name()
                + " joined container " + record.leader() + ", which is gone; jnet gc removes it"));
    }

    /** The container with exactly this name (never an id prefix: names in records are names, and so is a new one). */
    Optional<ContainerRecord> named(String name) throws CliException {
        try {
            return store.named(name);
        } catch (IOException e) {
            throw new CliException("look up container " + name + ": " + e.getMessage(), e);
        }
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

    void removeOne(ContainerRecord record, boolean force) throws CliException, IOException {
        Path file = Path.of(record.netns());
        boolean present = NetNs.isNamespace(file);
        try {
            wiring.detach(record, present);
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

    /** Work that reads and writes the store, under its lock. */
    @FunctionalInterface
    interface Locked<T> {
        T run() throws CliException, IOException;
    }

    @SuppressWarnings("try")    // the lock is held for the body; nothing in it refers to the lock itself
    <T> T locked(String what, Locked<T> body) throws CliException {
        try (ContainerStore.Lock lock = store.lock()) {
            return body.run();
        } catch (IOException e) {
            throw new CliException(what + ": " + e.getMessage(), e);
        }
    }

    private static List<String> names(List<ContainerRecord> records) {
        return records.stream().map(ContainerRecord::name).toList();
    }

    // ---- maintenance and what the bridge driver knows

    /** {@code jnet check [--repair]}: see {@link Maintenance#check}. */
    List<Maintenance.CheckOutcome> check(boolean repair) throws CliException {
        return maintenance.check(repair);
    }

    /** {@code jnet gc}: see {@link Maintenance#gc}. */
    Maintenance.GcReport gc() throws CliException {
        return maintenance.gc();
    }

    /** The firewall elements a bridge container owns, read back from the kernel. */
    List<FirewallElement> ownedElements(ContainerRecord record) throws CliException {
        return wiring.ownedElements(record);
    }
}
