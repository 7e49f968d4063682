package io.convnet.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.convnet.bundle.BundleStore;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.Topics;
import io.convnet.proto.TrainControl;
import io.convnet.proto.TrainEvent;
import io.convnet.proto.TrainEvent.KindCase;
import io.convnet.proto.TrainJob;
import io.convnet.proto.TransferLearning;
import io.convnet.testing.ImageFolders;
import io.convnet.util.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer against the real broker and real TensorFlow training on a tiny generated data
 * set (32x32 images, a few per class): jobs go in on the jobs topic as the gateway sends
 * them, events and models come out.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingJobsTest {
  static final Duration TRAINING = Duration.ofSeconds(120);
  @TempDir
  static Path tmp;
  static Path data;
  static Path store;
  static RunningService trainer;
  static KafkaProducer<String, byte[]> producer;
  static TopicLog<TrainEvent> events;
  static TopicLog<ModelPublished> models;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createDirectories(tmp.resolve("data"));
    store = tmp.resolve("models");
    ImageFolders.catsAndDogs(data.resolve("tiny"), 4, 32, 7);
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", KafkaBrokerExtension.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
    events = new TopicLog<>(Topics.TRAIN_EVENTS);
    models = new TopicLog<>(Topics.MODELS);
    trainer = startTrainer();
  }

  static RunningService startTrainer() {
    return TestServices.start(TrainerMain.DEFINITION, Map.of(
        Settings.MODEL_STORE.name(), store.toString(),
        Settings.DATA_ROOT.name(), data.toString(),
        Settings.TRAIN_PROGRESS_INTERVAL_MS.name(), "200"));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(trainer);
    events.close();
    models.close();
    producer.close();
  }

  /** A job as the gateway would send it: tiny and quick. */
  static TrainJob.Builder tinyJob(String model) {
    return TrainJob.newBuilder().setJobId("t-" + UUID.randomUUID()).setArchitecture("tutorial-cnn").setModel(model)
        .setDataDir("tiny").setEpochs(2).setBatchSize(4).setAugment(false).setOptimizer("adam")
        .setLearningRate(1e-3).setSeed(3).setImageSize(32).setSubmittedMs(System.currentTimeMillis());
  }

  static String submit(TrainJob job) throws Exception {
    producer.send(new ProducerRecord<>(Topics.TRAIN_JOBS.name(), job.getJobId(), job.toByteArray())).get();
    return job.getJobId();
  }

  static void cancel(String jobId) throws Exception {
    TrainControl c = TrainControl.newBuilder().setJobId(jobId).setAction(TrainControl.Action.CANCEL).build();
    producer.send(new ProducerRecord<>(Topics.TRAIN_CONTROL.name(), jobId, c.toByteArray())).get();
  }

  static List<TrainEvent> awaitEnd(String jobId) {
    return events.await(jobId, e -> e.getKindCase() == KindCase.PUBLISHED || e.getKindCase() == KindCase.FAILED
        || e.getKindCase() == KindCase.CANCELLED, TRAINING);
  }

  static List<KindCase> kinds(List<TrainEvent> list) {
    return list.stream().map(TrainEvent::getKindCase).filter(k -> k != KindCase.PROGRESS).toList();
  }

  static List<Path> leftovers(Path root) throws Exception {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }

  static List<Path> workDirs() throws Exception {
    Path jobs = store.resolve(".work/jobs");
    if (!Files.exists(jobs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(jobs)) {
      return s.toList();
    }
  }

  @Test
  @Order(1)
  void aJobStreamsItsEpochsAndPublishesItsModel() throws Exception {
    String id = submit(tinyJob("tiny-pets").build());
    List<TrainEvent> got = awaitEnd(id);

    assertThat(kinds(got)).containsExactly(KindCase.STARTED, KindCase.EPOCH, KindCase.EPOCH, KindCase.PUBLISHED);
    assertThat(got).allSatisfy(e -> assertThat(e.getInstance()).isEqualTo(trainer.kit().instanceId()));
    TrainEvent.Started started = got.get(0).getStarted();
    assertThat(started.getTrainImages()).isEqualTo(8);
    assertThat(started.getValidationImages()).isEqualTo(8);
    assertThat(started.getLabelsList()).containsExactly("cat", "dog");
    assertThat(started.getResumedFromEpoch()).isZero();
    assertThat(started.getEpochs()).isEqualTo(2);
    assertThat(started.getBatchesPerEpoch()).isEqualTo(2);
    assertThat(started.getParameters()).isPositive();
    // Each epoch's last batch is always reported, and comes before its EpochEnd.
    List<TrainEvent> progress = got.stream().filter(TrainEvent::hasProgress).toList();
    assertThat(progress).filteredOn(e -> e.getProgress().getBatch() == 2).extracting(e -> e.getProgress().getEpoch())
        .containsExactly(1, 2);
    assertThat(progress).allSatisfy(e -> assertThat(e.getProgress().getImagesPerSecond()).isPositive());
    List<TrainEvent.EpochEnd> epochs = got.stream().filter(TrainEvent::hasEpoch).map(TrainEvent::getEpoch).toList();
    assertThat(epochs).extracting(TrainEvent.EpochEnd::getEpoch).containsExactly(1, 2);
    assertThat(epochs).allSatisfy(m -> {
      assertThat(m.getEpochs()).isEqualTo(2);
      assertThat(m.getLoss()).isFinite().isPositive();
      assertThat(m.getValLoss()).isFinite().isPositive();
      assertThat(m.getAccuracy()).isBetween(0.0, 1.0);
      assertThat(m.getValAccuracy()).isBetween(0.0, 1.0);
      assertThat(m.getSeconds()).isPositive();
    });
    assertThat(epochs.get(0).getBest()).isTrue();

    TrainEvent.Published published = got.get(got.size() - 1).getPublished();
    assertThat(published.getModel()).isEqualTo("tiny-pets");
    assertThat(published.getVersion()).isEqualTo(1);
    assertThat(published.getPath()).isEqualTo("tiny-pets/1");
    assertThat(published.getEpochsRun()).isEqualTo(2);
    assertThat(published.getBestEpoch()).isBetween(1, 2);
    assertThat(store.resolve("tiny-pets/1/manifest.json")).exists();
    assertThat(store.resolve("tiny-pets/1/saved_model.pb")).exists();
    assertThat(new BundleStore(store).versions("tiny-pets")).containsExactly(1);

    ModelPublished model = models.await("tiny-pets", m -> m.getJobId().equals(id), Duration.ofSeconds(10))
        .stream().filter(m -> m.getJobId().equals(id)).findFirst().orElseThrow();
    assertThat(model.getVersion()).isEqualTo(1);
    assertThat(model.getPath()).isEqualTo("tiny-pets/1");
    assertThat(model.getArchitecture()).isEqualTo("tutorial-cnn");
    assertThat(model.getLabelsList()).containsExactly("cat", "dog");
    assertThat(model.getMetricsMap()).containsKeys("val_accuracy", "val_loss", "loss", "accuracy", "best_epoch");
    assertThat(store.resolve(".work/jobs/" + id)).doesNotExist();
    assertThat(leftovers(store)).isEmpty();
  }

  @Test
  @Order(2)
  void badJobsFailWithAMessageNamingTheProblemAndLeaveNothingBehind() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    ImageFolders.catsAndDogs(outside, 1, 32, 1);
    Files.createSymbolicLink(data.resolve("escape"), outside);
    Files.createDirectories(data.resolve("empty/train"));
    Files.createDirectories(data.resolve("empty/validation"));
    Path good = data.resolve("tiny/train/cat/cat.0.png");
    for (String split : List.of("train", "validation")) {
      Files.copy(good, Files.createDirectories(data.resolve("one-class/" + split + "/cat")).resolve("a.png"));
    }
    ImageFolders.catsAndDogs(data.resolve("corrupt"), 2, 32, 1);
    Files.write(data.resolve("corrupt/train/dog/corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4});

    Map<String, TrainJob> jobs = new LinkedHashMap<>();
    jobs.put("unknown architecture 'resnet'; known: tutorial-cnn, vgg16, vgg16-top",
        tinyJob("bad-1").setArchitecture("resnet").build());
    jobs.put("unknown architecture 'vgg19'", tinyJob("bad-2").setArchitecture("vgg19").build());
    jobs.put("invalid model name 'Bad Name'", tinyJob("Bad Name").build());
    jobs.put("epochs must be 1..10000, got 0", tinyJob("bad-3").setEpochs(0).build());
    jobs.put("epochs must be 1..10000, got 1000000", tinyJob("bad-4").setEpochs(1_000_000).build());
    jobs.put("batch size must be 1..1024, got -4", tinyJob("bad-5").setBatchSize(-4).build());
    jobs.put("learning rate must be > 0 and <= 10, got 50.0", tinyJob("bad-6").setLearningRate(50).build());
    jobs.put("unknown optimizer 'adagrad'", tinyJob("bad-7").setOptimizer("adagrad").build());
    jobs.put("data path '" + outside + "' is absolute", tinyJob("bad-8").setDataDir(outside.toString()).build());
    jobs.put("data path '../outside' is outside the data root ('..' is not allowed)",
        tinyJob("bad-9").setDataDir("../outside").build());
    jobs.put("data path 'escape' is outside the data root (a symbolic link leads out)",
        tinyJob("bad-10").setDataDir("escape").build());
    jobs.put("data path 'missing' does not exist under the data root", tinyJob("bad-11").setDataDir("missing").build());
    jobs.put("data folder empty/train has no class sub-folders", tinyJob("bad-12").setDataDir("empty").build());
    jobs.put("data folder one-class/train has only one class sub-folder ('cat')",
        tinyJob("bad-13").setDataDir("one-class").build());
    jobs.put("corrupt.jpg", tinyJob("bad-14").setDataDir("corrupt").build());
    Files.writeString(data.resolve("not-keras.h5"), "<html>not found</html>");
    jobs.put("data path 'imagenet/missing.h5' does not exist under the data root",
        tinyJob("bad-15").setTransfer(TransferLearning.newBuilder().setWeights("imagenet/missing.h5")
            .setFreezeBase(true)).build());
    jobs.put("not-keras.h5: not an HDF5 file (no HDF5 signature)",
        tinyJob("bad-16").setTransfer(TransferLearning.newBuilder().setWeights("not-keras.h5").setFreezeBase(true))
            .build());
    jobs.put("caching bottleneck features needs a frozen base",
        tinyJob("bad-17").setTransfer(TransferLearning.newBuilder().setCacheBottleneck(true)).build());
    jobs.put("cannot fine-tune from 'dense_1'", tinyJob("bad-18").setTransfer(TransferLearning.newBuilder()
        .setFreezeBase(true).setFineTuneEpochs(1).setFineTuneFrom("dense_1")).build());
    for (TrainJob job : jobs.values()) {
      submit(job);
    }
    String realData = data.toRealPath().toString();
    jobs.forEach((expected, job) -> {
      List<TrainEvent> got = awaitEnd(job.getJobId());
      assertThat(kinds(got)).as(expected).containsExactly(KindCase.FAILED);
      TrainEvent.Failed failed = got.get(got.size() - 1).getFailed();
      assertThat(failed.getError().getCode()).as(expected).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(failed.getError().getMessage()).contains(expected).doesNotContain(realData);
    });
    assertThat(new BundleStore(store).models()).containsExactly("tiny-pets");
    assertThat(leftovers(store)).isEmpty();
    assertThat(workDirs()).as("work directories of failed jobs").isEmpty();
  }

  @Test
  @Order(3)
  void aRunningJobIsCancelledAndPublishesNothing() throws Exception {
    String id = submit(tinyJob("cancelled-pets").setEpochs(500).build());
    events.await(id, TrainEvent::hasEpoch, TRAINING);
    cancel(id);
    List<TrainEvent> got = awaitEnd(id);
    TrainEvent last = got.get(got.size() - 1);
    assertThat(last.getKindCase()).isEqualTo(KindCase.CANCELLED);
    assertThat(last.getCancelled().getEpoch()).isBetween(1, 499);
    assertThat(new BundleStore(store).versions("cancelled-pets")).isEmpty();
    assertThat(store.resolve(".work/jobs/" + id)).doesNotExist();
    assertThat(models.get("cancelled-pets")).isEmpty();
  }

  @Test
  @Order(4)
  void aJobCancelledWhileQueuedEndsWhenATrainerReachesIt() throws Exception {
    TrainJob job = tinyJob("never-pets").build();
    cancel(job.getJobId());
    submit(job);
    List<TrainEvent> got = awaitEnd(job.getJobId());
    assertThat(kinds(got)).containsExactly(KindCase.CANCELLED);
    assertThat(got.get(0).getCancelled().getEpoch()).isZero();
  }

  @Test
  @Order(5)
  void aJobLetGoWhenItsTrainerStopsResumesOnAnotherFromItsCheckpoint() throws Exception {
    String id = submit(tinyJob("resumed-pets").setEpochs(5000).build());
    events.await(id, TrainEvent::hasEpoch, TRAINING);
    RunningService second = startTrainer();
    String first = trainer.kit().instanceId();
    String other = second.kit().instanceId();
    try {
      TestServices.stop(trainer);  // graceful: the job is let go, not committed
      events.await(id, e -> e.hasEpoch() && e.getInstance().equals(other), TRAINING);
      cancel(id);
      List<TrainEvent> got = awaitEnd(id);
      assertThat(got.get(got.size() - 1).getKindCase()).as(kinds(got).toString()).isEqualTo(KindCase.CANCELLED);
      TrainEvent interrupted = got.stream().filter(TrainEvent::hasInterrupted).findFirst().orElseThrow();
      assertThat(interrupted.getInstance()).isEqualTo(first);
      TrainEvent resumed = got.stream().filter(e -> e.hasStarted() && e.getInstance().equals(other)).findFirst()
          .orElseThrow();
      // The second instance starts where the first one's last checkpoint left off: every epoch once.
      assertThat(resumed.getStarted().getResumedFromEpoch()).isEqualTo(interrupted.getInterrupted().getEpoch())
          .isPositive();
      List<Integer> epochs = got.stream().filter(TrainEvent::hasEpoch).map(e -> e.getEpoch().getEpoch()).toList();
      assertThat(epochs).isEqualTo(IntStream.rangeClosed(1, epochs.size()).boxed().toList());
      assertThat(got.stream().filter(TrainEvent::hasEpoch).filter(e -> e.getEpoch().getEpoch()
          <= interrupted.getInterrupted().getEpoch())).allMatch(e -> e.getInstance().equals(first));
      assertThat(got.stream().filter(TrainEvent::hasEpoch).filter(e -> e.getEpoch().getEpoch()
          > interrupted.getInterrupted().getEpoch())).isNotEmpty().allMatch(e -> e.getInstance().equals(other));
    } finally {
      trainer = second;
    }
  }

  @Test
  @Order(6)
  void aVgg16TransferJobImportsKerasWeightsTrainsTheHeadFineTunesAndPublishes() throws Exception {
    Path weights = data.resolve("imagenet/vgg16_notop.h5");
    try (io.convnet.nn.Model source = io.convnet.arch.Vgg16.withHead(32, 32, 2).build(9)) {
      io.convnet.keras.KerasH5Writer.write(source, weights, io.convnet.keras.KerasH5Writer.Options.APPLICATIONS
          .onlyLayers(io.convnet.arch.Vgg16.base(32, 32).layerNames()));
    }
    String id = submit(tinyJob("tiny-vgg").setArchitecture("vgg16").setEpochs(1).setTransfer(TransferLearning
        .newBuilder().setWeights("imagenet/vgg16_notop.h5").setFreezeBase(true).setCacheBottleneck(true)
        .setFineTuneEpochs(1)).build());
    List<TrainEvent> got = awaitEnd(id);
    assertThat(kinds(got)).containsExactly(KindCase.STARTED, KindCase.EPOCH, KindCase.EPOCH, KindCase.PUBLISHED);
    assertThat(got.get(0).getStarted().getEpochs()).isEqualTo(2);  // head epoch + fine-tuning epoch
    assertThat(got.stream().filter(TrainEvent::hasEpoch).map(e -> e.getEpoch().getEpoch())).containsExactly(1, 2);
    Path bundle = store.resolve(got.get(got.size() - 1).getPublished().getPath());
    assertThat(Files.readString(bundle.resolve("manifest.json"))).contains("\"architecture\" : \"vgg16\"",
        "\"mode\" : \"CAFFE\"", "\"weights\" : \"vgg16_notop.h5\"", "\"freeze_base\" : true",
        "\"cache_bottleneck\" : true", "\"fine_tune_epochs\" : 1", "\"fine_tune_from\" : \"block5_conv1\"",
        "\"fine_tune_learning_rate\" : 1.0E-5");
    try (io.convnet.infer.Predictor p = io.convnet.infer.Predictor.open(bundle)) {
      assertThat(p.manifest().convLayers()).isEqualTo(io.convnet.arch.Vgg16.convLayers());
    }
  }

  /** A model name whose place in the store leads to another model's directory (or out of the store). */
  @Test
  @Order(100)
  void aJobCannotPublishIntoAnotherModelsDirectory() throws Exception {
    Path victim = Files.createDirectories(store.resolve("victim-pets/1"));
    Files.writeString(victim.resolve("manifest.json"), "{}");
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Path alias = Files.createSymbolicLink(store.resolve("alias-pets"), store.resolve("victim-pets"));
    Path out = Files.createSymbolicLink(store.resolve("outside-pets"), elsewhere);
    try {
      for (String model : List.of("alias-pets", "outside-pets")) {
        List<TrainEvent> got = awaitEnd(submit(tinyJob(model).build()));
        assertThat(kinds(got)).as(model).containsExactly(KindCase.FAILED);
        TrainEvent.Failed failed = got.get(got.size() - 1).getFailed();
        assertThat(failed.getError().getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(failed.getError().getMessage()).contains("model '" + model + "' cannot be published",
            "not a directory of its own");
      }
      assertThat(new BundleStore(store).versions("victim-pets")).containsExactly(1);
      try (Stream<Path> s = Files.list(store.resolve("victim-pets"))) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly("1");
      }
      try (Stream<Path> s = Files.list(elsewhere)) {
        assertThat(s).isEmpty();
      }
    } finally {
      Files.delete(alias);
      Files.delete(out);
      FileTrees.delete(store.resolve("victim-pets"));
    }
  }

  @Test
  @Order(7)
  void aLeNetJobTrainsOnGrayDigitsAndPublishesAOneChannelBundle() throws Exception {
    io.convnet.testing.DigitImages.mnistLikeFolder(data.resolve("digits"), 3, 1, 5);
    TrainJob job = tinyJob("").setArchitecture("lenet-5").setDataDir("digits").setBatchSize(10).setImageSize(0)
        .setAugment(true).build();
    List<TrainEvent> got = awaitEnd(submit(job));

    assertThat(kinds(got)).containsExactly(KindCase.STARTED, KindCase.EPOCH, KindCase.EPOCH, KindCase.PUBLISHED);
    TrainEvent.Started started = got.get(0).getStarted();
    assertThat(started.getLabelsList()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(started.getImageSize()).isEqualTo(32);
    assertThat(started.getParameters()).isEqualTo(63_802);
    TrainEvent.Published published = got.get(got.size() - 1).getPublished();
    assertThat(published.getModel()).isEqualTo("lenet-5");   // no model name: the architecture's
    io.convnet.bundle.Manifest m = io.convnet.util.Json.read(store.resolve(published.getPath()).resolve("manifest.json"),
        io.convnet.bundle.Manifest.class);
    assertThat(m.architecture()).isEqualTo("lenet-5");
    assertThat(m.input().channels()).isEqualTo(1);
    assertThat(m.preprocessing().mode()).isEqualTo("MNIST");
    assertThat(m.inputPreprocessing().floatsPerImage()).isEqualTo(32 * 32);
  }

  /**
   * Symbolic links below a job's data folder: within the data root they are followed; out of it, or
   * broken, the job fails naming the entry, and nothing of an outside file shows in any event.
   */
  @Test
  @Order(7)
  void symbolicLinksOutOfTheDataRootFailTheJobWithoutShowingContent() throws Exception {
    String secret = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n";
    Path outside = Files.createDirectories(tmp.resolve("outside-links"));
    ImageFolders.catsAndDogs(outside, 2, 32, 5);
    Path passwd = Files.writeString(outside.resolve("passwd"), secret);
    Map<String, TrainJob> failing = new LinkedHashMap<>();

    Path linkedClass = ImageFolders.catsAndDogs(data.resolve("link-class"), 2, 32, 1);
    io.convnet.util.FileTrees.delete(linkedClass.resolve("train/dog"));
    Files.createSymbolicLink(linkedClass.resolve("train/dog"), outside.resolve("train/dog"));
    failing.put("data folder link-class/train: 1 entry leads outside the data root through a symbolic link "
        + "(links may point only within the data root): link-class/train/dog", tinyJob("links-1")
        .setDataDir("link-class").build());

    Path linkedFile = ImageFolders.catsAndDogs(data.resolve("link-file"), 2, 32, 1);
    Files.createSymbolicLink(linkedFile.resolve("train/cat/cat.9.png"), passwd);
    failing.put("link-file/train/cat/cat.9.png", tinyJob("links-2").setDataDir("link-file").build());

    Path linkedSplit = ImageFolders.catsAndDogs(data.resolve("link-split"), 2, 32, 1);
    io.convnet.util.FileTrees.delete(linkedSplit.resolve("validation"));
    Files.createSymbolicLink(linkedSplit.resolve("validation"), outside.resolve("validation"));
    failing.put("data folder link-split/validation leads outside the data root",
        tinyJob("links-3").setDataDir("link-split").build());

    Path dangling = ImageFolders.catsAndDogs(data.resolve("dangling"), 2, 32, 1);
    Files.createSymbolicLink(dangling.resolve("train/cat/cat.9.png"), dangling.resolve("train/cat/gone.png"));
    failing.put("dangling/train/cat/cat.9.png: broken symbolic link (its target does not exist)",
        tinyJob("links-4").setDataDir("dangling").build());

    Path loop = ImageFolders.catsAndDogs(data.resolve("loop"), 2, 32, 1);
    Files.createSymbolicLink(loop.resolve("train/dog/dog.9.png"), loop.resolve("train/dog/dog.9.png"));
    failing.put("loop/train/dog/dog.9.png: cannot read the file (Too many levels of symbolic links",
        tinyJob("links-5").setDataDir("loop").build());

    Path text = ImageFolders.catsAndDogs(data.resolve("text"), 2, 32, 1);
    Files.writeString(text.resolve("train/cat/cat.9.png"), secret);
    failing.put("text/train/cat/cat.9.png: not a JPEG or PNG image (unknown format)",
        tinyJob("links-6").setDataDir("text").build());

    // within the root: a class folder and a split shared with another data set, and a linked data folder
    Path shared = ImageFolders.catsAndDogs(data.resolve("shared-links"), 2, 32, 1);
    io.convnet.util.FileTrees.delete(shared.resolve("train/dog"));
    Files.createSymbolicLink(shared.resolve("train/dog"), data.resolve("tiny/train/dog"));
    io.convnet.util.FileTrees.delete(shared.resolve("validation"));
    Files.createSymbolicLink(shared.resolve("validation"), Path.of("../tiny/validation"));
    Files.createSymbolicLink(data.resolve("shared-alias"), Path.of("shared-links"));
    TrainJob inside = tinyJob("links-inside").setDataDir("shared-alias").setEpochs(1).build();

    for (TrainJob job : failing.values()) {
      submit(job);
    }
    submit(inside);
    String realData = data.toRealPath().toString();
    failing.forEach((expected, job) -> {
      List<TrainEvent> got = awaitEnd(job.getJobId());
      assertThat(kinds(got)).as(expected).containsExactly(KindCase.FAILED);
      TrainEvent.Failed failed = got.get(got.size() - 1).getFailed();
      assertThat(failed.getError().getCode()).as(expected).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(failed.getError().getMessage()).contains(expected)
          .doesNotContain(realData, outside.toString(), "root:x", "daemon", "nologin");
    });
    List<TrainEvent> got = awaitEnd(inside.getJobId());
    assertThat(kinds(got)).containsExactly(KindCase.STARTED, KindCase.EPOCH, KindCase.PUBLISHED);
    assertThat(got.get(0).getStarted().getTrainImages()).isEqualTo(2 + 4);  // 2 cats of its own, tiny's 4 dogs
    assertThat(got.get(0).getStarted().getValidationImages()).isEqualTo(8);  // tiny's validation split
    // no event of any of these jobs shows the outside file
    for (TrainJob job : failing.values()) {
      assertThat(events.get(job.getJobId())).allSatisfy(e -> assertThat(e.toString()).doesNotContain("root:x"));
    }
  }
}
