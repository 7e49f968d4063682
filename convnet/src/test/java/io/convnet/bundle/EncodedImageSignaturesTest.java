package io.convnet.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.convnet.data.Augmentation;
import io.convnet.data.DataSplits;
import io.convnet.data.PipelineOptions;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.nn.Model;
import io.convnet.nn.Tensors;
import io.convnet.testing.TinyModels;
import io.convnet.train.OptimizerSpec;
import io.convnet.train.Trainer;
import io.convnet.train.TrainingConfig;
import io.convnet.train.TrainingListener;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Bundles answer encoded images in the graph with the pixels and predictions of the Java path training
 * uses; older bundles, without those signatures, are served through the Java path.
 */
class EncodedImageSignaturesTest {
  /** One level of 8-bit input after rescaling: the most a resize rounding tie can change a value by. */
  static final double LEVEL = 1 / 255.0;

  @TempDir
  Path tmp;

  static Path dataset() {
    Path data = TestImages.catsVsDogs();
    assumeTrue(data != null && Files.isDirectory(data.resolve("validation/cat")), "cats-vs-dogs data set not found");
    return data;
  }

  /** The first {@code perClass} validation photos of each class, a PNG with alpha and an EXIF-rotated JPEG. */
  static Map<String, byte[]> photos(Path data, int perClass) throws IOException {
    Map<String, byte[]> photos = new LinkedHashMap<>();
    for (String label : List.of("cat", "dog")) {
      try (Stream<Path> files = Files.list(data.resolve("validation").resolve(label))) {
        for (Path f : files.sorted().limit(perClass).toList()) {
          photos.put(label + "/" + f.getFileName(), Files.readAllBytes(f));
        }
      }
    }
    byte[] cat = photos.values().iterator().next();
    photos.put("cat photo as RGBA PNG (alpha 200, composited on white)", translucentPng(cat, 200));
    photos.put("cat photo with EXIF orientation 6", TestImages.withExifOrientation(cat, 6));
    return photos;
  }

  private static byte[] translucentPng(byte[] jpeg, int alpha) {
    RgbImage rgb = ImageDecoder.standard().decode(jpeg, "photo");
    BufferedImage argb = new BufferedImage(rgb.width(), rgb.height(), BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < rgb.height(); y++) {
      for (int x = 0; x < rgb.width(); x++) {
        argb.setRGB(x, y, alpha << 24 | rgb.rgb(x, y));
      }
    }
    return TestImages.png(argb);
  }

  static Manifest manifest(String name, String mode) {
    return new Manifest(Manifest.FORMAT_VERSION, name, 0, "tiny-cnn", "2026-12-06T00:00:00Z", null,
        new Manifest.Preprocessing(mode, 1 / 255.0), List.of("cat", "dog"), null, null, null, null, null, null);
  }

  /** The tiny CNN trained for a few epochs on real photos through the Java pipeline, as training runs. */
  private Path trainedBundle(Path data, int size) {
    Preprocessing pre = Preprocessing.rescale(size, size);
    PipelineOptions train = PipelineOptions.training(pre).withBatchSize(20).withSeed(3).withMaxPerClass(100)
        .withAugmentation(Augmentation.none());
    try (DataSplits splits = DataSplits.open(data, train, train.forEvaluation().withMaxPerClass(50));
        Model m = TinyModels.cnn(size, 2).build(5)) {
      new Trainer(m, TrainingConfig.of(3, OptimizerSpec.adam(1e-3), 5, tmp.resolve("work")))
          .fit(splits.training(), splits.validation(), TrainingListener.NONE, () -> false);
      BundleStore store = new BundleStore(tmp.resolve("models"));
      return store.path("photos", store.publish("photos", m, manifest("photos", "RESCALE")));
    }
  }

