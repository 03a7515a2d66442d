package io.jnet.ipam;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A child process for the multi-process tests; one line on stdout per event, flushed at once, so the parent
 * knows exactly which operations were reported as done before it killed the child.
 * <pre>
 * add   ROOT NETWORK SUBNETS ID_PREFIX COUNT   COUNT allocations: "OK id addr..." or "FAIL id REASON message"
 * churn ROOT NETWORK SUBNETS ID_PREFIX IDS SEED  forever: "READY", then per operation "START ADD|DEL id" and
 *                                                "ADD id addr...", "DEL id" or "FULL id" when it is done
 * </pre>
 * SUBNETS is a comma-separated list, one range set each.
 */
public final class IpamWorker {

    private IpamWorker() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        Ipam ipam = Ipam.open(Path.of(args[1]));
        String network = args[2];
        IpamConfig config = IpamConfig.of(List.of(args[3].split(",")).stream().map(Subnet::parse)
                .toArray(Subnet[]::new));
        String prefix = args[4];
        switch (args[0]) {
            case "add" -> {
                int count = Integer.parseInt(args[5]);
                for (int i = 0; i < count; i++) {
                    String id = prefix + "-" + i;
                    try {
                        out.println("OK " + id + " " + addresses(ipam.allocate(network, config, id, "eth0", List.of())));
                    } catch (IpamException e) {
                        out.println("FAIL " + id + " " + e.reason() + " " + e.getMessage());
                    }
                }
            }
            case "churn" -> {
                int ids = Integer.parseInt(args[5]);
                Random random = new Random(Long.parseLong(args[6]));
                Set<String> held = new HashSet<>();
                for (int i = 0; i < ids; i++) {
                    if (ipam.lease(network, prefix + "-" + i, "eth0").isPresent()) {
                        held.add(prefix + "-" + i);
                    }
                }
                out.println("READY");
                while (true) {
                    String id = prefix + "-" + random.nextInt(ids);
                    if (held.contains(id)) {
                        out.println("START DEL " + id);
                        ipam.release(network, id, "eth0");
                        held.remove(id);
                        out.println("DEL " + id);
                    } else {
                        out.println("START ADD " + id);
                        try {
                            Lease lease = ipam.allocate(network, config, id, "eth0", List.of());
                            held.add(id);
                            out.println("ADD " + id + " " + addresses(lease));
                        } catch (IpamException e) {
                            if (e.reason() != IpamException.Reason.EXHAUSTED) {
                                throw e;
                            }
                            out.println("FULL " + id);
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static String addresses(Lease lease) {
        StringBuilder sb = new StringBuilder();
        for (LeasedIp ip : lease.ips()) {
            sb.append(sb.length() == 0 ? "" : " ").append(ip.cidr());
        }
        return sb.toString();
    }
}
