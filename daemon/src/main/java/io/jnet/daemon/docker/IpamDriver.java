package io.jnet.daemon.docker;

import io.jnet.cni.IpPrefix;
import io.jnet.ipam.Ipam;
import io.jnet.ipam.IpamConfig;
import io.jnet.ipam.IpamException;
import io.jnet.ipam.Lease;
import io.jnet.ipam.LeasedIp;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.security.SecureRandom;

/**
 * libnetwork's IpamDriver on jnet's allocator: a pool is a subnet (with an optional range, Docker's SubPool),
 * recorded in the {@link DockerStore}; its addresses are leases of the shared allocator ({@link Ipam}), in a lease
 * directory named after the pool id. The gateway is recorded with the pool and excluded from allocation, as
 * host-local does. Pools must not overlap each other or any network of the store, whoever made it.
 */
final class IpamDriver {

    static final String GATEWAY_REQUEST = "com.docker.network.gateway";
    private static final String ADDRESS_TYPE = "RequestAddressType";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ipam ipam;
    private final DockerStore store;
    private final NetworkCatalog networks;

    IpamDriver(Path root, DockerStore store, NetworkCatalog networks) throws IpamException {
        this.ipam = Ipam.open(root);
        this.store = store;
        this.networks = networks;
    }

    Map<String, Object> capabilities() {
        return Map.of("RequiresMACAddress", false, "RequiresRequestReplay", false);
    }

    Map<String, Object> addressSpaces() {
        return Map.of("LocalDefaultAddressSpace", "local", "GlobalDefaultAddressSpace", "global");
    }

    /** The pool id of a subnet: the same subnet asked for again is the same pool, which makes the call idempotent. */
    static String poolId(IpPrefix subnet) {
        return "jnet-" + subnet.toString().replace('/', '-').replace(':', '.');
    }

    Map<String, Object> requestPool(Body b) throws DockerException, IOException {
        boolean v6 = b.bool("V6");
        String poolText = b.string("Pool");
        IpPrefix range = b.string("SubPool").isEmpty() ? null : prefix(b.string("SubPool"), "SubPool");
        if (!b.object("Options").fields().isEmpty()) {
            throw DockerException.badRequest("unknown IPAM option(s) " + b.object("Options").fields().keySet()
                    + ": jnet's IPAM takes none");
        }
        List<IpPrefix> pools = new ArrayList<>();
        for (Map<String, Object> p : store.pools.list()) {
            pools.add(IpPrefix.parse((String) p.get("subnet")));
        }
        IpPrefix subnet;
        if (poolText.isEmpty()) {
            List<IpPrefix> taken = new ArrayList<>(pools);
            subnet = networks.freeSubnet(v6, taken).orElseThrow(() -> DockerException.conflict(
                    "no free " + (v6 ? "IPv6" : "IPv4") + " subnet in the default address pools; give one with --subnet"));
        } else {
            subnet = prefix(poolText, "Pool");
            if (!subnet.equals(subnet.network())) {
                throw DockerException.badRequest("subnet " + poolText + " has host bits set; the network is "
                        + subnet.network());
            }
            if (subnet.isIpv4() == v6) {
                throw DockerException.badRequest("subnet " + poolText + " is not an " + (v6 ? "IPv6" : "IPv4")
                        + " subnet");
            }
        }
        if (range != null && (range.isIpv4() != subnet.isIpv4() || range.prefixLength() < subnet.prefixLength()
                || !subnet.contains(range.address()))) {
            throw DockerException.badRequest("ip-range " + range + " is not inside subnet " + subnet);
        }
        String id = poolId(subnet);
        Optional<Map<String, Object>> existing = store.pools.get(id);
        if (existing.isEmpty()) {
            for (IpPrefix other : pools) {
                if (overlaps(subnet, other)) {
                    throw DockerException.conflict("subnet " + subnet + " overlaps the pool " + other
                            + " of another Docker network");
                }
            }
            for (IpPrefix other : networks.subnets()) {
                if (overlaps(subnet, other)) {
                    throw DockerException.conflict("subnet " + subnet + " overlaps subnet " + other
                            + " of a jnet network (jnet network ls)");
                }
            }
            Map<String, Object> pool = new LinkedHashMap<>();
            pool.put("id", id);
            pool.put("subnet", subnet.toString());
            if (range != null) {
                pool.put("ipRange", range.toString());
            }
            store.pools.put(id, pool);
        } else if (range != null && !range.toString().equals(existing.get().get("ipRange"))) {
            throw DockerException.conflict("subnet " + subnet + " is already a pool with another ip-range");
        }
        return Map.of("PoolID", id, "Pool", subnet.toString(), "Data", Map.of());
    }

    Map<String, Object> releasePool(Body b) throws DockerException, IOException {
        String id = b.required("PoolID");
        if (store.pools.get(id).isPresent()) {
            try {
                ipam.removeNetwork(id);
            } catch (IpamException e) {
                throw new IOException(e.getMessage(), e);
            }
            store.pools.remove(id);
        }
        return Map.of();
    }

