package io.gasok.opencl;

import static org.jocl.CL.CL_DEVICE_DOUBLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PLATFORM_NOT_FOUND_KHR;
import static org.jocl.CL.CL_SUCCESS;

import io.gasok.BackendUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Finds the OpenCL devices and orders them as {@code opencl:N} indexes them: GPUs first, then
 * accelerators, then CPUs (such as PoCL), each kind in platform order.
 */
final class OpenClDevices {
    private OpenClDevices() {}

    /** Every device of every platform, in the order above; never empty. */
    static List<OpenClDevice> discover() {
        OpenClLibrary.requireLoaded();
        int[] platformCount = new int[1];
        int code = CL.clGetPlatformIDs(0, null, platformCount);
        if (code == CL_PLATFORM_NOT_FOUND_KHR || (code == CL_SUCCESS && platformCount[0] == 0)) {
            throw new BackendUnavailableException("opencl", "no OpenCL platform: the ICD loader found no driver in "
                    + "/etc/OpenCL/vendors. Install your GPU vendor's OpenCL driver, or 'pocl-opencl-icd' for the CPU");
        }
        OpenClException.check(code, "device discovery", "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[platformCount[0]];
        OpenClException.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "device discovery", "clGetPlatformIDs");
        List<OpenClDevice> devices = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            devices.addAll(devicesOf(platform));
        }
        if (devices.isEmpty()) {
            throw new BackendUnavailableException("opencl", platforms.length + " OpenCL platform(s) but no device: "
                    + "check that the driver sees the GPU (clinfo -l lists what OpenCL finds)");
        }
        devices.sort(Comparator.comparingInt(OpenClDevices::preference));
        return List.copyOf(devices);
    }

    private static int preference(OpenClDevice device) {
        if ((device.type() & CL_DEVICE_TYPE_GPU) != 0) {
            return 0;
        }
        if ((device.type() & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return 1;
        }
        return (device.type() & CL_DEVICE_TYPE_CPU) != 0 ? 2 : 3;
    }

    private static List<OpenClDevice> devicesOf(cl_platform_id platform) {
        int[] count = new int[1];
        int code = CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, count);
        if (code == CL_DEVICE_NOT_FOUND) {
            return List.of();
        }
        OpenClException.check(code, "device discovery", "clGetDeviceIDs");
        cl_device_id[] ids = new cl_device_id[count[0]];
        OpenClException.check(CL.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null),
                "device discovery", "clGetDeviceIDs");
        String platformName = platformString(platform, CL_PLATFORM_NAME);
        List<OpenClDevice> devices = new ArrayList<>();
        for (cl_device_id id : ids) {
            devices.add(new OpenClDevice(platform, id, deviceLong(id, CL_DEVICE_TYPE), deviceString(id, CL_DEVICE_NAME),
                    platformName, deviceString(id, CL_DEVICE_VERSION), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                    deviceLong(id, CL_DEVICE_DOUBLE_FP_CONFIG) != 0,
                    (deviceLong(id, CL_DEVICE_SINGLE_FP_CONFIG) & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0));
        }
        return devices;
    }

    private static long deviceLong(cl_device_id device, int parameter) {
        long[] value = new long[1];
        OpenClException.check(CL.clGetDeviceInfo(device, parameter, Sizeof.cl_ulong, Pointer.to(value), null),
                "device discovery", "clGetDeviceInfo");
        return value[0];
    }

    private static String deviceString(cl_device_id device, int parameter) {
        long[] size = new long[1];
        OpenClException.check(CL.clGetDeviceInfo(device, parameter, 0, null, size), "device discovery", "clGetDeviceInfo");
        byte[] bytes = new byte[(int) size[0]];
        OpenClException.check(CL.clGetDeviceInfo(device, parameter, bytes.length, Pointer.to(bytes), null),
                "device discovery", "clGetDeviceInfo");
        return cString(bytes);
    }

    private static String platformString(cl_platform_id platform, int parameter) {
        long[] size = new long[1];
        OpenClException.check(CL.clGetPlatformInfo(platform, parameter, 0, null, size), "device discovery", "clGetPlatformInfo");
        byte[] bytes = new byte[(int) size[0]];
        OpenClException.check(CL.clGetPlatformInfo(platform, parameter, bytes.length, Pointer.to(bytes), null),
                "device discovery", "clGetPlatformInfo");
        return cString(bytes);
    }

    static String cString(byte[] bytes) {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8).trim();
    }
}
