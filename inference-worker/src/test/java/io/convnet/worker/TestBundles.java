package io.convnet.worker;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.nn.Model;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.Topics;
import io.convnet.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Tiny untrained models published into a test store (each seed gives other weights, so versions differ). */
public final class TestBundles {
  public static final int SIZE = 16;
  public static final List<String> LABELS = List.of("cat", "dog");

  private TestBundles() {
  }

  public static int publish(Path store, String name, long seed) {
    try (Model m = TinyModels.cnn(SIZE, 2).build(seed)) {
      return new BundleStore(store).publish(name, m, BundleTestSupport.manifest(name, LABELS));
    }
  }

  /** Tells the workers over the models topic, as the trainer does. */
  public static void announce(String bootstrap, String name, int version) {
    announce(bootstrap, ModelPublished.newBuilder().setName(name).setVersion(version).setPath(name + "/" + version)
        .build());
  }

  /** Tells the workers of {@code name}'s labels and policy over the models topic, as the trainer does. */
  public static void announce(String bootstrap, String name, int newest, Lifecycle state) {
    ModelPublished.Builder record = ModelPublished.newBuilder().setName(name).setVersion(newest)
        .setPath(name + "/" + newest).setRevision(state.revision()).setPolicy(io.convnet.proto.PromotionPolicy
            .newBuilder().setMode(state.policy().mode()).setCanaryShare(state.policy().canaryShare())
            .setShadowShare(state.policy().shadowShare()).setFloor(state.policy().floor())
            .setTolerance(state.policy().tolerance()));
    state.labels().forEach((label, v) -> record.putVersionLabels(label, v));
    announce(bootstrap, record.build());
  }

  private static void announce(String bootstrap, ModelPublished record) {
    try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.MODELS.name(), record.getName(), record.toByteArray()));
    }
  }

  /** A JPEG of stripes (class 0 horizontal, 1 vertical), larger than the model input so it is resized. */
  public static byte[] jpeg(int label, int variant) {
    return TestImages.jpeg(TestImages.stripes(40, label, variant));
  }

  /** The model input {@code jpeg} is, loaded as training loads it ({@link Preprocessing#load}): what a float-tensor client sends. */
  public static float[] preprocessed(byte[] jpeg) {
    Preprocessing prep = Preprocessing.rescale(SIZE, SIZE);
    float[] x = new float[prep.floatsPerImage()];
    prep.toFloats(prep.load(ImageDecoder.standard(), jpeg, "test"), x, 0);
    return x;
  }

  /** What the model in {@code dir} says about {@code jpeg} in this JVM: the reference for the worker's answers. */
  public static float[] inProcess(Path dir, byte[] jpeg) {
    return inProcess(dir, List.of(jpeg)).get(0);
  }

  /** {@link #inProcess(Path, byte[])} for each of {@code jpegs}, the model loaded once. */
  public static List<float[]> inProcess(Path dir, List<byte[]> jpegs) {
    try (Predictor p = Predictor.open(dir)) {
      Preprocessing prep = p.manifest().inputPreprocessing();
      List<float[]> out = new java.util.ArrayList<>();
      for (byte[] jpeg : jpegs) {
        float[] x = new float[prep.floatsPerImage()];
        prep.toFloats(prep.load(ImageDecoder.standard(), jpeg, "test"), x, 0);
        out.add(p.predict(x, 1)[0]);
      }
      return out;
    }
  }
}
