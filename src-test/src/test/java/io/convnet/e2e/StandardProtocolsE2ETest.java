package io.convnet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import inference.GRPCInferenceServiceGrpc;
import inference.GrpcPredictV2.InferTensorContents;
import inference.GrpcPredictV2.ModelInferRequest;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.BundleTestSupport;
import io.convnet.data.Preprocessing;
import io.convnet.gateway.GatewayMain;
import io.convnet.image.ImageDecoder;
import io.convnet.image.TestImages;
import io.convnet.infer.Predictor;
import io.convnet.worker.InferenceWorkerMain;
import io.convnet.kafka.local.KafkaBrokerExtension;
import io.convnet.kit.launch.RunningService;
import io.convnet.kit.testing.TestServices;
import io.convnet.nn.Model;
import io.convnet.testing.TinyModels;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * One real photo through every standard protocol, on the real gateway and a real worker over a
 * tiny model: TF Serving REST (encoded image and float tensor, row and columnar, a label path),
 * the Open Inference Protocol REST (BYTES, FP32, binary tensor data) and both gRPC services from
 * stock clients (grpc-java's generated stubs; Python's grpcio with stubs grpc_tools generates from
 * the published .proto files) all give what the model says in process, within float tolerance.
 */
@ExtendWith(KafkaBrokerExtension.class)
class StandardProtocolsE2ETest {
  static final int SIZE = 24;
  @TempDir
  static Path tmp;
  static RunningService worker;
  static RunningService gateway;
  static byte[] photo;
  static float[] pixels;
  static float[] expected;
  static String expectedLabel;
  static int grpcPort;
  static Path store;

  @BeforeAll
  static void start() throws Exception {
    store = tmp.resolve("models");
    try (Model m = TinyModels.cnn(SIZE, 2).build(11)) {
      new BundleStore(store).publish("cats-vs-dogs", m, BundleTestSupport.manifest("cats-vs-dogs", List.of("cat", "dog")));
    }
    Path dataset = TestImages.catsVsDogs();
    Path cats = dataset == null ? null : dataset.resolve("validation/cat");
    // the first cat photo of the shared validation folder; a drawn image only where the data set is absent
    photo = cats != null && Files.isDirectory(cats) ? Files.readAllBytes(firstPhoto(cats))
        : TestImages.jpeg(TestImages.stripes(60, 0, 3));
    // loaded as training loads it (Preprocessing.load), as the worker does: what a float-tensor client sends
    Preprocessing prep = Preprocessing.rescale(SIZE, SIZE);
    pixels = prep.apply(prep.load(ImageDecoder.standard(), photo, "cat"));
    try (Predictor p = Predictor.open(store.resolve("cats-vs-dogs/1"))) {
      expected = p.predict(pixels, 1)[0];
    }
    expectedLabel = expected[1] > expected[0] ? "dog" : "cat";
    worker = TestServices.start(InferenceWorkerMain.DEFINITION, Map.of("CONVNET_MODEL_STORE", store.toString(),
        "CONVNET_SCORE_ENABLED", "false"));
    gateway = TestServices.start(GatewayMain.DEFINITION, Map.of());
    grpcPort = Integer.parseInt(gateway.kit().statusDetails().get("grpcPort"));
  }

