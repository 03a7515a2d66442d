package io.jnet.cli;

import io.jnet.kernel.testing.Sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The container image of the engine tests, with no registry: busybox-static and a CGI script, as a tar. */
final class BusyboxImage {

    private static final String[] APPLETS = {"sh", "httpd", "nc", "ip", "cat", "echo", "sleep", "ping", "wget"};

    private BusyboxImage() {
    }

    /**
     * Writes {@code <dir>/image.tar}: a root file system with /bin/busybox, its applets, and
     * {@code /www/cgi-bin/peer}, which answers with the client's address ({@code httpd -h /www}).
     */
    static Path tar(Path dir) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("tmp"));
        Path cgi = Files.createDirectories(rootfs.resolve("www/cgi-bin")).resolve("peer");
        Files.writeString(cgi, "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        cgi.toFile().setExecutable(true, false);
        Path tar = dir.resolve("image.tar");
        Sandbox.run("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".").ok();
        return tar;
    }
}
