package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;
import io.jnet.cni.IpPrefix;
import io.jnet.bridge.FirewallElement;
import io.jnet.bridge.PortInUseException;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Bridge networks: masquerade, published ports, isolation, icc=false, and that removal leaves nothing. */
record BridgeDemo(DemoReport report, DemoCommand.Throwaways throwaways) {

    /**
     * bridge: two networks made with jnet network create, containers on them through jnet create (jnet-bridge in
     * process, in the throwaway host), and an outside namespace on 198.18.0.0/15 behind the host's uplink. Real TCP
     * connections prove masquerade, published ports, isolation between networks and icc=false; then jnet rm and jnet
     * network rm must leave the host as it was.
     */
    void run(Containers engine, NetNs host, String suffix) throws Exception {
        InetAddress hostIp = InetAddress.getByName("198.18.0.1");
        InetAddress outsideIp = InetAddress.getByName("198.18.0.2");
        try (NetNs outside = throwaways.create("outside-" + suffix)) {
            DemoProbes.uplink(host, outside, hostIp, outsideIp);
            Networks networks = engine.networks();
            NetworkConfig front = networks.create(new Networks.CreateRequest("front",
                    List.of(Networks.withGateway(IpPrefix.parse("10.233.80.0/24"))), false, false, true, 0, "",
                    Map.of()));
            NetworkConfig back = networks.create(new Networks.CreateRequest("back",
                    List.of(Networks.withGateway(IpPrefix.parse("10.233.81.0/24"))), false, false, false, 0, "",
                    Map.of("icc", "false")));
            List<String> listed = networks.list().stream().map(n -> n.name() + " " + n.subnets().get(0).subnet()
                    + " " + n.bridge() + (n.icc() ? "" : " icc=false")).toList();
            report.claim(listed.equals(List.of("back 10.233.81.0/24 " + back.bridge() + " icc=false",
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
            InetAddress webIp = DemoProbes.address(web);
            InetAddress b2Ip = DemoProbes.address(b2);
            report.claim(webIp != null && front.subnets().get(0).subnet().contains(webIp) && DemoProbes.address(client) != null
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
                TcpProbe.Reply snat = TcpProbe.ask(webNs, outsideIp, 7000, 3000);
                report.claim(snat.answer().equals("198.18.0.1"), "SNAT: " + web.name() + " connects to the outside 198.18.0.2:7000, "
                        + "which sees the host's address: " + snat);
                TcpProbe.Reply dnat = TcpProbe.ask(outside, hostIp, 8080, 3000);
                report.claim(dnat.answer().equals("198.18.0.2"), "DNAT: the outside connects to the published port 198.18.0.1:8080 "
                        + "and reaches " + web.name() + ":80, which sees the outside's address: " + dnat);
                TcpProbe.Reply sibling = TcpProbe.ask(clientNs, webIp, 80, 3000);
                report.claim(sibling.answer().equals(IpPrefix.formatAddress(DemoProbes.address(client))), client.name() + " reaches "
                        + web.name() + " directly on their network front: " + web.name() + " sees " + sibling);
                TcpProbe.Reply isolated = TcpProbe.ask(b1Ns, webIp, 80, 1500);
                report.claim(!isolated.connected(), "isolation: " + b1.name() + " on network back cannot "
                        + "reach " + web.name() + " on front: " + isolated);
                // a refused connection proves isolation only when the target answers a client that is allowed
                TcpProbe.Reply permitted = TcpProbe.ask(host, b2Ip, 80, 3000);
                boolean answers = permitted.connected();
                report.claim(answers, "icc=false: " + b2.name() + " answers on port 80 a client that may reach it (the host; "
                        + b2.name() + " sees " + permitted + ")");
                TcpProbe.Reply icc = TcpProbe.ask(b1Ns, b2Ip, 80, 1500);
                report.claim(answers && !icc.connected(), "icc=false: " + b1.name() + " cannot reach "
                        + b2.name() + " on their own network back: " + icc);
                TcpProbe.Reply published = TcpProbe.ask(b1Ns, hostIp, 8080, 3000);
                report.claim(published.connected(), "published ports still answer containers of other "
                        + "networks: " + b1.name() + " reaches 198.18.0.1:8080 (" + web.name() + " sees "
                        + published + ")");
            }
            List<String> owned = engine.ownedElements(web).stream().map(FirewallElement::text).toList();
            report.claim(owned.contains("tcp . 8080 : " + IpPrefix.formatAddress(webIp) + " . 80"), "jnet inspect "
                    + web.name() + ": the firewall elements it owns, read back from the kernel: " + owned);
            CliException taken = DemoProbes.failure(() -> engine.create(new Containers.CreateRequest("dup-" + suffix,
                    new Network.Bridge("front"), List.of(PublishSpec.parse("8080:80")), "", "")));
            Optional<String> holder = Optional.ofNullable(taken).flatMap(e -> InProcessCni.cause(e,
                    PortInUseException.class)).flatMap(PortInUseException::owner).map(a -> a.containerId());
            report.claim(holder.equals(Optional.of(web.id())) && engine.find("dup-" + suffix).isEmpty()
                            && !Files.exists(Path.of(web.netns()).resolveSibling("dup-" + suffix)),
                    "a used host port is refused, and nothing of the attempt is left: " + DemoProbes.message(taken));
            CliException refused = DemoProbes.failure(() -> {
                networks.remove("front");
                return null;
            });
            report.claim(refused != null && networks.find("front").isPresent(), "jnet network rm front is refused "
                    + "while containers use it: " + DemoProbes.message(refused));
            for (ContainerRecord r : List.of(web, client, b1, b2)) {
                engine.remove(r.name(), false, false);
            }
            networks.remove("front");
            networks.remove("back");
            String left = DemoProbes.leftovers(host, engine, List.of(front, back));
            report.claim(left.isEmpty(), "jnet rm and jnet network rm leave nothing in the host: no veth, no bridge, no "
                    + "chain or element of the networks, no lease" + (left.isEmpty() ? "" : "; left: " + left));
        }
    }
}
