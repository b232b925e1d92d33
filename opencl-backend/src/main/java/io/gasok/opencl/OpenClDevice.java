package io.gasok.opencl;

import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it, with what the backend needs to know about it.
 *
 * @param doublePrecision whether it has {@code cl_khr_fp64} (FLOAT64 kernels)
 * @param correctlyRoundedDivideSqrt whether float division and sqrt can be built correctly rounded
 */
record OpenClDevice(cl_platform_id platform, cl_device_id device, long type, String name, String platformName,
                    String version, long globalMemoryBytes, boolean doublePrecision,
                    boolean correctlyRoundedDivideSqrt) {

    boolean isGpu() {
        return (type & CL_DEVICE_TYPE_GPU) != 0;
    }

    /** A CPU device (PoCL): items of a work-group run as a vectorised loop on one core. */
    boolean isCpu() {
        return (type & CL_DEVICE_TYPE_CPU) != 0;
    }

    String typeName() {
        if (isGpu()) {
            return "GPU";
        }
        return (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "CPU";
    }

    String describe() {
        return name + " (" + typeName() + ", " + platformName + ", " + version + ", "
                + globalMemoryBytes / (1024 * 1024) + " MiB" + (doublePrecision ? ", fp64" : ", no fp64") + ")";
    }
}
