package io.jnet.cni;

import java.util.List;
import java.util.Optional;

/** The CNI spec versions jnet speaks. Declaration order is version order. */
public enum CniVersion {
    V0_3_0("0.3.0"),
    V0_3_1("0.3.1"),
    V0_4_0("0.4.0"),
    V1_0_0("1.0.0"),
    V1_1_0("1.1.0");

    /** Every supported version, oldest first (the order of the VERSION reply). */
    public static final List<CniVersion> SUPPORTED = List.of(values());

    /** The version jnet implements and reports as its own. */
    public static final CniVersion LATEST = V1_1_0;

    private final String text;

    CniVersion(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Exact match only, as libcni's reconciler does: "1.0" or "v1.0.0" are not versions. */
    public static Optional<CniVersion> parse(String text) {
        for (CniVersion v : SUPPORTED) {
            if (v.text.equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    public boolean atLeast(CniVersion other) {
        return compareTo(other) >= 0;
    }

    public boolean supportsCheck() {
        return atLeast(V0_4_0);
    }

    public boolean supportsGcAndStatus() {
        return atLeast(V1_1_0);
    }

    /** The supported list in libcni's {@code %q} form, {@code ["0.3.0" "0.3.1" ...]}, for error details. */
    public static String supportedList() {
        StringBuilder sb = new StringBuilder("[");
        for (CniVersion v : SUPPORTED) {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append('"').append(v.text).append('"');
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