  @Test
  void realPhotosGetTheJavaPixelsAndPredictionsInTheGraph() throws IOException {
    Path data = dataset();
    Map<String, byte[]> photos = photos(data, 25);
    int size = 150;
    Preprocessing java = Preprocessing.rescale(size, size);
    try (Predictor p = Predictor.open(trainedBundle(data, size))) {
      assertThat(p.decodesInGraph()).isTrue();
      List<byte[]> encoded = new ArrayList<>(photos.values());
      float[] inGraph = p.inGraphInput(encoded);
      float[][] graphProbabilities = p.predictEncoded(encoded);
      int per = p.imageSize();
      float[] javaInput = new float[encoded.size() * per];
      int i = 0;
      double worstMean = 0;
      double worstShare = 0;
      double worstProbability = 0;
      int top1Agree = 0;
      float[][] javaProbabilities = null;
      for (Map.Entry<String, byte[]> e : photos.entrySet()) {
        java.apply(ImageDecoder.standard().decode(e.getValue(), e.getKey()), javaInput, i * per);
        i++;
      }
      javaProbabilities = p.predict(javaInput, encoded.size());
      i = 0;
      for (String name : photos.keySet()) {
        double sum = 0;
        double max = 0;
        int differ = 0;
        for (int k = i * per; k < (i + 1) * per; k++) {
          double d = Math.abs(inGraph[k] - javaInput[k]);
          sum += d;
          max = Math.max(max, d);
          differ += d > 0 ? 1 : 0;
        }
        assertThat(max).as(name + ": largest difference").isLessThanOrEqualTo(LEVEL + 1e-6);
        assertThat(sum / per).as(name + ": mean absolute difference").isLessThan(1e-4);
        worstMean = Math.max(worstMean, sum / per);
        worstShare = Math.max(worstShare, differ / (double) per);
        double dp = Math.abs(graphProbabilities[i][1] - javaProbabilities[i][1]);
        worstProbability = Math.max(worstProbability, dp);
        assertThat(dp).as(name + ": probability difference").isLessThan(1e-3);
        assertThat(Tensors.argmax(graphProbabilities[i])).as(name + ": top-1").isEqualTo(
            Tensors.argmax(javaProbabilities[i]));
        top1Agree++;
        i++;
      }
      System.out.printf(Locale.ROOT, "%d photos: model input mean |diff| <= %.2e, at most %.2f%% of values one level "
          + "(1/255) apart; probabilities within %.2e; top-1 identical for %d of %d%n", photos.size(), worstMean,
          100 * worstShare, worstProbability, top1Agree, photos.size());
    }
  }

  @Test
  void signaturesAreExportedAndRecordedWithTypesShapesAndMethods() {
    Path dir = publishTiny("sigs", "rescale", 1, 32);
    assertThat(dir.resolve("saved_model.pb")).exists(); // <store>/<model>/<version>/saved_model.pb: TF Serving's layout
    assertThat(dir.resolve("variables/variables.index")).exists();
    try (ModelBundle b = ModelBundle.load(dir)) {
      Map<String, SignatureDef> defs = b.savedModel().metaGraphDef().getSignatureDefMap();
      assertThat(defs).containsKeys(Signatures.SERVING, Signatures.LOGITS, Signatures.ACTIVATIONS,
          Signatures.SERVING_BYTES, Signatures.PREPROCESS_BYTES, Signatures.CLASSIFY);
      SignatureDef bytes = defs.get(Signatures.SERVING_BYTES);
      assertThat(bytes.getMethodName()).isEqualTo(Signatures.PREDICT_METHOD);
      assertThat(bytes.getInputsMap().get(Signatures.IMAGE_BYTES).getDtype().name()).isEqualTo("DT_STRING");
      assertThat(bytes.getOutputsMap()).containsOnlyKeys("probabilities");
      assertThat(defs.get(Signatures.CLASSIFY).getMethodName()).isEqualTo(Signatures.CLASSIFY_METHOD);
      assertThat(defs.get(Signatures.CLASSIFY).getOutputsMap()).containsOnlyKeys(Signatures.CLASSES, Signatures.SCORES);
      assertThat(defs.get(Signatures.SERVING).getInputsMap().get("input").getDtype().name()).isEqualTo("DT_FLOAT");

      Manifest mf = b.manifest();
      Manifest.SignatureEntry serving = mf.signatures().get(Signatures.SERVING);
      assertThat(serving.methodName()).isEqualTo(Signatures.PREDICT_METHOD);
      assertThat(serving.inputSpecs().get("input").dtype()).isEqualTo("DT_FLOAT");
      assertThat(serving.inputSpecs().get("input").shape()).containsExactly(-1, 32, 32, 3);
      assertThat(serving.outputSpecs().get("probabilities").shape()).containsExactly(-1, 2);
      Manifest.SignatureEntry servingBytes = mf.signatures().get(Signatures.SERVING_BYTES);
      assertThat(servingBytes.inputs()).containsEntry(Signatures.IMAGE_BYTES, "image_bytes:0");
      assertThat(servingBytes.inputSpecs().get(Signatures.IMAGE_BYTES).dtype()).isEqualTo("DT_STRING");
      assertThat(servingBytes.inputSpecs().get(Signatures.IMAGE_BYTES).shape()).containsExactly(-1);
      assertThat(mf.signatures().get(Signatures.PREPROCESS_BYTES).outputSpecs().get(Signatures.IMAGES).shape())
          .containsExactly(-1, 32, 32, 3);
      Manifest.SignatureEntry classify = mf.signatures().get(Signatures.CLASSIFY);
      assertThat(classify.methodName()).isEqualTo(Signatures.CLASSIFY_METHOD);
      assertThat(classify.outputSpecs().get(Signatures.CLASSES)).isEqualTo(classify.outputSpecs()
          .get(Signatures.CLASSES));
      assertThat(classify.outputSpecs().get(Signatures.CLASSES).dtype()).isEqualTo("DT_STRING");
      assertThat(classify.outputSpecs().get(Signatures.CLASSES).shape()).containsExactly(-1, 2);
    }
  }

