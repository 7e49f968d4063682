/**
 * TensorFlow ops that do inside a graph what {@code io.convnet.image} (decoding) and
 * {@code io.convnet.data.Preprocessing} (resize, scaling) do in Java, so that a SavedModel takes encoded
 * images and any TensorFlow runtime (TF Serving included) feeds the model the pixels training saw.
 */
package io.convnet.ingraph;
