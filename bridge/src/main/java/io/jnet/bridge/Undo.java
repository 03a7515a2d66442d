package io.jnet.bridge;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo log of a transactional ADD: each mutation registers how to revert it; without {@link #commit()},
 * {@link #close()} reverts everything in reverse order and attaches what failed to the original error.
 */
final class Undo implements AutoCloseable {

    interface Step {
        void run() throws Exception;
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private boolean committed;
    private Throwable failure;

    void push(Step step) {
        steps.push(step);
    }

    void commit() {
        committed = true;
    }

    /** Records the error that makes the ADD fail, so that failing undo steps can be attached to it. */
    <T extends Throwable> T failed(T error) {
        failure = error;
        return error;
    }

    @Override
    public void close() {
        if (committed) {
            return;
        }
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (Exception e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                }
            }
        }
    }
}
