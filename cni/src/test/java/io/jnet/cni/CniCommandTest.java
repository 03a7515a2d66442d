package io.jnet.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CniCommandTest {

    @Test
    void requiredEnvironmentPerCommand() {
        assertEquals(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), CniCommand.ADD.requiredEnv());
        assertEquals(List.of("CNI_CONTAINERID", "CNI_IFNAME"), CniCommand.DEL.requiredEnv());
        assertEquals(List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), CniCommand.CHECK.requiredEnv());
        assertEquals(List.of(), CniCommand.GC.requiredEnv());
        assertEquals(List.of(), CniCommand.STATUS.requiredEnv());
        assertEquals(List.of(), CniCommand.VERSION.requiredEnv());
    }

    @ParameterizedTest
    @EnumSource(CniCommand.class)
    void noCommandRequiresCniPath(CniCommand c) {
        assertFalse(c.requiredEnv().contains("CNI_PATH"));
        assertEquals(Optional.of(c), CniCommand.parse(c.name()));
        assertEquals(c == CniCommand.ADD || c == CniCommand.DEL || c == CniCommand.CHECK, c.isAttachmentCommand());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "add", "Add", "UPDATE", " ADD"})
    void unknownCommands(String text) {
        assertTrue(CniCommand.parse(text).isEmpty());
    }
}