  static Path firstPhoto(Path folder) throws IOException {
    try (var files = Files.list(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jpg")).sorted().findFirst()
          .orElseThrow(() -> new IllegalStateException("no photo in " + folder));
    }
  }

  @AfterAll
  static void stop() {
    TestServices.stop(gateway, worker);
  }

  static HttpResponse<byte[]> post(String path, Map<String, String> headers, byte[] body) {
    return TestServices.post(gateway.httpPort(), path, headers, body);
  }

  static JsonObject postJson(String path, String json) {
    var response = post(path, Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.statusCode()).as(body).isEqualTo(200);
    return new JsonObject(body);
  }

  static void assertModelSays(List<? extends Number> probabilities) {
    assertThat(probabilities).hasSize(2);
    assertThat(probabilities.get(0).doubleValue()).isCloseTo(expected[0], within(1e-5));
    assertThat(probabilities.get(1).doubleValue()).isCloseTo(expected[1], within(1e-5));
  }

  @SuppressWarnings("unchecked")
  static List<Number> numbers(JsonArray array) {
    return (List<Number>) (List<?>) array.getList();
  }

  /** The preprocessed photo as [[[r, g, b], ...], ...] (one instance, [h, w, c]). */
  static JsonArray nested() {
    JsonArray rows = new JsonArray();
    for (int y = 0; y < SIZE; y++) {
      JsonArray row = new JsonArray();
      for (int x = 0; x < SIZE; x++) {
        int i = (y * SIZE + x) * 3;
        row.add(new JsonArray().add(pixels[i]).add(pixels[i + 1]).add(pixels[i + 2]));
      }
      rows.add(row);
    }
    return rows;
  }

  static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  @Test
  void tfServingRestGivesTheSameForTheEncodedImageAndTheFloatTensor() throws IOException {
    String b64 = Base64.getEncoder().encodeToString(photo);
    JsonObject bytes = postJson("/v1/models/cats-vs-dogs:predict",
        "{\"signature_name\": \"serving_bytes\", \"instances\": [{\"b64\": \"" + b64 + "\"}]}");
    assertModelSays(numbers(bytes.getJsonArray("predictions").getJsonArray(0)));
    JsonObject floats = postJson("/v1/models/cats-vs-dogs/labels/stable:predict", new JsonObject()
        .put("signature_name", "serving_default").put("instances", new JsonArray().add(nested())).encode());
    assertModelSays(numbers(floats.getJsonArray("predictions").getJsonArray(0)));
    JsonObject columnar = postJson("/v1/models/cats-vs-dogs/versions/1:predict", new JsonObject()
        .put("inputs", new JsonObject().put("input", new JsonArray().add(nested()))).encode());
    assertModelSays(numbers(columnar.getJsonArray("outputs").getJsonArray(0)));
    JsonObject classify = postJson("/v1/models/cats-vs-dogs:classify",
        "{\"examples\": [{\"image_bytes\": {\"b64\": \"" + b64 + "\"}}]}");
    assertThat(classify.getJsonArray("results").getJsonArray(0).getJsonArray(0).getString(0)).isEqualTo("cat");

    JsonObject meta = new JsonObject(TestServices.get(gateway.httpPort(), "/v1/models/cats-vs-dogs/metadata").body());
    assertThat(meta.getJsonObject("model_spec").getString("version")).isEqualTo("1");
    assertThat(meta.getJsonObject("metadata").getJsonObject("signature_def").getJsonObject("signature_def")
        .getJsonObject("serving_default").getJsonObject("inputs").getJsonObject("input").getJsonObject("tensor_shape")
        .getJsonArray("dim").getJsonObject(1).getString("size")).isEqualTo(String.valueOf(SIZE));
    // the signatures as the bundle's manifest records them (graph tensor names, types, methods)
    JsonObject recorded = new JsonObject(Files.readString(store.resolve("cats-vs-dogs/1/manifest.json")))
        .getJsonObject("signatures");
    JsonObject defs = meta.getJsonObject("metadata").getJsonObject("signature_def").getJsonObject("signature_def");
    assertThat(defs.fieldNames()).containsExactlyInAnyOrder("serving_default", "serving_bytes", "classify");
    JsonObject bytesDef = defs.getJsonObject("serving_bytes");
    assertThat(bytesDef.getString("method_name")).isEqualTo(recorded.getJsonObject("serving_bytes").getString("methodName"));
    assertThat(bytesDef.getJsonObject("inputs").getJsonObject("image_bytes").getString("name"))
        .isEqualTo(recorded.getJsonObject("serving_bytes").getJsonObject("inputs").getString("image_bytes"));
    assertThat(bytesDef.getJsonObject("inputs").getJsonObject("image_bytes").getString("dtype")).isEqualTo("DT_STRING");
    assertThat(defs.getJsonObject("classify").getJsonObject("outputs").getJsonObject("classes").getString("name"))
        .isEqualTo(recorded.getJsonObject("classify").getJsonObject("outputs").getString("classes"));

    // the worker checks a tensor's shape against the model's input: an error in TF Serving's shape
    var wrong = post("/v1/models/cats-vs-dogs:predict", Map.of("content-type", "application/json"), new JsonObject()
        .put("instances", new JsonArray().add(new JsonArray().add(new JsonArray().add(new JsonArray().add(0.5).add(0.5)
            .add(0.5))))).encode().getBytes(StandardCharsets.UTF_8));
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(new String(wrong.body(), StandardCharsets.UTF_8)).getString("error"))
        .contains("tensor shape [1, 1, 1, 3] is not the model's input [1, " + SIZE + ", " + SIZE + ", 3]");
  }

