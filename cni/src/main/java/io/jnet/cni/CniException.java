package io.jnet.cni;

/** A failure that reaches the runtime as the CNI error JSON {@code {cniVersion, code, msg, details}}. */
public final class CniException extends Exception {

    private final ErrorCode code;
    private final String details;

    public CniException(ErrorCode code, String msg) {
        this(code, msg, "", null);
    }

    public CniException(ErrorCode code, String msg, String details) {
        this(code, msg, details, null);
    }

    public CniException(ErrorCode code, String msg, String details, Throwable cause) {
        super(msg, cause);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public ErrorCode code() {
        return code;
    }

    public String details() {
        return details;
    }
}
