package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CniVersionTest {

    @Test
    void supportedVersionsInOrder() {
        assertEquals(List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
                CniVersion.SUPPORTED.stream().map(CniVersion::text).toList());
        assertEquals(CniVersion.V1_1_0, CniVersion.LATEST);
        assertEquals("[\"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\" \"1.1.0\"]", CniVersion.supportedList());
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void parsesItsOwnText(CniVersion v) {
        assertEquals(Optional.of(v), CniVersion.parse(v.text()));
        assertEquals(v.text(), v.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0.1.0", "0.2.0", "1.0", "v1.0.0", "1.1.0 ", "1.2.0", "2.0.0"})
    void unsupportedTextIsEmpty(String text) {
        assertTrue(CniVersion.parse(text).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void commandGates(CniVersion v) {
        boolean check = v != CniVersion.V0_3_0 && v != CniVersion.V0_3_1;
        assertEquals(check, v.supportsCheck());
        assertEquals(v == CniVersion.V1_1_0, v.supportsGcAndStatus());
        assertTrue(v.atLeast(CniVersion.V0_3_0));
        assertTrue(v.atLeast(v));
    }
}
