package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.NetConf;
import io.jnet.cni.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlayRecordTest {

    @TempDir
    Path root;

    private NetConf conf(String name) throws CniException {
        return NetConf.of(Map.of("cniVersion", "1.0.0", "name", name, "type", "jnet-bridge", "overlay", true,
                "dataDir", root.toString(), "ipam", Map.of("type", "jnet-ipam")));
    }

    private static OverlayRecord record(long leaseExpires) {
        return new OverlayRecord("ov1", IpPrefix.parse("10.100.0.0/16"), 4096, IpPrefix.parse("10.100.3.0/24"),
                "02:00:00:00:00:03", 1450, leaseExpires, "");
    }

    @Test
    void namesListsTheRecordsAndDeleteTakesOneAway() throws Exception {
        assertEquals(List.of(), OverlayRecord.names(root), "no overlay directory yet");
        record(0).write(root);
        new OverlayRecord("a", IpPrefix.parse("10.9.0.0/16"), 4097, null, "02:00:00:00:00:04", 1450, 0, "taken")
                .write(root);
        Files.writeString(root.resolve("overlay").resolve(".tmp-x.json"), "{");   // a write cut short
        Files.writeString(root.resolve("overlay").resolve("notes.txt"), "");
        assertEquals(List.of("a", "ov1"), OverlayRecord.names(root));
        assertTrue(OverlayRecord.delete(root, "ov1"));
        assertFalse(OverlayRecord.delete(root, "ov1"));
        assertEquals(List.of("a"), OverlayRecord.names(root));
    }

    @Test
    void aPlainBridgeConfigPassesUnchanged() throws Exception {
        NetConf plain = NetConf.of(Map.of("cniVersion", "1.0.0", "name", "n", "type", "jnet-bridge"));
        assertSame(plain, OverlayRecord.resolve(plain, root, true));
    }

    @Test
    void theHostPartComesFromTheLocalRecord() throws Exception {
        record(Long.MAX_VALUE).write(root);
        NetConf resolved = OverlayRecord.resolve(conf("ov1"), root, true);
        assertEquals("jo-ov1", resolved.raw().get("bridge"));
        assertEquals("jv-ov1", resolved.raw().get("overlayDevice"));
        assertEquals("10.100.0.0/16", resolved.raw().get("overlaySubnet"));
        assertEquals(1450L, resolved.raw().get("mtu"));
        assertEquals(List.of(List.of(Map.of("subnet", "10.100.3.0/24", "rangeStart", "10.100.3.2",
                "gateway", "10.100.3.1"))), resolved.ipamRaw().get("ranges"));
        BridgeConf bridge = BridgeConf.parse(resolved, root);
        assertEquals(new Firewall.Overlay(IpPrefix.parse("10.100.0.0/16"), "jv-ov1"), bridge.overlay());
        assertEquals(record(Long.MAX_VALUE), OverlayRecord.read(root, "ov1").orElseThrow());
    }

    @Test
    void withoutASubnetAnAddIsToldToTryLaterAndADelStillFindsTheBridge() throws Exception {
        CniException e = assertThrows(CniException.class, () -> OverlayRecord.resolve(conf("ov1"), root, true));
        assertEquals(11, e.code().code());
        assertTrue(e.getMessage().contains("jnet daemon --etcd"), e.getMessage());
        new OverlayRecord("ov1", IpPrefix.parse("10.100.0.0/16"), 4096, null, "", 1450, 0,
                "no free host subnet in 10.100.0.0/16").write(root);
        e = assertThrows(CniException.class, () -> OverlayRecord.resolve(conf("ov1"), root, true));
        assertTrue(e.getMessage().endsWith("no free host subnet in 10.100.0.0/16"), e.getMessage());
        NetConf del = OverlayRecord.resolve(conf("ov1"), root, false);
        assertEquals("jo-ov1", del.raw().get("bridge"));
        assertFalse(del.raw().containsKey("overlaySubnet"));
    }

    @Test
    void devicesFitIfnamsizForAnyNameAndLeasesExpire() {
        String longName = "a-very-long-overlay-network-name";
        assertTrue(Names.isValidIfName(OverlayRecord.bridgeDevice(longName)));
        assertTrue(Names.isValidIfName(OverlayRecord.vxlanDevice(longName)));
        assertFalse(OverlayRecord.vxlanDevice(longName).equals(OverlayRecord.vxlanDevice(longName + "2")));
        assertTrue(record(2000).leaseValid(1999));
        assertFalse(record(2000).leaseValid(2000));
    }
}
