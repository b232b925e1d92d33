package io.gasok.optim;

import io.gasok.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's {@code torch.optim.AdamW}:
 * {@code p ← p·(1 - lr·weightDecay)} and then Adam's step, in the same fused launch; the decay
 * does not pass through the moments. Default weight decay 0.01, as PyTorch's.
 */
public final class AdamW extends Adam {

    public AdamW(List<Tensor> parameters, double learningRate) {
        super(parameters, learningRate, true);
        weightDecay(0.01);
    }
}
