package io.jnet.daemon.docker;

import java.util.List;
import java.util.Map;

/** A request body's fields, read as libnetwork sends them: a field of the wrong type is a 400 naming it. */
record Body(String call, Map<String, Object> fields) {

    Body {
        fields = fields == null ? Map.of() : fields;
    }

    /** A string field; absent or null is "". */
    String string(String key) throws DockerException {
        Object v = fields.get(key);
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s)) {
            throw wrong(key, "a string");
        }
        return s;
    }

    /** A string field that must be there. */
    String required(String key) throws DockerException {
        String s = string(key);
        if (s.isEmpty()) {
            throw DockerException.badRequest(call + ": " + key + " is missing");
        }
        return s;
    }

    boolean bool(String key) throws DockerException {
        Object v = fields.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw wrong(key, "true or false");
        }
        return b;
    }

    long number(String key) throws DockerException {
        Object v = fields.get(key);
        if (v == null) {
            return 0;
        }
        if (!(v instanceof Number n)) {
            throw wrong(key, "a number");
        }
        return n.longValue();
    }

    /** An object field as a body of its own; absent or null is empty. */
    Body object(String key) throws DockerException {
        Object v = fields.get(key);
        if (v == null) {
            return new Body(call, Map.of());
        }
        if (!(v instanceof Map<?, ?>)) {
            throw wrong(key, "an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new Body(call + "." + key, m);
    }

    /** An array field of objects; absent or null is empty. */
    List<Body> objects(String key) throws DockerException {
        Object v = fields.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw wrong(key, "an array");
        }
        java.util.ArrayList<Body> out = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?>)) {
                throw wrong(key + "[" + i + "]", "an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) list.get(i);
            out.add(new Body(call + "." + key + "[" + i + "]", m));
        }
        return out;
    }

    private DockerException wrong(String key, String expected) {
        return DockerException.badRequest(call + ": " + key + " must be " + expected);
    }
}
