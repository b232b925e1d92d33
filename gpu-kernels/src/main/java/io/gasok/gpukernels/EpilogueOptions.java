package io.gasok.gpukernels;

import io.gasok.DType;
import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;

/**
 * The {@code -D} option that gives the gemm and conv kernels their epilogue's activation:
 * {@code -DACTIVATION(value,param)=<the op's C form>}, taken from the op's single definition
 * ({@link UnaryOp#cFloat()}), so GEMM, convolution and the elementwise kernels agree on every
 * op's edges. Without it the kernels define {@code ACTIVATION} as the identity.
 *
 * <p>alpha, beta and the activation's parameter are kernel arguments, so only the activation's
 * kind picks a program. Build options are split at whitespace (PoCL passes each word to clang as
 * one argument), so the form is written without spaces; a space that separates two words becomes
 * an empty comment, which the preprocessor reads as a space.
 */
public final class EpilogueOptions {
    private EpilogueOptions() {}

    /** The option for {@code epilogue}'s activation in kernels of {@code dtype}, or "" for none. */
    public static String activationDefine(Epilogue epilogue, DType dtype) {
        UnaryOp activation = epilogue == null ? null : epilogue.activation();
        if (activation == null) {
            return "";
        }
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("an epilogue activation needs a float dtype, got " + dtype.shortName());
        }
        String form = ElementwiseKernelGenerator.floatingForm(activation.cFloat(), dtype)
                .replace("$x", "value").replace("$p", "param")
                .replaceAll("(?<=[\\w.])\\s+(?=[\\w.])", "/**/")
                .replaceAll("\\s+", "");
        return "-DACTIVATION(value,param)=" + form;
    }
}
