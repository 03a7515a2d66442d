package io.jnet.cni;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as plain Java values, on jackson-core's streaming API (no data binding: it would load hundreds of classes
 * on every plugin call). A document becomes {@code Map<String,Object>} (a LinkedHashMap, in document order),
 * {@code List<Object>}, {@code String}, {@code Long} (or {@code BigInteger} beyond 64 bits), {@code BigDecimal}
 * for any number with a fraction or exponent (exact, so unknown fields round-trip), {@code Boolean}, or Java
 * {@code null}.
 *
 * <p>Decoding failures are code 6; the typed field helpers fail with code 7 and name the field by its dotted
 * path, e.g. {@code "ipam.ranges must be an array"}. The helpers treat a JSON null like an absent field, as Go's
 * encoding/json does.
 */
public final class Json {

    /**
     * The largest document accepted; more is a clean decoding error instead of an exhausted heap. A plugin runs with a
     * 64 MB heap, and one string value of this size costs about six times its size while it is decoded; a GC's list
     * of 10,000 attachments is about 1 MB.
     */
    public static final int MAX_INPUT_BYTES = 4 << 20;

    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    /** Reads at most {@link #MAX_INPUT_BYTES}; more is code 6, a read failure is code 5. */
    public static byte[] readBounded(InputStream in) throws CniException {
        byte[] data;
        try {
            data = in.readNBytes(MAX_INPUT_BYTES + 1);
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "error reading input: " + e.getMessage(), "", e);
        }
        if (data.length > MAX_INPUT_BYTES) {
            throw new CniException(ErrorCode.DECODING_FAILURE,
                    "input exceeds " + MAX_INPUT_BYTES + " bytes", "");
        }
        return data;
    }

    public static Object parse(InputStream in) throws CniException {
        return parse(readBounded(in));
    }

    public static Object parse(String text) throws CniException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses exactly one JSON value; anything but whitespace after it is an error (code 6). */
    public static Object parse(byte[] data) throws CniException {
        if (data.length > MAX_INPUT_BYTES) {
            throw new CniException(ErrorCode.DECODING_FAILURE, "input exceeds " + MAX_INPUT_BYTES + " bytes");
        }
        try (JsonParser p = FACTORY.createParser(data)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new CniException(ErrorCode.DECODING_FAILURE, "error decoding JSON: empty input");
            }
            Object value = readValue(p, first);
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw new CniException(ErrorCode.DECODING_FAILURE, "error decoding JSON: unexpected data after the "
                        + "document" + at(p.currentTokenLocation()));
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new CniException(ErrorCode.DECODING_FAILURE,
                    "error decoding JSON: " + e.getOriginalMessage() + at(e.getLocation()), "", e);
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "error reading JSON: " + e.getMessage(), "", e);
        }
    }

    /** Parses a document that must be an object (code 6 otherwise). */
    public static Map<String, Object> parseObject(byte[] data) throws CniException {
        Object value = parse(data);
        if (!(value instanceof Map)) {
            throw new CniException(ErrorCode.DECODING_FAILURE,
                    "error decoding JSON: expected an object, found " + typeName(value));
        }
        return cast(value);
    }

    // a switch on token ids rather than on the JsonToken enum: no synthetic switch-map class to load
    private static Object readValue(JsonParser p, JsonToken token) throws IOException {
        return switch (token.id()) {
            case JsonTokenId.ID_START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                    map.put(key, readValue(p, p.nextToken()));
                }
                yield map;
            }
            case JsonTokenId.ID_START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(readValue(p, t));
                }
                yield list;
            }
            case JsonTokenId.ID_STRING -> p.getText();
            case JsonTokenId.ID_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case JsonTokenId.ID_NUMBER_FLOAT -> p.getDecimalValue();
            case JsonTokenId.ID_TRUE -> Boolean.TRUE;
            case JsonTokenId.ID_FALSE -> Boolean.FALSE;
            case JsonTokenId.ID_NULL -> null;
            default -> throw new IllegalStateException("unexpected JSON token " + token);
        };
    }

    private static String at(JsonLocation loc) {
        return loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    /** Compact JSON, the form written on stdout. */
    public static String write(Object value) {
        return new String(writeBytes(value), StandardCharsets.UTF_8);
    }

    /** Compact JSON as UTF-8 bytes. */
    public static byte[] writeBytes(Object value) {
        return generate(value, false);
    }

    /** Indented JSON for people ({@code "key": value}, two spaces, empty containers as {} and []). */
    public static String writePretty(Object value) {
        return new String(generate(value, true), StandardCharsets.UTF_8);
    }

    private static byte[] generate(Object value, boolean pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) {
                DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
                g.setPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                        .withObjectIndenter(indenter)
                        .withArrayIndenter(indenter));
            }
            writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            g.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigInteger n) {
            g.writeNumber(n);
        } else if (value instanceof BigDecimal n) {
            g.writeNumber(n);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("JSON has no representation for " + d);
            }
            g.writeNumber(d);
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    // ---- typed field access -----------------------------------------------------------------------------------

    /** The dotted path of a field for messages: {@code path("ipam", "ranges") = "ipam.ranges"}. */
    public static String path(String where, String key) {
        return where == null || where.isEmpty() ? key : where + "." + key;
    }

    public static Map<String, Object> asObject(Object value, String path) throws CniException {
        if (value instanceof Map) {
            return cast(value);
        }
        throw typeError(path, "an object", value);
    }

    public static List<Object> asArray(Object value, String path) throws CniException {
        if (value instanceof List) {
            return cast(value);
        }
        throw typeError(path, "an array", value);
    }

    public static String asString(Object value, String path) throws CniException {
        if (value instanceof String s) {
            return s;
        }
        throw typeError(path, "a string", value);
    }

    public static boolean asBoolean(Object value, String path) throws CniException {
        if (value instanceof Boolean b) {
            return b;
        }
        throw typeError(path, "a boolean", value);
    }

    /** An integral JSON number that fits in a long ({@code 1.0} is not one, as in Go). */
    public static long asLong(Object value, String path) throws CniException {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Integer i) {
            return i;
        }
        if (value instanceof BigInteger) {
            throw new CniException(ErrorCode.INVALID_CONFIG, path + " is out of range: " + value);
        }
        throw typeError(path, "an integer", value);
    }

    public static int asInt(Object value, String path) throws CniException {
        long v = asLong(value, path);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CniException(ErrorCode.INVALID_CONFIG, path + " is out of range: " + v);
        }
        return (int) v;
    }

    /** The field, or code 7 {@code "<path> is required"} when it is absent, null or "". */
    public static String requireString(Map<String, Object> obj, String where, String key) throws CniException {
        String s = optString(obj, where, key, "");
        if (s.isEmpty()) {
            throw new CniException(ErrorCode.INVALID_CONFIG, path(where, key) + " is required");
        }
        return s;
    }

    public static String optString(Map<String, Object> obj, String where, String key, String fallback)
            throws CniException {
        Object v = obj.get(key);
        return v == null ? fallback : asString(v, path(where, key));
    }

    public static boolean optBoolean(Map<String, Object> obj, String where, String key, boolean fallback)
            throws CniException {
        Object v = obj.get(key);
        return v == null ? fallback : asBoolean(v, path(where, key));
    }

    public static long optLong(Map<String, Object> obj, String where, String key, long fallback)
            throws CniException {
        Object v = obj.get(key);
        return v == null ? fallback : asLong(v, path(where, key));
    }

    public static int optInt(Map<String, Object> obj, String where, String key, int fallback)
            throws CniException {
        Object v = obj.get(key);
        return v == null ? fallback : asInt(v, path(where, key));
    }

    /** The object, or an empty map when absent. */
    public static Map<String, Object> optObject(Map<String, Object> obj, String where, String key)
            throws CniException {
        Object v = obj.get(key);
        return v == null ? Map.of() : asObject(v, path(where, key));
    }

    /** The array, or an empty list when absent. */
    public static List<Object> optArray(Map<String, Object> obj, String where, String key) throws CniException {
        Object v = obj.get(key);
        return v == null ? List.of() : asArray(v, path(where, key));
    }

    /** An array of strings, or an empty list when absent; elements are named {@code path[i]} in errors. */
    public static List<String> optStringList(Map<String, Object> obj, String where, String key)
            throws CniException {
        List<Object> raw = optArray(obj, where, key);
        List<String> out = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            out.add(asString(raw.get(i), path(where, key) + "[" + i + "]"));
        }
        return out;
    }

    private static CniException typeError(String path, String expected, Object actual) {
        return new CniException(ErrorCode.INVALID_CONFIG, path + " must be " + expected + ", not "
                + typeName(actual));
    }

    private static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
        return (T) value;
    }
}
