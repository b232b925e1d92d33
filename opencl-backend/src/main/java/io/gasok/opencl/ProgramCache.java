package io.gasok.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_SUCCESS;

import io.gasok.gpukernels.KernelSources;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Built programs of one device, kept for the life of the backend: one per kernel family and
 * {@code -D} options (the dtype), and one per generated elementwise expression structure. A build
 * costs PoCL about 0.6 s cold, so nothing is built twice. The {@code cl_kernel} objects of a
 * program are created once too; their arguments are set under the launcher's lock.
 */
final class ProgramCache {
    private final cl_context context;
    private final cl_device_id device;
    private final String deviceOptions;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();
    /** Generated programs by their cache key (a map of their own: no key prefix to build per launch). */
    private final Map<String, Program> generatedPrograms = new ConcurrentHashMap<>();

    /** A built program and its kernels by name. */
    record Program(String description, cl_program program, Map<String, cl_kernel> kernels) {
        cl_kernel kernel(String name) {
            return kernels.computeIfAbsent(name, this::create);
        }

        private cl_kernel create(String name) {
            int[] error = new int[1];
            cl_kernel kernel = CL.clCreateKernel(program, name, error);
            OpenClException.check(error[0], name + " in " + description, "clCreateKernel");
            return kernel;
        }
    }

    ProgramCache(cl_context context, cl_device_id device, String deviceOptions) {
        this.context = context;
        this.device = device;
        this.deviceOptions = deviceOptions;
    }

    /** Kernel family {@code family} (a source in gpu-kernels) built with {@code defines}. */
    Program family(String family, String defines) {
        return programs.computeIfAbsent(family + " " + defines,
                key -> build("kernel family " + family, () -> KernelSources.family(KernelSources.Api.OPENCL, family), defines));
    }

    /** A generated kernel, built once per cache key from the dialect source {@code source} supplies. */
    Program generated(String cacheKey, Supplier<String> dialectSource) {
        return generatedPrograms.computeIfAbsent(cacheKey,
                key -> build("generated kernel " + cacheKey, () -> KernelSources.compilable(KernelSources.Api.OPENCL,
                        dialectSource.get()), ""));
    }

    int size() {
        return programs.size() + generatedPrograms.size();
    }

    private Program build(String description, Supplier<String> source, String defines) {
        String text = source.get();
        int[] error = new int[1];
        cl_program program = CL.clCreateProgramWithSource(context, 1, new String[] {text}, null, error);
        OpenClException.check(error[0], description, "clCreateProgramWithSource");
        String options = (deviceOptions + " " + defines).trim();
        int code = CL.clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        if (code != CL_SUCCESS) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new OpenClException("opencl: building " + description + " with options '" + options + "' failed with "
                    + OpenClException.errorName(code) + "; compiler log:\n" + log, code);
        }
        return new Program(description, program, new ConcurrentHashMap<>());
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) Math.max(size[0], 1)];
        CL.clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return OpenClDevices.cString(log);
    }
}
