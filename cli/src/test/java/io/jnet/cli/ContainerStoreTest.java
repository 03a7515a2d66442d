package io.jnet.cli;

import io.jnet.container.AmbiguousIdException;

import org.junit.jupiter.api.Test;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContainerStoreTest {

    @TempDir
    Path tmp;

    private static ContainerRecord record(String name, String id) {
        return new ContainerRecord(name, id, NetworkMode.NONE, "none", "/run/jnet/netns/" + name,
                Instant.parse("2026-01-02T03:04:05Z"), "lo", "", List.of(), List.of(), "", "", Map.of());
    }

    private static String id(char first) {
        return first + "0".repeat(63);
    }

    @Test
    void readingNeverCreatesTheStore() throws IOException {
        ContainerStore store = ContainerStore.at(tmp.resolve("root"));
        assertEquals(List.of(), store.list());
        assertEquals(Optional.empty(), store.find("a"));
        assertFalse(Files.exists(tmp.resolve("root")), "a reader (the plugin, jnet ls) leaves no trace");
    }

    @Test
    void writesPrivateFilesAndReadsThemBack() throws IOException {
        ContainerStore store = ContainerStore.at(tmp.resolve("root"));
        ContainerRecord full = new ContainerRecord("web", ContainerStore.newId(), NetworkMode.CONTAINER,
                "container:db", "/run/jnet/netns/db", Instant.parse("2026-01-02T03:04:05.123Z"), "eth0", "db",
                List.of(), List.of(PublishSpec.parse("8080:80")), "", "",
                Map.of("cniVersion", "1.1.0", "interfaces", List.of(Map.of("name", "lo"))));
        store.put(full);
        assertEquals(Optional.of(full), store.find("web"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("root"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dir())));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.dir().resolve("web.json"))));
        ContainerRecord replaced = full.withMembers(List.of("x"));
        store.put(replaced);
        assertEquals(List.of(replaced), store.list());
        try (var files = Files.list(store.dir())) {
            assertEquals(List.of("web.json"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
        assertTrue(store.remove("web"));
        assertFalse(store.remove("web"));
        assertEquals(List.of(), store.list());
    }

    @Test
    void twoThreadsOfOneJvmTakeTheLockInTurn() throws Exception {
        ContainerStore store = ContainerStore.at(tmp);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<String> second;
            try (ContainerStore.Lock first = store.lock()) {
                second = other.submit(() -> {
                    try (ContainerStore.Lock lock = store.lock()) {
                        return "locked";
                    }
                });
                Thread.sleep(300);
                assertFalse(second.isDone(), "the second thread got the lock while the first held it: "
                        + (second.isDone() ? second.get() : ""));
            }
            assertEquals("locked", second.get(10, TimeUnit.SECONDS));
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void namedIsOnlyANameNeverAnIdPrefix() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.put(record("x1", "c1" + "0".repeat(62)));
        store.put(record("x2", "c2" + "0".repeat(62)));
        assertThrows(AmbiguousIdException.class, () -> store.find("c"));
        assertEquals(Optional.empty(), store.named("c"));
        store.put(record("c", "d" + "0".repeat(63)));
        assertEquals("c", store.named("c").orElseThrow().name());
        assertEquals("c", store.find("c").orElseThrow().name(), "an exact name wins over an id prefix");
    }

    @Test
    void findsByNameIdAndUniqueIdPrefix() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.put(record("alpha", "ab" + "1".repeat(62)));
        store.put(record("beta", "ab" + "2".repeat(62)));
        store.put(record("cafe", "cd" + "3".repeat(62)));
        assertEquals("alpha", store.find("alpha").orElseThrow().name());
        assertEquals("beta", store.find("ab" + "2".repeat(62)).orElseThrow().name());
        assertEquals("beta", store.find("ab2").orElseThrow().name());
        assertEquals("cafe", store.find("cd").orElseThrow().name());
        assertEquals("cafe", store.find("cafe").orElseThrow().name(), "a name wins over an id prefix");
        AmbiguousIdException ambiguous = assertThrows(AmbiguousIdException.class, () -> store.find("ab"));
        assertEquals(List.of("alpha", "beta"), ambiguous.names());
        assertEquals(Optional.empty(), store.find("ef"));
        assertEquals(Optional.empty(), store.find("../alpha"));
        assertEquals(Optional.empty(), store.find(""));
    }

    @Test
    void listsByNameAndFindsMembers() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.put(record("b", id('b')));
        store.put(record("a", id('a')));
        store.put(new ContainerRecord("m", id('c'), NetworkMode.CONTAINER, "container:a", "/run/jnet/netns/a",
                Instant.EPOCH, "eth0", "a", List.of(), List.of(), "", "", Map.of()));
        assertEquals(List.of("a", "b", "m"), store.list().stream().map(ContainerRecord::name).toList());
        assertEquals(List.of("m"), store.membersOf("a").stream().map(ContainerRecord::name).toList());
        assertEquals(List.of(), store.membersOf("b"));
    }

    @Test
    void leftoversOfAKilledWriterAreIgnoredAndCollected() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.put(record("a", id('a')));
        Path torn = store.dir().resolve(".a.json.1234abcd");
        Files.writeString(torn, "{\"name\":\"a\",\"id");
        assertEquals(List.of("a"), store.list().stream().map(ContainerRecord::name).toList());
        assertEquals(List.of(torn), store.removeLeftovers());
        assertFalse(Files.exists(torn));
        assertTrue(Files.exists(store.dir().resolve("a.json")));
    }

    @Test
    void aCorruptRecordIsAnErrorNamingTheFile() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.put(record("a", id('a')));
        Files.writeString(store.dir().resolve("a.json"), "{\"name\":\"a\"}");
        IOException e = assertThrows(IOException.class, () -> store.find("a"));
        assertTrue(e.getMessage().contains("a.json") && e.getMessage().contains("is required"), e.getMessage());
    }

    @Test
    void namesAreCheckedBeforeTheyBecomePaths() {
        for (String bad : new String[] {"", "../x", "a/b", ".hidden", "-x", "a b", "x".repeat(129)}) {
            assertThrows(IllegalArgumentException.class, () -> ContainerStore.checkName(bad), bad);
        }
        ContainerStore.checkName("web-1.prod_x");
        ContainerStore.checkName("x".repeat(128));
        assertThrows(IllegalArgumentException.class, () -> record("a", "ABC"));
        assertThrows(IllegalArgumentException.class, () -> new ContainerRecord("m", id('a'), NetworkMode.CONTAINER,
                "container:x", "/x", Instant.EPOCH, "eth0", "", List.of(), List.of(), "", "", Map.of()),
                "a member needs its leader");
    }

    @Test
    void idsAreRandomAnd64HexDigits() {
        String a = ContainerStore.newId();
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertFalse(a.equals(ContainerStore.newId()));
    }

    @Test
    void theLockCanBeTakenAgainOnceReleased() throws IOException {
        ContainerStore store = ContainerStore.at(tmp);
        store.lock().close();
        ContainerStore.Lock held = store.lock();
        assertTrue(Files.exists(store.dir().resolve(".lock")));
        held.close();
    }
}
