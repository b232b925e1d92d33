package io.gasok.opencl;

import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Operand;
import io.gasok.spi.Upsample2dSpec;

/**
 * Nearest and bilinear resizing (kernel upsample.c in gpu-kernels): the forward runs one work item
 * per output element, the backward one per input element, which gathers the gradients of the
 * outputs that read it (found by binary search on the monotone source coordinates), so no atomics
 * are needed. The source coordinates are Upsample2dSpec's formulas evaluated on the device in
 * double where it has it, as the reference backend evaluates them; nothing is precomputed here.
 */
final class OpenClUpsampling {
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final boolean doublePrecision;

    OpenClUpsampling(ProgramCache programs, KernelLauncher launcher, BufferPool memory, boolean doublePrecision) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
        this.doublePrecision = doublePrecision;
    }

    /** {@code y[n, c, oh, ow]} = x at the nearest source, or the bilinear blend of four taps. */
    void upsample2d(Upsample2dSpec spec, Operand x, Operand y) {
        launch("upsample2d_forward", spec, x, y);
    }

    /** {@code gx[n, c, h, w]} = the weighted gradients of the outputs that read (h, w); overwrites gx. */
    void upsample2dBackward(Upsample2dSpec spec, Operand gy, Operand gx) {
        launch("upsample2d_backward", spec, gy, gx);
    }

    private void launch(String kernel, Upsample2dSpec spec, Operand in, Operand out) {
        String defines = "-DT=" + DialectTypes.elementType(out.dtype())
                + " -DACC=" + OpenClPooling.accumulator(out.dtype(), doublePrecision);
        launcher.kernel(programs.family("upsample", defines), kernel)
                .buffer(ClBuffer.of(in, memory)).layout(OpenClPooling.nchw(in, kernel))
                .buffer(ClBuffer.of(out, memory)).layout(OpenClPooling.nchw(out, kernel))
                .int64(out.size())
                .flag(spec.mode() == Upsample2dSpec.Mode.BILINEAR).flag(spec.alignCorners())
                .run(out.size());
    }
}
