/**
 * nf_tables over netlink, in Java: no {@code nft} binary. {@link io.jnet.kernel.nft.Nftables} applies
 * {@link io.jnet.kernel.nft.NftBatch}es, each one atomic, and reads tables, chains, rules, sets and elements back.
 * Rules are lists of {@link io.jnet.kernel.nft.Expr} records, most easily made with {@link io.jnet.kernel.nft.Rules},
 * which produces exactly the expressions nft generates; sets and maps are {@link io.jnet.kernel.nft.NftSet}s of
 * {@link io.jnet.kernel.nft.Element}s. The encoders match nft 1.0.6 byte for byte (see the golden tests), so
 * {@code nft list ruleset} shows what this package wrote, comments included.
 */
package io.jnet.kernel.nft;
