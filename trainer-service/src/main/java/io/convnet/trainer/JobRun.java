package io.convnet.trainer;

import io.convnet.arch.Architectures;
import io.convnet.bundle.BundleStore;
import io.convnet.data.DataException;
import io.convnet.data.DataRoot;
import io.convnet.data.DataSplits;
import io.convnet.data.ImageFolder;
import io.convnet.image.ImageDecodeException;
import io.convnet.job.TrainAndPublish;
import io.convnet.job.TrainingOutcome;
import io.convnet.job.TrainingRequest;
import io.convnet.proto.Error;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainJob;
import io.convnet.proto.TransferLearning;
import io.convnet.train.EpochMetrics;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.StopReason;
import io.convnet.train.TrainingDivergedException;
import io.convnet.transfer.TransferOptions;
import io.convnet.util.FileTrees;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on the training thread: check it, resolve its data under the data root, train with
 * {@link TrainAndPublish} (events as it goes), publish, and end it with exactly one terminal event
 * (Published, Failed or Cancelled) -- or, when the instance must let go of it, an Interrupted
 * event and its checkpoints kept in {@code <store>/.work/jobs/<job>} for whoever resumes it.
 */
final class JobRun {
  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** How a run left the job: ended for good (commit its offset), or to be resumed elsewhere. */
  enum Result { ENDED, INTERRUPTED }

  private final TrainerEnvironment env;
  private final TrainJob job;
  private final String jobId;
  private final Supplier<String> letGo;

  /** @param letGo why this instance must stop the job without ending it (shutdown, rebalance); null while it runs on */
  JobRun(TrainerEnvironment env, TrainJob job, String jobId, Supplier<String> letGo) {
    this.env = env;
    this.job = job;
    this.jobId = jobId;
    this.letGo = letGo;
  }

  static Path workDir(Path store, String jobId) {
    return store.resolve(".work").resolve("jobs").resolve(jobId);
  }

