package io.jnet.kernel.nft;

import io.jnet.kernel.testing.Sandbox;
import io.jnet.kernel.testing.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.jnet.kernel.nft.Fixtures.*;

/**
 * How long one ADD takes (a batch that adds one element to a map) when the map already holds 10, 1,000 or 10,000
 * elements, for our batches and for {@code nft add element} in the same run; for a hash map (dnat4) and a
 * concatenated-interval map (ports, the kernel's pipapo set, which copies its lookup table on every commit).
 * Not part of the test suite (the name does not end in Test); run it with
 * {@code mvn -pl kernel test -Dtest=NftElementBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(SandboxExtension.class)
class NftElementBenchmark {

    private static final int[] SIZES = {10, 1_000, 10_000};
    private static final int WARMUP = 300;
    private static final int RUNS = 500;
    private static final int NFT_RUNS = 40;

    @Test
    void addOneElement(Sandbox sandbox) throws Exception {
        StringBuilder report = new StringBuilder(String.format("%-34s %8s %12s %12s%n", "map / operation", "size",
                "median ms", "p90 ms"));
        for (NftSet map : List.of(DNAT4, PORTS)) {
            for (int size : SIZES) {
                Sandbox.Ns ns = sandbox.namespace("bench");
                try (Nftables nft = NftablesKernelTest.open(ns)) {
                    List<Element> existing = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        existing.add(Element.of(protoPort(Rules.TCP, 1 + i % 60_000),
                                addrPort("10.233." + (i / 60_000) + ".2", 80)));
                    }
                    nft.apply(new NftBatch().addTable(T).addSet(map).addElements(map, existing));

                    double[] adds = new double[RUNS];
                    double[] deletes = new double[RUNS];
                    for (int i = -WARMUP; i < RUNS; i++) {
                        Element one = Element.of(protoPort(Rules.UDP, 1 + (i + WARMUP) % 60_000),
                                addrPort("10.233.9.9", 53));
                        NftBatch add = new NftBatch().addElement(map, one);
                        NftBatch delete = new NftBatch().deleteElement(map, Element.of(one.key(), one.keyEnd()));
                        long start = System.nanoTime();
                        nft.apply(add);
                        long added = System.nanoTime();
                        nft.apply(delete);
                        long deleted = System.nanoTime();
                        if (i >= 0) {
                            adds[i] = (added - start) / 1e6;
                            deletes[i] = (deleted - added) / 1e6;
                        }
                    }
                    report.append(line(map.name() + ": jnet batch, add 1", size, adds));
                    report.append(line(map.name() + ": jnet batch, delete 1", size, deletes));

                    double[] viaNft = new double[NFT_RUNS];
                    for (int i = 0; i < NFT_RUNS; i++) {
                        int port = 1 + i;
                        long start = System.nanoTime();
                        sandbox.in(ns, "nft", "add", "element", "inet", "jnet", map.name(),
                                "{ udp . " + port + " : 10.233.9.9 . 53 }").ok();
                        viaNft[i] = (System.nanoTime() - start) / 1e6;
                        nft.apply(new NftBatch().deleteElement(map, Element.of(protoPort(Rules.UDP, port))));
                    }
                    report.append(line(map.name() + ": ip netns exec nft add element", size, viaNft));
                }
            }
        }
        double[] exec = new double[NFT_RUNS];
        Sandbox.Ns ns = sandbox.namespace("bench");
        for (int i = 0; i < NFT_RUNS; i++) {
            long start = System.nanoTime();
            sandbox.in(ns, "true").ok();
            exec[i] = (System.nanoTime() - start) / 1e6;
        }
        report.append(line("baseline: ip netns exec true", 0, exec));
        System.out.print(report);
    }

    private static String line(String what, int size, double[] samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        return String.format("%-34s %8d %12.3f %12.3f%n", what, size, s[s.length / 2], s[(int) (s.length * 0.9)]);
    }
}
