package io.jnet.cni;

/** The error codes of the CNI spec (1.1.0) and of libcni. */
public enum ErrorCode {
    UNKNOWN(0),
    INCOMPATIBLE_VERSION(1),
    UNSUPPORTED_FIELD(2),
    UNKNOWN_CONTAINER(3),
    INVALID_ENVIRONMENT(4),
    IO_FAILURE(5),
    DECODING_FAILURE(6),
    INVALID_CONFIG(7),
    INVALID_NETNS(8),
    TRY_AGAIN_LATER(11),
    NOT_AVAILABLE(50),
    NOT_AVAILABLE_DEGRADED(51),
    /** jnet's own (100+ is plugin-specific): CHECK found that something ADD made has drifted; msg names it. */
    CHECK_FAILED(100),
    INTERNAL(999);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
