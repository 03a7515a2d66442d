package io.jnet.ipam;

import java.util.List;

/**
 * What a GC removed: the leases of attachments that are no longer valid, and how many leftovers of killed
 * processes (temp files, owner records without their leases, lease files without an owner record) it cleaned.
 */
public record GcResult(List<Owner> released, int leftoversRemoved) {

    public GcResult {
        released = List.copyOf(released);
    }
}
