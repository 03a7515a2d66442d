package io.jnet.container;

import io.jnet.cni.CniException;
import io.jnet.cni.Json;
import io.jnet.cni.Names;

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
 * What the {@code jnet-container} plugin needs of the containers that {@code jnet create} made: a name, id or id
 * prefix resolved to the container's namespace. It reads {@code <root>/containers/<name>.json} (written by the
 * {@code jnet} command's store) for three fields and nothing else, and never creates or locks anything.
 */
public final class ContainerDirectory {

    /** Names become file and namespace names; this leaves room for the suffixes of both. */
    public static final int MAX_NAME_LENGTH = 128;
    /** The records' directory under the state root. */
    public static final String DIR = "containers";
    /** A record's file name is its container's name and this. */
    public static final String SUFFIX = ".json";

    private final Path dir;

    private ContainerDirectory(Path dir) {
        this.dir = dir;
    }

    /** The containers under state root {@code root}. */
    public static ContainerDirectory at(Path root) {
        return new ContainerDirectory(root.toAbsolutePath().resolve(DIR));
    }

    public Path dir() {
        return dir;
    }

    /** A container as the plugin sees it: its name, its 64-digit id and the path of its network namespace. */
    public record Entry(String name, String id, String netns) {
    }

    /**
     * The container that {@code ref} names: a name, else a full id, else a prefix of exactly one id (as Docker
     * looks containers up); an exact name always wins. Empty when nothing matches.
     *
     * @throws AmbiguousIdException when the prefix matches several ids
     */
    public Optional<Entry> find(String ref) throws IOException {
        if (ref == null || ref.isEmpty()) {
            return Optional.empty();
        }
        Optional<Entry> byName = named(ref);
        if (byName.isPresent() || !isHex(ref)) {
            return byName;
        }
        List<Entry> matches = new ArrayList<>();
        for (Entry e : list()) {
            if (e.id().equals(ref)) {
                return Optional.of(e);
            }
            if (e.id().startsWith(ref)) {
                matches.add(e);
            }
        }
        if (matches.size() > 1) {
            List<String> names = new ArrayList<>();
            for (Entry e : matches) {
                names.add(e.name());
            }
            throw new AmbiguousIdException(ref, names);
        }
        return matches.isEmpty() ? Optional.empty() : Optional.of(matches.get(0));
    }

    /** The container with exactly this name, never an id prefix. */
    public Optional<Entry> named(String name) throws IOException {
        if (!isName(name)) {
            return Optional.empty();
        }
        return read(dir.resolve(name + SUFFIX));
    }

    /** Every container; empty when there is no store. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (isName(fileName.substring(0, fileName.length() - SUFFIX.length()))) {
                    read(file).ifPresent(out::add);     // a record removed meanwhile is simply gone
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /** Whether {@code name} can name a container: CNI's name rule and at most {@link #MAX_NAME_LENGTH} characters. */
    public static boolean isName(String name) {
        return name != null && Names.isValidName(name) && name.length() <= MAX_NAME_LENGTH;
    }

    private static boolean isHex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return !text.isEmpty();
    }

    private static Optional<Entry> read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String where = file.getFileName().toString();
        try {
            Map<String, Object> m = Json.parseObject(data);
            return Optional.of(new Entry(Json.requireString(m, where, "name"), Json.requireString(m, where, "id"),
                    Json.requireString(m, where, "netns")));
        } catch (CniException e) {
            throw new IOException("read container record " + file + ": " + e.getMessage(), e);
        }
    }
}
