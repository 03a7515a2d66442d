package io.jnet.kernel.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives a test a {@link Sandbox} and deletes its namespaces afterwards. Tests that need the kernel are skipped
 * without privileges, unless {@code JNET_REQUIRE_PRIVILEGED=1} (set by CI), which turns the skip into a failure.
 */
public final class SandboxExtension implements BeforeAllCallback, ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(SandboxExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        String missing = missingPrivileges();
        if (missing != null) {
            if ("1".equals(System.getenv("JNET_REQUIRE_PRIVILEGED"))) {
                throw new IllegalStateException("kernel tests cannot run (" + missing
                        + ") and JNET_REQUIRE_PRIVILEGED=1 forbids skipping them");
            }
            Assumptions.abort("kernel tests skipped: " + missing);
        }
    }

    /**
     * Skips the calling test when a tool that CI installs is missing ({@code what} names it), unless
     * {@code JNET_REQUIRE_PRIVILEGED=1}, which turns the skip into a failure as it does for privileges.
     */
    public static void requireTool(boolean present, String what) {
        if (present) {
            return;
        }
        if ("1".equals(System.getenv("JNET_REQUIRE_PRIVILEGED"))) {
            throw new IllegalStateException(what + " is missing, and JNET_REQUIRE_PRIVILEGED=1 forbids skipping");
        }
        Assumptions.abort("skipped: " + what + " is missing");
    }

    /** Null when this process can create namespaces, otherwise why not. */
    static String missingPrivileges() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return "iproute2 is not installed";
        }
        return null;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Sandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(STORE).getOrComputeIfAbsent("sandbox", k -> new Sandbox(), Sandbox.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Sandbox sandbox = context.getStore(STORE).remove("sandbox", Sandbox.class);
        if (sandbox != null) {
            sandbox.cleanUp();
        }
    }
}
