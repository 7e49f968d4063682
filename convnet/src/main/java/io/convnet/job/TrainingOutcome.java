package io.convnet.job;

import io.convnet.train.History;
import java.nio.file.Path;

/**
 * What a training job produced: its history, and the published bundle (version 0 and null when the
 * job was cancelled and nothing was published).
 */
public record TrainingOutcome(String modelName, int version, Path bundleDir, History history, double seconds) {}
