package io.jnet.bridge;

import io.jnet.cni.CniException;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.Names;
import io.jnet.kernel.fs.DurableFiles;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this host holds of an overlay network, written by {@code jnet daemon --etcd} to
 * {@code <root>/overlay/<network>.json} and read by jnet-bridge, so that an ADD on an overlay network is local
 * work: it never waits on etcd. The host's subnet goes to the local bridge and IPAM; {@code leaseExpiresMillis}
 * (the last keep-alive's answer) decides STATUS. Without a subnet, {@code error} says why the claim failed.
 *
 * @param hostSubnet null while this host holds no subnet of the network
 */
public record OverlayRecord(String network, IpPrefix subnet, int vni, IpPrefix hostSubnet, String vtepMac,
                            int mtu, long leaseExpiresMillis, String error) {

    private static final String DIR = "overlay";

    /** The local bridge of an overlay network: {@code jo-} and a name-derived tag, so DEL finds it without a record. */
    public static String bridgeDevice(String network) {
        return "jo-" + tag(network);
    }

    /** The VXLAN device of an overlay network on every host. */
    public static String vxlanDevice(String network) {
        return "jv-" + tag(network);
    }

    /** Up to 12 bytes: the name itself when it fits, else its first 7 characters and a 4-hex-digit hash. */
    private static String tag(String network) {
        if (network.length() <= 12) {
            return network;
        }
        return network.substring(0, 7) + "-" + String.format("%04x", network.hashCode() & 0xffff);
    }

    public String bridge() {
        return bridgeDevice(network);
    }

    public String vxlan() {
        return vxlanDevice(network);
    }

    /** The gateway on the local bridge: the host subnet's first address (its network address is the VTEP's). */
    public InetAddress gateway() {
        return offset(hostSubnet, 1);
    }

    /** This host's VTEP address on the VXLAN device: the host subnet's network address, as flannel does. */
    public InetAddress vtep() {
        return hostSubnet.network().address();
    }

    public boolean leaseValid(long nowMillis) {
        return hostSubnet != null && nowMillis < leaseExpiresMillis;
    }

    public OverlayRecord withLease(long expiresMillis) {
        return new OverlayRecord(network, subnet, vni, hostSubnet, vtepMac, mtu, expiresMillis, "");
    }

    public static Path file(Path root, String network) {
        return root.resolve(DIR).resolve(network + ".json");
    }

    public static Optional<OverlayRecord> read(Path root, String network) throws IOException, CniException {
        byte[] data = DurableFiles.readIfExists(file(root, network));
        return data == null ? Optional.empty() : Optional.of(fromJson(Json.parseObject(data)));
    }

    /** The networks that have a record under {@code root}. */
    public static List<String> names(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(DIR), "*.json")) {
            for (Path file : files) {
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                if (!DurableFiles.isTemp(file) && Names.isValidName(name)) {
                    out.add(name);
                }
            }
        } catch (NoSuchFileException none) {
            return out;
        }
        out.sort(null);
        return out;
    }

    public static boolean delete(Path root, String network) throws IOException {
        return DurableFiles.delete(file(root, network));
    }

    public void write(Path root) throws IOException {
        DurableFiles.createDirectories(root.resolve(DIR));
        DurableFiles.write(file(root, network), Json.writePretty(toJson()).getBytes(StandardCharsets.UTF_8));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", network);
        m.put("subnet", subnet.toString());
        m.put("vni", (long) vni);
        if (hostSubnet != null) {
            m.put("hostSubnet", hostSubnet.toString());
        }
        m.put("vtepMac", vtepMac);
        m.put("mtu", (long) mtu);
        m.put("leaseExpiresMillis", leaseExpiresMillis);
        if (!error.isEmpty()) {
            m.put("error", error);
        }
        return m;
    }

    static OverlayRecord fromJson(Map<String, Object> m) throws CniException {
        String where = "overlay record";
        String host = Json.optString(m, where, "hostSubnet", "");
        return new OverlayRecord(Json.requireString(m, where, "network"),
                IpPrefix.parse(Json.requireString(m, where, "subnet"), "subnet"), Json.optInt(m, where, "vni", 0),
                host.isEmpty() ? null : IpPrefix.parse(host, "hostSubnet"), Json.optString(m, where, "vtepMac", ""),
                Json.optInt(m, where, "mtu", 0), Json.optLong(m, where, "leaseExpiresMillis", 0),
                Json.optString(m, where, "error", ""));
    }

    /**
     * A config with {@code "overlay": true} becomes the jnet-bridge config of this host's part of the network: its
     * bridge, MTU, the host subnet as the IPAM range, and the overlay's subnet and VXLAN device for the firewall
     * (no masquerade inside the overlay). Other configs pass unchanged. Without a record an ADD fails with code 11
     * (the daemon has not claimed a subnet yet, or says why it could not); DEL, GC and CHECK still find the bridge.
     */
    static io.jnet.cni.NetConf resolve(io.jnet.cni.NetConf conf, Path defaultRoot, boolean needSubnet)
            throws CniException {
        Map<String, Object> raw = conf.raw();
        if (!Json.optBoolean(raw, "config", "overlay", false)) {
            return conf;
        }
        String dataDir = Json.optString(raw, "config", "dataDir", "");
        Path root = dataDir.isEmpty() ? defaultRoot : Path.of(dataDir);
        Optional<OverlayRecord> record;
        try {
            record = read(root, conf.name());
        } catch (IOException e) {
            throw new CniException(ErrorCode.IO_FAILURE, "read the overlay record of " + conf.name() + ": "
                    + e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>(raw);
        out.put("bridge", bridgeDevice(conf.name()));
        out.put("overlayDevice", vxlanDevice(conf.name()));
        if (record.isEmpty() || record.get().hostSubnet() == null) {
            if (needSubnet) {
                String why = record.map(OverlayRecord::error).filter(e -> !e.isEmpty())
                        .orElse("is jnet daemon --etcd running on this host?");
                throw new CniException(ErrorCode.TRY_AGAIN_LATER, "overlay network " + conf.name()
                        + " has no subnet on this host: " + why);
            }
            return io.jnet.cni.NetConf.of(out);
        }
        OverlayRecord r = record.get();
        out.put("overlaySubnet", r.subnet().toString());
        if (r.mtu() > 0) {
            out.put("mtu", (long) r.mtu());
        }
        Map<String, Object> ipam = new LinkedHashMap<>(conf.ipamRaw());
        ipam.putIfAbsent("type", "jnet-ipam");
        Map<String, Object> range = new LinkedHashMap<>();
        range.put("subnet", r.hostSubnet().toString());
        range.put("rangeStart", IpPrefix.formatAddress(offset(r.hostSubnet(), 2)));
        range.put("gateway", IpPrefix.formatAddress(r.gateway()));
        ipam.put("ranges", List.of(List.of(range)));
        out.put("ipam", ipam);
        return io.jnet.cni.NetConf.of(out);
    }

    private static InetAddress offset(IpPrefix prefix, int n) {
        byte[] base = prefix.network().address().getAddress();
        BigInteger value = new BigInteger(1, base).add(BigInteger.valueOf(n));
        byte[] raw = value.toByteArray();
        byte[] out = new byte[base.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
