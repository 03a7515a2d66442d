package io.jnet.ipam;

import java.util.List;
import java.util.stream.Collectors;

/** Ranges of one family that together yield one address per attachment (dual stack has two sets). */
public record RangeSet(List<Range> ranges) {

    public RangeSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("a range set needs at least one range");
        }
    }

    public boolean isIpv4() {
        return ranges.get(0).subnet().isIpv4();
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
