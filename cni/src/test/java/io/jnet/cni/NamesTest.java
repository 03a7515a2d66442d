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
        assertTrue(id.getMessage().startsWith("CNI_CONTAINERID has invalid characters"), id.getMessage());
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
        assertTrue(e.getMessage().startsWith("CNI_IFNAME: "), "the spec: the message names the variable; " + e);
    }

    /** Bytes that are not UTF-8 reach Java as U+FFFD: code 4 naming CNI_IFNAME, not an I/O error later. */
    @ParameterizedTest
    @ValueSource(strings = {"eth\uFFFD", "\uFFFD", "a\uD800b"})
    void refusesUndecodableInterfaceNames(String name) {
        CniException e = assertThrows(CniException.class, () -> Names.checkIfName(name));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, e.code());
        assertEquals("CNI_IFNAME: interface name is not valid UTF-8", e.getMessage());
    }

    /** A container id that the spec's regex allows but no file name can hold is refused before any store is used. */
    @Test
    void longIdsAndNetworkNamesAreRefusedUpFront() throws Exception {
        Names.checkContainerId("a".repeat(Names.MAX_CONTAINER_ID_LENGTH));
        CniException id = assertThrows(CniException.class, () -> Names.checkContainerId("a".repeat(1000)));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, id.code());
        assertEquals("CNI_CONTAINERID is longer than 200 characters", id.getMessage());
        assertEquals("a".repeat(80) + "... (1000 characters)", id.details(), "the value is quoted, cut");
        Names.checkNetworkName("n".repeat(Names.MAX_NETWORK_NAME_LENGTH));
        CniException net = assertThrows(CniException.class, () -> Names.checkNetworkName("n".repeat(300)));
        assertEquals(ErrorCode.INVALID_CONFIG, net.code());
        assertEquals("network name is longer than 128 characters", net.getMessage());
    }

    @Test
    void cutKeepsShortValuesAndBoundsLongOnes() {
        assertEquals("abc", Names.cut("abc"));
        assertEquals("", Names.cut(null));
        assertEquals("x".repeat(80) + "... (10000000 characters)", Names.cut("x".repeat(10_000_000)));
    }

    @Test
    void emptyIdsAndNetworkNamesAreMissing() {
        assertEquals("CNI_CONTAINERID is missing",
                assertThrows(CniException.class, () -> Names.checkContainerId("")).getMessage());
        assertEquals("missing network name",
                assertThrows(CniException.class, () -> Names.checkNetworkName("")).getMessage());
        assertThrows(CniException.class, () -> Names.checkContainerId(null));
    }
}
