package io.jnet.kernel.sysctl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysctlKeyTest {

    @Test
    void dottedAndSlashedKeysMapToProcSysNet() {
        assertEquals("/proc/sys/net/ipv4/ip_forward", Sysctl.path("net.ipv4.ip_forward"));
        assertEquals("/proc/sys/net/ipv6/conf/all/disable_ipv6", Sysctl.path("net.ipv6.conf.all.disable_ipv6"));
        assertEquals("/proc/sys/net/ipv4/conf/eth0.100/route_localnet",
                Sysctl.path(Sysctl.key("net", "ipv4", "conf", "eth0.100", "route_localnet")));
        assertEquals("/proc/sys/net/ipv6/conf/veth1a2b/accept_dad", Sysctl.path("net/ipv6/conf/veth1a2b/accept_dad"));
    }

    @Test
    void rejectsTraversalInjectionAndGlobalKeys() {
        String[] bad = {
            "net.ipv4.conf..route_localnet", "net/ipv4/../../kernel/hostname", "net/ipv4/conf/../../../etc",
            "net.ipv4.ip_forward/../x", "kernel.hostname", "vm.swappiness", "net", "", "net.ipv4.ip forward",
            "net/ipv4//ip_forward", "/net/ipv4/ip_forward", "net.ipv4.ip_forward\n", "net/ipv4/conf/./x",
        };
        for (String key : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sysctl.path(key), key);
            assertTrue(e.getMessage().contains("sysctl key"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Sysctl.key("net", "ipv4", "conf", "..", "x"));
        assertThrows(IllegalArgumentException.class, () -> Sysctl.key("net", "ipv4", "conf", "a/b", "x"));
    }
}
