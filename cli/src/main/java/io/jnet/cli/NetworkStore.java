package io.jnet.cli;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The network definitions: {@code <root>/networks/<name>.json}, directories 0700 and files 0600, each write crash-safe
 * ({@link DurableFiles}). Writers serialise on {@link #lock()}; readers need no lock and create nothing.
 */
final class NetworkStore {

    /** Names become file names and nf_tables chain names ("snat-out-" + name); this keeps both well in bounds. */
    static final int MAX_NAME_LENGTH = 128;

    private static final String SUFFIX = ".json";
    private static final String LOCK = ".lock";

    private final Path root;
    private final Path dir;

    private NetworkStore(Path root) {
        this.root = root;
        this.dir = root.resolve("networks");
    }

    static NetworkStore at(Path root) {
        return new NetworkStore(root.toAbsolutePath());
    }

    Path root() {
        return root;
    }

    /** Throws IllegalArgumentException unless {@code name} can name a network (CNI's rule, and a length limit). */
    static void checkName(String name) {
        if (name == null || !Names.isValidName(name)) {
            throw new IllegalArgumentException("invalid network name \"" + name
                    + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("invalid network name \"" + name + "\": longer than "
                    + MAX_NAME_LENGTH + " characters");
        }
    }

    Optional<NetworkConfig> get(String name) throws IOException {
        checkName(name);
        Path file = dir.resolve(name + SUFFIX);
        byte[] data = DurableFiles.readIfExists(file);
        return data == null ? Optional.empty() : Optional.of(parse(file, data));
    }

    /** Every network, by name. */
    List<NetworkConfig> list() throws IOException {
        List<NetworkConfig> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                if (DurableFiles.isTemp(file)) {
                    continue;
                }
                byte[] data = DurableFiles.readIfExists(file);
                if (data != null) {
                    out.add(parse(file, data));
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(Comparator.comparing(NetworkConfig::name));
        return out;
    }

    void put(NetworkConfig network) throws IOException {
        DurableFiles.createDirectories(dir);
        DurableFiles.write(dir.resolve(network.name() + SUFFIX),
                Json.writePretty(network.toJson()).concat("\n").getBytes(StandardCharsets.UTF_8));
    }

    boolean remove(String name) throws IOException {
        checkName(name);
        return DurableFiles.delete(dir.resolve(name + SUFFIX));
    }

    /** The store's exclusive lock, for every read-then-write (is the name free? which subnets are taken?). */
    DurableFiles.Lock lock() throws IOException {
        DurableFiles.createDirectories(dir);
        return DurableFiles.lock(dir.resolve(LOCK));
    }

    private static NetworkConfig parse(Path file, byte[] data) throws IOException {
        try {
            return NetworkConfig.fromJson(Json.parseObject(data), file.getFileName().toString());
        } catch (CniException e) {
            throw new IOException("read network definition " + file + ": " + e.getMessage(), e);
        }
    }
}
