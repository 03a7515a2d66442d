package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTest {

    @Test
    void absentPartsAreEmptyNeverNull() {
        Result r = new Result(null, null, null, null);
        assertEquals(Result.EMPTY, r);
        assertEquals(new Interface("eth0", "", 0, "", "", ""), new Interface("eth0", null, 0, null, null, null));
        assertTrue(new Dns(null, null, null, null).isEmpty());
        CniRequest q = new CniRequest(CniCommand.GC, null, null, null, null, null, null);
        assertEquals("", q.containerId());
        assertEquals("", q.netns());
        assertEquals("", q.ifName());
        assertEquals(CniArgs.EMPTY, q.args());
        assertEquals(List.of(), q.path());
    }

    @Test
    void listsAreCopiedAndImmutable() {
        List<RouteConfig> routes = new ArrayList<>(List.of(new RouteConfig(IpPrefix.parse("0.0.0.0/0"), null)));
        Result r = new Result(List.of(), List.of(), routes, Dns.EMPTY);
        routes.clear();
        assertEquals(1, r.routes().size());
        assertThrows(UnsupportedOperationException.class, () -> r.routes().clear());
    }

    @Test
    void valuesAreValidated() {
        IpPrefix v4 = IpPrefix.parse("10.0.0.2/24");
        assertThrows(IllegalArgumentException.class, () -> new IpConfig(null, null));
        assertThrows(IllegalArgumentException.class, () -> new IpConfig(v4, null, -2));
        assertThrows(IllegalArgumentException.class, () -> new IpConfig(v4, IpPrefix.parseAddress("fd00::1")));
        assertThrows(IllegalArgumentException.class, () -> new Interface("eth0", "", -1, ""));
        assertThrows(IllegalArgumentException.class, () -> new RouteConfig(null, null));
        assertThrows(IllegalArgumentException.class, () -> new RouteConfig(v4, null, 0, 0, -1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Attachment(null, "eth0"));
        assertEquals(-1, new IpConfig(v4, null).interfaceIndex());
    }
}
