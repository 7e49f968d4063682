package io.convnet.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleWriter;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.ServiceException;
import io.convnet.kit.config.Settings;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.Idle;
import io.convnet.kit.testing.TestServices;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.LabelMove;
import io.convnet.proto.LabelsReply;
import io.convnet.proto.LabelsRequest;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.PromotionPolicy;
import io.convnet.proto.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The labels exchange on a real trainer and broker: a change is checked, kept in the store (and so
 * survives the trainer's restart) and announced on the models topic with the model's whole state; bad
 * changes get the error a client can act on.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LabelRequestsTest {
  @TempDir
  static Path tmp;
  static Path store;
  static RunningService trainer;
  static RunningService asker;
  static TopicLog<ModelPublished> models;

  @BeforeAll
  static void start() throws Exception {
    store = tmp.resolve("models");
    BundleStore bundles = new BundleStore(store);
    for (int i = 0; i < 10; i++) {
      publish(bundles, i < 3 ? "pets" : i < 6 ? "replayed" : "pruned");
    }
    models = new TopicLog<>(Topics.MODELS);
    trainer = startTrainer();
    asker = TestServices.start(Idle.definition("labels-asker", true), Map.of());
  }

  static int publish(BundleStore bundles, String model) {
    return bundles.publish(model, (dir, v) -> {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(BundleWriter.MANIFEST), "{\"version\": " + v + ", \"architecture\": \"tutorial-cnn\","
          + " \"labels\": [\"cat\", \"dog\"], \"createdAt\": \"2026-01-0" + v + "T00:00:00Z\"}");
    });
  }

  static RunningService startTrainer() {
    return TestServices.start(TrainerMain.DEFINITION, Map.of(Settings.MODEL_STORE.name(), store.toString(),
        Settings.DATA_ROOT.name(), tmp.toString()));
  }

  @AfterAll
  static void stop() {
    TestServices.stop(asker, trainer);
    models.close();
  }

  /** As the gateway asks: who asked, and a new request id unless the test gave one (a request delivered again). */
  static LabelsReply ask(LabelsRequest.Builder request) {
    if (request.getRequestId().isEmpty()) {
      request.setRequestId(java.util.UUID.randomUUID().toString());
    }
    return TestServices.await(asker.kit().requester().request(Exchanges.LABELS, request.setActor("ops").build()));
  }

  static LabelsRequest.Builder move(String model, String label, long version) {
    return LabelsRequest.newBuilder().setModel(model).setMove(LabelMove.newBuilder().setLabel(label).setVersion(version));
  }

  static ServiceException failure(LabelsRequest.Builder request) {
    try {
      ask(request);
    } catch (ServiceException e) {
      return e;
    }
    throw new AssertionError("expected " + request + " to fail");
  }

  @Test
  void labelsMoveAreKeptAndAnnouncedAndSurviveARestart() throws Exception {
    // A model kept without labels: stable is its newest version until the first change keeps it.
    LabelsReply canary = ask(move("pets", "canary", 2));
    assertThat(canary.getVersionLabelsMap()).isEqualTo(Map.of("stable", 3L, "canary", 2L));
    assertThat(canary.getRevision()).isPositive();
    assertThat(canary.getUpdatedBy()).isEqualTo("ops");

    LabelsReply rollback = ask(move("pets", "stable", 1));
    assertThat(rollback.getVersionLabelsMap()).isEqualTo(Map.of("stable", 1L, "canary", 2L));
    assertThat(new LifecycleStore(new BundleStore(store)).current("pets").labels())
        .isEqualTo(Map.of("stable", 1, "canary", 2));

    ModelPublished announced = models.await("pets", m -> m.getRevision() == rollback.getRevision(), Duration.ofSeconds(10))
        .stream().filter(m -> m.getRevision() == rollback.getRevision()).findFirst().orElseThrow();
    assertThat(announced.getVersion()).as("the newest version, with the labels").isEqualTo(3);
    assertThat(announced.getVersionLabelsMap()).isEqualTo(Map.of("stable", 1L, "canary", 2L));
    assertThat(announced.getArchitecture()).isEqualTo("tutorial-cnn");
    assertThat(announced.getLabelsList()).containsExactly("cat", "dog");

    LabelsReply policy = ask(LabelsRequest.newBuilder().setModel("pets").setPolicy(PromotionPolicy.newBuilder()
        .setMode("canary").setCanaryShare(0.3).setShadowShare(1).setFloor(0.5).setTolerance(0.01)));
    assertThat(policy.getPolicy().getMode()).isEqualTo("canary");
    assertThat(policy.getPolicy().getCanaryShare()).isEqualTo(0.3);

    LabelsReply removed = ask(LabelsRequest.newBuilder().setModel("pets").setRemove("canary"));
    assertThat(removed.getVersionLabelsMap()).isEqualTo(Map.of("stable", 1L));

    TestServices.stop(trainer);
    trainer = startTrainer();
    LabelsReply afterRestart = ask(move("pets", "beta", 3));
    assertThat(afterRestart.getRevision()).as("counted on from the store").isGreaterThan(removed.getRevision());
    assertThat(afterRestart.getVersionLabelsMap()).isEqualTo(Map.of("stable", 1L, "beta", 3L));
    assertThat(afterRestart.getPolicy().getMode()).isEqualTo("canary");
  }

  @Test
  void aRequestDeliveredAgainIsAnsweredNotAppliedAgain() {
    LabelsReply promoted = ask(move("replayed", "stable", 2).setRequestId("promote-2"));
    assertThat(promoted.getVersionLabelsMap()).containsEntry("stable", 2L);
    LabelsReply rolledBack = ask(move("replayed", "stable", 1));
    LabelsReply again = ask(move("replayed", "stable", 2).setRequestId("promote-2"));
    assertThat(again.getVersionLabelsMap()).as("the later rollback stands").containsEntry("stable", 1L);
    assertThat(again.getRevision()).isEqualTo(rolledBack.getRevision());

    // A refused request is answered too: delivered again once it could succeed, it still changes nothing.
    assertThat(failure(LabelsRequest.newBuilder().setModel("replayed").setRemove("beta").setRequestId("remove-beta")).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    ask(move("replayed", "beta", 3));
    assertThat(ask(LabelsRequest.newBuilder().setModel("replayed").setRemove("beta").setRequestId("remove-beta"))
        .getVersionLabelsMap()).containsEntry("beta", 3L);
  }

  static LabelsRequest.Builder delete(String model, long version) {
    return LabelsRequest.newBuilder().setModel(model).setDeleteVersion(version);
  }

  @Test
  void aVersionNoLabelNamesIsDeletedWholeAnnouncedAndItsNumberNeverGivenAgain() throws Exception {
    BundleStore bundles = new BundleStore(store);
    ask(move("pruned", "canary", 3));  // pruned: v1..v4, stable v4 (its newest)
    assertThat(failure(delete("pruned", 4))).satisfies(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
      assertThat(e.getMessage()).isEqualTo("version 4 of model 'pruned' is labelled stable: move the label first "
          + "(or remove it), then delete the version");
    });
    assertThat(failure(delete("pruned", 3)).getMessage()).contains("is labelled canary: move the label first");
    assertThat(failure(delete("pruned", 9))).satisfies(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("model 'pruned' has no version 9; versions: [1, 2, 3, 4]");
    });
    assertThat(failure(delete("pruned", 1L << 32)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(delete("horses", 1)).code()).isEqualTo(ErrorCode.NOT_FOUND);

    LabelsReply deleted = ask(delete("pruned", 2).setRequestId("delete-2"));
    assertThat(bundles.versions("pruned")).containsExactly(1, 3, 4);
    assertThat(deleted.getVersionLabelsMap()).isEqualTo(Map.of("stable", 4L, "canary", 3L));
    assertThat(deleted.getUpdatedBy()).isEqualTo("ops");
    try (var left = Files.list(store.resolve("pruned"))) {
      assertThat(left.map(p -> p.getFileName().toString())).as("nothing half deleted or set aside")
          .noneMatch(n -> n.equals("2") || n.startsWith(".tmp-"));
    }
    ModelPublished announced = models.await("pruned", m -> m.getRevision() == deleted.getRevision(),
        Duration.ofSeconds(10)).stream().filter(m -> m.getRevision() == deleted.getRevision()).findFirst().orElseThrow();
    assertThat(announced.getVersionLabelsMap()).isEqualTo(Map.of("stable", 4L, "canary", 3L));
    assertThat(announced.getVersion()).isEqualTo(4);

    // Delivered again (a trainer that stopped before committing): answered, not refused as unknown.
    LabelsReply again = ask(delete("pruned", 2).setRequestId("delete-2"));
    assertThat(again.getRevision()).isEqualTo(deleted.getRevision());
    assertThat(failure(delete("pruned", 2)).code()).as("asked anew").isEqualTo(ErrorCode.NOT_FOUND);

    // The newest, once stable has moved off it: the next version is still 5, never 4 again.
    ask(move("pruned", "stable", 1));
    ask(LabelsRequest.newBuilder().setModel("pruned").setRemove("canary"));
    ask(delete("pruned", 4));
    ask(delete("pruned", 3));
    assertThat(bundles.versions("pruned")).containsExactly(1);
    assertThat(publish(bundles, "pruned")).isEqualTo(5);
  }

  @Test
  void badChangesSayWhatIsWrong() {
    assertThat(failure(move("pets", "stable", 9))).satisfies(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
      assertThat(e.getMessage()).isEqualTo("model 'pets' has no version 9; versions: [1, 2, 3]");
    });
    assertThat(failure(move("horses", "stable", 1)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(failure(move("../pets", "stable", 1)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(failure(move("pets", "Stable!", 1)).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(failure(LabelsRequest.newBuilder().setModel("pets").setRemove("stable"))).satisfies(e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
      assertThat(e.getMessage()).contains("the label stable cannot be removed while model 'pets' is served");
    });
    assertThat(failure(LabelsRequest.newBuilder().setModel("pets").setRemove("gamma")))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(failure(LabelsRequest.newBuilder().setModel("pets").setPolicy(PromotionPolicy.newBuilder()
        .setMode("yolo")))).satisfies(e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("mode must be one of [manual, auto, canary]");
        });
    assertThat(failure(LabelsRequest.newBuilder().setModel("pets")).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(List.of(new LifecycleStore(new BundleStore(store)).current("pets").labels().get("stable")))
        .as("nothing changed by refused changes").doesNotContainNull();
  }
}
