package io.gasok.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.Autograd;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.nn.Generator;
import io.gasok.nn.LeakCheck;
import io.gasok.nn.Linear;
import io.gasok.nn.Losses;
import io.gasok.nn.ReLU;
import io.gasok.nn.Sequential;
import io.gasok.nn.Tanh;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** End to end on the reference backend: an MLP learns XOR-like quadrants with Adam. */
@ExtendWith(LeakCheck.class)
class TrainingTest {

    @Test
    void anMlpLearnsASmallSeparableProblemWithAdam() {
        int count = 128;
        float[] points = new float[count * 2];
        long[] labels = new long[count];
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            float x;
            float y;
            do {
                x = random.nextFloat() * 2 - 1;
                y = random.nextFloat() * 2 - 1;
            } while (Math.abs(x) < 0.1 || Math.abs(y) < 0.1);
            points[2 * i] = x;
            points[2 * i + 1] = y;
            labels[i] = x * y > 0 ? 1 : 0;
        }
        Generator generator = new Generator(1);
        try (Sequential model = new Sequential(new Linear(2, 16, true, generator), new Tanh(),
                new Linear(16, 16, true, generator), new ReLU(), new Linear(16, 2, true, generator));
             Adam adam = new Adam(model.parameters(), 0.03);
             Scope data = Scope.open()) {
            adam.schedule(Schedule.linearWarmup(10, Schedule.cosine(0.03, 190, 0.003)));
            Tensor inputs = Tensor.of(points, count, 2);
            Tensor targets = Tensor.of(labels);
            for (int step = 0; step < 200; step++) {
                try (Scope scope = Scope.open()) {
                    model.zeroGrad();
                    Losses.crossEntropy(model.forward(inputs), targets).backward();
                    GradClip.clipGradNorm(model.parameters(), 5);
                    adam.step();
                }
            }
            model.zeroGrad();
            model.eval();
            try (Autograd.GradMode off = Autograd.noGrad()) {
                long[] predicted = model.forward(inputs).argmax(1, false).toLongArray();
                int correct = 0;
                for (int i = 0; i < count; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
                assertTrue(correct >= 0.97 * count, "accuracy " + correct + "/" + count);
            }
        }
    }
}
