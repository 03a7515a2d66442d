package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge driver's records: {@code <root>/bridge/<network>/<containerId>@<ifname>.json}, one per attachment, so
 * that ADD and DEL of different containers never contend. Names reach paths only after CNI validation (PluginMain
 * checks the container id and ifname, NetConf the network name).
 */
final class EndpointStore {

    private final Path root;

    EndpointStore(Path root) {
        this.root = root.resolve("bridge");
    }

    private Path dir(String network) {
        return root.resolve(network);
    }

    private Path file(String network, String containerId, String ifName) {
        return dir(network).resolve(containerId + "@" + ifName + ".json");
    }

    void save(Endpoint a) throws IOException {
        DurableFiles.createDirectories(dir(a.network()));
        DurableFiles.write(file(a.network(), a.containerId(), a.ifName()), a.toJson());
    }

    /** The record, or null. A record that does not parse is reported, not ignored: DEL must not leak its objects. */
    Endpoint load(String network, String containerId, String ifName) throws IOException, CniException {
        byte[] data = DurableFiles.readIfExists(file(network, containerId, ifName));
        return data == null ? null : Endpoint.fromJson(data);
    }

    boolean delete(String network, String containerId, String ifName) throws IOException {
        return DurableFiles.delete(file(network, containerId, ifName));
    }

    /** Every record of the network (GC and the CLI); damaged ones and temp files are skipped. */
    List<Endpoint> list(String network) throws IOException {
        List<Endpoint> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(network), "*.json")) {
            for (Path f : files) {
                if (DurableFiles.isTemp(f)) {
                    continue;
                }
                try {
                    out.add(Endpoint.fromJson(Files.readAllBytes(f)));
                } catch (CniException | NoSuchFileException damagedOrGone) {
                    // a concurrent DEL removed it, or a crashed writer left half a file behind the temp name
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }
}
