package io.jnet.ipam;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The config's excluded addresses and prefixes as sorted, merged intervals, so a lookup is a binary search. */
final class Exclusions {

    /** An inclusive interval of excluded addresses. */
    record Interval(Ip first, Ip last) {
    }

    private final List<Interval> intervals;

    private Exclusions(List<Interval> intervals) {
        this.intervals = intervals;
    }

    static Exclusions of(List<Subnet> excluded) {
        List<Interval> sorted = new ArrayList<>();
        for (Subnet s : excluded) {
            sorted.add(new Interval(s.first(), s.last()));
        }
        sorted.sort(Comparator.comparing(Interval::first));
        List<Interval> merged = new ArrayList<>();
        for (Interval i : sorted) {
            Interval top = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            boolean touches = top != null && top.first().sameFamily(i.first())
                    && (top.last().compareTo(i.first()) >= 0 || top.last().next().equals(i.first()));
            if (touches) {
                merged.set(merged.size() - 1, new Interval(top.first(), max(top.last(), i.last())));
            } else {
                merged.add(i);
            }
        }
        return new Exclusions(List.copyOf(merged));
    }

    /** The interval containing {@code ip}, or null. */
    Interval find(Ip ip) {
        int lo = 0;
        int hi = intervals.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Interval i = intervals.get(mid);
            if (i.last().compareTo(ip) < 0) {
                lo = mid + 1;
            } else if (i.first().compareTo(ip) > 0) {
                hi = mid - 1;
            } else {
                return i;
            }
        }
        return null;
    }

    boolean contains(Ip ip) {
        return find(ip) != null;
    }

    /** The parts of the intervals inside {@code [from, to]}. */
    List<Interval> within(Ip from, Ip to) {
        List<Interval> out = new ArrayList<>();
        for (Interval i : intervals) {
            if (i.first().sameFamily(from) && i.last().compareTo(from) >= 0 && i.first().compareTo(to) <= 0) {
                out.add(new Interval(max(i.first(), from), min(i.last(), to)));
            }
        }
        return out;
    }

    private static Ip max(Ip a, Ip b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Ip min(Ip a, Ip b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
