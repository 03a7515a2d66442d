package io.jnet.cli;

/**
 * A failure a person or a script can act on: an unknown name, a conflict, a plugin or kernel error. The command
 * prints its message as one line on stderr and exits 1 (usage errors are picocli's, and exit 2).
 */
final class CliException extends Exception {

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