  Result run() {
    if (!JOB_ID.matcher(jobId).matches()) {
      env.events().sendAndWait(failed(ErrorCode.INVALID_ARGUMENT, "invalid job id '" + jobId
          + "': use 1-128 letters, digits, '.', '_' or '-'"));
      return Result.ENDED;
    }
    Optional<FinishedJobs.Ending> previous = env.finished().get(jobId);
    if (previous.isPresent()) {
      LOG.info("job {} ended before ({}); sending its ending again", jobId, previous.get().event().getKindCase());
      return resend(previous.get());
    }
    if (cancelled()) {
      return end(event().setCancelled(TrainEvent.Cancelled.newBuilder().setEpoch(0)).build(), null);
    }
    Path workDir = workDir(env.store(), jobId);
    try {
      return train(workDir);
    } catch (Throwable e) {  // a job's failure must end the job, never the trainer
      if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) {
        throw (VirtualMachineError) e;
      }
      ErrorCode code = code(e);
      String message = relativeToDataRoot(e.getMessage() == null ? e.toString() : e.getMessage());
      if (code == ErrorCode.INTERNAL) {
        LOG.error("job {} failed", jobId, e);
      } else {
        LOG.info("job {} failed: {}", jobId, message);
      }
      FileTrees.delete(workDir);  // nobody resumes a failed job
      return end(failed(code, message), null);
    }
  }

  private Result train(Path workDir) {
    // The parameters first (cheap, and independent of any file), then the data.
    TrainingRequest checked = request(null, env.store(), null);
    // A job publishes into its own model's directory only: refuse one that leads elsewhere before training.
    new BundleStore(env.store()).requireOwnDirectory(checked.modelName());
    DataRoot root;
    try {
      root = new DataRoot(env.dataRoot());
    } catch (DataException e) {
      throw new IllegalStateException("the trainer's data root is unusable (CONVNET_DATA_ROOT): " + e.getMessage(), e);
    }
    Path data = root.resolve(job.getDataDir());
    String weights = job.hasTransfer() ? job.getTransfer().getWeights() : "";
    TrainingRequest req = request(root, data, weights.isEmpty() ? null : root.resolve(weights));
    ImageFolder train = ImageFolder.scan(root, data.resolve(DataSplits.TRAIN), req.maxPerClass());
    ImageFolder validation = ImageFolder.scan(root, data.resolve(DataSplits.VALIDATION), 0);
    List<String> labels = train.classNames();
    long parameters = Architectures.get(req.architecture()).define(req.imageSize(), labels.size()).paramCount();
    ProgressEvents progress = new ProgressEvents(env.events(), jobId, TrainEvent.Started.newBuilder()
        .setTrainImages(train.size()).setValidationImages(validation.size()).addAllLabels(labels)
        .setParameters(parameters).setImageSize(req.imageSize()), req.batchSize(), env.progressIntervalMs(),
        env.status());
    LOG.info("job {}: training {} ({}) on {}", jobId, req.modelName(), req.architecture(), job.getDataDir());

    TrainingOutcome outcome = TrainAndPublish.run(req, progress, () -> cancelled() || letGo.get() != null);
    if (outcome.version() == 0) {
      if (cancelled()) {
        FileTrees.delete(workDir);
        return end(event().setCancelled(TrainEvent.Cancelled.newBuilder().setEpoch(progress.epochsDone())).build(),
            null);
      }
      LOG.info("job {}: let go after {} epochs; checkpoints stay in {}", jobId, progress.epochsDone(), workDir);
      env.events().send(event().setInterrupted(TrainEvent.Interrupted.newBuilder().setEpoch(progress.epochsDone())
          .setReason(env.instance() + " let it go (" + letGo.get() + "); it resumes from its last epoch checkpoint"))
          .build());
      return Result.INTERRUPTED;
    }
    EpochMetrics best = outcome.history().best().orElseThrow();
    String path = req.modelName() + "/" + outcome.version();
    ModelPublished model = ModelPublished.newBuilder()
        .setName(req.modelName()).setVersion(outcome.version()).setPath(path).setArchitecture(req.architecture())
        .addAllLabels(labels).setCreatedMs(System.currentTimeMillis()).setJobId(jobId)
        .putMetrics("loss", best.loss()).putMetrics("accuracy", best.accuracy())
        .putMetrics("val_loss", best.valLoss()).putMetrics("val_accuracy", best.valAccuracy())
        .putMetrics("best_epoch", best.epoch()).putMetrics("epochs_run", outcome.history().epochs().size())
        .build();
    TrainEvent published = event().setPublished(TrainEvent.Published.newBuilder()
        .setModel(req.modelName()).setVersion(outcome.version()).setPath(path)
        .setLoss(best.loss()).setAccuracy(best.accuracy()).setValLoss(best.valLoss()).setValAccuracy(best.valAccuracy())
        .setBestEpoch(best.epoch()).setEpochsRun(outcome.history().epochs().size())
        .setStoppedEarly(outcome.history().stopReason() == StopReason.EARLY_STOPPED)
        .setSeconds(outcome.seconds())).build();
    LOG.info("job {}: published {} in {} s", jobId, path, Math.round(outcome.seconds()));
    return end(published, model);
  }

  /**
   * The job as convnet takes it, its data read under {@code root} only; {@code weights} resolved under
   * the data root (null: none, or not yet).
   */
  private TrainingRequest request(DataRoot root, Path data, Path weights) {
    return new TrainingRequest(job.getArchitecture(), job.getModel().isEmpty() ? null : job.getModel(), data,
        job.getEpochs(), job.getBatchSize(), job.getAugment(),
        OptimizerSpec.parse(job.getOptimizer(), job.getLearningRate()), job.getSeed(), job.getMaxImagesPerClass(),
        job.getImageSize(), job.getPatience(), env.store(), workDir(env.store(), jobId), true, transfer(weights),
        root);
  }

  /** TrainJob.transfer (proto3: absent and all-default mean plain training) as convnet's options. */
  private TransferOptions transfer(Path weights) {
    if (!job.hasTransfer()) {
      return TransferOptions.NONE;
    }
    TransferLearning t = job.getTransfer();
    return new TransferOptions(weights, t.getFreezeBase(), t.getCacheBottleneck(), t.getFineTuneEpochs(),
        t.getFineTuneLearningRate(), t.getFineTuneFrom());
  }

  /** Recorded first, then announced: a job delivered again finds its ending (see {@link FinishedJobs}). */
  private Result end(TrainEvent event, ModelPublished model) {
    env.finished().put(jobId, new FinishedJobs.Ending(event, model));
    if (model != null) {
      env.events().publishModel(model);
    }
    env.events().sendAndWait(event);
    return Result.ENDED;
  }

  private Result resend(FinishedJobs.Ending ending) {
    ModelPublished model = ending.model();
    // Never announce an older version over a newer one on the compacted topic.
    if (model != null && new BundleStore(env.store()).latestVersion(model.getName())
        .filter(v -> v == model.getVersion()).isPresent()) {
      env.events().publishModel(model);
    }
    env.events().sendAndWait(ending.event());
    return Result.ENDED;
  }

  private boolean cancelled() {
    return env.cancels().isCancelled(jobId);
  }

  private TrainEvent.Builder event() {
    return env.events().event(jobId);
  }

  private TrainEvent failed(ErrorCode code, String message) {
    return event().setFailed(TrainEvent.Failed.newBuilder()
        .setError(Error.newBuilder().setCode(code).setMessage(message))).build();
  }

  /** Bad parameters and unusable data are the client's to fix; anything else is ours. */
  static ErrorCode code(Throwable e) {
    if (e instanceof DataException || e instanceof IllegalArgumentException || e instanceof ImageDecodeException
        || e instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException
        || e instanceof TrainingDivergedException) {  // the learning rate was too high for this data
      return ErrorCode.INVALID_ARGUMENT;
    }
    return ErrorCode.INTERNAL;
  }

  /** Messages name data folders as the client does: relative to the data root, no server paths. */
  private String relativeToDataRoot(String message) {
    String result = message;
    for (Path root : new Path[] {realPath(env.dataRoot()), env.dataRoot().toAbsolutePath().normalize()}) {
      if (root != null) {
        result = result.replace(root + File.separator, "").replace(root.toString(), "<data root>");
      }
    }
    return result;
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
