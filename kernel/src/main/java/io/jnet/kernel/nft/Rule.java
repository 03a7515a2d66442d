package io.jnet.kernel.nft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule of a chain: its expressions in order and a comment (kept in NFTA_RULE_USERDATA, which {@code nft list}
 * prints as {@code comment "..."}; empty for none). Build one with {@link #in(Chain)} and the fragments of
 * {@link Rules}.
 */
public record Rule(Table table, String chain, List<Expr> exprs, String comment) {

    /** nft limits a comment to 128 bytes including the NUL; the userdata TLV length is one byte. */
    public static final int MAX_COMMENT_BYTES = 127;

    public Rule {
        Names.check("chain", chain);
        exprs = List.copyOf(exprs);
        if (comment.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT_BYTES || comment.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("rule comment longer than " + MAX_COMMENT_BYTES + " bytes: " + comment);
        }
    }

    public static Builder in(Chain chain) {
        return new Builder(chain.table(), chain.name());
    }

    /** The same rule as the kernel reports it back (see {@link Expr#canonical()}). */
    public Rule canonical() {
        return new Rule(table, chain, exprs.stream().map(Expr::canonical).toList(), comment);
    }

    @Override
    public String toString() {
        return "rule in chain " + table + " " + chain + (comment.isEmpty() ? "" : " (comment \"" + comment + "\")");
    }

    /** Collects expressions in order. */
    public static final class Builder {
        private final Table table;
        private final String chain;
        private final List<Expr> exprs = new ArrayList<>();
        private String comment = "";

        private Builder(Table table, String chain) {
            this.table = table;
            this.chain = chain;
        }

        public Builder add(Expr... more) {
            exprs.addAll(List.of(more));
            return this;
        }

        public Builder add(List<? extends Expr> more) {
            exprs.addAll(more);
            return this;
        }

        public Builder comment(String text) {
            this.comment = text;
            return this;
        }

        public Rule build() {
            return new Rule(table, chain, exprs, comment);
        }
    }
}
