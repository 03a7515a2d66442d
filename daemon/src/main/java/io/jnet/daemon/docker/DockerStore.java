package io.jnet.daemon.docker;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What only the Docker driver needs beside the network store and the bridge driver's records: its IPAM pools and its
 * endpoints, one JSON file each under {@code <root>/docker/pools} and {@code <root>/docker/endpoints}, written
 * crash-safely. Every call of the driver runs on one thread, so no lock is needed between them.
 */
final class DockerStore {

    /** One kind of record: a directory of {@code <id>.json} files. */
    static final class Records {
        private final Path dir;

        private Records(Path dir) {
            this.dir = dir;
        }

        Optional<Map<String, Object>> get(String id) throws IOException {
            return read(dir, id);
        }

        List<Map<String, Object>> list() throws IOException {
            return DockerStore.list(dir);
        }

        void put(String id, Map<String, Object> value) throws IOException {
            write(dir, id, value);
        }

        void remove(String id) throws IOException {
            DurableFiles.delete(file(dir, id));
        }
    }

    final Records pools;
    final Records endpoints;

    DockerStore(Path root) {
        Path dir = root.toAbsolutePath().resolve("docker");
        this.pools = new Records(dir.resolve("pools"));
        this.endpoints = new Records(dir.resolve("endpoints"));
    }

    private static Path file(Path dir, String id) {
        if (!Names.isValidName(id) || id.length() > 128) {
            throw new IllegalArgumentException("invalid id \"" + id + "\"");
        }
        return dir.resolve(id + ".json");
    }

    private static Optional<Map<String, Object>> read(Path dir, String id) throws IOException {
        byte[] data = DurableFiles.readIfExists(file(dir, id));
        return data == null ? Optional.empty() : Optional.of(parse(dir, data));
    }

    private static List<Map<String, Object>> list(Path dir) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                byte[] data = DurableFiles.isTemp(f) ? null : DurableFiles.readIfExists(f);
                if (data != null) {
                    out.add(parse(dir, data));
                }
            }
        } catch (NoSuchFileException none) {
            return out;
        }
        return out;
    }

    private static void write(Path dir, String id, Map<String, Object> value) throws IOException {
        DurableFiles.createDirectories(dir);
        DurableFiles.write(file(dir, id), Json.writeBytes(value));
    }

    private static Map<String, Object> parse(Path dir, byte[] data) throws IOException {
        try {
            return Json.parseObject(data);
        } catch (CniException e) {
            throw new IOException("a record in " + dir + " is not JSON: " + e.getMessage(), e);
        }
    }
}
