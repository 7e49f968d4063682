package io.convnet.train;

/** One epoch's figures, as Keras' History records them (epochs count from 1). */
public record EpochMetrics(int epoch, double loss, double accuracy, double valLoss, double valAccuracy,
    double seconds) {}
