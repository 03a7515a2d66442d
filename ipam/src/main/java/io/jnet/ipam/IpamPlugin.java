package io.jnet.ipam;

import io.jnet.kernel.fs.StateRoot;
import io.jnet.cni.Attachment;
import io.jnet.cni.CniException;
import io.jnet.cni.CniPlugin;
import io.jnet.cni.CniRequest;
import io.jnet.cni.Dns;
import io.jnet.cni.ErrorCode;
import io.jnet.cni.IpConfig;
import io.jnet.cni.IpPrefix;
import io.jnet.cni.Json;
import io.jnet.cni.NetConf;
import io.jnet.cni.Result;
import io.jnet.cni.RouteConfig;

import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code jnet-ipam}, the standalone CNI IPAM plugin over {@link Ipam}, for runtimes and for main plugins that
 * delegate to it ({@code "ipam": {"type": "jnet-ipam", ...}}). Its config is host-local's (see
 * {@link IpamConfig}); the network is the config's {@code name}. ADD returns {@code ips} (without
 * {@code interface}), {@code routes} and {@code dns}; a repeated ADD returns the same lease. DEL and GC read only
 * {@code dataDir} from the config, so that they still work after, say, the resolv.conf it names has gone.
 *
 * <p>Drivers that run IPAM in-process call {@link Ipam} directly and use the static helpers here to read the
 * config and requested addresses from their request and to turn a {@link Lease} into a {@link Result}.
 */
public final class IpamPlugin implements CniPlugin {

    /** The CNI_ARGS key of requested addresses, a comma-separated list as host-local reads it. */
    public static final String IP_ARG = "IP";

    private final Map<String, String> env;

