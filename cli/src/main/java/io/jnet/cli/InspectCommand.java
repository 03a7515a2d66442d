package io.jnet.cli;

import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code jnet inspect}: a JSON array with one object per container, its record plus what the kernel says now. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show containers as a JSON array: mode, network, network namespace, the interfaces and "
                + "addresses in it (read from the kernel now), published ports, the firewall elements a bridge "
                + "container owns (read from the kernel now) and the plugin's ADD result."})
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = {"Container names or ids, or the id (or a unique "
            + "prefix) of an attachment a runtime made: Docker's endpoint id (docker inspect: NetworkSettings."
            + "Networks.<network>.EndpointID) or sandbox id."})
    List<String> names;

    @Override
    public Integer call() throws CliException {
        Containers containers = main.containers(System.err);
        List<Object> out = new ArrayList<>();
        boolean failed = false;
        for (String name : names) {
            try {
                Optional<ContainerRecord> record = containers.find(name);
                if (record.isPresent()) {
                    out.add(inspect(containers, record.get()));
                    continue;
                }
                List<Map<String, Object>> attachments = containers.networks().inspectAttachments(name);
                if (attachments.isEmpty()) {
                    throw new CliException("no such container: " + name);
                }
                out.addAll(attachments);
            } catch (CliException e) {
                System.err.println("jnet inspect: " + e.getMessage());
                failed = true;
            }
        }
        System.out.println(Json.writePretty(out));
        return failed ? Main.EXIT_FAILURE : 0;
    }

    static Map<String, Object> inspect(Containers containers, ContainerRecord r) throws CliException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("id", r.id());
        m.put("created", r.created().toString());
        m.put("mode", r.mode().text());
        m.put("network", r.network());
        m.put("netns", r.netns());
        boolean present = NetNs.isNamespace(Path.of(r.netns()));
        m.put("netnsPresent", present);
        if (r.mode() == NetworkMode.CONTAINER) {
            m.put("leader", r.leader());
        }
        m.put("members", r.members());
        List<Object> ports = new ArrayList<>();
        for (PublishSpec p : r.ports()) {
            Map<String, Object> port = new LinkedHashMap<>();
            port.put("hostIp", p.hostIp());
            port.put("hostPort", (long) p.hostPort());
            port.put("hostPortEnd", (long) p.hostPortEnd());
            port.put("containerPort", (long) p.containerPort());
            port.put("containerPortEnd", (long) p.containerPortEnd());
            port.put("protocol", p.protocol());
            port.put("published", r.mode() == NetworkMode.BRIDGE);
            ports.add(port);
        }
        m.put("ports", ports);
        m.put("ip", r.ip());
        m.put("mac", r.mac());
        m.put("interfaces", present ? interfaces(r.netns()) : List.of());
        if (r.mode() == NetworkMode.BRIDGE) {
            List<Object> elements = new ArrayList<>();
            containers.ownedElements(r).forEach(e -> elements.add(e.toJson()));
            m.put("firewall", elements);
        }
        m.put("result", r.result());
        return m;
    }

    /** The links in the namespace and their addresses, as the kernel reports them now. */
    private static List<Object> interfaces(String netns) {
        List<Object> out = new ArrayList<>();
        try (NetNs ns = NetNs.open(netns); Rtnetlink rtnl = Rtnetlink.openIn(ns)) {
            List<Address> addresses = rtnl.addresses();
            for (Link link : rtnl.links()) {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("name", link.name());
                i.put("index", (long) link.index());
                i.put("mac", link.mac());
                i.put("mtu", (long) link.mtu());
                i.put("up", link.isUp());
                List<Object> mine = new ArrayList<>();
                for (Address a : addresses) {
                    if (a.index() == link.index()) {
                        mine.add(new IpPrefix(a.address(), a.prefixLength()).toString());
                    }
                }
                i.put("addresses", mine);
                out.add(i);
            }
        } catch (IOException e) {
            out.add(Map.of("error", e.getMessage()));
        }
        return out;
    }
}
