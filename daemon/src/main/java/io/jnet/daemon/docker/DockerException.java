package io.jnet.daemon.docker;

/** A call that Docker made and jnet refuses: the HTTP status, and the message that reaches the user as {@code Err}. */
final class DockerException extends Exception {

    private final int status;

    DockerException(int status, String message) {
        super(message);
        this.status = status;
    }

    DockerException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    static DockerException badRequest(String message) {
        return new DockerException(400, message);
    }

    static DockerException notFound(String message) {
        return new DockerException(404, message);
    }

    static DockerException conflict(String message) {
        return new DockerException(409, message);
    }

    int status() {
        return status;
    }
}
