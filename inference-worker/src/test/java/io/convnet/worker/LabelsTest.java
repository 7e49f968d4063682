package io.convnet.worker;

import static io.convnet.kit.testing.TestServices.await;
import static io.convnet.kit.testing.TestServices.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.convnet.bundle.BundleStore;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.lifecycle.PromotionPolicy;
import io.convnet.nn.Tensors;
import io.convnet.testing.TinyBundles;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelTrafficReply;
import io.convnet.proto.ModelTrafficRequest;
import io.convnet.proto.ModelsRequest;
import io.convnet.proto.VersionTraffic;
import io.convnet.worker.config.WorkerSettings;
import io.vertx.core.Future;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Version labels on a real worker, moved as the trainer moves them (the store's lifecycle.json, then
 * an announcement on the models topic): the stable label switches what unlabelled requests get, up and
 * down, without a failed request; a label names a version; the canary gets its share and is compared
 * with stable on the same images; a restarted worker serves what the store says.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LabelsTest {
  static final String MODEL = "labelled";

  @TempDir
  Path tmp;
  Path store;
  LifecycleStore lifecycles;
  RunningService worker;
  RunningService asker;

  @BeforeEach
  void start() throws Exception {
    store = Files.createDirectories(tmp.resolve("models"));
    TinyBundles.trained(store, MODEL, tmp.resolve("data"));  // v1 tells the bars apart
    TestBundles.publish(store, MODEL, 2);                     // v2, untrained, does not always agree
    lifecycles = new LifecycleStore(new BundleStore(store));
    lifecycles.update(MODEL, "test", l -> l.withLabel("stable", 1));
    worker = startWorker();
    asker = TestServices.start(Idle.definition("labels-asker", true), Map.of());
  }

  RunningService startWorker() {
    return TestServices.start(InferenceWorkerMain.DEFINITION, Map.of(
        Settings.MODEL_STORE.name(), store.toString(),
        WorkerSettings.MODEL_POLL_MS.name(), "0",
        WorkerSettings.MAX_BATCH_WAIT_MS.name(), "1",
        WorkerSettings.SCORE_ENABLED.name(), "false"));
  }

  @AfterEach
  void stop() {
    TestServices.stop(asker, worker);
  }

  /** Moves labels in the store and announces the new state, as the trainer does. */
  Lifecycle change(java.util.function.UnaryOperator<Lifecycle> change) {
    Lifecycle next = lifecycles.update(MODEL, "test", change);
    TestBundles.announce(asker.kit().config().bootstrapServers(), MODEL, 2, next);
    return next;
  }

  Future<ClassifyReply> classify(ModelRef.Builder model, byte[] jpeg) {
    return asker.kit().requester().request(Exchanges.CLASSIFY, ClassifyRequest.newBuilder().setModel(model.setName(MODEL))
        .addImages(Image.newBuilder().setData(ByteString.copyFrom(jpeg))).build());
  }

  @Test
  void twentySwitchesOfTheStableLabelUnderLoadFailNoRequest() throws Exception {
    byte[] jpeg = TestBundles.jpeg(1, 4);
    try (SteadyLoad load = new SteadyLoad(3, () -> classify(ModelRef.newBuilder(), jpeg))) {
      for (int i = 1; i <= 20; i++) {
        int target = i % 2 == 1 ? 2 : 1;  // up to 2, back down to 1, ...
        change(l -> l.withLabel("stable", target));
        assertThat(load.awaitVersion(target, 3, Duration.ofSeconds(30))).as("switch %d: serving v%d", i, target)
            .isEqualTo(target);
      }
      load.close();
      System.out.printf("20 label switches, %d requests answered, failures %s%n", load.answered.get(), load.failures);
      assertThat(load.failures).as("failed requests during the switches").isEmpty();
    }

    // A restarted worker serves what the store keeps (v1 after an even number of switches), before any announcement.
    change(l -> l.withLabel("stable", 2));
    TestServices.stop(worker);
    worker = startWorker();
    assertThat(await(classify(ModelRef.newBuilder(), jpeg)).getModel().getVersion()).isEqualTo(2);
  }

  @Test
  void aLabelNamesAVersionAndTheModelsExchangeShowsLabelsAndPolicy() {
    change(l -> l.withLabel("canary", 2).withLabel("beta", 2).withPolicy(new PromotionPolicy("canary", 0.01, 0.5, 0, 1)));
    byte[] jpeg = TestBundles.jpeg(0, 2);
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    ClassifyReply beta = null;
    while (beta == null && System.nanoTime() < until) {
      try {
        beta = await(classify(ModelRef.newBuilder().setLabel("beta"), jpeg));
      } catch (ServiceException notYet) {
        assertThat(notYet.code()).isEqualTo(ErrorCode.NOT_FOUND);
      }
    }
    assertThat(beta.getModel().getVersion()).isEqualTo(2);
    assertThat(await(classify(ModelRef.newBuilder().setLabel("stable"), jpeg)).getModel().getVersion()).isEqualTo(1);
    assertThat(await(classify(ModelRef.newBuilder(), jpeg)).getModel().getVersion()).as("canary share 0").isEqualTo(1);
    ServiceException unknown = failure(classify(ModelRef.newBuilder().setLabel("gamma"), jpeg));
    assertThat(unknown.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(unknown.getMessage()).isEqualTo("model 'labelled' has no label 'gamma'; its labels: beta -> 2, canary -> 2, "
        + "stable -> 1");
    assertThat(failure(classify(ModelRef.newBuilder().setLabel("Bad Label"), jpeg)).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);

    ModelInfo info = await(asker.kit().requester().request(Exchanges.MODELS, ModelsRequest.newBuilder().setName(MODEL)
        .build())).getModels(0);
    assertThat(info.getVersionLabelsMap()).isEqualTo(Map.of("stable", 1L, "canary", 2L, "beta", 2L));
    assertThat(info.getPolicy().getMode()).isEqualTo("canary");
    assertThat(info.getVersionsList()).extracting(v -> v.getVersion() + " " + v.getVersionLabelsList())
        .containsExactly("1 [stable]", "2 [beta, canary]");
    ModelInfo labelled = await(asker.kit().requester().request(Exchanges.MODELS, ModelsRequest.newBuilder()
        .setName(MODEL).setLabel("canary").build())).getModels(0);
    assertThat(labelled.getVersionsList()).extracting(v -> v.getVersion()).containsExactly(2L);
  }

  @Test
  void theCanaryGetsItsShareAndItsAgreementWithStableIsCounted() throws Exception {
    change(l -> l.withLabel("canary", 2).withPolicy(new PromotionPolicy("canary", 0.01, 0.5, 0.3, 1.0)));
    // Images on which the two versions agree and images on which they do not, as they decide in process:
    // the count must tell them apart.
    List<byte[]> candidates = new ArrayList<>();
    for (String cls : List.of("cat", "dog")) {
      try (var files = Files.list(tmp.resolve("data/bars/validation").resolve(cls))) {
        for (Path f : files.sorted().toList()) {
          candidates.add(Files.readAllBytes(f));
        }
      }
    }
    List<float[]> byStable = TestBundles.inProcess(store.resolve(MODEL + "/1"), candidates);
    List<float[]> byCanary = TestBundles.inProcess(store.resolve(MODEL + "/2"), candidates);
    List<byte[]> images = new ArrayList<>();
    List<Boolean> agree = new ArrayList<>();
    int[] picked = new int[2];
    for (int i = 0; i < candidates.size(); i++) {
      boolean same = Tensors.argmax(byStable.get(i)) == Tensors.argmax(byCanary.get(i));
      if (picked[same ? 1 : 0]++ < 4) {
        images.add(candidates.get(i));
        agree.add(same);
      }
    }
    assertThat(picked).as("images the versions disagree on, and agree on").doesNotContain(0);
    awaitCanaryLoaded();
    int n = 300;
    int[] byVersion = new int[3];
    int expectedAgreements = 0;
    for (int i = 0; i < n; i++) {
      int version = (int) await(classify(ModelRef.newBuilder(), images.get(i % images.size()))).getModel().getVersion();
      byVersion[version]++;
      if (version == 2 && agree.get(i % images.size())) {
        expectedAgreements++;
      }
    }
    System.out.printf("canary share 0.3: %d of %d requests to the canary; %d of them agree with stable in process%n",
        byVersion[2], n, expectedAgreements);
    assertThat(byVersion[2]).as("about 30%% of %d (binomial: 4.6 standard deviations either way)", n).isBetween(50, 130);

    // Shadow scoring runs after each answer: wait for it to catch up.
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    VersionTraffic canary = traffic(2);
    while (canary.getComparisons() < byVersion[2] && System.nanoTime() < until) {
      Thread.sleep(50);
      canary = traffic(2);
    }
    assertThat(canary.getRouted()).isEqualTo(byVersion[2]);
    assertThat(traffic(1).getRouted()).isEqualTo(byVersion[1]);
    assertThat(canary.getRequests()).isEqualTo(byVersion[2]);
    assertThat(canary.getErrors()).isZero();
    assertThat(canary.getLatencyCount()).isEqualTo(byVersion[2]);
    assertThat(canary.getComparisons()).as("every canary answer compared (shadow share 1)").isEqualTo(byVersion[2]);
    assertThat(canary.getAgreements()).as("agreements as the two versions decide in process").isEqualTo(expectedAgreements);
    assertThat(TestServices.get(worker.httpPort(), "/metrics").body()).contains(
        "convnet_inference_shadow_comparisons_total{agreed=\"true\",model=\"labelled\"",
        "convnet_inference_routed_total{model=\"labelled\"", "convnet_inference_request_seconds_count{model=\"labelled\"");
  }

  void awaitCanaryLoaded() throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < until) {
      var info = await(asker.kit().requester().request(Exchanges.MODELS, ModelsRequest.newBuilder().setName(MODEL)
          .build())).getModels(0);
      if (info.getVersionLabelsOrDefault("canary", 0) == 2 && info.getVersions(1).getState().equals("AVAILABLE")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the canary was not loaded ahead of its requests");
  }

  VersionTraffic traffic(long version) {
    List<ModelTrafficReply> replies = await(asker.kit().requester().gather(Exchanges.MODEL_TRAFFIC,
        ModelTrafficRequest.newBuilder().setName(MODEL).build(), Duration.ofMillis(300)));
    return replies.stream().flatMap(r -> r.getModelsList().stream()).flatMap(m -> m.getVersionsList().stream())
        .filter(v -> v.getVersion() == version).findFirst().orElse(VersionTraffic.getDefaultInstance());
  }
}
