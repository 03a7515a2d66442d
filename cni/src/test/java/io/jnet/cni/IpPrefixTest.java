package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpPrefixTest {

    @Test
    void parsesIpv4Cidr() {
        IpPrefix p = IpPrefix.parse("10.0.0.2/24");
        assertInstanceOf(Inet4Address.class, p.address());
        assertArrayEquals(new byte[] {10, 0, 0, 2}, p.address().getAddress());
        assertEquals(24, p.prefixLength());
        assertTrue(p.isIpv4());
        assertEquals("10.0.0.2/24", p.toString());
        assertEquals("10.0.0.0/24", p.network().toString());
    }

    @Test
    void parsesIpv6Cidr() {
        IpPrefix p = IpPrefix.parse("FD00:0:0::0:2/64");
        assertInstanceOf(Inet6Address.class, p.address());
        assertFalse(p.isIpv4());
        assertEquals("fd00::2/64", p.toString());
        assertEquals("fd00::/64", p.network().toString());
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/32, 255.255.255.255/32",
        "10.1.2.3/9, 10.0.0.0/9",
        "10.255.2.3/15, 10.254.0.0/15",
        "192.168.7.77/29, 192.168.7.72/29",
        "::/0, ::/0",
        "2001:db8:1:2:3:4:5:6/33, 2001:db8::/33",
        "2001:db8:ffff::1/47, 2001:db8:fffe::/47",
        "fe80::1/10, fe80::/10"})
    void networkMasksHostBits(String cidr, String network) {
        assertEquals(network, IpPrefix.parse(cidr).network().toString());
    }

    @ParameterizedTest
    @CsvSource({
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:DB8::1, 2001:db8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "0:0:1:0:0:0:0:0, 0:0:1::",
        "::ffff:10.1.2.3, 10.1.2.3",
        "::10.1.2.3, ::a01:203",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "fe80::a:b:c:d, fe80::a:b:c:d"})
    void formatsAddressesLikeGo(String text, String canonical) {
        InetAddress a = IpPrefix.parseAddress(text);
        assertEquals(canonical, IpPrefix.formatAddress(a));
        assertEquals(a, IpPrefix.parseAddress(canonical));
    }

    @Test
    void randomAddressesRoundTripAndAgreeWithTheJdk() throws Exception {
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[16];
            for (int i = 0; i < 16; i += 2) {
                if (random.nextInt(3) != 0) {     // many zero groups, to exercise "::"
                    b[i] = (byte) random.nextInt(256);
                    b[i + 1] = (byte) random.nextInt(256);
                }
            }
            InetAddress a = InetAddress.getByAddress(b);
            String text = IpPrefix.formatAddress(a);
            assertEquals(a, IpPrefix.parseAddress(text), text);
            assertEquals(a, IpPrefix.parseAddress(a.getHostAddress()), a.getHostAddress());
            assertFalse(text.contains(":::"), text);
            assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "example.com", "10.0.0", "10.0.0.0.1", "10.0.0.256", "010.0.0.1",
            "10.0.0.-1", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.٤", "::1%eth0", "fe80::1%1", ":::", "1:::2",
            ":1", "1:", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
            "g::", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "[::1]", "0x0a.0.0.1"})
    void rejectsNonLiterals(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpPrefix.parseAddress(text));
        assertTrue(e.getMessage().startsWith("invalid IP address"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/024", "::/129",
            "10.0.0.1/2x", "host/24", "10.0.0.1/1000", "/24"})
    void rejectsBadCidrs(String text) {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(text));
        CniException e = assertThrows(CniException.class, () -> IpPrefix.parse(text, "ipam.subnet"));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertTrue(e.getMessage().startsWith("ipam.subnet: invalid"), e.getMessage());
    }

    @Test
    void addressFieldErrorsAreCode7() {
        CniException e = assertThrows(CniException.class, () -> IpPrefix.parseAddress("nope", "ipam.gateway"));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals("ipam.gateway: invalid IP address: \"nope\"", e.getMessage());
    }

    @Test
    void constructorValidatesPrefixPerFamily() throws Exception {
        InetAddress v4 = IpPrefix.parseAddress("10.0.0.1");
        InetAddress v6 = IpPrefix.parseAddress("fd00::1");
        assertEquals(32, new IpPrefix(v4, 32).prefixLength());
        assertEquals(128, new IpPrefix(v6, 128).prefixLength());
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(v4, 33));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(v6, 129));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(v4, -1));
        assertThrows(IllegalArgumentException.class, () -> new IpPrefix(null, 0));
    }

    @Test
    void containsChecksFamilyAndPrefix() {
        IpPrefix net = IpPrefix.parse("10.88.0.0/16");
        assertTrue(net.contains(IpPrefix.parseAddress("10.88.255.254")));
        assertFalse(net.contains(IpPrefix.parseAddress("10.89.0.1")));
        assertFalse(net.contains(IpPrefix.parseAddress("::a58:1")));
        assertTrue(IpPrefix.parse("0.0.0.0/0").contains(IpPrefix.parseAddress("1.2.3.4")));
        assertTrue(IpPrefix.parse("fd00::/8").contains(IpPrefix.parseAddress("fdff::1")));
    }

    @Test
    void recordEqualityIsByValue() {
        assertEquals(IpPrefix.parse("fd00::1/64"), IpPrefix.parse("fd00:0::1/64"));
    }
}
