package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jnet.cli.BridgePluginIT.conf;
import static io.jnet.cli.BridgePluginIT.port;
import static io.jnet.cli.BridgePluginIT.ports;
import static io.jnet.cli.BridgePluginIT.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The firewall's rules are written once per network and then left alone: a container's ADD and DEL change only map
 * elements, so the rules keep their handles (nft as the oracle). What someone else removed comes back with the next
 * ADD (direct mode reads the rules back) or at once (the daemon's healer). Runs in both modes.
 */
@ExtendWith(SandboxExtension.class)
class FirewallLayoutIT {

    @Test
    void rulesKeepTheirHandlesWhileContainersComeAndGo(Sandbox sandbox) throws Exception {
        try (Topology t = new Topology(sandbox)) {
            Sandbox.Ns a = t.container("a");
            Sandbox.Ns b = t.container("b");
            String net = v4("10.233.50.0/24");
            assertEquals(0, t.cni("jnet-bridge", "ADD", "a", a, "eth0",
                    conf("1.1.0", "n1", "jt0", net, ports(port("tcp", 8080, 80, null)))).exit());
            List<String> rules = rules(t);
            assertEquals(19, rules.size(), "14 shared rules and 5 of n1: " + rules);

            String confB = conf("1.1.0", "n1", "jt0", net, ports(port("tcp", 8081, 80, null)));
            Launchers.Call addB = t.cni("jnet-bridge", "ADD", "b", b, "eth0", confB);
            assertEquals(0, addB.exit(), addB.stdout() + addB.stderr());
            assertTrue(t.rulesetText().contains("tcp . 8081 : 10.233.50.3 . 80"), t.rulesetText());
            assertEquals(rules, rules(t), "b's ADD re-wrote rules");
            assertEquals(0, t.cni("jnet-bridge", "DEL", "b", b, "eth0", confB).exit());
            assertTrue(!t.rulesetText().contains("8081"), t.rulesetText());
            assertEquals(rules, rules(t), "b's DEL re-wrote rules");

            // drift: someone flushes a shared chain; the next ADD (or the daemon's healer before it) puts it back
            t.sandbox.in(t.host, "nft", "flush", "chain", "inet", "jnet", "forward").ok();
            assertEquals(0, t.cni("jnet-bridge", "ADD", "b", b, "eth0", confB).exit());
            List<String> after = rules(t);
            assertEquals(rules.size(), after.size(), after.toString());
            assertNotEquals(rules, after, "the forward chain's rules are new ones");
            t.serve(a, "tcp", 80);
            assertEquals(Topology.OUTSIDE_IP, t.connect(t.outside, "tcp", Topology.HOST_IP, 8080));
        }
    }

    /** Every rule of our tables as "family table chain handle comment", in the kernel's order. */
    @SuppressWarnings("unchecked")
    static List<String> rules(Topology t) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object item : (List<Object>) t.ruleset().get("nftables")) {
            Map<String, Object> rule = (Map<String, Object>) ((Map<String, Object>) item).get("rule");
            if (rule != null && "jnet".equals(rule.get("table"))) {
                out.add(rule.get("family") + " " + rule.get("table") + " " + rule.get("chain") + " "
                        + rule.get("handle") + " " + rule.getOrDefault("comment", ""));
            }
        }
        return out;
    }
}
