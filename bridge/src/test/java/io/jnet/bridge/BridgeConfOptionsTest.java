package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.NetConf;
import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Options that jnet-bridge does not implement, or that do not go together, are code 7 naming them, never ignored. */
class BridgeConfOptionsTest {

    private static NetConf conf(String extra) throws CniException {
        return NetConf.parse(("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"jnet-bridge\","
                + "\"ipam\":{\"type\":\"jnet-ipam\",\"subnet\":\"10.233.0.0/24\"}" + extra + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static CniException refused(String extra) throws CniException {
        NetConf c = conf(extra);
        CniException e = assertThrows(CniException.class, () -> BridgeConf.refuseUnsupported(c), extra);
        assertEquals(ErrorCode.INVALID_CONFIG, e.code(), extra);
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"5000", "-1", "4095", "\"10\"", "1.5"})
    void vlanOutsideTheRangeOrNotANumberIsCode7(String vlan) throws Exception {
        assertTrue(refused(",\"vlan\":" + vlan).getMessage().contains("vlan"));
    }

    @Test
    void otherUnimplementedOptionsAreNamed() throws Exception {
        assertTrue(refused(",\"vlanTrunk\":[{\"id\":5}]").getMessage().startsWith("VLAN trunk ports"));
        for (String option : new String[] {"macspoofchk", "disableContainerInterface", "portIsolation"}) {
            CniException e = refused(",\"" + option + "\":true");
            assertTrue(e.getMessage().startsWith(option + " is not implemented"), e.getMessage());
            assertEquals("remove \"" + option + "\" from the network config", e.details());
        }
    }

    @Test
    void dnsMustBeAnObjectOfStrings() throws Exception {
        assertEquals("dns must be an object, not a string", refused(",\"dns\":\"a string\"").getMessage());
        assertTrue(refused(",\"dns\":{\"nameservers\":[1]}").getMessage().startsWith("dns.nameservers[0]"));
        assertDoesNotThrow(() -> BridgeConf.refuseUnsupported(conf(",\"dns\":{\"nameservers\":[\"10.0.0.53\"],"
                + "\"domain\":\"x\",\"search\":[\"a\"],\"options\":[\"ndots:2\"]}")));
    }

    @Test
    void hairpinAndPromiscuousModeDoNotGoTogether() throws Exception {
        assertEquals("hairpinMode and promiscMode cannot both be true",
                refused(",\"hairpinMode\":true,\"promiscMode\":true").getMessage());
        // promiscMode alone turns off the default hairpin mode instead of clashing with it
        BridgeConf promisc = BridgeConf.parse(conf(",\"promiscMode\":true"), Path.of("/nonexistent"));
        assertTrue(promisc.promiscMode());
        assertFalse(promisc.hairpinMode());
        assertDoesNotThrow(() -> BridgeConf.refuseUnsupported(conf(",\"promiscMode\":true")));
        assertTrue(BridgeConf.parse(conf(""), Path.of("/nonexistent")).hairpinMode(), "Docker's default");
    }

    @Test
    void theDefaultsAndZeroVlanAreAccepted() throws Exception {
        assertDoesNotThrow(() -> BridgeConf.refuseUnsupported(conf("")));
        assertDoesNotThrow(() -> BridgeConf.refuseUnsupported(conf(",\"vlan\":0,\"macspoofchk\":false")));
    }

    /**
     * A VLAN is refused with the reason the kernel gives: the oracle is iproute2 creating a VLAN-filtering bridge in a
     * sandbox namespace. On this project's CI kernel it has no bridge VLAN filtering.
     */
    @Test
    @ExtendWith(SandboxExtension.class)
    void aVlanSaysWhetherTheKernelLacksVlanFiltering(Sandbox sandbox) throws Exception {
        Sandbox.Ns ns = sandbox.namespace("vlan");
        boolean oracle = sandbox.in(ns, "ip", "link", "add", "br0", "type", "bridge", "vlan_filtering", "1").exit() == 0;
        CniException e = refused(",\"vlan\":100");
        assertEquals(oracle ? "vlan 100: VLAN tagging of bridge ports is not implemented by jnet-bridge"
                : "vlan 100: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), so the VLAN "
                + "could not be enforced", e.getMessage());
        assertEquals("remove \"vlan\" from the network config", e.details());
    }
}
