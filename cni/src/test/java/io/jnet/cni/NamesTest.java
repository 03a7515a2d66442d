package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "abc123", "a.b", "a..b", "a-b_c.d", "9f86d081884c7d659a2feaa0c55ad015"})
    void acceptsCniNames(String name) {
        assertTrue(Names.isValidName(name));
        assertDoesNotThrow(() -> Names.checkContainerId(name));
        assertDoesNotThrow(() -> Names.checkNetworkName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "..", ".", "../etc", "a/b", "/abs", "-a", "_a", ".a", "a b", "a\u0000", "ä", "a:b",
            "a\n", "a*"})
    void refusesEverythingElse(String name) {
        assertFalse(Names.isValidName(name));
        CniException id = assertThrows(CniException.class, () -> Names.checkContainerId(name));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, id.code());
        assertEquals("invalid characters in containerID", id.getMessage());
        assertEquals(name, id.details());
        CniException net = assertThrows(CniException.class, () -> Names.checkNetworkName(name));
        assertEquals(ErrorCode.INVALID_CONFIG, net.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth0", "e", "veth1234567890a", "net1.100", "a-b_c", "ü"})
    void acceptsInterfaceNames(String name) {
        assertTrue(Names.isValidIfName(name));
        assertDoesNotThrow(() -> Names.checkIfName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\u00a0b", "veth1234567890ab", "üüüüüüüü"})
    void refusesBadInterfaceNamesWithCode4(String name) {
        assertFalse(Names.isValidIfName(name));
        CniException e = assertThrows(CniException.class, () -> Names.checkIfName(name));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, e.code());
    }

    @Test
    void emptyIdsAndNetworkNamesAreMissing() {
        assertEquals("missing containerID",
                assertThrows(CniException.class, () -> Names.checkContainerId("")).getMessage());
        assertEquals("missing network name",
                assertThrows(CniException.class, () -> Names.checkNetworkName("")).getMessage());
        assertThrows(CniException.class, () -> Names.checkContainerId(null));
    }
}
