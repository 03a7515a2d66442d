package io.jnet.cli;

/** The demo's report: each claim proven or failed, one line each, by section, and the tally at the end. */
final class DemoReport {

    private int proven;
    private int failed;

    /** A section of the demo, run so that a failure in it is a failed claim and the next section still runs. */
    @FunctionalInterface
    interface Section {
        void run() throws Exception;
    }

    void run(String name, Section section) {
        System.out.println();
        System.out.println("[" + name + "]");
        try {
            section.run();
        } catch (Exception e) {
            claim(false, "the " + name + " section stopped: " + e.getMessage());
        }
    }

    void claim(boolean ok, String what) {
        if (ok) {
            proven++;
        } else {
            failed++;
        }
        System.out.println("  " + (ok ? "ok    " : "FAILED") + " " + what);
    }

    /** Prints the tally; the exit code: 0 only when every claim was proven. */
    int finish() {
        System.out.println((failed == 0 ? "PASS" : "FAIL") + ": " + proven + " of " + (proven + failed) + " proven");
        return failed == 0 ? 0 : Main.EXIT_FAILURE;
    }
}
