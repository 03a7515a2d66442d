package io.jnet.kernel.nft;

/**
 * An nf_tables register: {@link #VERDICT}, the 128-bit {@link #R1}..{@link #R4}, or the 32-bit
 * {@code NFT_REG32_00..15} ({@link #r32}). They overlap: R1 is NFT_REG32_00..03, so a 4-byte value loaded to R1
 * and the next field of a concatenation in {@code r32(1)} sit side by side, as nft lays out {@code a . b}.
 */
public record Reg(int number) {

    public static final Reg VERDICT = new Reg(0);
    public static final Reg R1 = new Reg(1);
    public static final Reg R2 = new Reg(2);
    public static final Reg R3 = new Reg(3);
    public static final Reg R4 = new Reg(4);

    private static final int REG32_00 = 8;

    public Reg {
        if (number < 0 || (number > 4 && number < REG32_00) || number > REG32_00 + 15) {
            throw new IllegalArgumentException("no nf_tables register " + number);
        }
    }

    /** NFT_REG32_{index}, 0..15. */
    public static Reg r32(int index) {
        return new Reg(REG32_00 + index);
    }

    /**
     * The register that holds the byte at {@code offset} of a value (a concatenation) that starts in R1, named as
     * nft names it: the 128-bit register where the offset is a multiple of 16, else the 32-bit one.
     */
    public static Reg atOffset(int offset) {
        if (offset < 0 || offset >= 64 || offset % 4 != 0) {
            throw new IllegalArgumentException("register offset " + offset);
        }
        return offset % 16 == 0 ? new Reg(1 + offset / 16) : r32(offset / 4);
    }

    // equals and hashCode by hand: a record's generated ones are linked through invokedynamic on their first call,
    // which costs a plugin call (a fresh JVM) milliseconds; see README, "Start-up".
    @Override
    public boolean equals(Object o) {
        return o instanceof Reg r && number == r.number;
    }

    @Override
    public int hashCode() {
        return number;
    }

    @Override
    public String toString() {
        return "reg " + number;
    }
}