    Map<String, Object> requestAddress(Body b) throws DockerException, IOException {
        Map<String, Object> pool = pool(b.required("PoolID"));
        IpPrefix subnet = IpPrefix.parse((String) pool.get("subnet"));
        String text = b.string("Address");
        InetAddress wanted = text.isEmpty() ? null : address(text, subnet);
        Map<String, Object> options = b.object("Options").fields();
        if (GATEWAY_REQUEST.equals(options.get(ADDRESS_TYPE))) {
            InetAddress gw = wanted != null ? wanted : firstHost(subnet);
            pool.put("gateway", IpPrefix.formatAddress(gw));
            store.pools.put((String) pool.get("id"), pool);
            return address(gw, subnet);
        }
        for (String key : options.keySet()) {
            if (!key.equals(ADDRESS_TYPE) && !key.startsWith("com.docker.network.endpoint.")) {
                throw DockerException.badRequest("unknown address option " + key);
            }
        }
        // a requested address is owned by itself, so asking again returns it; any other gets an owner of its own
        String owner = wanted != null ? "ip-" + IpPrefix.formatAddress(wanted).replace(':', '.')
                : "a" + HexFormat.of().formatHex(RANDOM.generateSeed(8));
        try {
            Lease lease = ipam.allocate((String) pool.get("id"), config(pool), owner, "docker",
                    wanted == null ? List.of() : List.of(wanted));
            return address(lease.ips().get(0).address(), subnet);
        } catch (IpamException e) {
            switch (e.reason()) {
                case ADDRESS_IN_USE, EXHAUSTED -> throw DockerException.conflict(e.getMessage());
                case INVALID_CONFIG, INVALID_ARGUMENT -> throw DockerException.badRequest(e.getMessage());
                default -> throw new IOException(e.getMessage(), e);
            }
        }
    }

    Map<String, Object> releaseAddress(Body b) throws DockerException, IOException {
        Map<String, Object> pool = pool(b.required("PoolID"));
        IpPrefix subnet = IpPrefix.parse((String) pool.get("subnet"));
        InetAddress address = address(b.required("Address"), subnet);
        if (IpPrefix.formatAddress(address).equals(pool.get("gateway"))) {
            pool.remove("gateway");
            store.pools.put((String) pool.get("id"), pool);
            return Map.of();
        }
        try {
            for (Lease lease : ipam.leases((String) pool.get("id"))) {
                for (LeasedIp ip : lease.ips()) {
                    if (ip.address().equals(address)) {
                        ipam.release((String) pool.get("id"), lease.owner().containerId(), lease.owner().ifname());
                    }
                }
            }
        } catch (IpamException e) {
            throw new IOException(e.getMessage(), e);
        }
        return Map.of();
    }

    /** The pool's range for the allocator: its subnet, its range as a start and an end, the gateway left out. */
    private static IpamConfig config(Map<String, Object> pool) throws DockerException {
        IpPrefix subnet = IpPrefix.parse((String) pool.get("subnet"));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("subnet", subnet.toString());
        r.put("gateway", pool.getOrDefault("gateway", IpPrefix.formatAddress(firstHost(subnet))));
        Object range = pool.get("ipRange");
        if (range != null) {
            IpPrefix p = IpPrefix.parse((String) range);
            BigInteger first = value(p.network().address());
            BigInteger last = first.add(BigInteger.ONE.shiftLeft((p.isIpv4() ? 32 : 128) - p.prefixLength()))
                    .subtract(BigInteger.ONE);
            BigInteger subnetFirst = value(subnet.network().address());
            BigInteger subnetLast = subnetFirst.add(BigInteger.ONE.shiftLeft((p.isIpv4() ? 32 : 128)
                    - subnet.prefixLength())).subtract(BigInteger.ONE);
            r.put("rangeStart", IpPrefix.formatAddress(at(first.max(subnetFirst.add(BigInteger.ONE)), p.isIpv4())));
            r.put("rangeEnd", IpPrefix.formatAddress(at(p.isIpv4() ? last.min(subnetLast.subtract(BigInteger.ONE))
                    : last, p.isIpv4())));
        }
        try {
            return IpamConfig.parse(Map.of("ranges", List.of(List.of(r))));
        } catch (IpamException e) {
            throw DockerException.badRequest("pool " + subnet + ": " + e.getMessage());
        }
    }

    private Map<String, Object> pool(String id) throws DockerException, IOException {
        if (!id.startsWith("jnet-")) {
            throw DockerException.notFound("unknown pool " + id);
        }
        return new LinkedHashMap<>(store.pools.get(id).orElseThrow(() -> DockerException.notFound("unknown pool " + id)));
    }

    private static Map<String, Object> address(InetAddress a, IpPrefix subnet) {
        return Map.of("Address", IpPrefix.formatAddress(a) + "/" + subnet.prefixLength(), "Data", Map.of());
    }

    /** An address, alone or in CIDR form as Docker sometimes sends it, that must be in {@code subnet}. */
    private static InetAddress address(String text, IpPrefix subnet) throws DockerException {
        InetAddress a;
        try {
            a = text.contains("/") ? IpPrefix.parse(text).address() : IpPrefix.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw DockerException.badRequest("invalid address \"" + text + "\"");
        }
        if (a.getAddress().length != subnet.address().getAddress().length || !subnet.contains(a)) {
            throw DockerException.badRequest("address " + text + " is not in pool " + subnet);
        }
        return a;
    }

    static IpPrefix prefix(String text, String what) throws DockerException {
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw DockerException.badRequest(what + " \"" + text + "\" is not a CIDR subnet");
        }
    }

    static InetAddress firstHost(IpPrefix subnet) {
        return at(value(subnet.network().address()).add(BigInteger.ONE), subnet.isIpv4());
    }

    static boolean overlaps(IpPrefix a, IpPrefix b) {
        if (a.isIpv4() != b.isIpv4()) {
            return false;
        }
        IpPrefix wider = a.prefixLength() <= b.prefixLength() ? a : b;
        IpPrefix narrower = wider == a ? b : a;
        return wider.contains(narrower.address());
    }

    private static BigInteger value(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    private static InetAddress at(BigInteger v, boolean ipv4) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[ipv4 ? 4 : 16];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
