package io.convnet.trainer;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What every job run of one trainer instance shares.
 *
 * @param store              model store root ({@code CONVNET_MODEL_STORE}); checkpoints go to
 *                           {@code <store>/.work/jobs/<job>}
 * @param dataRoot           the only place data directories are resolved under ({@code CONVNET_DATA_ROOT})
 * @param progressIntervalMs at most one batch-progress event per interval
 * @param status             the one-line "what am I doing" for the cluster view
 */
record TrainerEnvironment(String instance, TrainEvents events, CancelRequests cancels, FinishedJobs finished,
                          Path store, Path dataRoot, long progressIntervalMs, Consumer<String> status) {
}