  @Test
  void openInferenceRestGivesTheSameForBytesFp32AndBinaryTensors() {
    String b64 = Base64.getEncoder().encodeToString(photo);
    JsonObject bytes = postJson("/v2/models/cats-vs-dogs/infer", "{\"inputs\": [{\"name\": \"image\", \"shape\": [1], "
        + "\"datatype\": \"BYTES\", \"data\": [\"" + b64 + "\"]}]}");
    assertModelSays(numbers(bytes.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));
    assertThat(bytes.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getString(0)).isEqualTo(expectedLabel);

    JsonArray data = new JsonArray();
    for (float v : pixels) {
      data.add(v);
    }
    JsonObject fp32 = postJson("/v2/models/cats-vs-dogs/infer", new JsonObject().put("inputs", new JsonArray()
        .add(new JsonObject().put("name", "input").put("shape", new JsonArray().add(1).add(SIZE).add(SIZE).add(3))
            .put("datatype", "FP32").put("data", data))).encode());
    assertModelSays(numbers(fp32.getJsonArray("outputs").getJsonObject(0).getJsonArray("data")));

    byte[] binary = littleEndian(pixels);
    String header = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, " + SIZE + ", " + SIZE + ", 3], \"datatype\": "
        + "\"FP32\", \"parameters\": {\"binary_data_size\": " + binary.length + "}}], \"outputs\": [{\"name\": \"label\", "
        + "\"parameters\": {\"binary_data\": true}}]}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[json.length + binary.length];
    System.arraycopy(json, 0, body, 0, json.length);
    System.arraycopy(binary, 0, body, json.length, binary.length);
    var response = post("/v2/models/cats-vs-dogs/infer", Map.of("content-type", "application/octet-stream",
        "inference-header-content-length", Integer.toString(json.length)), body);
    assertThat(response.statusCode()).isEqualTo(200);
    int jsonLength = Integer.parseInt(response.headers().firstValue("inference-header-content-length").orElseThrow());
    ByteBuffer label = ByteBuffer.wrap(response.body(), jsonLength, response.body().length - jsonLength)
        .order(ByteOrder.LITTLE_ENDIAN);
    byte[] text = new byte[label.getInt()];
    label.get(text);
    assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo(expectedLabel);
  }

  @Test
  void bothGrpcServicesGiveTheSameToGrpcJavasStockStubs() throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    try {
      var tf = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      TensorProto image = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
          .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
          .addStringVal(ByteString.copyFrom(photo)).build();
      var bytes = tf.predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("cats-vs-dogs")
          .setSignatureName("serving_bytes")).putInputs("image_bytes", image).build());
      assertModelSays(bytes.getOutputsOrThrow("probabilities").getFloatValList());
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (long d : new long[] {1, SIZE, SIZE, 3}) {
        shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
      }
      var floats = tf.predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("cats-vs-dogs"))
          .putInputs("input", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
              .setTensorContent(ByteString.copyFrom(littleEndian(pixels))).build()).build());
      assertModelSays(floats.getOutputsOrThrow("probabilities").getFloatValList());

      var v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      var infer = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("cats-vs-dogs")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1)
              .setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(photo)))).build());
      ByteBuffer p = infer.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      assertModelSays(List.of(p.getFloat(), p.getFloat()));
      var fp32 = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("cats-vs-dogs")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
              .addAllShape(List.of(1L, (long) SIZE, (long) SIZE, 3L)))
          .addRawInputContents(ByteString.copyFrom(littleEndian(pixels))).build());
      ByteBuffer q = fp32.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      assertModelSays(List.of(q.getFloat(), q.getFloat()));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void bothGrpcServicesGiveTheSameToPythonsStockClient() throws Exception {
    Optional<String> python = pythonWithGrpc();
    Assumptions.assumeTrue(python.isPresent(), "the Python gRPC client test needs python3 with grpcio and grpc_tools "
        + "(Debian: apt-get install python3-grpcio python3-grpc-tools; ./test.sh installs them)");
    Path protos = Path.of("..", "proto-standard", "src", "main", "proto").toAbsolutePath().normalize();
    Path stubs = Files.createDirectories(tmp.resolve("python-stubs"));
    List<String> generate = new ArrayList<>(List.of(python.get(), "-m", "grpc_tools.protoc", "-I" + protos,
        "--python_out=" + stubs, "--grpc_python_out=" + stubs));
    try (var files = Files.walk(protos)) {
      files.filter(f -> f.toString().endsWith(".proto")).forEach(f -> generate.add(protos.relativize(f).toString()));
    }
    assertThat(run(generate, protos)).isEmpty();
    Path image = Files.write(tmp.resolve("cat.jpg"), photo);
    Path floats = Files.write(tmp.resolve("cat.f32"), littleEndian(pixels));
    Path script = Path.of("src", "test", "resources", "python", "grpc_stock_client.py").toAbsolutePath();
    String output = run(List.of(python.get(), script.toString(), stubs.toString(), "127.0.0.1:" + grpcPort,
        "cats-vs-dogs", image.toString(), floats.toString(), String.valueOf(SIZE), String.valueOf(SIZE), "3"), tmp);
    JsonObject out = new JsonObject(output.lines().reduce((a, b) -> b).orElseThrow());
    assertModelSays(numbers(out.getJsonArray("tf_bytes")));
    assertModelSays(numbers(out.getJsonArray("tf_floats")));
    assertModelSays(numbers(out.getJsonArray("v2_bytes")));
    assertModelSays(numbers(out.getJsonArray("v2_floats")));
    assertThat(out.getLong("tf_version")).isEqualTo(1);
    assertThat(out.getJsonArray("tf_signatures").getList()).containsExactly("classify", "serving_bytes", "serving_default");
    assertThat(out.getString("tf_unknown_model")).isEqualTo("NOT_FOUND");
    assertThat(out.getJsonObject("tf_classify").getDouble("cat")).isCloseTo(expected[0], within(1e-5));
    assertThat(out.getJsonObject("tf_classify").getDouble("dog")).isCloseTo(expected[1], within(1e-5));
    assertThat(out.getBoolean("v2_live")).isTrue();
    assertThat(out.getBoolean("v2_server_ready")).isTrue();
    assertThat(out.getBoolean("v2_ready")).isTrue();
    assertThat(out.getString("v2_server")).isEqualTo("convnet-cluster");
    assertThat(out.getJsonObject("v2_inputs").getJsonArray("input").getList()).containsExactly("FP32", -1, SIZE, SIZE, 3);
    assertThat(out.getJsonObject("v2_inputs").getJsonArray("image").getList()).containsExactly("BYTES", -1);
    assertThat(out.getString("v2_label")).isEqualTo(expectedLabel);
    assertThat(out.getString("v2_id")).isEqualTo("py-1");
    assertThat(out.getString("v2_bad_shape")).startsWith("INVALID_ARGUMENT: ").contains("tensor shape [1, 2, 2, 3]");
  }

  /** Debian's interpreter (python3-grpcio lives there), else the one on the path, if it has grpc and grpc_tools. */
  static Optional<String> pythonWithGrpc() {
    for (String candidate : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import grpc, grpc_tools.protoc").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return Optional.of(candidate);
        }
      } catch (IOException e) {
        // not there: try the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Runs {@code command}; its output, or an assertion error with it when it fails. */
  static String run(List<String> command, Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output.strip();
  }
}
