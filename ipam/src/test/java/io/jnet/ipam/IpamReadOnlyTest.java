package io.jnet.ipam;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** STATUS reads the store and never writes it; an ADD and the DEL of the last lease leave the store as it was. */
class IpamReadOnlyTest {

    private static final String CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"bridge\",\"ipam\":"
            + "{\"type\":\"jnet-ipam\",\"ranges\":[[{\"subnet\":\"10.233.7.0/29\"}],[{\"subnet\":\"fd00:7::/64\"}]]}}";
    private static final String NETNS = "/proc/self/ns/net";

    @TempDir
    Path tmp;
    Path root;
    PluginCalls plugin;

    @BeforeEach
    void setUp() {
        root = tmp.resolve("root");
        plugin = new PluginCalls(Map.of("JNET_ROOT", root.toString(), "CNI_NETNS_OVERRIDE", "1"));
    }

    @Test
    void statusWritesNothing() throws Exception {
        assertEquals(0, plugin.command("STATUS", CONF).exit());
        assertFalse(Files.exists(root), "STATUS of a network never used creates nothing");

        assertEquals(0, plugin.attachment("ADD", "c1", "eth0", NETNS, CONF).exit());
        assertEquals(0, plugin.command("GC", CONF.replace("}}", "},\"cni.dev/valid-attachments\":"
                + "[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]}")).exit()); // drops the index: STATUS must not rebuild it
        Map<String, String> before = snapshot(root);
        assertEquals(0, plugin.command("STATUS", CONF).exit());
        assertEquals(before, snapshot(root));

        // a full range set (.2 to .6; .1 is the gateway) is code 50, still without writing
        for (int i = 2; i <= 5; i++) {
            assertEquals(0, plugin.attachment("ADD", "c" + i, "eth0", NETNS, CONF).exit());
        }
        assertEquals(0, plugin.command("GC", CONF.replace("}}", "},\"cni.dev/valid-attachments\":["
                + "{\"containerID\":\"c1\",\"ifname\":\"eth0\"},{\"containerID\":\"c2\",\"ifname\":\"eth0\"},"
                + "{\"containerID\":\"c3\",\"ifname\":\"eth0\"},{\"containerID\":\"c4\",\"ifname\":\"eth0\"},"
                + "{\"containerID\":\"c5\",\"ifname\":\"eth0\"}]}")).exit());
        Map<String, String> full = snapshot(root);
        PluginCalls.Reply status = plugin.command("STATUS", CONF);
        assertEquals(50, status.code(), status.stdout());
        assertEquals(full, snapshot(root));
    }

    @Test
    void addAndDelOfTheLastLeaseLeaveTheStoreAsItWas() throws Exception {
        assertEquals(0, plugin.attachment("ADD", "c1", "eth0", NETNS, CONF).exit());
        assertEquals(0, plugin.attachment("DEL", "c1", "eth0", "", CONF).exit());
        assertEquals(0, plugin.command("GC", CONF).exit());
        Map<String, String> before = snapshot(root);

        assertEquals(0, plugin.attachment("ADD", "c2", "eth0", NETNS, CONF).exit());
        assertEquals(0, plugin.attachment("ADD", "c3", "eth1", NETNS, CONF).exit());
        assertEquals(0, plugin.attachment("DEL", "c2", "eth0", "", CONF).exit());
        assertEquals(0, plugin.attachment("DEL", "c3", "eth1", "", CONF).exit());
        assertEquals(before, snapshot(root));
    }

    /** Every file and directory under {@code dir} with its content (directories as "/"). */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(p -> {
                try {
                    out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/"
                            : java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return out;
    }
}
