package io.jnet.ipam;

/**
 * Why an IPAM operation failed. The {@link Reason} is what a caller acts on (the CNI plugin maps it to an error
 * code); the message names what was being done and to what.
 */
public final class IpamException extends Exception {

    /** The kinds of failure a caller can tell apart. */
    public enum Reason {
        /** The configuration or a requested address cannot be used as written (CNI code 7). */
        INVALID_CONFIG,
        /** A container id, interface name or other argument from the runtime is invalid (CNI code 4). */
        INVALID_ARGUMENT,
        /** A requested address is held by another attachment; it may be released soon (CNI code 11). */
        ADDRESS_IN_USE,
        /** A range set has no free address left (CNI code 50). */
        EXHAUSTED,
        /** The store could not be read or written (CNI code 5). */
        STORE_FAILURE
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        this(reason, message, null);
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
