package io.jnet.cli;

import io.jnet.bridge.BridgeDriver;
import io.jnet.bridge.FirewallElement;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.PluginMain;
import io.jnet.container.ContainerPlugin;
import io.jnet.host.HostPlugin;
import io.jnet.kernel.inventory.NetnsInventory;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.none.NonePlugin;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code jnet demo}: runs the network modes in throwaway namespaces, proves with real connections that they work,
 * prints a short report and removes everything. Exits 0 only when every claim was proven. The machine's own
 * namespace is never touched: a throwaway namespace plays the host, and the containers go through the same code as
 * {@code jnet create} and {@code jnet rm}, with a throwaway store under {@code <run-dir>/demo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Prove the network modes with real connections in throwaway namespaces, then clean up: none, "
                + "host, container:<name> and bridge (masquerade, published ports, isolation between networks, "
                + "icc=false) with a throwaway namespace as the host and another as the outside (198.18.0.0/15).",
                "Exits 0 only when every claim was proven. The namespace jnet runs in is only read."})
final class DemoCommand implements Callable<Integer> {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @ParentCommand
    Main main;

    private final List<String> created = new ArrayList<>();
    private Path dir;
    private int proven;
    private int failed;

    @Override
    public Integer call() {
        String suffix = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        dir = main.runDir.toAbsolutePath().resolve("demo");
        Path state = dir.resolve("state-" + suffix);
        System.out.println("jnet demo: the network modes in throwaway namespaces under " + dir + " (suffix " + suffix
                + ")");
        String before = null;
        try {
            before = ownNamespace();
        } catch (IOException e) {
            claim(false, "read this process's own namespace: " + e.getMessage());
        }
        try (NetNs host = namespace("host-" + suffix)) {
            hostLike(host);
            var warnings = new ByteArrayOutputStream();
            Containers engine = new Containers(ContainerStore.at(state), dir, host,
                    new PrintStream(warnings, true, StandardCharsets.UTF_8));
            run("none", () -> none("none-" + suffix));
            run("host", () -> hostMode(engine, host, warnings, suffix));
            run("container", () -> containerMode(engine, host, suffix));
            run("bridge", () -> bridgeMode(engine, host, suffix));
        } catch (Exception e) {
            claim(false, "the demo stopped: " + e.getMessage());
        } finally {
            cleanUp(state);
        }
        if (before != null) {
            try {
                String after = ownNamespace();
                claim(before.equals(after), "the namespace jnet demo runs in is as it was before: " + after);
            } catch (IOException e) {
                claim(false, "read this process's own namespace: " + e.getMessage());
            }
        }
        System.out.println((failed == 0 ? "PASS" : "FAIL") + ": " + proven + " of " + (proven + failed) + " proven");
        return failed == 0 ? 0 : Main.EXIT_FAILURE;
    }

    /** One section; a failure in it is a failed claim, and the next section still runs. */
    private void run(String name, Step section) {
        try {
            section.run();
        } catch (Exception e) {
            claim(false, "the " + name + " section stopped: " + e.getMessage());
        }
    }

