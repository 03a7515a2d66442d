package io.jnet.kernel.nft;

/** A verdict: accept, drop, continue, return, or jump/goto to a chain of the same table. */
public record Verdict(Code code, String chain) implements Data {

    public static final Verdict ACCEPT = new Verdict(Code.ACCEPT, "");
    public static final Verdict DROP = new Verdict(Code.DROP, "");
    public static final Verdict CONTINUE = new Verdict(Code.CONTINUE, "");
    public static final Verdict RETURN = new Verdict(Code.RETURN, "");

    /** The verdict codes of {@code enum nft_verdicts} and the netfilter NF_DROP/NF_ACCEPT. */
    public enum Code {
        DROP(0), ACCEPT(1), CONTINUE(-1), BREAK(-2), JUMP(-3), GOTO(-4), RETURN(-5);

        final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        static Code of(int wire) {
            for (Code c : values()) {
                if (c.wire == wire) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown verdict code " + wire);
        }
    }

    public Verdict {
        boolean needsChain = code == Code.JUMP || code == Code.GOTO;
        if (needsChain == chain.isEmpty()) {
            throw new IllegalArgumentException(needsChain ? code + " needs a chain" : code + " takes no chain");
        }
    }

    public static Verdict jump(String chain) {
        return new Verdict(Code.JUMP, chain);
    }

    public static Verdict goTo(String chain) {
        return new Verdict(Code.GOTO, chain);
    }

    @Override
    public String toString() {
        return chain.isEmpty() ? code.name().toLowerCase() : code.name().toLowerCase() + " " + chain;
    }
}
