package io.convnet.nn;

/** One row of {@code summary()}: what the manifest records about a layer. */
public record LayerInfo(String name, String type, int[] outputShape, long params, boolean conv, boolean trainable) {}
