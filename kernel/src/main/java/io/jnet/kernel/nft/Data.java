package io.jnet.kernel.nft;

/** What a register, a map element or an immediate holds: plain bytes or a verdict (NFTA_DATA_VALUE/VERDICT). */
public sealed interface Data permits Bytes, Verdict {
}