  @Test
  void classifyTakesTfExamplesAndAnswersLabelsAndScores() {
    byte[] cat = TestImages.jpeg(TestImages.stripes(48, 0, 1));
    byte[] dog = TestImages.png(TestImages.stripes(40, 1, 2));
    Path dir = publishTiny("cls", "RESCALE", 2, 32);
    try (Predictor p = Predictor.open(dir)) {
      float[][] expected = p.predictEncoded(List.of(cat, dog));
      NdArray<byte[]> examples = NdArrays.ofObjects(byte[].class, Shape.of(2));
      examples.setObject(example(cat), 0);
      examples.setObject(example(dog), 1);
      try (TString t = TString.tensorOfBytes(examples);
          Result r = p.bundle().session().runner().feed(EncodedImageGraph.TF_EXAMPLE, t)
              .fetch(Signatures.CLASSES).fetch(Signatures.SCORES).run()) {
        TString classes = (TString) r.get(0);
        assertThat(classes.shape().asArray()).containsExactly(2, 2);
        assertThat(classes.getObject(1, 0)).isEqualTo("cat");
        assertThat(classes.getObject(1, 1)).isEqualTo("dog");
        float[][] scores = Tensors.rows((TFloat32) r.get(1));
        for (int i = 0; i < 2; i++) {
          assertThat(scores[i][1]).isCloseTo(expected[i][1], within(1e-6f));
        }
      }
    }
  }

