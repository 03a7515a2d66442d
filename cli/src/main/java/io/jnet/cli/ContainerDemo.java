package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Address;
import io.jnet.kernel.rtnl.LinkSpec;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.cni.ErrorCode;
import io.jnet.container.ContainerPlugin;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** container:&lt;name&gt; mode: members share the leader's namespace, its interfaces and its loopback. */
record ContainerDemo(DemoReport report, DemoCommand.Throwaways throwaways) {

    /** container:<name>: members share the leader's namespace, its interfaces and its loopback. */
    void run(Containers engine, NetNs host, String suffix) throws Exception {
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
        report.claim(Addresses.byInterface(side1.result()).getOrDefault("eth0", List.of()).contains("10.233.78.2/24"),
                "jnet create --network container:" + app.name() + ": the result reports the leader's interfaces "
                        + Addresses.byInterface(side1.result()));
        List<String> seen1 = DemoProbes.links(side1.netns());
        List<String> seen2 = DemoProbes.links(side2.netns());
        report.claim(seen1.equals(seen2) && seen1.equals(DemoProbes.links(app.netns())) && side2.leader().equals(app.name()),
                "both members see the same interfaces as the leader: " + seen1);
        try (NetNs ns1 = NetNs.open(side1.netns()); NetNs ns2 = NetNs.open(side2.netns())) {
            TcpProbe.Reply echoed = DemoProbes.echo(ns1, ns2);
            report.claim("ping".equals(echoed.answer()), "a listener on 127.0.0.1 in one member answers the other: \"" + echoed
                    + "\"");
        }
        CliException foreign;
        try (NetNs other = throwaways.create("other-" + suffix)) {
            foreign = DemoProbes.failure(() -> new InProcessCni(host).add(new ContainerPlugin(
                    engine.store().root()), InProcessCni.conf("container", "jnet-container",
                    Map.of("container", app.name())), "demo", other.path(), "eth0"));
        }
        CliException unknown = DemoProbes.failure(() -> new InProcessCni(host).add(new ContainerPlugin(
                engine.store().root()), InProcessCni.conf("container", "jnet-container",
                Map.of("container", "nobody-" + suffix)), "demo", app.netns(), "eth0"));
        report.claim(DemoProbes.cniCode(foreign).equals(Optional.of(ErrorCode.INVALID_NETNS))
                && DemoProbes.cniCode(unknown).equals(Optional.of(ErrorCode.UNKNOWN_CONTAINER)), "jnet-container "
                + "refuses a netns that is not the container's (code 8) and an unknown container (code 3)");
        CliException refused = DemoProbes.failure(() -> engine.remove(app.name(), false, false));
        report.claim(refused != null && engine.find(app.name()).isPresent() && NetNs.isNamespace(Path.of(app.netns())),
                "jnet rm " + app.name() + " is refused while members use its namespace: " + DemoProbes.message(refused));
        engine.remove(side1.name(), false, false);
        report.claim(NetNs.isNamespace(Path.of(app.netns())) && DemoProbes.links(side2.netns()).equals(seen2),
                "after jnet rm " + side1.name() + " the namespace lives on for " + side2.name());
        engine.remove(side2.name(), false, false);
        engine.remove(app.name(), false, false);
        report.claim(!NetNs.isNamespace(Path.of(app.netns())), "with the last member gone, jnet rm " + app.name()
                + " deletes the namespace");
    }
}
