package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CniArgsTest {

    @Test
    void parsesPairsInOrder() throws Exception {
        CniArgs a = CniArgs.parse("IP=10.0.0.5;K8S_POD_NAME=web;MAC=aa:bb:cc:dd:ee:ff");
        assertEquals(List.of("IP", "K8S_POD_NAME", "MAC"), new ArrayList<>(a.values().keySet()));
        assertEquals(Optional.of("10.0.0.5"), a.get("IP"));
        assertEquals(Optional.empty(), a.get("GATEWAY"));
        assertFalse(a.ignoreUnknown());
        assertEquals("IP=10.0.0.5;K8S_POD_NAME=web;MAC=aa:bb:cc:dd:ee:ff", a.raw());
    }

    @Test
    void emptyOrAbsentIsEmpty() throws Exception {
        assertSame(CniArgs.EMPTY, CniArgs.parse(""));
        assertSame(CniArgs.EMPTY, CniArgs.parse(null));
    }

    @Test
    void toleratesEmptySegmentsAndEqualsInValues() throws Exception {
        CniArgs a = CniArgs.parse(";A=1;;B=x=y;");
        assertEquals(Optional.of("1"), a.get("A"));
        assertEquals(Optional.of("x=y"), a.get("B"));
        assertEquals(Optional.of(""), CniArgs.parse("C=").get("C"));
        assertEquals(Optional.of("2"), CniArgs.parse("A=1;A=2").get("A"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOEQUALS", "A=1;B", "=1", "A=1;=2"})
    void malformedPairsAreCode4NamingCniArgs(String raw) {
        CniException e = assertThrows(CniException.class, () -> CniArgs.parse(raw));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, e.code());
        assertTrue(e.getMessage().startsWith("CNI_ARGS: invalid pair"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "TRUE", "True"})
    void ignoreUnknownOn(String value) throws Exception {
        CniArgs a = CniArgs.parse("IgnoreUnknown=" + value + ";X=1;Y=2");
        assertTrue(a.ignoreUnknown());
        assertDoesNotThrow(() -> a.requireKnown(Set.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "false", "False"})
    void ignoreUnknownOff(String value) throws Exception {
        CniArgs a = CniArgs.parse("IgnoreUnknown=" + value + ";X=1");
        assertFalse(a.ignoreUnknown());
        assertThrows(CniException.class, () -> a.requireKnown(Set.of()));
    }

    @Test
    void ignoreUnknownMustBeABoolean() {
        CniException e = assertThrows(CniException.class, () -> CniArgs.parse("IgnoreUnknown=yes"));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, e.code());
        assertTrue(e.getMessage().contains("IgnoreUnknown"));
    }

    @Test
    void unknownKeysWithoutIgnoreUnknownFailLikeLibcni() throws Exception {
        CniArgs a = CniArgs.parse("IP=10.0.0.5;X=1;K8S_POD_NAME=web;Y=");
        CniException e = assertThrows(CniException.class, () -> a.requireKnown(Set.of("IP")));
        assertEquals(ErrorCode.INVALID_ENVIRONMENT, e.code());
        assertEquals("ARGS: unknown args [\"X=1\" \"K8S_POD_NAME=web\" \"Y=\"]", e.getMessage());
        assertTrue(e.details().startsWith("CNI_ARGS: add IgnoreUnknown=1"), e.details());
    }

    /** Kubernetes' keys are no exception: kubelet, the CRI runtimes and Podman send IgnoreUnknown=1 with them. */
    @Test
    void kubernetesKeysNeedIgnoreUnknown() throws Exception {
        String k8s = "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u";
        CniArgs without = CniArgs.parse("IgnoreUnknown=0;" + k8s);
        assertThrows(CniException.class, () -> without.requireKnown(Set.of()));
        CniArgs podman = CniArgs.parse("IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.88.0.9");
        assertDoesNotThrow(() -> podman.requireKnown(Set.of("IP")));
    }
}