    /** {@code env} supplies {@code JNET_ROOT}, the store's root when the config names no {@code dataDir}. */
    public IpamPlugin(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Set<String> knownArgs() {
        return Set.of(IP_ARG);
    }

    @Override
    public Result add(CniRequest request) throws CniException {
        IpamConfig config = config(request.config());
        Ipam ipam = open(config);
        try {
            Lease lease = ipam.allocate(request.config().name(), config, request.containerId(), request.ifName(),
                    requestedAddresses(request));
            return toResult(lease);
        } catch (IpamException e) {
            throw toCni(e);
        }
    }

    @Override
    public void del(CniRequest request) throws CniException {
        Ipam ipam = open(storeOnly(request.config()));
        try {
            ipam.release(request.config().name(), request.containerId(), request.ifName());
        } catch (IpamException e) {
            throw toCni(e);
        }
    }

    /** The lease exists, and the prevResult (when given) reports every leased address and no other of ours. */
    @Override
    public void check(CniRequest request) throws CniException {
        IpamConfig config = config(request.config());
        Ipam ipam = open(config);
        String network = request.config().name();
        Optional<Lease> lease;
        try {
            lease = ipam.lease(network, request.containerId(), request.ifName());
        } catch (IpamException e) {
            throw toCni(e);
        }
        if (lease.isEmpty()) {
            throw new CniException(ErrorCode.CHECK_FAILED, "container " + request.containerId() + " ifname "
                    + request.ifName() + " holds no address in network " + network);
        }
        Result prev = request.config().prevResult();
        if (prev == null) {
            return;
        }
        List<String> leased = new ArrayList<>();
        for (LeasedIp ip : lease.get().ips()) {
            leased.add(ip.cidr());
            if (prev.ips().stream().noneMatch(p -> p.address().toString().equals(ip.cidr()))) {
                throw new CniException(ErrorCode.CHECK_FAILED, "leased address " + ip.cidr() + " of container "
                        + request.containerId() + " ifname " + request.ifName() + " is not in prevResult "
                        + prev.ips().stream().map(p -> p.address().toString()).toList());
            }
        }
        for (IpConfig ip : prev.ips()) {
            boolean ours = config.rangeSets().stream().flatMap(s -> s.ranges().stream())
                    .anyMatch(r -> r.contains(ip.address().address()));
            if (ours && !leased.contains(ip.address().toString())) {
                throw new CniException(ErrorCode.CHECK_FAILED, "prevResult address " + ip.address()
                        + " is not leased to container " + request.containerId() + " ifname " + request.ifName()
                        + " (it holds " + leased + ")");
            }
        }
    }

    @Override
    public void gc(CniRequest request) throws CniException {
        Ipam ipam = open(storeOnly(request.config()));
        List<Owner> valid = new ArrayList<>();
        for (Attachment a : request.config().validAttachments()) {
            // a name that is not valid never reached the store, so it has nothing to keep
            if (Names.containerIdProblem(a.containerId()) == null && Names.ifnameProblem(a.ifname()) == null) {
                valid.add(new Owner(a.containerId(), a.ifname()));
            }
        }
        try {
            ipam.gc(request.config().name(), valid);
        } catch (IpamException e) {
            throw toCni(e);
        }
    }

    /** Code 50 when a range set has no free address, so that the runtime stops sending ADDs. */
    @Override
    public void status(CniRequest request) throws CniException {
        IpamConfig config = config(request.config());
        Ipam ipam = open(config);
        List<RangeSet> full;
        try {
            full = ipam.exhausted(request.config().name(), config);
        } catch (IpamException e) {
            throw toCni(e);
        }
        if (!full.isEmpty()) {
            throw new CniException(ErrorCode.NOT_AVAILABLE, "no free address in network " + request.config().name(),
                    "full range sets: " + full);
        }
    }

    // ---- helpers for drivers that run IPAM in-process --------------------------------------------------------------

    /** The {@code ipam} section of a network config: code 7 naming the field when it is not valid. */
    public static IpamConfig config(NetConf conf) throws CniException {
        try {
            return IpamConfig.parse(conf.ipamRaw());
        } catch (IpamException e) {
            throw toCni(e);
        }
    }

    /**
     * The addresses a request asks for, from {@code CNI_ARGS IP=a,b} (code 4 when malformed),
     * {@code args.cni.ips} and {@code runtimeConfig.ips} (the {@code ips} capability; code 7 when malformed).
     * Entries may carry a prefix length ({@code "10.0.0.5/24"}), which is ignored, as host-local does.
     */
    public static List<InetAddress> requestedAddresses(CniRequest request) throws CniException {
        List<InetAddress> out = new ArrayList<>();
        Optional<String> fromEnv = request.args().get(IP_ARG);
        if (fromEnv.isPresent()) {
            String[] items = fromEnv.get().split(",");
            for (int i = 0; i < items.length; i++) {
                try {
                    out.add(IpamConfig.requestedAddress(items[i].strip(), "CNI_ARGS IP"));
                } catch (IpamException e) {
                    throw new CniException(ErrorCode.INVALID_ENVIRONMENT, e.getMessage());
                }
            }
        }
        NetConf conf = request.config();
        Map<String, Object> cni = Json.optObject(conf.args(), "args", "cni");
        addAll(out, Json.optStringList(cni, "args.cni", "ips"), "args.cni.ips");
        addAll(out, Json.optStringList(conf.runtimeConfig(), "runtimeConfig", "ips"), "runtimeConfig.ips");
        return out;
    }

    private static void addAll(List<InetAddress> out, List<String> texts, String where) throws CniException {
        for (int i = 0; i < texts.size(); i++) {
            try {
                out.add(IpamConfig.requestedAddress(texts.get(i), where + "[" + i + "]"));
            } catch (IpamException e) {
                throw toCni(e);
            }
        }
    }

    /** An IPAM result: the addresses with their gateways (no interfaces), the routes and the DNS settings. */
    public static Result toResult(Lease lease) {
        List<IpConfig> ips = new ArrayList<>();
        for (LeasedIp ip : lease.ips()) {
            ips.add(new IpConfig(new IpPrefix(ip.address(), ip.prefixLength()), ip.gateway()));
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (StaticRoute r : lease.routes()) {
            routes.add(new RouteConfig(new IpPrefix(r.destination().network(), r.destination().prefixLength()),
                    r.gateway().orElse(null)));
        }
        DnsSettings d = lease.dns();
        return new Result(List.of(), ips, routes, new Dns(d.nameservers(), d.domain(), d.search(), d.options()));
    }

    /** The CNI error for an IPAM failure: 7, 4, 11, 50 or 5 by {@link IpamException.Reason}. */
    public static CniException toCni(IpamException e) {
        ErrorCode code = switch (e.reason()) {
            case INVALID_CONFIG -> ErrorCode.INVALID_CONFIG;
            case INVALID_ARGUMENT -> ErrorCode.INVALID_ENVIRONMENT;
            case ADDRESS_IN_USE -> ErrorCode.TRY_AGAIN_LATER;
            case EXHAUSTED -> ErrorCode.NOT_AVAILABLE;
            case STORE_FAILURE -> ErrorCode.IO_FAILURE;
        };
        return new CniException(code, e.getMessage(), "", e);
    }

    // ---- the store -----------------------------------------------------------------------------------------------

    /**
     * The store for a config: {@code dataDir}, else {@code $JNET_ROOT}, else /var/lib/jnet. A root that is not a
     * directory is code 7 when the config named it and code 4 when the environment did.
     */
    Ipam open(IpamConfig config) throws CniException {
        return open(config.dataDir());
    }

    private Ipam open(Optional<Path> dataDir) throws CniException {
        try {
            return Ipam.open(Ipam.root(dataDir, env));
        } catch (InvalidPathException e) {
            throw new CniException(ErrorCode.INVALID_ENVIRONMENT, "JNET_ROOT: " + e.getMessage(), "", e);
        } catch (IpamException e) {
            ErrorCode code = dataDir.isPresent() ? ErrorCode.INVALID_CONFIG
                    : env.containsKey(StateRoot.ENV) ? ErrorCode.INVALID_ENVIRONMENT : ErrorCode.IO_FAILURE;
            String source = dataDir.isPresent() ? "ipam.dataDir" : env.containsKey(StateRoot.ENV) ? StateRoot.ENV
                    : "the default data directory";
            throw new CniException(code, source + ": " + e.getMessage(), "", e);
        }
    }

    /** Only {@code dataDir}: DEL and GC must work whatever else in the config has gone bad since the ADD. */
    private static Optional<Path> storeOnly(NetConf conf) throws CniException {
        String dataDir = Json.optString(conf.ipamRaw(), "ipam", "dataDir", "");
        try {
            return dataDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dataDir));
        } catch (InvalidPathException e) {
            throw new CniException(ErrorCode.INVALID_CONFIG, "ipam.dataDir: " + e.getMessage());
        }
    }
}
