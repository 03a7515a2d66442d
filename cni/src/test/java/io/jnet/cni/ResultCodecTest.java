package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResultCodecTest {

    /** A result that uses every field, including the 1.1-only ones. */
    static final Result FULL = new Result(
            List.of(new Interface("jnet0", "02:42:ac:11:00:01", 1500, "", "", ""),
                    new Interface("veth1a2b3c", "6a:00:00:00:00:02", 1500, ""),
                    new Interface("eth0", "02:42:ac:11:00:02", 1500, "/var/run/netns/blue", "/run/vhost.sock",
                            "0000:00:1f.6")),
            List.of(new IpConfig(IpPrefix.parse("10.88.0.2/16"), IpPrefix.parseAddress("10.88.0.1"), 2),
                    new IpConfig(IpPrefix.parse("fd00:88::2/64"), IpPrefix.parseAddress("fd00:88::1"), 2)),
            List.of(new RouteConfig(IpPrefix.parse("0.0.0.0/0"), IpPrefix.parseAddress("10.88.0.1"), 1400, 1360, 100, 10,
                            0),
                    new RouteConfig(IpPrefix.parse("::/0"), null, 0, 0, 0, 0, 253)),
            new Dns(List.of("10.88.0.1"), "example.org", List.of("example.org", "corp"), List.of("ndots:2")));

    private static void assertEncodes(String expectedJson, Result result, CniVersion version) throws Exception {
        String actual = ResultCodec.encode(result, version);
        Object expected = Json.parse(expectedJson);
        assertEquals(expected, Json.parse(actual));
        assertEquals(Json.write(expected), actual, "same keys in the same order");
    }

    @Test
    void v110KeepsEverything() throws Exception {
        assertEncodes("""
                {"cniVersion":"1.1.0",
                 "interfaces":[{"name":"jnet0","mac":"02:42:ac:11:00:01","mtu":1500},
                               {"name":"veth1a2b3c","mac":"6a:00:00:00:00:02","mtu":1500},
                               {"name":"eth0","mac":"02:42:ac:11:00:02","mtu":1500,"sandbox":"/var/run/netns/blue",
                                "socketPath":"/run/vhost.sock","pciID":"0000:00:1f.6"}],
                 "ips":[{"interface":2,"address":"10.88.0.2/16","gateway":"10.88.0.1"},
                        {"interface":2,"address":"fd00:88::2/64","gateway":"fd00:88::1"}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.88.0.1","mtu":1400,"advmss":1360,"priority":100,"table":10},
                           {"dst":"::/0","scope":253}],
                 "dns":{"nameservers":["10.88.0.1"],"domain":"example.org","search":["example.org","corp"],
                        "options":["ndots:2"]}}""", FULL, CniVersion.V1_1_0);
    }

    @Test
    void v100DropsThe11Fields() throws Exception {
        assertEncodes("""
                {"cniVersion":"1.0.0",
                 "interfaces":[{"name":"jnet0","mac":"02:42:ac:11:00:01"},
                               {"name":"veth1a2b3c","mac":"6a:00:00:00:00:02"},
                               {"name":"eth0","mac":"02:42:ac:11:00:02","sandbox":"/var/run/netns/blue"}],
                 "ips":[{"interface":2,"address":"10.88.0.2/16","gateway":"10.88.0.1"},
                        {"interface":2,"address":"fd00:88::2/64","gateway":"fd00:88::1"}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.88.0.1"},{"dst":"::/0"}],
                 "dns":{"nameservers":["10.88.0.1"],"domain":"example.org","search":["example.org","corp"],
                        "options":["ndots:2"]}}""", FULL, CniVersion.V1_0_0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0"})
    void v0xAddsIpVersion(String text) throws Exception {
        CniVersion v = CniVersion.parse(text).orElseThrow();
        assertEncodes("""
                {"cniVersion":"%s",
                 "interfaces":[{"name":"jnet0","mac":"02:42:ac:11:00:01"},
                               {"name":"veth1a2b3c","mac":"6a:00:00:00:00:02"},
                               {"name":"eth0","mac":"02:42:ac:11:00:02","sandbox":"/var/run/netns/blue"}],
                 "ips":[{"version":"4","interface":2,"address":"10.88.0.2/16","gateway":"10.88.0.1"},
                        {"version":"6","interface":2,"address":"fd00:88::2/64","gateway":"fd00:88::1"}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.88.0.1"},{"dst":"::/0"}],
                 "dns":{"nameservers":["10.88.0.1"],"domain":"example.org","search":["example.org","corp"],
                        "options":["ndots:2"]}}""".formatted(text), FULL, v);
    }

    @Test
    void keysAreWrittenInGoStructOrder() {
        assertEquals("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"interface\":0,"
                        + "\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\"}],\"dns\":{}}",
                ResultCodec.encode(new Result(List.of(), List.of(new IpConfig(IpPrefix.parse("10.0.0.2/24"),
                        IpPrefix.parseAddress("10.0.0.1"), 0)), List.of(), Dns.EMPTY), CniVersion.V0_4_0));
    }

    /** An IPAM-style result: no interfaces, no interface index, no gateway, no DNS. */
    static final Result MINIMAL = new Result(List.of(),
            List.of(new IpConfig(IpPrefix.parse("10.1.0.5/16"), null)), List.of(), Dns.EMPTY);

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void emptyFieldsAreOmittedLikeGoOmitempty(CniVersion v) throws Exception {
        Map<String, Object> json = ResultCodec.toJson(MINIMAL, v);
        String ip = v.atLeast(CniVersion.V1_0_0)
                ? "{\"address\":\"10.1.0.5/16\"}"
                : "{\"version\":\"4\",\"address\":\"10.1.0.5/16\"}";
        // Go's 0.4.0 type writes an empty DNS struct as {}; the 1.0.0 type omits it
        String dns = v.atLeast(CniVersion.V1_0_0) ? "" : ",\"dns\":{}";
        assertEquals("{\"cniVersion\":\"" + v.text() + "\",\"ips\":[" + ip + "]" + dns + "}", Json.write(json));
        assertEquals("{\"cniVersion\":\"" + v.text() + "\"" + dns + "}", ResultCodec.encode(Result.EMPTY, v));
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void interfaceNameIsAlwaysWrittenAndZeroIndexIsKept(CniVersion v) throws Exception {
        Result r = new Result(List.of(new Interface("", "", 0, "")),
                List.of(new IpConfig(IpPrefix.parse("fd00::5/64"), null, 0)), List.of(), Dns.EMPTY);
        Map<String, Object> json = ResultCodec.toJson(r, v);
        assertEquals(List.of(Map.of("name", "")), json.get("interfaces"));
        Map<String, Object> ip = Json.asObject(Json.asArray(json.get("ips"), "ips").get(0), "ips[0]");
        assertEquals(0, ip.get("interface"));
        assertEquals(v.atLeast(CniVersion.V1_0_0) ? null : "6", ip.get("version"));
    }

    /** What survives a trip through a version: everything in 1.1, the pre-1.1 subset otherwise. */
    static Result expectedAfter(Result r, CniVersion v) {
        if (v.atLeast(CniVersion.V1_1_0)) {
            return r;
        }
        return new Result(
                r.interfaces().stream().map(i -> new Interface(i.name(), i.mac(), 0, i.sandbox())).toList(),
                r.ips(),
                r.routes().stream().map(x -> new RouteConfig(x.dst(), x.gw())).toList(),
                r.dns());
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void roundTripsThroughEveryVersion(CniVersion v) throws Exception {
        for (Result r : List.of(FULL, MINIMAL, Result.EMPTY)) {
            Map<String, Object> json = Json.parseObject(ResultCodec.encode(r, v).getBytes());
            assertEquals(expectedAfter(r, v), ResultCodec.decode(json, "prevResult"), v.text());
        }
    }

    @Test
    void decodesReferencePluginOutput() throws Exception {
        // the shape the reference bridge plugin prints for a 0.4.0 config
        Result r = ResultCodec.decode(Json.parseObject("""
                {"cniVersion":"0.4.0","interfaces":[{"name":"cni0","mac":"a2:5e:4c:6d:f4:7b"},
                 {"name":"veth5a6b1ee3","mac":"de:ad:be:ef:00:01"},
                 {"name":"eth0","mac":"1a:2b:3c:4d:5e:6f","sandbox":"/var/run/netns/test"}],
                 "ips":[{"version":"4","interface":2,"address":"10.22.0.2/16","gateway":"10.22.0.1"}],
                 "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""".getBytes()), "prevResult");
        assertEquals(3, r.interfaces().size());
        assertEquals("/var/run/netns/test", r.interfaces().get(2).sandbox());
        assertEquals(IpPrefix.parse("10.22.0.2/16"), r.ips().get(0).address());
        assertEquals(2, r.ips().get(0).interfaceIndex());
        assertEquals(IpPrefix.parseAddress("10.22.0.1"), r.ips().get(0).gateway());
        assertNull(r.routes().get(0).gw());
        assertTrue(r.dns().isEmpty());
    }

    @Test
    void decodeIgnoresUnknownFields() throws Exception {
        Result r = ResultCodec.decode(Json.parseObject(
                "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.2/24\",\"extra\":1}],\"x\":[]}"
                        .getBytes()), "prevResult");
        assertEquals(1, r.ips().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"interfaces\":{}}|prevResult.interfaces must be an array, not an object",
        "{\"interfaces\":[1]}|prevResult.interfaces[0] must be an object, not a number",
        "{\"interfaces\":[{\"name\":3}]}|prevResult.interfaces[0].name must be a string, not a number",
        "{\"interfaces\":[{\"name\":\"a\",\"mtu\":-1}]}|prevResult.interfaces[0].mtu must not be negative",
        "{\"ips\":[{}]}|prevResult.ips[0].address is required",
        "{\"ips\":[{\"address\":\"10.0.0.2\"}]}|prevResult.ips[0].address: invalid CIDR address: \"10.0.0.2\" (expected address/prefix)",
        "{\"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"gw\"}]}|prevResult.ips[0].gateway: invalid IP address: \"gw\"",
        "{\"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"fd00::1\"}]}|prevResult.ips[0].gateway is not in the address family of 10.0.0.2/24",
        "{\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":-1}]}|prevResult.ips[0].interface must not be negative",
        "{\"interfaces\":[{\"name\":\"a\"}],\"ips\":[{\"address\":\"10.0.0.2/24\",\"interface\":1}]}|prevResult.ips[0].interface 1 is not an index into interfaces (1 entries)",
        "{\"routes\":[{\"gw\":\"10.0.0.1\"}]}|prevResult.routes[0].dst is required",
        "{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"table\":\"main\"}]}|prevResult.routes[0].table must be an integer, not a string",
        "{\"dns\":{\"nameservers\":\"8.8.8.8\"}}|prevResult.dns.nameservers must be an array, not a string"})
    void malformedResultsAreCode7NamingTheField(String testCase) throws Exception {
        String[] parts = testCase.split("\\|");
        CniException e = assertThrows(CniException.class,
                () -> ResultCodec.decode(Json.parseObject(parts[0].getBytes()), "prevResult"));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(parts[1], e.getMessage());
    }
}
