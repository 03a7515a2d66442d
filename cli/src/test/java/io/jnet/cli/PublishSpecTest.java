package io.jnet.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortMappingTest {

    @Test
    void parsesEveryFormOfTheFlag() {
        assertEquals(new PublishSpec("", 8080, 8080, 80, 80, "tcp"), PublishSpec.parse("8080:80"));
        assertEquals(new PublishSpec("", 53, 53, 53, 53, "udp"), PublishSpec.parse("53:53/udp"));
        assertEquals(new PublishSpec("127.0.0.1", 8080, 8080, 80, 80, "tcp"), PublishSpec.parse("127.0.0.1:8080:80"));
        assertEquals(new PublishSpec("::1", 8080, 8080, 80, 80, "tcp"), PublishSpec.parse("[::1]:8080:80/tcp"));
        assertEquals(new PublishSpec("", 8000, 8010, 80, 80, "tcp"), PublishSpec.parse("8000-8010:80"));
        assertEquals(new PublishSpec("", 8000, 8010, 9000, 9010, "udp"), PublishSpec.parse("8000-8010:9000-9010/udp"));
    }

    @Test
    void toStringIsTheFlagAndParsesBack() {
        for (String spec : new String[] {"8080:80/tcp", "127.0.0.1:8080:80/udp", "[fd00::1]:1-2:3-4/tcp",
                "8000-8010:80/tcp"}) {
            assertEquals(spec, PublishSpec.parse(spec).toString());
        }
        assertEquals("[::1]:8080:80/tcp", PublishSpec.parse("[0:0::1]:8080:80").toString(), "canonical address");
    }

    @Test
    void rejectsWhatDockerRejectsWithTheReason() {
        assertReason("80", "a host port is required");
        assertReason(":80", "a host port is required");
        assertReason("8080:", "a container port is required");
        assertReason("0:80", "out of range");
        assertReason("65536:80", "out of range");
        assertReason("http:80", "not a number");
        assertReason("8080:80/sctp", "tcp or udp");
        assertReason("90-80:80", "ends before it starts");
        assertReason("8000-8010:80-81", "different lengths");
        assertReason("::1:8080:80", "in brackets");
        assertReason("[10.0.0.1]:8080:80", "only IPv6");
        assertReason("300.0.0.1:8080:80", "invalid IP address");
    }

    private static void assertReason(String spec, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PublishSpec.parse(spec), spec);
        assertTrue(e.getMessage().contains(reason) && e.getMessage().contains("\"" + spec + "\""), e.getMessage());
    }

    @Test
    void theCniCapabilityHasOneEntryPerHostPort() {
        assertEquals(List.of(Map.of("hostPort", 8080L, "containerPort", 80L, "protocol", "tcp", "hostIP", "127.0.0.1")),
                PublishSpec.parse("127.0.0.1:8080:80").toCni());
        List<Map<String, Object>> range = PublishSpec.parse("8000-8002:9000-9002/udp").toCni();
        assertEquals(3, range.size());
        assertEquals(9002L, range.get(2).get("containerPort"));
        assertEquals(80L, PublishSpec.parse("8000-8002:80").toCni().get(2).get("containerPort"));
    }

    @Test
    void bothSidesReadAsDockerPortPrintsThem() {
        PublishSpec p = PublishSpec.parse("8080:80");
        assertEquals("80/tcp", p.containerSide());
        assertEquals("0.0.0.0:8080", p.hostSide());
        assertEquals("[::1]:8000-8001", PublishSpec.parse("[::1]:8000-8001:80/udp").hostSide());
    }
}