    /**
     * What the demo must leave alone, read (never changed) in the namespace this process runs in: its links and
     * its nf_tables tables.
     */
    private static String ownNamespace() throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.open()) {
            return rtnl.links().size() + " links " + rtnl.links().stream().map(Link::name).toList() + ", tables "
                    + NetnsInventory.tables();
        }
    }

    /** A throwaway namespace under the demo directory, remembered for the clean-up. */
    private NetNs namespace(String name) throws IOException {
        created.add(name);
        return NetNs.create(dir, name);
    }

    /** Makes a throwaway namespace look like a host: lo up, and an uplink (a veth pair) with an address. */
    private static void hostLike(NetNs host) throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            rtnl.setUp(rtnl.link("lo").orElseThrow().index(), true);
            rtnl.createLink(LinkSpec.veth("uplink0", "uplink1"));
            int uplink = rtnl.link("uplink0").orElseThrow().index();
            rtnl.addAddress(Address.of(uplink, InetAddress.getByName("10.233.77.1"), 24));
            rtnl.setUp(uplink, true);
        }
    }

    /** none: only lo, up, and traffic over it works (the plugin exactly as a runtime calls it). */
    private void none(String name) throws Exception {
        section("none");
        try (NetNs ns = namespace(name)) {
            String netns = ns.path();
            Map<String, Object> result = cni(new NonePlugin(), "ADD", netns, "lo", null);
            claim(result != null && "lo".equals(first(result, "interfaces").get("name")),
                    "ADD: " + ips(result) + " on lo in " + netns);
            try (Rtnetlink rtnl = new Rtnetlink(ns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
                List<Link> links = rtnl.links();
                claim(links.size() == 1 && links.get(0).isUp(), "the namespace has only lo, and it is up: "
                        + links.stream().map(l -> l.name() + (l.isUp() ? " UP" : " DOWN")).toList());
            }
            String echoed = echo(ns, ns);
            claim("ping".equals(echoed), "a TCP connection to 127.0.0.1 inside the namespace echoed \"" + echoed + "\"");
            Map<String, Object> check = cni(new NonePlugin(), "CHECK", netns, "lo", result);
            claim(check != null, "CHECK against the ADD result passes");
            boolean del = cni(new NonePlugin(), "DEL", netns, "lo", result) != null
                    && cni(new NonePlugin(), "DEL", netns, "lo", result) != null;
            claim(del, "DEL brings lo down, and a repeated DEL succeeds");
        }
    }

    /** host: the container is in the host's namespace, so the host's loopback listener is its own. */
    private void hostMode(Containers engine, NetNs host, ByteArrayOutputStream warnings, String suffix)
            throws Exception {
        section("host");
        ContainerRecord web = engine.create(new Containers.CreateRequest("web-" + suffix, new Network.Host(),
                List.of(PublishSpec.parse("8080:80")), "", ""));
        List<String> uplink = Addresses.byInterface(web.result()).getOrDefault("uplink0", List.of());
        claim(uplink.contains("10.233.77.1/24"), "jnet create --network host: the result reports the host's "
                + "interfaces and addresses " + Addresses.byInterface(web.result()));
        long inode;
        try (NetNs ns = NetNs.open(web.netns())) {
            inode = ns.inode();
        }
        claim(inode == host.inode(), "its namespace " + web.netns() + " is the host's (inode " + inode + ")");
        String warning = warnings.toString(StandardCharsets.UTF_8).strip();
        claim(warning.contains("published ports are discarded"), "-p 8080:80 is ignored with a warning: " + warning);
        try (NetNs ns = NetNs.open(web.netns())) {
            String echoed = echo(host, ns);
            claim("ping".equals(echoed), "a listener on the host's 127.0.0.1 answers the container: \"" + echoed
                    + "\"");
        }
        ContainerRecord loner = engine.create(new Containers.CreateRequest("loner-" + suffix, new Network.None(),
                List.of(), "", ""));
        try (NetNs ns = NetNs.open(loner.netns())) {
            String refused = echo(host, ns);
            claim(refused.startsWith("no connection"), "a container with a namespace of its own (none) cannot "
                    + "reach it: " + refused);
        }
        String wrong = failure(() -> new InProcessCni(host).add(new HostPlugin(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)), InProcessCni.conf("host", "jnet-host",
                Map.of()), "demo", loner.netns(), "eth0"));
        claim(wrong.contains("[CNI error 8]"), "jnet-host refuses a netns that is not the host's: " + wrong);
        List<Maintenance.CheckOutcome> checks = engine.check(false);
        claim(checks.stream().allMatch(c -> c.status() == Maintenance.Status.OK), "jnet check: " + checks.stream()
                .map(c -> c.name() + " " + c.status()).toList());
        engine.remove(web.name(), false, false);
        engine.remove(loner.name(), false, false);
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            boolean intact = rtnl.link("uplink0").isPresent() && !NetNs.isNamespace(Path.of(web.netns()));
            claim(intact, "jnet rm drops the container's name for the namespace and leaves the host as it was");
        }
    }

    /** container:<name>: members share the leader's namespace, its interfaces and its loopback. */
    private void containerMode(Containers engine, NetNs host, String suffix) throws Exception {
        section("container");
        ContainerRecord app = engine.create(new Containers.CreateRequest("app-" + suffix, new Network.None(),
                List.of(), "", ""));
        // an eth0 whose peer is in the host, as a bridge network would give the leader
        try (NetNs ns = NetNs.open(app.netns()); Rtnetlink rtnl = Rtnetlink.openIn(ns)) {
            rtnl.createLink(LinkSpec.veth("eth0", "app0").withPeerNetns(host));
            int eth0 = rtnl.link("eth0").orElseThrow().index();
            rtnl.addAddress(Address.of(eth0, InetAddress.getByName("10.233.78.2"), 24));
            rtnl.setUp(eth0, true);
        }
        ContainerRecord side1 = engine.create(new Containers.CreateRequest("side1-" + suffix,
                new Network.Joined(app.name()), List.of(), "", ""));
        // joining a member joins the namespace it is in, whose owner stays the leader
        ContainerRecord side2 = engine.create(new Containers.CreateRequest("side2-" + suffix,
                new Network.Joined(side1.name()), List.of(), "", ""));
        claim(Addresses.byInterface(side1.result()).getOrDefault("eth0", List.of()).contains("10.233.78.2/24"),
                "jnet create --network container:" + app.name() + ": the result reports the leader's interfaces "
                        + Addresses.byInterface(side1.result()));
        List<String> seen1 = links(side1.netns());
        List<String> seen2 = links(side2.netns());
        claim(seen1.equals(seen2) && seen1.equals(links(app.netns())) && side2.leader().equals(app.name()),
                "both members see the same interfaces as the leader: " + seen1);
        try (NetNs ns1 = NetNs.open(side1.netns()); NetNs ns2 = NetNs.open(side2.netns())) {
            String echoed = echo(ns1, ns2);
            claim("ping".equals(echoed), "a listener on 127.0.0.1 in one member answers the other: \"" + echoed
                    + "\"");
        }
        String foreign;
        try (NetNs other = namespace("other-" + suffix)) {
            foreign = failure(() -> new InProcessCni(host).add(new ContainerPlugin(
                    engine.store().root()), InProcessCni.conf("container", "jnet-container",
                    Map.of("container", app.name())), "demo", other.path(), "eth0"));
        }
        String unknown = failure(() -> new InProcessCni(host).add(new ContainerPlugin(
                engine.store().root()), InProcessCni.conf("container", "jnet-container",
                Map.of("container", "nobody-" + suffix)), "demo", app.netns(), "eth0"));
        claim(foreign.contains("[CNI error 8]") && unknown.contains("[CNI error 3]"), "jnet-container refuses a "
                + "netns that is not the container's (code 8) and an unknown container (code 3)");
        String refused = failure(() -> engine.remove(app.name(), false, false));
        claim(refused.contains(side1.name()) && NetNs.isNamespace(Path.of(app.netns())),
                "jnet rm " + app.name() + " is refused while members use its namespace: " + refused);
        engine.remove(side1.name(), false, false);
        claim(NetNs.isNamespace(Path.of(app.netns())) && links(side2.netns()).equals(seen2),
                "after jnet rm " + side1.name() + " the namespace lives on for " + side2.name());
        engine.remove(side2.name(), false, false);
        engine.remove(app.name(), false, false);
        claim(!NetNs.isNamespace(Path.of(app.netns())), "with the last member gone, jnet rm " + app.name()
                + " deletes the namespace");
    }

    /**
     * bridge: two networks made with jnet network create, containers on them through jnet create (jnet-bridge in
     * process, in the throwaway host), and an outside namespace on 198.18.0.0/15 behind the host's uplink. Real TCP
     * connections prove masquerade, published ports, isolation between networks and icc=false; then jnet rm and jnet
     * network rm must leave the host as it was.
     */
    private void bridgeMode(Containers engine, NetNs host, String suffix) throws Exception {
        section("bridge");
        InetAddress hostIp = InetAddress.getByName("198.18.0.1");
        InetAddress outsideIp = InetAddress.getByName("198.18.0.2");
        try (NetNs outside = namespace("outside-" + suffix)) {
            uplink(host, outside, hostIp, outsideIp);
            Networks networks = engine.networks();
            NetworkConfig front = networks.create(new Networks.CreateRequest("front",
                    List.of(Networks.withGateway(IpPrefix.parse("10.233.80.0/24"))), false, false, true, 0, "",
                    Map.of()));
            NetworkConfig back = networks.create(new Networks.CreateRequest("back",
                    List.of(Networks.withGateway(IpPrefix.parse("10.233.81.0/24"))), false, false, false, 0, "",
                    Map.of("icc", "false")));
            List<String> listed = networks.list().stream().map(n -> n.name() + " " + n.subnets().get(0).subnet()
                    + " " + n.bridge() + (n.icc() ? "" : " icc=false")).toList();
            claim(listed.equals(List.of("back 10.233.81.0/24 " + back.bridge() + " icc=false",
                    "front 10.233.80.0/24 " + front.bridge())) && !front.bridge().equals(back.bridge()),
                    "jnet network create front --subnet 10.233.80.0/24 and back --subnet 10.233.81.0/24 -o icc=false; "
                            + "jnet network ls: " + listed);
            ContainerRecord web = engine.create(new Containers.CreateRequest("web-" + suffix,
                    new Network.Bridge("front"), List.of(PublishSpec.parse("8080:80")), "", ""));
            ContainerRecord client = engine.create(new Containers.CreateRequest("client-" + suffix,
                    new Network.Bridge("front"), List.of(), "", ""));
            ContainerRecord b1 = engine.create(new Containers.CreateRequest("b1-" + suffix,
                    new Network.Bridge("back"), List.of(), "", ""));
            ContainerRecord b2 = engine.create(new Containers.CreateRequest("b2-" + suffix,
                    new Network.Bridge("back"), List.of(), "", ""));
            InetAddress webIp = address(web);
            InetAddress b2Ip = address(b2);
            claim(webIp != null && front.subnets().get(0).subnet().contains(webIp) && address(client) != null
                    && b2Ip != null && back.subnets().get(0).subnet().contains(b2Ip),
                    "jnet create --network front -p 8080:80: " + web.name() + " " + Addresses.reachable(web.result())
                            + ", " + client.name() + " " + Addresses.reachable(client.result()) + "; on back: "
                            + b1.name() + " " + Addresses.reachable(b1.result()) + ", " + b2.name() + " "
                            + Addresses.reachable(b2.result()));
            try (NetNs webNs = NetNs.open(web.netns()); NetNs clientNs = NetNs.open(client.netns());
                 NetNs b1Ns = NetNs.open(b1.netns()); NetNs b2Ns = NetNs.open(b2.netns());
                 TcpProbe out = TcpProbe.listen(outside, outsideIp, 7000);
                 TcpProbe webServer = TcpProbe.listen(webNs, InetAddress.getByName("0.0.0.0"), 80);
                 TcpProbe b2Server = TcpProbe.listen(b2Ns, InetAddress.getByName("0.0.0.0"), 80)) {
                String snat = TcpProbe.ask(webNs, outsideIp, 7000, 3000);
                claim(snat.equals("198.18.0.1"), "SNAT: " + web.name() + " connects to the outside 198.18.0.2:7000, "
                        + "which sees the host's address: " + snat);
                String dnat = TcpProbe.ask(outside, hostIp, 8080, 3000);
                claim(dnat.equals("198.18.0.2"), "DNAT: the outside connects to the published port 198.18.0.1:8080 "
                        + "and reaches " + web.name() + ":80, which sees the outside's address: " + dnat);
                String sibling = TcpProbe.ask(clientNs, webIp, 80, 3000);
                claim(sibling.equals(IpPrefix.formatAddress(address(client))), client.name() + " reaches "
                        + web.name() + " directly on their network front: " + web.name() + " sees " + sibling);
                String isolated = TcpProbe.ask(b1Ns, webIp, 80, 1500);
                claim(isolated.startsWith("no connection"), "isolation: " + b1.name() + " on network back cannot "
                        + "reach " + web.name() + " on front: " + isolated);
                // a refused connection proves isolation only when the target answers a client that is allowed
                String permitted = TcpProbe.ask(host, b2Ip, 80, 3000);
                boolean answers = !permitted.startsWith("no connection");
                claim(answers, "icc=false: " + b2.name() + " answers on port 80 a client that may reach it (the host; "
                        + b2.name() + " sees " + permitted + ")");
                String icc = TcpProbe.ask(b1Ns, b2Ip, 80, 1500);
                claim(answers && icc.startsWith("no connection"), "icc=false: " + b1.name() + " cannot reach "
                        + b2.name() + " on their own network back: " + icc);
                String published = TcpProbe.ask(b1Ns, hostIp, 8080, 3000);
                claim(!published.startsWith("no connection"), "published ports still answer containers of other "
                        + "networks: " + b1.name() + " reaches 198.18.0.1:8080 (" + web.name() + " sees "
                        + published + ")");
            }
            List<String> owned = engine.ownedElements(web).stream().map(FirewallElement::text).toList();
            claim(owned.contains("tcp . 8080 : " + IpPrefix.formatAddress(webIp) + " . 80"), "jnet inspect "
                    + web.name() + ": the firewall elements it owns, read back from the kernel: " + owned);
            String taken = failure(() -> engine.create(new Containers.CreateRequest("dup-" + suffix,
                    new Network.Bridge("front"), List.of(PublishSpec.parse("8080:80")), "", "")));
            claim(taken.contains("already published by container " + web.name())
                            && engine.find("dup-" + suffix).isEmpty() && !Files.exists(dir.resolve("dup-" + suffix)),
                    "a used host port is refused, and nothing of the attempt is left: " + taken);
            String refused = failure(() -> {
                networks.remove("front");
                return null;
            });
            claim(refused.contains("active endpoints"), "jnet network rm front is refused while containers use "
                    + "it: " + refused);
            for (ContainerRecord r : List.of(web, client, b1, b2)) {
                engine.remove(r.name(), false, false);
            }
            networks.remove("front");
            networks.remove("back");
            String left = leftovers(host, engine, List.of(front, back));
            claim(left.isEmpty(), "jnet rm and jnet network rm leave nothing in the host: no veth, no bridge, no "
                    + "chain or element of the networks, no lease" + (left.isEmpty() ? "" : "; left: " + left));
        }
    }

    /** The host's uplink to the outside: a veth pair with 198.18.0.1 in the host and 198.18.0.2 outside. */
    private static void uplink(NetNs host, NetNs outside, InetAddress hostIp, InetAddress outsideIp)
            throws IOException {
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            rtnl.createLink(LinkSpec.veth("out0", "out1").withPeerNetns(outside));
            int out0 = rtnl.link("out0").orElseThrow().index();
            rtnl.addAddress(Address.of(out0, hostIp, 24));
            rtnl.setUp(out0, true);
        }
        try (Rtnetlink rtnl = Rtnetlink.openIn(outside)) {
            rtnl.setUp(rtnl.link("lo").orElseThrow().index(), true);
            int out1 = rtnl.link("out1").orElseThrow().index();
            rtnl.addAddress(Address.of(out1, outsideIp, 24));
            rtnl.setUp(out1, true);
        }
    }

    /** The container's IPv4 address from its ADD result, or null. */
    private static InetAddress address(ContainerRecord record) {
        for (String a : Addresses.reachable(record.result())) {
            IpPrefix p = IpPrefix.parse(a);
            if (p.isIpv4()) {
                return p.address();
            }
        }
        return null;
    }

    /** What is left in the host of the networks: veths, bridges, their chains and elements, state files. */
    private static String leftovers(NetNs host, Containers engine, List<NetworkConfig> networks) throws IOException {
        List<String> left = new ArrayList<>();
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            for (Link l : rtnl.links()) {
                if (l.name().startsWith("jv") || networks.stream().anyMatch(n -> n.bridge().equals(l.name()))) {
                    left.add("link " + l.name());
                }
            }
        }
        BridgeDriver driver = engine.networks().driver();
        for (NetworkConfig n : networks) {
            left.addAll(host.call(() -> driver.remains(n.name(), n.bridge())));
        }
        for (FirewallElement e : host.call(driver::firewallElements)) {
            left.add("element " + e.set() + " {" + e.text() + "}");
        }
        return String.join(", ", left);
    }

    /** The links of a namespace with their MAC and addresses, as one comparable list. */
    private static List<String> links(String netns) throws IOException {
        try (NetNs ns = NetNs.open(netns); Rtnetlink rtnl = Rtnetlink.openIn(ns)) {
            List<Address> addresses = rtnl.addresses();
            List<String> out = new ArrayList<>();
            for (Link l : rtnl.links()) {
                out.add(l.name() + " " + l.mac() + " " + addresses.stream().filter(a -> a.index() == l.index())
                        .map(a -> new IpPrefix(a.address(), a.prefixLength()).toString()).toList());
            }
            return out;
        }
    }

    /**
     * Listens on 127.0.0.1 in {@code server}, connects from {@code client} and sends "ping"; returns what the
     * listener received, or "no connection: ..." with the client's error.
     */
    private static String echo(NetNs server, NetNs client) throws IOException {
        try (ServerSocket listener = server.call(() -> new ServerSocket(0, 1, LOOPBACK))) {
            listener.setSoTimeout(5000);
            int port = listener.getLocalPort();
            String sent = client.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(LOOPBACK, port), 2000);
                    s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    return "";
                } catch (IOException e) {
                    return "no connection: " + e.getMessage();
                }
            });
            if (!sent.isEmpty()) {
                return sent;
            }
            try (Socket accepted = listener.accept()) {
                return new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
            }
        }
    }

    /** A step that must fail: its error message, or "succeeded" when it did not fail. */
    private static String failure(Failing step) {
        try {
            step.run();
            return "succeeded";
        } catch (CliException e) {
            return e.getMessage();
        }
    }

    @FunctionalInterface
    private interface Failing {
        Object run() throws CliException;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** One plugin call through the same dispatcher the launchers use; the parsed stdout, or null on failure. */
    private Map<String, Object> cni(CniPlugin plugin, String command, String netns, String ifname,
                                    Map<String, Object> prevResult) throws Exception {
        Map<String, Object> conf = new LinkedHashMap<>(InProcessCni.conf("demo", "jnet-none", Map.of()));
        if (prevResult != null) {
            conf.put("prevResult", prevResult);
        }
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = PluginMain.run(plugin, "jnet-none", Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "demo",
                        "CNI_NETNS", netns, "CNI_IFNAME", ifname), new ByteArrayInputStream(Json.writeBytes(conf)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8).strip();
        if (exit != 0) {
            System.out.println("    " + command + " failed: " + text + " " + err.toString(StandardCharsets.UTF_8).strip());
            return null;
        }
        return text.isEmpty() ? Map.of() : Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Map<String, Object> result, String key) {
        List<Map<String, Object>> list = result == null ? null : (List<Map<String, Object>>) result.get(key);
        return list == null || list.isEmpty() ? Map.of() : list.get(0);
    }

    @SuppressWarnings("unchecked")
    private static String ips(Map<String, Object> result) {
        List<Map<String, Object>> list = result == null ? List.of() : (List<Map<String, Object>>) result.get("ips");
        return list == null ? "[]" : list.stream().map(ip -> String.valueOf(ip.get("address"))).toList().toString();
    }

    private static void section(String mode) {
        System.out.println();
        System.out.println("[" + mode + "]");
    }

    private void claim(boolean ok, String what) {
        if (ok) {
            proven++;
        } else {
            failed++;
        }
        System.out.println("  " + (ok ? "ok    " : "FAILED") + " " + what);
    }

    /** Deletes every namespace the demo made (containers that rm already removed count as gone) and the store. */
    private void cleanUp(Path state) {
        int removed = 0;
        for (String name : created) {
            try {
                if (NetNs.delete(dir, name)) {
                    removed++;
                }
            } catch (IOException e) {
                claim(false, "remove namespace " + name + ": " + e.getMessage());
            }
        }
        if (Files.isDirectory(state)) {
            try {
                for (ContainerRecord r : ContainerStore.at(state).list()) {
                    Path netns = Path.of(r.netns());
                    if (NetNs.delete(netns.getParent(), netns.getFileName().toString())) {
                        removed++;
                    }
                }
            } catch (IOException e) {
                claim(false, "remove the demo's containers: " + e.getMessage());
            }
            try (Stream<Path> tree = Files.walk(state)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException | UncheckedIOException e) {
                claim(false, "remove the demo's store " + state + ": " + e.getMessage());
            }
        }
        System.out.println();
        System.out.println("removed " + removed + " throwaway namespace(s) and the demo's store under " + dir);
    }
}
