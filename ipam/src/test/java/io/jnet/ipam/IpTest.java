package io.jnet.ipam;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpTest {

    @Test
    void parsesAndFormatsIpv4() {
        Ip ip = Ip.parse("10.1.2.3");
        assertFalse(ip.v6());
        assertEquals(0x0a010203L, ip.lo());
        assertEquals("10.1.2.3", ip.toString());
        assertEquals("255.255.255.255", Ip.parse("255.255.255.255").toString());
    }

    @Test
    void rejectsWhatGoRejects() {
        for (String bad : new String[] {"", "10.1.2", "10.1.2.3.4", "10.01.2.3", "256.1.1.1", "1.2.3.-4", "a.b.c.d",
                "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "::1.2.3", "1.2.3.4/24", " 1.2.3.4"}) {
            assertThrows(IllegalArgumentException.class, () -> Ip.parse(bad), bad);
        }
    }

    @Test
    void parsesAndFormatsIpv6Canonically() {
        assertEquals("fd00::1", Ip.parse("FD00:0:0:0:0:0:0:1").toString());
        assertEquals("::", Ip.parse("::").toString());
        assertEquals("::1", Ip.parse("0:0:0:0:0:0:0:1").toString());
        assertEquals("2001:db8::1:0:0:1", Ip.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("2001:db8:0:1:1:1:1:1", Ip.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("64:ff9b::102:304", Ip.parse("64:ff9b::1.2.3.4").toString());
    }

    @Test
    void ipv4MappedIpv6IsIpv4() {
        Ip ip = Ip.parse("::ffff:10.0.0.1");
        assertFalse(ip.v6());
        assertEquals("10.0.0.1", ip.toString());
    }

    @Test
    void arithmeticCarriesAcross64Bits() {
        Ip ip = Ip.parse("fd00::ffff:ffff:ffff:ffff");
        assertEquals("fd00:0:0:1::", ip.next().toString());
        assertEquals(ip, ip.next().prev());
        assertEquals(1, ip.distanceTo(ip.next()));
        assertEquals(Long.MAX_VALUE, Ip.parse("fd00::").distanceTo(Ip.parse("fd00:0:0:1::")));
        assertEquals("10.0.1.0", Ip.parse("10.0.0.255").next().toString());
        assertEquals(255, Ip.parse("10.0.0.0").distanceTo(Ip.parse("10.0.0.255")));
    }

    @Test
    void masksPrefixes() {
        assertEquals("10.1.0.0", Ip.parse("10.1.2.3").mask(16).toString());
        assertEquals("10.1.255.255", Ip.parse("10.1.2.3").last(16).toString());
        assertEquals("0.0.0.0", Ip.parse("10.1.2.3").mask(0).toString());
        assertEquals("10.1.2.3", Ip.parse("10.1.2.3").mask(32).toString());
        assertEquals("fd00:1::", Ip.parse("fd00:1::5").mask(64).toString());
        assertEquals("fd00:1::ffff:ffff:ffff:ffff", Ip.parse("fd00:1::5").last(64).toString());
        assertEquals("fd00:1::4", Ip.parse("fd00:1::5").mask(126).toString());
        assertEquals("fd00:0:ffff:ffff:ffff:ffff:ffff:ffff", Ip.parse("fd00::").last(32).toString());
        assertEquals("fd00::5", Ip.parse("fd00::5").last(128).toString());
    }

    @Test
    void ordersUnsigned() {
        assertTrue(Ip.parse("200.0.0.1").compareTo(Ip.parse("10.0.0.1")) > 0);
        assertTrue(Ip.parse("ff00::").compareTo(Ip.parse("fd00::")) > 0);
        assertTrue(Ip.parse("::8000:0:0:0").compareTo(Ip.parse("::7fff:0:0:0")) > 0);
    }

    @Test
    void roundTripsThroughInetAddress() {
        for (String text : new String[] {"10.0.0.1", "fd00::1", "2001:db8::ff00:42:8329"}) {
            assertEquals(text, Ip.of(Ip.parse(text).toInet()).toString());
        }
    }
}
