package io.jnet.kernel.nft;

import java.util.Objects;
import java.util.Optional;

/**
 * A named set ({@link #data()} empty) or map of a table. A map's data is a value type or {@link Datatype#VERDICT}
 * (a verdict map). An {@code interval} set holds ranges and prefixes; with a concatenated key it is nft's
 * concatenated-interval (pipapo) set.
 */
public record NftSet(Table table, String name, SetType key, Optional<SetType> data, boolean interval) {

    public NftSet {
        Names.check("set", name);
        Objects.requireNonNull(key);
        Objects.requireNonNull(data);
        if (key.isVerdict()) {
            throw new IllegalArgumentException("a set key cannot be a verdict");
        }
    }

    public static NftSet set(Table table, String name, SetType key) {
        return new NftSet(table, name, key, Optional.empty(), false);
    }

    public static NftSet map(Table table, String name, SetType key, SetType data) {
        return new NftSet(table, name, key, Optional.of(data), false);
    }

    public static NftSet verdictMap(Table table, String name, SetType key) {
        return map(table, name, key, SetType.of(Datatype.VERDICT));
    }

    public NftSet withInterval() {
        return new NftSet(table, name, key, data, true);
    }

    public boolean isMap() {
        return data.isPresent();
    }

    /** NFT_SET_* flags as nft sends them: a concatenated interval set is also flagged CONCAT. */
    int flags() {
        return (interval ? Nft.NFT_SET_INTERVAL : 0) | (isMap() ? Nft.NFT_SET_MAP : 0)
                | (interval && key.isConcat() ? Nft.NFT_SET_CONCAT : 0);
    }

    /** The two interval encodings: the rbtree's start/end element pairs, or pipapo's key and key-end. */
    boolean isRangePairs() {
        return interval && !key.isConcat();
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof NftSet s && interval == s.interval && table.equals(s.table) && name.equals(s.name)
                && key.equals(s.key) && data.equals(s.data);
    }

    @Override
    public int hashCode() {
        return (((table.hashCode() * 31 + name.hashCode()) * 31 + key.hashCode()) * 31 + data.hashCode()) * 31
                + Boolean.hashCode(interval);
    }

    @Override
    public String toString() {
        return (isMap() ? "map " : "set ") + table + " " + name;
    }
}
