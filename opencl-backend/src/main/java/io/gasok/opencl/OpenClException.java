package io.gasok.opencl;

import io.gasok.GasokException;
import org.jocl.CL;

/**
 * An OpenCL call failed. The message names the kernel (or the memory operation), the OpenCL call
 * and the error by its name ({@code CL_INVALID_KERNEL_ARGS}), plus the compiler log for a failed
 * build.
 */
public final class OpenClException extends GasokException {
    private static final long serialVersionUID = 1L;

    private final int errorCode;

    OpenClException(String message, int errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    /** The OpenCL error code, e.g. -52 for CL_INVALID_KERNEL_ARGS. */
    public int errorCode() {
        return errorCode;
    }

    /** Throws unless {@code code} is CL_SUCCESS. */
    static void check(int code, String kernel, String call) {
        if (code != CL.CL_SUCCESS) {
            throw failure(code, kernel, call);
        }
    }

    static OpenClException failure(int code, String kernel, String call) {
        return new OpenClException("opencl: " + kernel + ": " + call + " failed with " + errorName(code), code);
    }

    static String errorName(int code) {
        return CL.stringFor_errorCode(code) + " (" + code + ")";
    }
}
