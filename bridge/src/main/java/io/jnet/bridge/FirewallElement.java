package io.jnet.bridge;

import io.jnet.cni.IpPrefix;
import io.jnet.kernel.nft.Bytes;
import io.jnet.kernel.nft.Datatype;
import io.jnet.kernel.nft.Element;
import io.jnet.kernel.nft.NftSet;
import io.jnet.kernel.nft.Nftables;
import io.jnet.kernel.nft.SetType;
import io.jnet.kernel.nft.Table;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An element of the bridge driver's sets and maps as read back from the kernel (tables {@code inet jnet} and
 * {@code bridge jnet}), decoded by the types the kernel reports for its set: its key and data fields as nft prints
 * them ({@code tcp}, {@code 8080}, ...). {@code table} is as nft names it: {@code inet jnet}.
 */
public record FirewallElement(String table, String set, List<String> key, List<String> data) {

    static final List<Table> TABLES = List.of(NftFirewall.TABLE, NftFirewall.L2);

    public FirewallElement {
        key = List.copyOf(key);
        data = List.copyOf(data);
    }

    /** As {@code nft list} writes it: {@code tcp . 8080 : 10.233.1.2 . 80}. */
    public String text() {
        return String.join(" . ", key) + (data.isEmpty() ? "" : " : " + String.join(" . ", data));
    }

    /** {@code {"table": "inet jnet", "set": "pub4", "element": "tcp . 8080 : 172.17.0.2 . 80"}}. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", table);
        m.put("set", set);
        m.put("element", text());
        return m;
    }

    /** Whether a field of the key or the data is one of {@code values}. */
    boolean mentions(Collection<String> values) {
        for (String k : key) {
            if (values.contains(k)) {
                return true;
            }
        }
        for (String d : data) {
            if (values.contains(d)) {
                return true;
            }
        }
        return false;
    }

    /** Every element of jnet's tables in the calling thread's namespace; none when the tables are not there. */
    static List<FirewallElement> readAll() throws IOException {
        List<FirewallElement> out = new ArrayList<>();
        try (Nftables nft = Nftables.open()) {
            for (Table table : TABLES) {
                if (!nft.exists(table)) {
                    continue;
                }
                for (NftSet set : nft.sets(table)) {
                    for (Element e : nft.elements(set)) {
                        out.add(decode(table, set, e));
                    }
                }
            }
        }
        return out;
    }

    static FirewallElement decode(Table table, NftSet set, Element e) {
        List<String> key = fields(set.key(), e.key());
        if (e.isRange()) {
            List<String> end = fields(set.key(), e.keyEnd());
            for (int i = 0; i < key.size(); i++) {
                key.set(i, key.get(i) + "-" + end.get(i));
            }
        }
        List<String> data = new ArrayList<>();
        if (e.data().isPresent()) {
            if (e.data().get() instanceof Bytes bytes && set.data().isPresent()) {
                data = fields(set.data().get(), bytes);
            } else {
                data.add(e.data().get().toString());
            }
        }
        return new FirewallElement(table.toString(), set.name(), key, data);
    }

    /** The fields of a value of {@code type}: a concatenation's fields each take a multiple of 4 bytes. */
    private static List<String> fields(SetType type, Bytes value) {
        byte[] raw = value.toArray();
        List<String> out = new ArrayList<>();
        int at = 0;
        for (Datatype field : type.fields()) {
            int length = field.length();
            if (at + length > raw.length) {
                out.add(HexFormat.of().formatHex(raw, Math.min(at, raw.length), raw.length));
                break;
            }
            out.add(format(field, Arrays.copyOfRange(raw, at, at + length)));
            at += type.isConcat() ? (length + 3) & ~3 : length;
        }
        return out;
    }

    private static String format(Datatype type, byte[] b) {
        if (type.id() == Datatype.IPV4_ADDR.id() || type.id() == Datatype.IPV6_ADDR.id()) {
            try {
                return IpPrefix.formatAddress(InetAddress.getByAddress(b));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("a 4- or 16-byte array is always an address", e);
            }
        }
        if (type.id() == Datatype.INET_PROTO.id()) {
            return switch (b[0] & 0xff) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 132 -> "sctp";
                default -> Integer.toString(b[0] & 0xff);
            };
        }
        if (type.id() == Datatype.INET_SERVICE.id()) {
            return Integer.toString(((b[0] & 0xff) << 8) | (b[1] & 0xff));
        }
        if (type.id() == Datatype.ETHER_ADDR.id()) {
            StringBuilder mac = new StringBuilder();
            for (byte x : b) {
                mac.append(mac.length() == 0 ? "" : ":").append(String.format("%02x", x & 0xff));
            }
            return mac.toString();
        }
        if (type.id() == Datatype.IFNAME.id()) {
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }
        return HexFormat.of().formatHex(b);
    }
}
