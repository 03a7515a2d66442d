package io.jnet.cli;

import io.jnet.kernel.netns.NetNs;
import io.jnet.kernel.rtnl.Link;
import io.jnet.kernel.rtnl.Rtnetlink;
import io.jnet.none.NonePlugin;
import io.jnet.kernel.netlink.NetlinkSocket;

import java.util.List;
import java.util.Map;

/** The none mode, exactly as a runtime calls the plugin: only lo, up, and traffic over it works. */
record NoneDemo(DemoReport report, DemoCommand.Throwaways throwaways) {

    /** none: only lo, up, and traffic over it works (the plugin exactly as a runtime calls it). */
    void run(String name) throws Exception {
        try (NetNs ns = throwaways.create(name)) {
            String netns = ns.path();
            Map<String, Object> result = DemoProbes.cni(new NonePlugin(), "ADD", netns, "lo", null);
            report.claim(result != null && "lo".equals(DemoProbes.first(result, "interfaces").get("name")),
                    "ADD: " + DemoProbes.ips(result) + " on lo in " + netns);
            try (Rtnetlink rtnl = new Rtnetlink(ns.openSocket(NetlinkSocket.NETLINK_ROUTE))) {
                List<Link> links = rtnl.links();
                report.claim(links.size() == 1 && links.get(0).isUp(), "the namespace has only lo, and it is up: "
                        + links.stream().map(l -> l.name() + (l.isUp() ? " UP" : " DOWN")).toList());
            }
            TcpProbe.Reply echoed = DemoProbes.echo(ns, ns);
            report.claim("ping".equals(echoed.answer()), "a TCP connection to 127.0.0.1 inside the namespace echoed \"" + echoed + "\"");
            Map<String, Object> check = DemoProbes.cni(new NonePlugin(), "CHECK", netns, "lo", result);
            report.claim(check != null, "CHECK against the ADD result passes");
            boolean del = DemoProbes.cni(new NonePlugin(), "DEL", netns, "lo", result) != null
                    && DemoProbes.cni(new NonePlugin(), "DEL", netns, "lo", result) != null;
            report.claim(del, "DEL brings lo down, and a repeated DEL succeeds");
        }
    }
}
