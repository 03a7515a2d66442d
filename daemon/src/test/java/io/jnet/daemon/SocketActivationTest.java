package io.jnet.daemon;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SocketActivationTest {

    @Test
    void fdThreeOnlyWhenTheFdsAreForThisProcess() {
        assertEquals(OptionalInt.of(3), SocketActivation.listeningFd(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "42"), 42));
        assertEquals(OptionalInt.empty(), SocketActivation.listeningFd(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "41"), 42));
        assertEquals(OptionalInt.empty(), SocketActivation.listeningFd(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "42"), 42));
        assertEquals(OptionalInt.empty(), SocketActivation.listeningFd(Map.of("LISTEN_FDS", "x", "LISTEN_PID", "42"), 42));
        assertEquals(OptionalInt.empty(), SocketActivation.listeningFd(Map.of(), 42));
    }
}
