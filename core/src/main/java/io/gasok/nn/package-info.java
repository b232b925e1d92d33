/**
 * Neural-network building blocks on top of {@link io.gasok.Tensor}: {@code Module} with named
 * parameters and buffers and a train/eval mode, the layers, weight initialisation and the losses.
 */
package io.gasok.nn;
