/**
 * Optimizers (SGD with momentum and Nesterov, Adam, AdamW) with weight decay, gradient clipping
 * and learning-rate schedules. Each parameter's step is a small fixed number of fused launches
 * ({@link io.gasok.Tensor#updateInPlace}): one for plain SGD, two for SGD with momentum (buffer,
 * parameter) and for Adam/AdamW (both moments packed in one state tensor, then the parameter).
 */
package io.gasok.optim;
