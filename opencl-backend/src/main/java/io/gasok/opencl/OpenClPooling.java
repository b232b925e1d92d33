package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;

/**
 * Max and average pooling (kernel pool.c in gpu-kernels): the forward runs one work item per
 * output element, the backward one per input element, which gathers the gradients of the windows
 * that chose it (max) or contain it (average), so no two items write one element and no atomics
 * are needed. Sums and the average's division are done in double where the device has it, as
 * the reference backend does, so float32 results match it bit for bit.
 */
final class OpenClPooling {
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final boolean doublePrecision;

    OpenClPooling(ProgramCache programs, KernelLauncher launcher, BufferPool memory, boolean doublePrecision) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
        this.doublePrecision = doublePrecision;
    }

    /** {@code y[n, c, oh, ow]} = the first maximum or the average of the window of (oh, ow). */
    void pool2d(Pool2dSpec spec, Operand x, Operand y) {
        launch("pool2d_forward", spec, y.size(), x, null, y);
    }

    /** {@code gx[n, c, h, w]} = the gradients of the windows that chose or contain (h, w); overwrites gx. */
    void pool2dBackward(Pool2dSpec spec, Operand x, Operand gy, Operand gx) {
        launch("pool2d_backward", spec, gx.size(), x, gy, gx);
    }

    private void launch(String kernel, Pool2dSpec spec, long items, Operand x, Operand gy, Operand out) {
        String defines = "-DT=" + DialectTypes.elementType(out.dtype()) + " -DACC=" + accumulator(out.dtype(), doublePrecision);
        KernelLauncher.Launch launch = launcher.kernel(programs.family("pool", defines), kernel)
                .buffer(ClBuffer.of(x, memory)).layout(nchw(x, kernel));
        if (gy != null) {
            launch.buffer(ClBuffer.of(gy, memory)).layout(nchw(gy, kernel));
        }
        launch.buffer(ClBuffer.of(out, memory)).layout(nchw(out, kernel)).int64(items)
                .int64(spec.kernelHeight()).int64(spec.kernelWidth())
                .int64(spec.strideHeight()).int64(spec.strideWidth())
                .int64(spec.padTop()).int64(spec.padLeft()).int64(spec.padBottom()).int64(spec.padRight())
                .flag(spec.countIncludePad()).flag(spec.kind() == Pool2dSpec.Kind.MAX)
                .run(items);
    }

    /** A 4-D operand's layout, not merged: the kernels read [batch, channels, rows, columns] from it. */
    static long[] nchw(Operand operand, String kernel) {
        return StridedLayout.pack(operand.offset(), StridedLayout.toLongs(operand.shape()),
                StridedLayout.toLongs(operand.strides()), kernel);
    }

    /** What pool.c and upsample.c compute in: double as the reference does, or float without fp64. */
    static String accumulator(DType dtype, boolean doublePrecision) {
        return doublePrecision ? "double" : DialectTypes.elementType(dtype);
    }
}