  private static byte[] example(byte[] image) {
    return Example.newBuilder().setFeatures(Features.newBuilder().putFeature(Signatures.IMAGE_BYTES,
        Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(image))).build()))
        .build().toByteArray();
  }

  @Test
  void badImagesFailTheRequestAndAnEmptyBatchIsEmpty() {
    Path dir = publishTiny("bad", "RESCALE", 3, 32);
    try (Predictor p = Predictor.open(dir)) {
      byte[] good = TestImages.jpeg(TestImages.gradient(50, 40));
      assertThatThrownBy(() -> p.predictEncoded(List.of(good, "plain text, not an image".getBytes())))
          .isInstanceOf(TFInvalidArgumentException.class).hasMessageContaining("Unknown image file format");
      assertThat(p.predictEncoded(List.of())).isEmpty();
      assertThat(p.predictEncoded(List.of(good, good))).hasNumberOfRows(2);
    }
  }

  @Test
  void caffeAndMnistPreprocessingRunInTheGraph() throws IOException {
    byte[] photo = photos(dataset(), 1).values().iterator().next();
    // VGG16's CAFFE mode: BGR minus the ImageNet means, unscaled (one level is 1.0)
    try (Predictor p = Predictor.open(publishTiny("caffe", "CAFFE", 4, 64))) {
      float[] graph = p.inGraphInput(List.of(photo));
      Preprocessing caffe = Preprocessing.caffe(64, 64);
      float[] java = new float[caffe.floatsPerImage()];
      caffe.toFloats(caffe.load(ImageDecoder.standard(), photo, "photo"), java, 0);  // as training loads it
      assertClose("CAFFE", graph, java, 1.0 + 1e-4, 0.02);
    }
    // a one-channel digits model (LeNet-5's input): MNIST normalisation in the graph; one channel with plain
    // rescaling is nothing the Java preprocessing does, so such a bundle gets no encoded-image signatures
    for (String mode : List.of("MNIST", "RESCALE")) {
      Path digits;
      try (Model m = io.convnet.nn.Sequential.input(32, 32, 1).name("digits")
          .add(io.convnet.nn.Conv2D.of(4, 5).activation(io.convnet.nn.Activation.RELU).name("conv_1"))
          .add(io.convnet.nn.Flatten.of().name("flatten"))
          .add(io.convnet.nn.Dense.of(10).activation(io.convnet.nn.Activation.SOFTMAX).name("output")).build(5)) {
        BundleStore store = new BundleStore(tmp.resolve("models"));
        Manifest template = manifest("digits", mode);
        Manifest tenLabels = new Manifest(template.formatVersion(), template.name(), 0, "lenet-5", template.createdAt(),
            null, template.preprocessing(), List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), null, null,
            null, null, null, null);
        digits = store.path("digits", store.publish("digits", m, tenLabels));
      }
      try (Predictor p = Predictor.open(digits)) {
        if (mode.equals("RESCALE")) {
          assertThat(p.decodesInGraph()).isFalse();
          continue;
        }
        assertThat(p.manifest().signatures().get(Signatures.PREPROCESS_BYTES).outputSpecs().get(Signatures.IMAGES)
            .shape()).containsExactly(-1, 32, 32, 1);
        float[] input = p.inGraphInput(List.of(TestImages.grayPng(60, 50), photo));
        assertThat(input).hasSize(2 * 32 * 32);
        assertThat(p.predictEncoded(List.of(photo))[0]).hasSize(10);
      }
    }
  }

  private static void assertClose(String what, float[] actual, float[] expected, double maxDiff, double maxShare) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    int differ = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected[i]);
      assertThat(d).as(what + " at " + i).isLessThanOrEqualTo(maxDiff);
      differ += d > 1e-6 ? 1 : 0;
    }
    assertThat(differ / (double) actual.length).as(what + ": share of values one level apart").isLessThan(maxShare);
  }

  @Test
  void aPreprocessingTheGraphCannotDoGetsNoEncodedImageSignatures() {
    try (Predictor p = Predictor.open(publishTiny("odd", "SOMETHING_NEW", 6, 32))) {
      assertThat(p.decodesInGraph()).isFalse();
      assertThat(p.manifest().signatures()).containsOnlyKeys(Signatures.SERVING, Signatures.LOGITS,
          Signatures.ACTIVATIONS);
    }
  }

  /** {@link TinyModels#cnn} of {@code size x size} inputs, published with preprocessing {@code mode}. */
  private Path publishTiny(String name, String mode, long seed, int size) {
    try (Model m = TinyModels.cnn(size, 2).build(seed)) {
      BundleStore store = new BundleStore(tmp.resolve("models"));
      return store.path(name, store.publish(name, m, manifest(name, mode)));
    }
  }

  @Test
  void aBundleWrittenBeforeEncodedImageSignaturesServesThroughTheJavaPath() throws Exception {
    // written by the export code of main before this change (TinyModels.cnn(32, 2), seed 17), with the
    // probabilities that code's Java path gave for four validation photos
    Path dir = Path.of(EncodedImageSignaturesTest.class.getResource("/bundles/old-format-1/manifest.json").toURI())
        .getParent();
    Path data = dataset();
    try (Predictor p = Predictor.open(dir)) {
      assertThat(p.decodesInGraph()).isFalse();
      assertThat(p.manifest().signatures()).doesNotContainKey(Signatures.SERVING_BYTES);
      assertThat(p.manifest().signatures().get(Signatures.SERVING).methodName()).isNull();
      assertThatThrownBy(() -> p.inGraphInput(List.of(new byte[1]))).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("preprocessed in Java");
      for (String line : Files.readAllLines(dir.resolve("expected-predictions.txt"))) {
        String[] f = line.split(" ");
        float[] row = p.predictEncoded(List.of(Files.readAllBytes(data.resolve("validation").resolve(f[0]))))[0];
        // recorded with main's full-size decode; the Java path now decodes a 180x180 photo for this 32x32
        // input at 1/4 (ImageDecoder.decodeForSize, as training does), within its stated pixel tolerance
        assertThat(row[0]).as(f[0]).isCloseTo(Float.parseFloat(f[1]), within(0.01f));
        assertThat(row[1]).as(f[0]).isCloseTo(Float.parseFloat(f[2]), within(0.01f));
      }
    }
  }
}
