package io.jnet.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A network namespace's identity: the device and inode of its nsfs file. */
record NamespaceId(long dev, long inode) {

    static NamespaceId ofProcess(String pid) throws IOException {
        Map<String, Object> a = Files.readAttributes(Path.of("/proc/" + pid + "/ns/net"), "unix:dev,ino");
        return new NamespaceId((Long) a.get("dev"), (Long) a.get("ino"));
    }

    @Override
    public String toString() {
        return "net:[" + inode + "]";
    }
}
