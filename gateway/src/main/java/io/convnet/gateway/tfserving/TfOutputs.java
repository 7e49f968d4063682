package io.convnet.gateway.tfserving;

import com.google.protobuf.ByteString;
import io.convnet.gateway.serving.HttpAnswers;
import io.convnet.gateway.tfserving.TfInputs.Format;
import io.convnet.gateway.tfserving.TfSignatures.Signature;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.Prediction;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;

/**
 * A worker's answer as a signature's outputs: {@code probabilities} [n, classes] for the predict
 * signatures; {@code classes} (the labels) and {@code scores} [n, classes] for classify; every row in
 * label order. As gRPC tensors, or as the JSON of {@code :predict} in the request's format (one
 * output: its values alone; several: keyed by name).
 */
final class TfOutputs {
  private TfOutputs() {
  }

  /** The outputs as tensors, all or those named in {@code filter} (gRPC's {@code output_filter}). */
  static Map<String, TensorProto> tensors(Signature s, ClassifyReply reply, Collection<String> filter) {
    for (String name : filter) {
      if (!s.outputs().contains(name)) {
        throw TfInputs.invalid("output tensor alias not found in signature: " + name + " (signature " + s.key()
            + " has " + s.outputs() + ")");
      }
    }
    int n = reply.getPredictionsCount();
    int classes = reply.getLabelsCount();
    Map<String, TensorProto> out = new LinkedHashMap<>();
    for (String name : s.outputs()) {
      if (!filter.isEmpty() && !filter.contains(name)) {
        continue;
      }
      TensorProto.Builder t = TensorProto.newBuilder().setTensorShape(TensorShapeProto.newBuilder()
          .addDim(TensorShapeProto.Dim.newBuilder().setSize(n)).addDim(TensorShapeProto.Dim.newBuilder().setSize(classes)));
      if (name.equals("classes")) {
        t.setDtype(DataType.DT_STRING);
        for (int i = 0; i < n; i++) {
          reply.getLabelsList().forEach(label -> t.addStringVal(ByteString.copyFromUtf8(label)));
        }
      } else {
        t.setDtype(DataType.DT_FLOAT);
        reply.getPredictionsList().forEach(p -> t.addAllFloatVal(p.getProbabilitiesList()));
      }
      out.put(name, t.build());
    }
    return out;
  }

  /** The JSON of {@code :predict}: {@code {"predictions": ...}} (row format) or {@code {"outputs": ...}}. */
  static JsonObject json(Signature s, Format format, ClassifyReply reply) {
    List<String> names = s.outputs();
    if (format == Format.ROW) {
      JsonArray rows = new JsonArray();
      for (Prediction p : reply.getPredictionsList()) {
        if (names.size() == 1) {
          rows.add(scores(p));
        } else {
          rows.add(new JsonObject().put("classes", new JsonArray(reply.getLabelsList())).put("scores", scores(p)));
        }
      }
      return new JsonObject().put("predictions", rows);
    }
    JsonArray scores = new JsonArray();
    reply.getPredictionsList().forEach(p -> scores.add(scores(p)));
    if (names.size() == 1) {
      return new JsonObject().put("outputs", scores);
    }
    JsonArray classes = new JsonArray();
    reply.getPredictionsList().forEach(p -> classes.add(new JsonArray(reply.getLabelsList())));
    return new JsonObject().put("outputs", new JsonObject().put("classes", classes).put("scores", scores));
  }

  private static JsonArray scores(Prediction p) {
    JsonArray row = new JsonArray();
    p.getProbabilitiesList().forEach(v -> row.add(HttpAnswers.number(v)));
    return row;
  }
}
