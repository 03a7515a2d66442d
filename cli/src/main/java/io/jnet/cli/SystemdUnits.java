package io.jnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The systemd units of an installation: {@code jnet.socket} listens on the daemon's socket (0600, in /run/jnet, a
 * 0700 directory) and starts {@code jnet.service}, which serves it through socket activation (LISTEN_FDS). A shim
 * that finds no daemon runs its call directly, so neither unit is needed for the plugins to work.
 */
final class SystemdUnits {

    static final Path DEFAULT_DIR = Path.of("/etc/systemd/system");

    private SystemdUnits() {
    }

    /** Writes both units into {@code dir} (temp file, rename; 0644) and returns their paths. */
    static List<Path> write(Path dir, Path home) throws IOException {
        Files.createDirectories(dir);
        return List.of(write(dir, "jnet.socket", socket()), write(dir, "jnet.service", service(home)));
    }

    static String socket() {
        return """
                [Unit]
                Description=jnet daemon socket (the CNI plugins' fast path)

                [Socket]
                ListenStream=/run/jnet/jnet.sock
                SocketMode=0600
                DirectoryMode=0700
                RemoveOnStop=true

                [Install]
                WantedBy=sockets.target
                """;
    }

    static String service(Path home) {
        return """
                [Unit]
                Description=jnet daemon (serves the jnet-<type> CNI plugin shims)
                Requires=jnet.socket
                After=jnet.socket

                [Service]
                ExecStart=%s/bin/jnet daemon
                KillSignal=SIGTERM
                TimeoutStopSec=90
                Restart=on-failure

                [Install]
                WantedBy=multi-user.target
                """.formatted(home);
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path target = dir.resolve(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
