package io.jnet.ipam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A {@code jnet-ipam} launcher script on the test classpath, for runtimes and main plugins to exec. */
final class Launcher {

    private Launcher() {
    }

    /** Writes {@code dir/jnet-ipam} and returns {@code dir}, ready to be CNI_PATH. */
    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path script = dir.resolve("jnet-ipam");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\nexec '" + java + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
                + "-Xshare:auto -Xss512k -Xmx64m -cp '" + System.getProperty("java.class.path") + "' "
                + JnetIpamMain.class.getName() + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }
}
