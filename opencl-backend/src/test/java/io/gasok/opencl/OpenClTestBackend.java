package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.BackendUnavailableException;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL backend the tests run on: device {@code opencl:0}, opened once. Without an OpenCL
 * device a test is skipped with the reason, unless {@code GASOK_REQUIRE_OPENCL=1} is set (CI with
 * PoCL), where a missing device fails it.
 */
final class OpenClTestBackend {
    static final String REQUIRE_VARIABLE = "GASOK_REQUIRE_OPENCL";
    private static final OpenClBackendProvider PROVIDER = new OpenClBackendProvider();

    private OpenClTestBackend() {}

    static OpenClBackend backend() {
        try {
            return (OpenClBackend) PROVIDER.open(0);
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv(REQUIRE_VARIABLE))) {
                return fail(REQUIRE_VARIABLE + "=1 but " + e.getMessage(), e);
            }
            Assumptions.abort("skipped, no OpenCL device (set " + REQUIRE_VARIABLE + "=1 to fail instead): " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }
}
