package io.jnet.ipam;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text of the store's files. An owner record ({@code owners/<cid>@<ifname>}) holds the whole lease that ADD
 * reported and ends with an {@code end} line; a lease file ({@code leases/<address>}) names its holder on two
 * lines, {@code <cid>} and {@code <ifname>}. Line-oriented text, so a person can read the store with cat.
 */
final class LeaseCodec {

    static final String HEADER = "jnet-ipam-lease 1";

    private LeaseCodec() {
    }

    static byte[] encodeOwnerRecord(Lease lease) {
        StringBuilder sb = new StringBuilder(256);
        sb.append(HEADER).append('\n');
        line(sb, "container", lease.owner().containerId());
        line(sb, "ifname", lease.owner().ifname());
        for (LeasedIp ip : lease.ips()) {
            line(sb, "ip", ip.cidr() + " " + Ip.of(ip.gateway()));
        }
        for (StaticRoute r : lease.routes()) {
            line(sb, "route", r.destination() + r.gateway().map(g -> " " + Ip.of(g)).orElse(""));
        }
        DnsSettings dns = lease.dns();
        dns.nameservers().forEach(v -> line(sb, "nameserver", v));
        if (!dns.domain().isEmpty()) {
            line(sb, "domain", dns.domain());
        }
        dns.search().forEach(v -> line(sb, "search", v));
        dns.options().forEach(v -> line(sb, "option", v));
        sb.append("end\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(key + " \"" + value + "\" contains a line break");
        }
        sb.append(key).append(' ').append(value).append('\n');
    }

    /** Decodes a complete owner record; IllegalArgumentException names the line that is wrong. */
    static Lease decodeOwnerRecord(byte[] data) {
        String[] lines = new String(data, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length < 2 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a jnet-ipam owner record");
        }
        String containerId = null;
        String ifname = null;
        List<LeasedIp> ips = new ArrayList<>();
        List<StaticRoute> routes = new ArrayList<>();
        List<String> nameservers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        String domain = "";
        boolean ended = false;
        for (int n = 1; n < lines.length && !ended; n++) {
            String line = lines[n];
            if (line.equals("end")) {
                ended = n == lines.length - 2 && lines[n + 1].isEmpty();
                if (!ended) {
                    throw new IllegalArgumentException("line " + (n + 1) + ": text after the end line");
                }
                continue;
            }
            int sp = line.indexOf(' ');
            if (sp <= 0) {
                throw new IllegalArgumentException("line " + (n + 1) + ": \"" + line + "\" is not KEY VALUE");
            }
            String value = line.substring(sp + 1);
            try {
                switch (line.substring(0, sp)) {
                    case "container" -> containerId = value;
                    case "ifname" -> ifname = value;
                    case "ip" -> ips.add(leasedIp(value));
                    case "route" -> routes.add(route(value));
                    case "nameserver" -> nameservers.add(value);
                    case "domain" -> domain = value;
                    case "search" -> search.add(value);
                    case "option" -> options.add(value);
                    default -> throw new IllegalArgumentException("unknown key");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (n + 1) + " \"" + line + "\": " + e.getMessage(), e);
            }
        }
        if (!ended) {
            throw new IllegalArgumentException("the record has no end line (it was cut short)");
        }
        return new Lease(new Owner(containerId, ifname), ips, routes,
                new DnsSettings(nameservers, domain, search, options));
    }

    /** The addresses an owner record names, read leniently, so that a damaged record can still be released. */
    static List<Ip> addressesIn(byte[] data) {
        List<Ip> out = new ArrayList<>();
        for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("ip ")) {
                int slash = line.indexOf('/');
                try {
                    out.add(Ip.parse(line.substring(3, slash < 0 ? line.length() : slash)));
                } catch (IllegalArgumentException | IndexOutOfBoundsException damaged) {
                    // a damaged line names no address we could release
                }
            }
        }
        return out;
    }

    private static LeasedIp leasedIp(String value) {
        int sp = value.indexOf(' ');
        if (sp < 0) {
            throw new IllegalArgumentException("expected ADDRESS/PREFIX GATEWAY");
        }
        String cidr = value.substring(0, sp);
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected ADDRESS/PREFIX");
        }
        Ip ip = Ip.parse(cidr.substring(0, slash));
        int prefix = Subnet.prefixLength(cidr, slash + 1, ip.bits());
        return new LeasedIp(ip.toInet(), prefix, Ip.parse(value.substring(sp + 1)).toInet());
    }

    private static StaticRoute route(String value) {
        int sp = value.indexOf(' ');
        Subnet dst = Subnet.parse(sp < 0 ? value : value.substring(0, sp));
        Optional<InetAddress> gw = sp < 0 ? Optional.empty() : Optional.of(Ip.parse(value.substring(sp + 1)).toInet());
        return new StaticRoute(dst, gw);
    }

    static byte[] encodeLeaseFile(Owner owner) {
        return (owner.containerId() + "\n" + owner.ifname() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The holder a lease file names, or null when the file is not a complete lease file. */
    static Owner decodeLeaseFile(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        if (nl < 0 || !text.endsWith("\n") || text.indexOf('\n', nl + 1) != text.length() - 1) {
            return null;
        }
        String id = text.substring(0, nl);
        String ifname = text.substring(nl + 1, text.length() - 1);
        return Names.containerIdProblem(id) == null && Names.ifnameProblem(ifname) == null
                ? new Owner(id, ifname) : null;
    }
}
