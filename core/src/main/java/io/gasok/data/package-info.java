/**
 * Data for training: an in-memory labelled {@link io.gasok.data.Dataset}, stratified
 * train/validation/test {@link io.gasok.data.Split}s and a {@link io.gasok.data.DataLoader} that
 * shuffles with a seed and hands out mini-batches as tensors.
 */
package io.gasok.data;
