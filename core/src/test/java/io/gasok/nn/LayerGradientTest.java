package io.gasok.nn;

import static io.gasok.nn.GradCheck.awayFromZero;
import static io.gasok.nn.GradCheck.distinct;

import io.gasok.DType;
import io.gasok.Scope;
import io.gasok.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every layer's backward agrees with central differences in FLOAT64, for its input and its parameters. */
@ExtendWith(LeakCheck.class)
class LayerGradientTest {

    private static void check(Module module, Tensor input) {
        try (module; input; Scope scope = Scope.open()) {
            module.to(DType.FLOAT64);
            GradCheck.module(module, input);
        }
    }

    private static Generator seeded() {
        return new Generator(11);
    }

    @Test
    void linearWithAndWithoutBias() {
        check(new Linear(3, 2, true, seeded()), awayFromZero(1, 4, 3));
        check(new Linear(3, 2, false, seeded()), awayFromZero(2, 2, 2, 3));
    }

    @Test
    void conv2dPlainStridedGroupedAndDepthwise() {
        check(new Conv2d(2, 3, 3, 1, 1, 1, 1, true, seeded()), awayFromZero(3, 2, 2, 4, 4));
        check(new Conv2d(2, 2, 2, 2, 0, 1, 1, true, seeded()), awayFromZero(4, 1, 2, 4, 4));
        check(new Conv2d(4, 2, 3, 1, 1, 1, 2, false, seeded()), awayFromZero(5, 1, 4, 3, 3));
        check(new Conv2d(3, 3, 3, 1, 1, 1, 3, true, seeded()), awayFromZero(6, 1, 3, 4, 4));
    }

    @Test
    void batchNormInTrainAndEvalMode() {
        check(new BatchNorm1d(3), awayFromZero(7, 5, 3));
        check(new BatchNorm1d(2), awayFromZero(8, 3, 2, 4));
        check(new BatchNorm2d(2), awayFromZero(9, 3, 2, 2, 2));
        BatchNorm2d eval = new BatchNorm2d(2);
        eval.eval();
        check(eval, awayFromZero(10, 2, 2, 2, 2));
    }

    @Test
    void layerNormOverOneAndTwoTrailingAxes() {
        check(new LayerNorm(4), awayFromZero(11, 3, 4));
        check(new LayerNorm(2, 3), awayFromZero(12, 2, 2, 3));
    }

    @Test
    void activations() {
        check(new ReLU(), awayFromZero(13, 3, 4));
        check(new LeakyReLU(0.2), awayFromZero(14, 3, 4));
        check(new SiLU(), awayFromZero(15, 3, 4));
        check(new GELU(), awayFromZero(16, 3, 4));
        check(new GELU(true), awayFromZero(17, 3, 4));
        check(new Sigmoid(), awayFromZero(18, 3, 4));
        check(new Tanh(), awayFromZero(19, 3, 4));
        check(new Softmax(1), awayFromZero(20, 3, 4));
        check(new LogSoftmax(-1), awayFromZero(21, 2, 3, 4));
    }

    @Test
    void poolingUpsamplingAndFlatten() {
        check(new MaxPool2d(2), distinct(22, 1, 2, 4, 4));
        check(new MaxPool2d(3, 2, 1), distinct(23, 1, 1, 5, 5));
        check(new AvgPool2d(2), awayFromZero(24, 1, 2, 4, 4));
        check(new AvgPool2d(3, 1, 1), awayFromZero(25, 1, 1, 3, 3));
        check(new Upsample(2), awayFromZero(26, 1, 2, 2, 3));
        check(new Upsample(2, Upsample.Mode.BILINEAR, false), awayFromZero(27, 1, 1, 3, 2));
        check(new Upsample(3, Upsample.Mode.BILINEAR, true), awayFromZero(28, 1, 1, 2, 2));
        check(new Flatten(), awayFromZero(29, 2, 3, 2));
    }

    @Test
    void aSequentialModel() {
        Generator generator = seeded();
        check(new Sequential(new Linear(3, 4, true, generator), new Tanh(), new LayerNorm(4),
                new Linear(4, 2, true, generator)), awayFromZero(30, 5, 3));
        // A Linear followed by a ReLU runs fused; small inputs keep the pre-activations near the
        // bias, away from the ReLU's kink.
        Linear first = new Linear(3, 4, true, generator);
        Tensor small;
        try (Scope scope = Scope.open(); io.gasok.Autograd.GradMode off = io.gasok.Autograd.noGrad()) {
            first.bias().copyFrom(Tensor.of(new float[] {0.8f, -0.8f, 0.9f, -0.9f}));
            small = scope.keep(awayFromZero(32, 5, 3).mul(0.05));
        }
        check(new Sequential(first, new ReLU(), new Linear(4, 2, true, generator), new ReLU(),
                new Linear(2, 2, false, generator)), small);
        check(new Sequential(new Conv2d(1, 2, 3, 1, 1, 1, 1, true, generator), new BatchNorm2d(2), new SiLU(),
                new AvgPool2d(2), new Flatten(), new Linear(8, 2, true, generator)), awayFromZero(31, 2, 1, 4, 4));
    }
}
