package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

/**
 * One thread's FP32 GEMM packing buffers (packed A block, packed B panel, one C tile), kept between
 * calls so a GEMM allocates nothing once warm. They grow to the largest block seen: at most
 * MC×KC + KC×NC floats (about 4.4 MB with the default block sizes) per thread that ran a large GEMM.
 */
final class GemmFloat32Scratch {

    private static final ThreadLocal<GemmFloat32Scratch> PER_THREAD =
            ThreadLocal.withInitial(GemmFloat32Scratch::new);

    private float[] packedA = new float[0];
    private float[] packedB = new float[0];
    private final float[] tile = new float[Math.max(MR * NR,
            4 * GemmFloat32Small.STRIP_VECTORS * GemmFloat32MicroKernels.LANES)];

    /** Where {@link GemmFloat32}'s touch of a C strip leaves its sum, so the loads stay. */
    float touched;

    static GemmFloat32Scratch forCurrentThread() {
        return PER_THREAD.get();
    }

    float[] packedA(int size) {
        if (packedA.length < size) {
            packedA = new float[size];
        }
        return packedA;
    }

    /**
     * A buffer for a packed B block of {@code size} floats, with a cache line of slack: the block
     * starts at {@link CacheLines#lineStart} of it.
     */
    float[] packedB(int size) {
        if (packedB.length < size + CacheLines.LINE_FLOATS) {
            packedB = new float[size + CacheLines.LINE_FLOATS];
        }
        return packedB;
    }

    /** An MR × NR tile, row-major (also holds the small path's 4 × 3·LANES tile). */
    float[] tile() {
        return tile;
    }
}
