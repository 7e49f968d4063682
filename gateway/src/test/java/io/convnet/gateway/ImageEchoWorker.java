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
 * image: probabilities (size / 1000, 1 - that), labels "big" and "small"; for every row of a float
 * tensor: (its first value, 1 - that), ranked first under the tensor's shape as a label. Model
 * "missing" and versions above 3 are NOT_FOUND, model "training" UNAVAILABLE, model "slow"
 * answers after 2 s. Models: "echo" v1..3, v3 served (labelled stable), v2 labelled beta.
 */
final class ImageEchoWorker extends VerticleBase {
  /** Model "echo"'s version labels, as a worker reports them. */
  static final Map<String, Long> LABELS = Map.of("stable", 3L, "beta", 2L);

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
    ClassifyReply.Builder reply = ClassifyReply.newBuilder()
        .setModel(ModelRef.newBuilder().setName(model).setVersion(request.getModel().getVersion() == 0 ? 3
            : request.getModel().getVersion()))
        .addLabels("big").addLabels("small").setWorker(kit.instanceId());
    for (Image image : request.getImagesList()) {
      float big = image.getData().size() / 1000f;
      reply.addPredictions(Prediction.newBuilder().addProbabilities(big).addProbabilities(1 - big)
          .addRanked(ClassScore.newBuilder().setLabel(image.getName().isEmpty() ? "unnamed" : image.getName())
              .setProbability(big)));
    }
    if (request.hasTensor()) {  // a float tensor [n, ...]: each row's first value, and its shape as the label
      var t = request.getTensor();
      int rowSize = t.getValuesCount() / (int) t.getShape(0);
      for (int i = 0; i < t.getShape(0); i++) {
        float first = t.getValues(i * rowSize);
        reply.addPredictions(Prediction.newBuilder().addProbabilities(first).addProbabilities(1 - first)
            .addRanked(ClassScore.newBuilder().setLabel(t.getShapeList().toString()).setProbability(first)));
      }
    }
    if (reply.getPredictionsCount() == 0) {
      return Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT, "the request has no image"));
    }
    if (model.equals("slow")) {  // answers after 2 s: for deadlines
      return kit.vertx().timer(2000).map(v -> reply.build());
    }
    return Future.succeededFuture(reply.build());
  }

  private Future<ModelsReply> models(ModelsRequest request) {
    if (!request.getName().isEmpty() && !request.getName().equals("echo")) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + request.getName() + "' is not served"));
    }
    ModelInfo.Builder info = ModelInfo.newBuilder().setName("echo").setServedVersion(3).addLabels("big").addLabels("small")
        .setInputHeight(150).setInputWidth(150).setInputChannels(3).putAllVersionLabels(LABELS).setLabelsRevision(7)
        .setPolicy(PromotionPolicy.newBuilder().setMode("manual").setCanaryShare(0.1).setShadowShare(1));
    for (int v = 1; v <= 3; v++) {
      if (request.getVersion() == 0 || request.getVersion() == v) {
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
