/*
 * The OpenCL side of the kernel dialect (DESIGN §5b): maps the dialect's macros and type names to
 * OpenCL C 1.2. Every shared kernel is compiled as this prelude, then kernels/common.h, then the
 * kernel's own source; tile sizes and the dtype arrive as -D options (-DT=float).
 *
 * Dialect                     OpenCL C
 *   KERNEL                    __kernel
 *   GLOBAL                    __global (a pointer into device memory)
 *   LOCAL_ARRAY(t, n, len)    __local t n[len] (work-group memory, sized statically)
 *   BARRIER()                 barrier(CLK_LOCAL_MEM_FENCE)
 *   DEVICE_FUNCTION           static inline (a helper called by kernels)
 *   global_id(d), local_id(d), group_id(d), local_size(d), group_count(d)
 *   int64, uint64, uint32, ubyte (fixed-width integers)
 */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
/* Each operation rounds on its own, as the reference backend does: no fused multiply-add behind
   the kernel's back (OpenCL C contracts a * b + c by default). */
#pragma OPENCL FP_CONTRACT OFF

#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL_ARRAY(type, name, length) __local type name[length]
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define DEVICE_FUNCTION static inline

#define global_id(d) ((int64)get_global_id(d))
#define local_id(d) ((int)get_local_id(d))
#define group_id(d) ((int64)get_group_id(d))
#define local_size(d) ((int)get_local_size(d))
#define group_count(d) ((int64)get_num_groups(d))

typedef long int64;
typedef ulong uint64;
typedef uint uint32;
typedef uchar ubyte;
