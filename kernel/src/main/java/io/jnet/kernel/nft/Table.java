package io.jnet.kernel.nft;

/** A table, identified by family and name; {@code toString} is nft's {@code inet jnet}. */
public record Table(Family family, String name) {

    public Table {
        Names.check("table", name);
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof Table t && family == t.family && name.equals(t.name);
    }

    @Override
    public int hashCode() {
        return family.hashCode() * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return family + " " + name;
    }
}
