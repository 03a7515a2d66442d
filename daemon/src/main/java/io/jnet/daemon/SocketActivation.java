package io.jnet.daemon;

import java.util.Map;
import java.util.OptionalInt;

/**
 * systemd socket activation (sd_listen_fds(3)): when {@code LISTEN_PID} is this process and {@code LISTEN_FDS} is at
 * least 1, the listening socket is file descriptor 3.
 */
final class SocketActivation {

    static final int FIRST_FD = 3;

    private SocketActivation() {
    }

    static OptionalInt listeningFd(Map<String, String> env, long pid) {
        String fds = env.get("LISTEN_FDS");
        String listenPid = env.get("LISTEN_PID");
        if (fds == null || listenPid == null) {
            return OptionalInt.empty();
        }
        try {
            if (Long.parseLong(listenPid.strip()) != pid || Integer.parseInt(fds.strip()) < 1) {
                return OptionalInt.empty();
            }
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(FIRST_FD);
    }
}
