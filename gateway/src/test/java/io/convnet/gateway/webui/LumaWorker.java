package io.convnet.gateway.webui;

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
import io.convnet.proto.Timing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * A stand-in inference worker for the web page's test (the real one needs a trained model; it is
 * tested end to end in src-test). It answers over Kafka like the real one, from the image it was
 * sent: each image is decoded for real (ImageIO) and gets P("light") = its mean luma, P("dark") = the
 * rest, so a page showing these numbers shows this reply. Undecodable bytes are INVALID_ARGUMENT,
 * as the real worker answers them. One model: {@value #MODEL} version {@value #VERSION}.
 */
final class LumaWorker extends VerticleBase {
  static final String MODEL = "luma";
  static final int VERSION = 7;
  static final String LIGHT = "light";
  static final String DARK = "dark";
  /** What the model list says of its convolutions (the page's layer fields suggest them). */
  static final java.util.List<String> CONV_LAYERS = java.util.List.of("edge_1", "edge_2");

  private final ServiceKit kit;

  LumaWorker(ServiceKit kit) {
    this.kit = kit;
  }

  static ServiceDefinition definition() {
    return new ServiceDefinition("webui-luma-worker", 0, false, LumaWorker::new);
  }

  /** Mean luma (0.299 R + 0.587 G + 0.114 B) of the image in {@code bytes}, 0..1. */
  static float light(byte[] bytes) throws IOException {
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new IOException("not a decodable JPEG or PNG image (" + e.getMessage() + ")", e);
    }
    if (image == null) {
      throw new IOException("not a decodable JPEG or PNG image");
    }
    double sum = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        sum += 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
      }
    }
    return (float) (sum / (255.0 * image.getWidth() * image.getHeight()));
  }

  @Override
  public Future<?> start() {
    return kit.responder().serve(Exchanges.CLASSIFY, this::classify)
        .compose(v -> kit.responder().serve(Exchanges.MODELS, this::models));
  }

  private Future<ClassifyReply> classify(ClassifyRequest request) {
    if (!request.getModel().getName().equals(MODEL)) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + request.getModel().getName()
          + "' is not served; known models: " + MODEL));
    }
    return kit.vertx().executeBlocking(() -> {
      long t0 = System.nanoTime();
      ClassifyReply.Builder reply = ClassifyReply.newBuilder()
          .setModel(ModelRef.newBuilder().setName(MODEL).setVersion(VERSION))
          .addLabels(LIGHT).addLabels(DARK).setWorker(kit.instanceId());
      for (int i = 0; i < request.getImagesCount(); i++) {
        Image image = request.getImages(i);
        float light;
        try {
          light = light(image.getData().toByteArray());
        } catch (IOException e) {
          throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "image " + i + " ('" + image.getName() + "'): "
              + e.getMessage());
        }
        ClassScore l = ClassScore.newBuilder().setLabel(LIGHT).setProbability(light).build();
        ClassScore d = ClassScore.newBuilder().setLabel(DARK).setProbability(1 - light).build();
        reply.addPredictions(Prediction.newBuilder().addProbabilities(light).addProbabilities(1 - light)
            .addRanked(light >= 0.5f ? l : d).addRanked(light >= 0.5f ? d : l));
      }
      return reply.setTiming(Timing.newBuilder().setDecodeMicros((System.nanoTime() - t0) / 1000)
          .setBatchSize(request.getImagesCount())).build();
    }, false);
  }

  private Future<ModelsReply> models(ModelsRequest request) {
    ModelInfo info = ModelInfo.newBuilder().setName(MODEL).setServedVersion(VERSION).addLabels(LIGHT).addLabels(DARK)
        .setArchitecture("tutorial-cnn").setInputHeight(150).setInputWidth(150).setInputChannels(3)
        .addAllConvLayers(CONV_LAYERS)
        .addVersions(ModelVersionStatus.newBuilder().setVersion(VERSION).setState("AVAILABLE").setServed(true))
        .build();
    return Future.succeededFuture(ModelsReply.newBuilder().addModels(info).setWorker(kit.instanceId()).build());
  }
}
