package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryValueKindIntoPlainJavaValues() throws Exception {
        Object v = Json.parse("{\"s\":\"x\",\"i\":-7,\"big\":123456789012345678901234567890,\"f\":1.50,"
                + "\"e\":1e3,\"t\":true,\"n\":null,\"a\":[1,\"two\",[]],\"o\":{}}");
        Map<String, Object> m = Json.asObject(v, "doc");
        assertEquals(List.of("s", "i", "big", "f", "e", "t", "n", "a", "o"), new ArrayList<>(m.keySet()));
        assertEquals("x", m.get("s"));
        assertEquals(-7L, m.get("i"));
        assertEquals(new BigInteger("123456789012345678901234567890"), m.get("big"));
        assertEquals(new BigDecimal("1.50"), m.get("f"));
        assertEquals(new BigDecimal("1e3"), m.get("e"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(Arrays.asList(1L, "two", List.of()), m.get("a"));
        assertEquals(Map.of(), m.get("o"));
        assertInstanceOf(LinkedHashMap.class, m);
    }

    @Test
    void preservesDocumentOrderAndLastDuplicateWins() throws Exception {
        Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":2,\"m\":3,\"a\":4}".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(m.keySet()));
        assertEquals(4L, m.get("a"));
    }

    @Test
    void compactWriteRoundTripsExactly() throws Exception {
        String doc = "{\"s\":\"a\\\"b\\n\\u0001é\",\"i\":-7,\"big\":123456789012345678901234567890,\"f\":1.50,"
                + "\"t\":false,\"n\":null,\"a\":[1,\"two\",[],{}],\"o\":{\"k\":[true]}}";
        assertEquals(doc, Json.write(Json.parse(doc)));
    }

    @Test
    void writesJavaIntsAndRejectsWhatJsonCannotHold() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 3);
        m.put("d", 0.5);
        assertEquals("{\"i\":3,\"d\":0.5}", Json.write(m));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void prettyVariantIndentsAndParsesBack() throws Exception {
        Object v = Json.parse("{\"a\":[1,2],\"b\":{},\"c\":[],\"d\":{\"e\":\"f\"}}");
        String pretty = Json.writePretty(v);
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": [],\n  \"d\": {\n    \"e\": \"f\"\n  }\n}",
                pretty);
        assertEquals(v, Json.parse(pretty));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "{}{}", "{} {}", "[1] 2", "{\"a\":1}}", "null null", "1 ]"})
    void rejectsTrailingGarbage(String doc) {
        CniException e = assertThrows(CniException.class, () -> Json.parse(doc));
        assertEquals(ErrorCode.DECODING_FAILURE, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "{\"a\":}", "{'a':1}", "{a:1}", "[1,]", "{\"a\":1,}", "tru", "01",
            "{\"a\":1 // c\n}", "\"\\x\"", "NaN"})
    void malformedDocumentsAreCode6(String doc) {
        CniException e = assertThrows(CniException.class, () -> Json.parse(doc));
        assertEquals(ErrorCode.DECODING_FAILURE, e.code());
        assertTrue(e.getMessage().startsWith("error decoding JSON: "), e.getMessage());
    }

    @Test
    void invalidUtf8IsCode6() {
        byte[] doc = {'"', (byte) 0xc3, (byte) 0x28, '"'};
        assertEquals(ErrorCode.DECODING_FAILURE, assertThrows(CniException.class, () -> Json.parse(doc)).code());
    }

    @Test
    void oneMegabyteOfGarbageIsACleanDecodeError() {
        byte[] garbage = new byte[1 << 20];
        new Random(42).nextBytes(garbage);
        CniException e = assertThrows(CniException.class, () -> Json.parse(garbage));
        assertEquals(ErrorCode.DECODING_FAILURE, e.code());
        assertTrue(e.getMessage().length() < 500, "message stays short: " + e.getMessage().length());
    }

    @Test
    void deepNestingIsACleanDecodeError() {
        String doc = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals(ErrorCode.DECODING_FAILURE, assertThrows(CniException.class, () -> Json.parse(doc)).code());
    }

    @Test
    void inputBeyondTheLimitIsRefusedWithoutReadingItAll() {
        long[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return ' ';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) ' ');
                served[0] += len;
                return len;
            }
        };
        CniException e = assertThrows(CniException.class, () -> Json.readBounded(endless));
        assertEquals(ErrorCode.DECODING_FAILURE, e.code());
        assertTrue(served[0] <= Json.MAX_INPUT_BYTES + 1L);
        assertThrows(CniException.class, () -> Json.parse(new byte[Json.MAX_INPUT_BYTES + 1]));
    }

    @Test
    void readFailureIsCode5() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("boom");
            }
        };
        CniException e = assertThrows(CniException.class, () -> Json.parse(broken));
        assertEquals(ErrorCode.IO_FAILURE, e.code());
        assertTrue(e.getMessage().contains("boom"));
    }

    @Test
    void parsesFromStreams() throws Exception {
        assertEquals(Map.of("a", 1L), Json.parse(new ByteArrayInputStream("{\"a\":1}".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void parseObjectRefusesOtherTopLevelValues() {
        CniException e = assertThrows(CniException.class,
                () -> Json.parseObject("[1]".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.DECODING_FAILURE, e.code());
        assertTrue(e.getMessage().contains("expected an object, found an array"), e.getMessage());
    }

    @Test
    void typedHelpersNameTheFieldByItsPath() throws Exception {
        Map<String, Object> ipam = Json.parseObject(("{\"ranges\":{},\"subnet\":5,\"flag\":\"yes\",\"n\":1.0,"
                + "\"huge\":99999999999,\"list\":[\"a\",2],\"nul\":null}").getBytes(StandardCharsets.UTF_8));
        assertMessage("ipam.ranges must be an array, not an object", () -> Json.optArray(ipam, "ipam", "ranges"));
        assertMessage("ipam.subnet must be a string, not a number", () -> Json.optString(ipam, "ipam", "subnet", ""));
        assertMessage("ipam.flag must be a boolean, not a string", () -> Json.optBoolean(ipam, "ipam", "flag", false));
        assertMessage("ipam.n must be an integer, not a number", () -> Json.optLong(ipam, "ipam", "n", 0));
        assertMessage("ipam.huge is out of range: 99999999999", () -> Json.optInt(ipam, "ipam", "huge", 0));
        assertMessage("ipam.list[1] must be a string, not a number", () -> Json.optStringList(ipam, "ipam", "list"));
        assertMessage("ipam.missing is required", () -> Json.requireString(ipam, "ipam", "missing"));
        assertMessage("ipam.nul is required", () -> Json.requireString(ipam, "ipam", "nul"));
        assertMessage("ranges must be an object, not an array", () -> Json.asObject(List.of(), "ranges"));
    }

    @Test
    void typedHelpersReturnFallbacksForAbsentAndNull() throws Exception {
        Map<String, Object> m = Json.parseObject("{\"nul\":null,\"b\":true,\"i\":42,\"s\":\"v\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("d", Json.optString(m, "", "nul", "d"));
        assertEquals("d", Json.optString(m, "", "absent", "d"));
        assertTrue(Json.optBoolean(m, "", "b", false));
        assertEquals(42, Json.optInt(m, "", "i", 0));
        assertEquals(42L, Json.optLong(m, "", "i", 0));
        assertEquals(7, Json.optInt(m, "", "absent", 7));
        assertEquals("v", Json.requireString(m, "", "s"));
        assertTrue(Json.optObject(m, "", "nul").isEmpty());
        assertTrue(Json.optArray(m, "", "absent").isEmpty());
        assertTrue(Json.optStringList(m, "", "absent").isEmpty());
        assertEquals("a.b", Json.path("a", "b"));
        assertEquals("b", Json.path("", "b"));
    }

    private static void assertMessage(String expected, Executable call) {
        CniException e = assertThrows(CniException.class, call);
        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals(expected, e.getMessage());
    }
}
