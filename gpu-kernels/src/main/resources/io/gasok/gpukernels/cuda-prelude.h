/*
 * The CUDA side of the kernel dialect (DESIGN §5b): maps the dialect's macros and type names to
 * CUDA C++ so the kernels written for OpenCL compile unchanged with nvcc. Every shared kernel is
 * compiled as this prelude, then kernels/common.h, then the kernel's own source; tile sizes and
 * the dtype arrive as -D options (-DT=float).
 *
 * Dialect                     CUDA C++
 *   KERNEL                    extern "C" __global__ (unmangled names for cuModuleGetFunction)
 *   GLOBAL                    nothing (device pointers need no qualifier)
 *   LOCAL_ARRAY(t, n, len)    __shared__ t n[len]
 *   BARRIER()                 __syncthreads()
 *   DEVICE_FUNCTION           static __device__ inline
 *   global_id(d), local_id(d), group_id(d), local_size(d), group_count(d): d = 0, 1, 2 is x, y, z
 *   int64, uint64, uint32, ubyte (long is 32 bits on Windows, so int64 is long long)
 *
 * nvcc contracts a * b + c into an fma by default; the CUDA backend compiles with --fmad=false so
 * that results match OpenCL's (FP_CONTRACT OFF) and the reference backend's.
 */
#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL_ARRAY(type, name, length) __shared__ type name[length]
#define BARRIER() __syncthreads()
#define DEVICE_FUNCTION static __device__ inline

#define DIALECT_AXIS(vector, d) ((d) == 0 ? (vector).x : ((d) == 1 ? (vector).y : (vector).z))
#define global_id(d) ((int64)DIALECT_AXIS(blockIdx, d) * DIALECT_AXIS(blockDim, d) + DIALECT_AXIS(threadIdx, d))
#define local_id(d) ((int)DIALECT_AXIS(threadIdx, d))
#define group_id(d) ((int64)DIALECT_AXIS(blockIdx, d))
#define local_size(d) ((int)DIALECT_AXIS(blockDim, d))
#define group_count(d) ((int64)DIALECT_AXIS(gridDim, d))

typedef long long int64;
typedef unsigned long long uint64;
typedef unsigned int uint32;
typedef unsigned char ubyte;

#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
