package io.jnet.cni;

import java.util.List;

/** The DNS section of a result; every part is empty when absent. */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {

    public static final Dns EMPTY = new Dns(List.of(), "", List.of(), List.of());

    public Dns {
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        domain = domain == null ? "" : domain;
        search = search == null ? List.of() : List.copyOf(search);
        options = options == null ? List.of() : List.copyOf(options);
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }
}
