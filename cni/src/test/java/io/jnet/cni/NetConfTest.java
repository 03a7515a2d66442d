package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetConfTest {

    static NetConf parse(String json) throws CniException {
        return NetConf.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesTheCommonFieldsAndKeepsEverythingInRaw() throws Exception {
        NetConf c = parse("""
                {"cniVersion":"1.1.0","name":"jnet","type":"jnet-bridge","bridge":"jnet0","isGateway":true,
                 "mtu":1450,"futureField":{"nested":[1,2.5,null]},
                 "ipam":{"type":"jnet-ipam","ranges":[[{"subnet":"10.88.0.0/16"}]]},
                 "runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},
                 "args":{"cni":{"ips":["10.88.0.9"]}}}""");
        assertEquals(CniVersion.V1_1_0, c.cniVersion());
        assertEquals("jnet", c.name());
        assertEquals("jnet-bridge", c.type());
        assertNull(c.prevResult());
        assertEquals(List.of("cniVersion", "name", "type", "bridge", "isGateway", "mtu", "futureField", "ipam",
                "runtimeConfig", "args"), new ArrayList<>(c.raw().keySet()));
        assertEquals("jnet0", c.raw().get("bridge"));
        assertEquals(Json.parse("{\"nested\":[1,2.5,null]}"), c.raw().get("futureField"));
        assertEquals("jnet-ipam", c.ipamRaw().get("type"));
        assertEquals(Json.parse("[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]"),
                c.runtimeConfig().get("portMappings"));
        assertEquals(Json.parse("{\"ips\":[\"10.88.0.9\"]}"), c.args().get("cni"));
        assertTrue(c.validAttachments().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> c.raw().put("x", 1));
    }

    @Test
    void unknownFieldsRoundTripByValue() throws Exception {
        String doc = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"t\",\"weird\":[1e400,-0.0,"
                + "18446744073709551616,\"\\u2028\"],\"obj\":{\"b\":1,\"a\":2}}";
        String written = Json.write(parse(doc).raw());
        assertEquals(Json.parse(doc), Json.parse(written), written);
        assertTrue(written.contains("1E+400"), "beyond double range, yet kept exactly: " + written);
    }

    @Test
    void absentOptionalsAreEmpty() throws Exception {
        NetConf c = parse("{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}");
        assertEquals("", c.type());
        assertTrue(c.runtimeConfig().isEmpty());
        assertTrue(c.args().isEmpty());
        assertTrue(c.ipamRaw().isEmpty());
        assertNull(c.prevResult());
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void prevResultRoundTripsForEveryVersion(CniVersion v) throws Exception {
        String prev = ResultCodec.encode(ResultCodecTest.FULL, v);
        NetConf c = parse("{\"cniVersion\":\"" + v.text() + "\",\"name\":\"n\",\"type\":\"t\",\"prevResult\":"
                + prev + "}");
        Result decoded = c.prevResult();
        assertEquals(ResultCodecTest.expectedAfter(ResultCodecTest.FULL, v), decoded);
        assertEquals(prev, ResultCodec.encode(decoded, v), "re-encoding gives the same document");
    }

    @Test
    void missingVersionIsIncompatibleLikeLibcni() {
        CniException e = assertThrows(CniException.class, () -> parse("{\"name\":\"n\",\"type\":\"t\"}"));
        assertEquals(ErrorCode.INCOMPATIBLE_VERSION, e.code());
        assertEquals("incompatible CNI versions", e.getMessage());
        assertEquals("config is \"0.1.0\", plugin supports [\"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\" \"1.1.0\"]",
                e.details());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1.0", "0.2.0", "1.2.0", "1.0", "v1.1.0"})
    void unsupportedVersionsAreCode1NamingTheVersion(String version) {
        CniException e = assertThrows(CniException.class,
                () -> parse("{\"cniVersion\":\"" + version + "\",\"name\":\"n\"}"));
        assertEquals(ErrorCode.INCOMPATIBLE_VERSION, e.code());
        assertTrue(e.details().startsWith("config is \"" + version + "\", plugin supports [\"0.3.0\""), e.details());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"cniVersion\":\"1.1.0\"}|missing network name",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"\"}|missing network name",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"../x\"}|invalid characters found in network name",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"a/b\"}|invalid characters found in network name",
        "{\"cniVersion\":\"1.1.0\",\"name\":7}|name must be a string, not a number",
        "{\"cniVersion\":1,\"name\":\"n\"}|cniVersion must be a string, not a number",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":[]}|type must be a string, not an array",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"runtimeConfig\":[]}|runtimeConfig must be an object, not an array",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"args\":\"x\"}|args must be an object, not a string",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"ipam\":\"host-local\"}|ipam must be an object, not a string",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"prevResult\":[]}|prevResult must be an object, not an array",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"prevResult\":{\"ips\":[{\"address\":\"x\"}]}}|prevResult.ips[0].address: invalid CIDR address: \"x\" (expected address/prefix)",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":{}}|cni.dev/valid-attachments must be an array, not an object",
        "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":[{\"containerID\":\"c\"}]}|cni.dev/valid-attachments[0].ifname is required"})
    void invalidConfigsAreCode7NamingTheField(String testCase) {
        String[] parts = testCase.split("\\|");
        CniException e = assertThrows(CniException.class, () -> parse(parts[0]));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(parts[1], e.getMessage());
    }

    @Test
    void networkNameIsCheckedBeforeTheVersion() {
        CniException e = assertThrows(CniException.class, () -> parse("{\"cniVersion\":\"9.9.9\",\"name\":\"/\"}"));
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cni.dev/valid-attachments", "cni.dev/attachments"})
    void readsGcAttachmentsUnderEitherKey(String key) throws Exception {
        NetConf c = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"" + key + "\":[{\"containerID\":\"c1\","
                + "\"ifname\":\"eth0\"},{\"containerID\":\"c2\",\"ifname\":\"net1\"}]}");
        assertEquals(List.of(new Attachment("c1", "eth0"), new Attachment("c2", "net1")), c.validAttachments());
    }

    @Test
    void libcniKeyWinsWhenBothArePresent() throws Exception {
        NetConf c = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\","
                + "\"cni.dev/attachments\":[{\"containerID\":\"old\",\"ifname\":\"eth0\"}],"
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"new\",\"ifname\":\"eth0\"}]}");
        assertEquals(List.of(new Attachment("new", "eth0")), c.validAttachments());
    }

    @Test
    void nonObjectDocumentsAreDecodingFailures() {
        assertEquals(ErrorCode.DECODING_FAILURE, assertThrows(CniException.class, () -> parse("[]")).code());
        assertEquals(ErrorCode.DECODING_FAILURE, assertThrows(CniException.class, () -> parse("{")).code());
    }

    @Test
    void ipamRawIsTheIpamObject() throws Exception {
        assertEquals(Map.of("type", "jnet-ipam"),
                parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"ipam\":{\"type\":\"jnet-ipam\"}}").ipamRaw());
        assertEquals(Map.of(), parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"ipam\":null}").ipamRaw());
    }
}
