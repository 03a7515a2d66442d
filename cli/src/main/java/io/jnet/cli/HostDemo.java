package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.cni.ErrorCode;
import io.jnet.host.HostPlugin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Host mode: the container is in the host's namespace, so the host's loopback listener is its own. */
record HostDemo(DemoReport report, DemoCommand.Throwaways throwaways) {

    /** host: the container is in the host's namespace, so the host's loopback listener is its own. */
    void run(Containers engine, NetNs host, ByteArrayOutputStream warnings, String suffix)
            throws Exception {
        ContainerRecord web = engine.create(new Containers.CreateRequest("web-" + suffix, new Network.Host(),
                List.of(PublishSpec.parse("8080:80")), "", ""));
        List<String> uplink = Addresses.byInterface(web.result()).getOrDefault("uplink0", List.of());
        report.claim(uplink.contains("10.233.77.1/24"), "jnet create --network host: the result reports the host's "
                + "interfaces and addresses " + Addresses.byInterface(web.result()));
        long inode;
        try (NetNs ns = NetNs.open(web.netns())) {
            inode = ns.inode();
        }
        report.claim(inode == host.inode(), "its namespace " + web.netns() + " is the host's (inode " + inode + ")");
        String warning = warnings.toString(StandardCharsets.UTF_8).strip();
        report.claim(warning.contains("published ports are discarded"), "-p 8080:80 is ignored with a warning: " + warning);
        try (NetNs ns = NetNs.open(web.netns())) {
            TcpProbe.Reply echoed = DemoProbes.echo(host, ns);
            report.claim("ping".equals(echoed.answer()), "a listener on the host's 127.0.0.1 answers the container: \"" + echoed
                    + "\"");
        }
        ContainerRecord loner = engine.create(new Containers.CreateRequest("loner-" + suffix, new Network.None(),
                List.of(), "", ""));
        try (NetNs ns = NetNs.open(loner.netns())) {
            TcpProbe.Reply refused = DemoProbes.echo(host, ns);
            report.claim(!refused.connected(), "a container with a namespace of its own (none) cannot "
                    + "reach it: " + refused);
        }
        CliException wrong = DemoProbes.failure(() -> new InProcessCni(host).add(new HostPlugin(new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)), InProcessCni.conf("host", "jnet-host",
                Map.of()), "demo", loner.netns(), "eth0"));
        report.claim(DemoProbes.cniCode(wrong).equals(Optional.of(ErrorCode.INVALID_NETNS)),
                "jnet-host refuses a netns that is not the host's: " + DemoProbes.message(wrong));
        List<Maintenance.CheckOutcome> checks = engine.check(false);
        report.claim(checks.stream().allMatch(c -> c.status() == Maintenance.Status.OK), "jnet check: " + checks.stream()
                .map(c -> c.name() + " " + c.status()).toList());
        engine.remove(web.name(), false, false);
        engine.remove(loner.name(), false, false);
        try (Rtnetlink rtnl = Rtnetlink.openIn(host)) {
            boolean intact = rtnl.link("uplink0").isPresent() && !NetNs.isNamespace(Path.of(web.netns()));
            report.claim(intact, "jnet rm drops the container's name for the namespace and leaves the host as it was");
        }
    }
}
