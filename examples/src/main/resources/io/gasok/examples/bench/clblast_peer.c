/*
 * clblast_peer: CLBlast's SGEMM as a peer of `gasok bench` (ClblastPeer.java builds this file with
 * `cc ... -lclblast -lOpenCL` on first use and talks to it through its standard input and output).
 *
 * Device: argv[1] is the index N of Gasok's `opencl:N`; the devices are ordered as Gasok orders
 * them (GPUs, then accelerators, then CPUs, each kind in platform order, devices in driver order),
 * so N names the same device. One context and one in-order queue on it.
 *
 * Protocol (the one NumpyPeer speaks): the first line is a JSON object describing the peer
 * ({"clblast": version, "platform": ..., "device": ..., "device_version": ...}) or {"error": ...};
 * then one request per line, `CALLS gemm N`, answered by one line {"seconds": total} for CALLS
 * products C = A·B of N×N row-major float matrices, each followed by clFinish (so the time covers
 * the device's work, not only its queueing), or {"error": ...}. The inputs of the last request are
 * kept, so repeated runs reuse them; the output buffer is reused too (CLBlast writes it whole).
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEVICES 64

typedef struct {
    cl_platform_id platform;
    cl_device_id device;
    int preference; /* 0 GPU, 1 accelerator, 2 CPU, 3 other: Gasok's order */
} Candidate;

static void print_error(const char *what, int code) {
    printf("{\"error\": \"%s failed with code %d\"}\n", what, code);
    fflush(stdout);
}

/* Writes `text` as a JSON string body: quotes, backslashes and control characters escaped. */
static void print_json_text(const char *text) {
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\') {
            printf("\\%c", *c);
        } else if ((unsigned char)*c < 0x20) {
            printf("\\u%04x", (unsigned char)*c);
        } else {
            putchar(*c);
        }
    }
}

static int preference_of(cl_device_type type) {
    if (type & CL_DEVICE_TYPE_GPU) return 0;
    if (type & CL_DEVICE_TYPE_ACCELERATOR) return 1;
    if (type & CL_DEVICE_TYPE_CPU) return 2;
    return 3;
}

/* Every device of every platform in Gasok's order (a stable sort by preference). */
static int discover(Candidate *found) {
    cl_platform_id platforms[16];
    cl_uint platform_count = 0;
    if (clGetPlatformIDs(16, platforms, &platform_count) != CL_SUCCESS) {
        return 0;
    }
    int count = 0;
    for (int preference = 0; preference <= 3; preference++) {
        for (cl_uint p = 0; p < platform_count && p < 16; p++) {
            cl_device_id devices[MAX_DEVICES];
            cl_uint device_count = 0;
            if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devices, &device_count) != CL_SUCCESS) {
                continue;
            }
            for (cl_uint d = 0; d < device_count && d < MAX_DEVICES && count < MAX_DEVICES; d++) {
                cl_device_type type = 0;
                clGetDeviceInfo(devices[d], CL_DEVICE_TYPE, sizeof type, &type, NULL);
                if (preference_of(type) == preference) {
                    found[count].platform = platforms[p];
                    found[count].device = devices[d];
                    found[count].preference = preference;
                    count++;
                }
            }
        }
    }
    return count;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A fixed pseudo-random fill in [-0.5, 0.5): the values do not change SGEMM's speed. */
static void fill(float *values, size_t length, unsigned int seed) {
    unsigned int state = seed;
    for (size_t i = 0; i < length; i++) {
        state = state * 1664525u + 1013904223u;
        values[i] = (float)(state >> 8) / 16777216.0f - 0.5f;
    }
}

int main(int argc, char **argv) {
    int index = argc > 1 ? atoi(argv[1]) : 0;
    Candidate candidates[MAX_DEVICES];
    int count = discover(candidates);
    if (index < 0 || index >= count) {
        printf("{\"error\": \"no OpenCL device opencl:%d (%d found)\"}\n", index, count);
        return 0;
    }
    Candidate chosen = candidates[index];
    char platform_name[256] = "", device_name[256] = "", device_version[256] = "";
    clGetPlatformInfo(chosen.platform, CL_PLATFORM_NAME, sizeof platform_name - 1, platform_name, NULL);
    clGetDeviceInfo(chosen.device, CL_DEVICE_NAME, sizeof device_name - 1, device_name, NULL);
    clGetDeviceInfo(chosen.device, CL_DEVICE_VERSION, sizeof device_version - 1, device_version, NULL);

    cl_int code;
    cl_context context = clCreateContext(NULL, 1, &chosen.device, NULL, NULL, &code);
    if (code != CL_SUCCESS) {
        print_error("clCreateContext", code);
        return 0;
    }
    cl_command_queue queue = clCreateCommandQueue(context, chosen.device, 0, &code);
    if (code != CL_SUCCESS) {
        print_error("clCreateCommandQueue", code);
        return 0;
    }
    printf("{\"clblast\": \"%d.%d.%d\", \"platform\": \"", CLBLAST_VERSION_MAJOR, CLBLAST_VERSION_MINOR,
           CLBLAST_VERSION_PATCH);
    print_json_text(platform_name);
    printf("\", \"device\": \"");
    print_json_text(device_name);
    printf("\", \"device_version\": \"");
    print_json_text(device_version);
    printf("\"}\n");
    fflush(stdout);

    size_t prepared = 0;
    cl_mem a = NULL, b = NULL, c = NULL;
    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        long calls = 0;
        char op[32];
        long n = 0;
        if (sscanf(line, "%ld %31s %ld", &calls, op, &n) != 3 || strcmp(op, "gemm") != 0 || calls < 0 || n < 1
                || n > 65536) {
            printf("{\"error\": \"unsupported request: expected 'CALLS gemm N'\"}\n");
            fflush(stdout);
            continue;
        }
        if ((size_t)n != prepared) {
            if (a != NULL) {
                clReleaseMemObject(a);
                clReleaseMemObject(b);
                clReleaseMemObject(c);
                a = b = c = NULL;
                prepared = 0;
            }
            size_t bytes = (size_t)n * (size_t)n * sizeof(float);
            float *values = malloc(bytes);
            if (values == NULL) {
                printf("{\"error\": \"out of host memory for %ld x %ld\"}\n", n, n);
                fflush(stdout);
                continue;
            }
            fill(values, (size_t)n * (size_t)n, 1);
            a = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, values, &code);
            fill(values, (size_t)n * (size_t)n, 2);
            b = code == CL_SUCCESS ? clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, values, &code) : NULL;
            c = code == CL_SUCCESS ? clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, NULL, &code) : NULL;
            free(values);
            if (code != CL_SUCCESS) {
                print_error("clCreateBuffer", code);
                continue;
            }
            prepared = (size_t)n;
        }
        double start = now_seconds();
        CLBlastStatusCode status = CLBlastSuccess;
        for (long call = 0; call < calls && status == CLBlastSuccess; call++) {
            status = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, n, n, n, 1.0f,
                                  a, 0, n, b, 0, n, 0.0f, c, 0, n, &queue, NULL);
            if (status == CLBlastSuccess) {
                status = clFinish(queue);
            }
        }
        double seconds = now_seconds() - start;
        if (status != CLBlastSuccess) {
            print_error("CLBlastSgemm", status);
        } else {
            printf("{\"seconds\": %.9f}\n", seconds);
            fflush(stdout);
        }
    }
    return 0;
}
