package io.convnet.gateway;

import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.ClassScore;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ClassifyRequest;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.Image;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelRef;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.proto.Prediction;
import io.convnet.proto.PromotionPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;

/**
 * A stand-in worker for the gateway's own tests (the real one is tested end to end in src-test):
 * it tells what the gateway sent, so the tests can check how each body became images. For every
 * image: probabilities (size / 1000, 1 - that), labels "big" and "small"; model "missing" and
 * versions above 3 are NOT_FOUND, model "training" UNAVAILABLE. Models: "echo" v1..3, v3 served (label
 * {@code stable}), v2 labelled {@code canary}; other labels are NOT_FOUND.
 */
final class ImageEchoWorker extends VerticleBase {
  static final Map<String, Long> LABELS = Map.of("stable", 3L, "canary", 2L);

  private final ServiceKit kit;

  ImageEchoWorker(ServiceKit kit) {
    this.kit = kit;
  }

  static ServiceDefinition definition() {
    return new ServiceDefinition("gw-image-echo", 0, false, ImageEchoWorker::new);
  }

  @Override
  public Future<?> start() {
    return kit.responder().serve(Exchanges.CLASSIFY, this::classify)
        .compose(v -> kit.responder().serve(Exchanges.MODELS, this::models));
  }

  private Future<ClassifyReply> classify(ClassifyRequest request) {
    String model = request.getModel().getName();
    if (model.equals("training")) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE, "model 'training' is being trained"));
    }
    if (model.equals("missing") || request.getModel().getVersion() > 3) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + model + "' is not served"));
    }
    long version = request.getModel().getLabel().isEmpty() ? request.getModel().getVersion()
        : LABELS.getOrDefault(request.getModel().getLabel(), -1L);
    if (version < 0) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + model + "' has no label '"
          + request.getModel().getLabel() + "'"));
    }
    ClassifyReply.Builder reply = ClassifyReply.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model).setVersion(version == 0 ? 3 : version))
        .addLabels("big").addLabels("small").setWorker(kit.instanceId());
    for (Image image : request.getImagesList()) {
      float big = image.getData().size() / 1000f;
      reply.addPredictions(Prediction.newBuilder().addProbabilities(big).addProbabilities(1 - big)
          .addRanked(ClassScore.newBuilder().setLabel(image.getName().isEmpty() ? "unnamed" : image.getName())
              .setProbability(big)));
    }
    return Future.succeededFuture(reply.build());
  }

  private Future<ModelsReply> models(ModelsRequest request) {
    if (!request.getName().isEmpty() && !request.getName().equals("echo")) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + request.getName() + "' is not served"));
    }
    ModelInfo.Builder info = ModelInfo.newBuilder().setName("echo").setServedVersion(3).addLabels("big").addLabels("small")
        .setInputHeight(150).setInputWidth(150).setInputChannels(3).putAllVersionLabels(LABELS).setLabelsRevision(7)
        .setPolicy(PromotionPolicy.newBuilder().setMode("canary").setCanaryShare(0.25).setShadowShare(1));
    for (int v = 1; v <= 3; v++) {
      long wanted = request.getLabel().isEmpty() ? request.getVersion() : LABELS.getOrDefault(request.getLabel(), -1L);
      if (wanted == 0 || wanted == v) {
        int version = v;
        info.addVersions(ModelVersionStatus.newBuilder().setVersion(v).setState(v == 3 ? "AVAILABLE" : "END").setServed(v == 3)
            .addAllVersionLabels(LABELS.keySet().stream().filter(l -> LABELS.get(l) == version).sorted().toList()));
      }
    }
    if (info.getVersionsCount() == 0) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "no version " + request.getVersion()));
    }
    return Future.succeededFuture(ModelsReply.newBuilder().addModels(info).setWorker(kit.instanceId()).build());
  }
}
