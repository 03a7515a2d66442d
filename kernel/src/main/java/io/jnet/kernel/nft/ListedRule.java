package io.jnet.kernel.nft;

/** A rule as listed from the kernel, with the handle that deletes it. */
public record ListedRule(Rule rule, long handle) {
}
