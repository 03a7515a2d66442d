package io.jnet.kernel.nft;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The type of a set's key or a map's data: one {@link Datatype} or a concatenation such as
 * {@code inet_proto . inet_service}, where each field takes a multiple of 4 bytes.
 */
public record SetType(List<Datatype> fields) {

    static final int TYPE_BITS = 6;

    public SetType {
        fields = List.copyOf(fields);
        if (fields.isEmpty() || fields.size() > 16) {
            throw new IllegalArgumentException("a set type has 1 to 16 fields, not " + fields.size());
        }
        if (fields.size() > 1 && fields.contains(Datatype.VERDICT)) {
            throw new IllegalArgumentException("a verdict cannot be concatenated");
        }
    }

    public static SetType of(Datatype... fields) {
        return new SetType(List.of(fields));
    }

    /** The NFTA_SET_KEY_TYPE / DATA_TYPE value: the field ids, 6 bits each, first field highest. */
    int id() {
        if (isVerdict()) {
            return Nft.NFT_DATA_VERDICT;
        }
        int id = 0;
        for (Datatype f : fields) {
            id = (id << TYPE_BITS) | f.id();
        }
        return id;
    }

    /** Bytes of a key or value of this type. */
    public int length() {
        if (fields.size() == 1) {
            return fields.get(0).length();
        }
        return fields.stream().mapToInt(f -> Bytes.align4(f.length())).sum();
    }

    public boolean isConcat() {
        return fields.size() > 1;
    }

    public boolean isVerdict() {
        return fields.equals(List.of(Datatype.VERDICT));
    }

    int byteorder() {
        return isConcat() ? Datatype.BYTEORDER_INVALID : fields.get(0).byteorder();
    }

    /**
     * Decodes a type id back into fields. Field lengths come from NFTA_SET_DESC_CONCAT when the kernel has it, else
     * from the known datatypes; fields of unknown types share the remaining bytes in 4-byte units.
     */
    static SetType decode(int id, int length, List<Integer> fieldLengths) {
        if (id == Nft.NFT_DATA_VERDICT) {
            return of(Datatype.VERDICT);
        }
        List<Integer> ids = new ArrayList<>();
        for (int rest = id; rest != 0; rest >>>= TYPE_BITS) {
            ids.add(0, rest & ((1 << TYPE_BITS) - 1));
        }
        if (ids.size() <= 1) {
            return of(Datatype.of(ids.isEmpty() ? 1 : ids.get(0), length));
        }
        int unknown = 0;
        int knownBytes = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (i < fieldLengths.size()) {
                knownBytes += Bytes.align4(fieldLengths.get(i));
            } else if (Datatype.isKnown(ids.get(i))) {
                knownBytes += Bytes.align4(Datatype.of(ids.get(i), 0).length());
            } else {
                unknown++;
            }
        }
        int share = unknown == 0 ? 0 : Math.max(0, length - knownBytes) / unknown / 4 * 4;
        List<Datatype> fields = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            int fieldLength = i < fieldLengths.size() ? fieldLengths.get(i) : share;
            fields.add(Datatype.of(ids.get(i), fieldLength));
        }
        return new SetType(fields);
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof SetType t && fields.equals(t.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.stream().map(Datatype::toString).collect(Collectors.joining(" . "));
    }
}
