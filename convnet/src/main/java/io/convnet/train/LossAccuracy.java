package io.convnet.train;

/** Mean loss and accuracy over a set of images. */
public record LossAccuracy(double loss, double accuracy) {}
