package io.jnet.ipam;

/** Whether the store forces its writes to disk before it reports success. */
public enum Durability {
    /** Every committed file and directory is fsync'ed: a crash or power loss never loses a reported lease. */
    FSYNC,
    /**
     * No fsync: still atomic against a killed process (renames), but a power loss may lose recent leases. For
     * throwaway stores and for measuring what fsync costs; never for a real data directory.
     */
    NO_FSYNC
}
