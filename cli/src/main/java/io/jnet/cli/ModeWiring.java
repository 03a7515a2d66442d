package io.jnet.cli;

import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.BridgePlugin;
import io.jnet.bridge.FirewallElement;
import io.jnet.bridge.PortInUseException;
import io.jnet.cni.CniCommand;
import io.jnet.cni.CniException;
import io.jnet.cni.CniRequest;
import io.jnet.cni.NetConf;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.Interface;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Result;
import io.jnet.cni.ResultCodec;
import io.jnet.container.ContainerPlugin;
import io.jnet.host.HostPlugin;
import io.jnet.kernel.fs.StateRoot;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.none.NonePlugin;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a container of each mode is wired: its namespace and its mode's CNI plugin, run in-process
 * ({@link InProcessCni}) with the config a runtime would pass; a bridge container through jnet-bridge with its
 * network's definition ({@link Networks}) and the bridge driver's API for what CNI does not say (who publishes a port,
 * the firewall elements a container owns). The lifecycle ({@link Containers}) and maintenance
 * ({@link Maintenance}) decide when; this says how.
 */
final class ModeWiring {

    private final ContainerStore store;
    private final NetNs host;
    private final PrintStream warnings;
    private final InProcessCni cni;
    private final Networks networks;

    ModeWiring(ContainerStore store, NetNs host, PrintStream warnings, Networks networks) {
        this.store = store;
        this.host = host;
        this.warnings = warnings;
        this.cni = new InProcessCni(host);
        this.networks = networks;
    }

    /** Wires a recorded container into its mode: its namespace (unless it joins one) and its plugin's ADD. */
    Map<String, Object> attach(ContainerRecord record) throws CliException, IOException {
        return switch (record.mode()) {
            case NONE -> attachNone(record);
            case HOST -> attachHost(record);
            case CONTAINER -> attachJoined(record);
            case BRIDGE -> attachBridge(record);
        };
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

    /** DEL of the container's plugin; {@code present} says whether its namespace is still there to name. */
    void detach(ContainerRecord record, boolean present) throws CliException {
        cni.del(plugin(record), delConf(record), record.id(), present ? record.netns() : "", record.ifname());
    }

    /** CHECK of the container's plugin against its stored ADD result; throws naming what drifted. */
    void check(ContainerRecord record) throws CliException {
        cni.check(plugin(record), conf(record), record.result(), record.id(), record.netns(), record.ifname());
    }

    /** ADD again, over whatever is left: a bridge container is detached first, a namespace that is gone re-made. */
    Map<String, Object> reattach(ContainerRecord record) throws CliException, IOException {
        Path file = Path.of(record.netns());
        if (record.mode() == NetworkMode.BRIDGE) {
            return repairBridge(record);
        }
        if (record.mode() != NetworkMode.CONTAINER && !NetNs.isNamespace(file)) {
            NetNs.delete(file.getParent(), file.getFileName().toString());  // the empty file an unmount leaves
            return attach(record);
        }
        return cni.add(plugin(record), conf(record), record.id(), record.netns(), record.ifname());
    }

    private Optional<ContainerRecord> find(String ref) throws CliException {
        try {
            return store.find(ref);
        } catch (IOException e) {
            throw new CliException("look up container " + ref + ": " + e.getMessage(), e);
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
        for (PublishSpec p : record.ports()) {
            ports.addAll(p.toCni());
        }
        return ports;
    }

    // ---- bridge networks

    /**
     * Wires {@code record} (already in the store as an intent, with its ports, ip and mac) into its bridge network:
     * the network on first use (only the default one, {@code bridge}, is made on demand), then its namespace at
     * {@code record.netns()} and jnet-bridge's ADD, which undoes its own work when it fails; the namespace goes too.
     */
    private Map<String, Object> attachBridge(ContainerRecord record) throws CliException, IOException {
        if (DockerNetworks.isDockers(networks.ensure(record.network()))) {
            throw new CliException("network " + record.network() + " is Docker's (its addresses come from Docker's "
                    + "IPAM calls): attach containers with docker run --network");
        }
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
    Map<String, Object> repairBridge(ContainerRecord record) throws CliException, IOException {
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
    void collectAttachments(List<String> removed, List<String> failures) throws CliException {
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

    /**
     * {@code jnet check} for the attachments that a runtime made and moved itself (Docker's endpoints): the bridge
     * driver's CHECK, and with {@code repair} their firewall put back. Their container end only the runtime can make
     * again, so a missing one stays FAILED and says so.
     */
    List<Maintenance.CheckOutcome> checkHandedOver(boolean repair) throws CliException {
        List<Maintenance.CheckOutcome> out = new ArrayList<>();
        BridgeDriver driver = networks.driver();
        for (NetworkConfig network : networks.list()) {
            for (BridgeDriver.Attachment a : networks.attachments(network.name())) {
                try {
                    if (!driver.isHandedOver(a)) {
                        continue;
                    }
                    CniRequest request = new CniRequest(CniCommand.CHECK, a.containerId(), a.netns(), a.ifName(),
                            null, List.of(), NetConf.of(InProcessCni.conf(network.name(), "jnet-bridge",
                            network.pluginFields(store.root()))));
                    String name = "endpoint " + a.containerId().substring(0, Math.min(12, a.containerId().length()))
                            + " (network " + network.name() + ")";
                    String drift = host.call(() -> checked(driver, request));
                    if (drift == null) {
                        out.add(new Maintenance.CheckOutcome(name, Maintenance.Status.OK, ""));
                    } else if (!repair) {
                        out.add(new Maintenance.CheckOutcome(name, Maintenance.Status.DRIFTED, drift));
                    } else {
                        String still = host.call(() -> {
                            driver.repairFirewall(request);
                            return checked(driver, request);
                        });
                        out.add(still == null ? new Maintenance.CheckOutcome(name, Maintenance.Status.REPAIRED, drift)
                                : new Maintenance.CheckOutcome(name, Maintenance.Status.FAILED, drift
                                + "; after repair: " + still + " (its runtime must re-create it, e.g. docker restart)"));
                    }
                } catch (IOException | CniException e) {
                    out.add(new Maintenance.CheckOutcome("endpoint " + a.containerId(), Maintenance.Status.FAILED,
                            e.getMessage()));
                }
            }
        }
        return out;
    }

    /** What CHECK says has drifted, or null. */
    private static String checked(BridgeDriver driver, CniRequest request) {
        try {
            driver.check(request);
            return null;
        } catch (CniException e) {
            return e.getMessage();
        }
    }
}
