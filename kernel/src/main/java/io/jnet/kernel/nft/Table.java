package io.jnet.kernel.nft;

/** A table, identified by family and name; {@code toString} is nft's {@code inet jnet}. */
public record Table(Family family, String name) {

    public Table {
        Names.check("table", name);
    }

    @Override
    public String toString() {
        return family + " " + name;
    }
}
