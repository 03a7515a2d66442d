package io.jnet.ipam;

import java.util.List;

/** The DNS part of a lease, read from the config's {@code resolvConf} file; all parts empty when absent. */
public record DnsSettings(List<String> nameservers, String domain, List<String> search, List<String> options) {

    public static final DnsSettings EMPTY = new DnsSettings(List.of(), "", List.of(), List.of());

    public DnsSettings {
        nameservers = List.copyOf(nameservers);
        search = List.copyOf(search);
        options = List.copyOf(options);
        if (domain == null) {
            throw new IllegalArgumentException("domain is null (use \"\")");
        }
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }
}
