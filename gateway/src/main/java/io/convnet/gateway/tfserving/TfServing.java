package io.convnet.gateway.tfserving;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.convnet.gateway.serving.ClassifyInput;
import io.convnet.gateway.serving.VersionLabels;
import io.convnet.gateway.serving.Workers;
import io.convnet.gateway.tfserving.TfSignatures.Signature;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ClassifyReply;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.Prediction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Supplier;
import tensorflow.serving.Classification.Class;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.Classifications;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Model.ModelSpec;

/**
 * TF Serving's operations over the workers, shared by its REST API and its gRPC
 * PredictionService: a model spec (name, version or version label) resolved, predict and classify
 * as one classify request over Kafka, and the model metadata (the served signatures' defs).
 */
final class TfServing {
  /** For calls without a deadline of their own (REST): the request timeout bounds them. */
  static final Duration NO_DEADLINE = Duration.ofDays(1);

  /** Which model a request names: a version (0: the served one) or a version label. */
  record Target(String model, long version, String label) {
    static Target of(ModelSpec spec) {
      if (spec.getName().isEmpty()) {
        throw TfInputs.invalid("Missing ModelSpec");
      }
      return new Target(spec.getName(), spec.hasVersion() ? spec.getVersion().getValue() : 0,
          spec.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL ? spec.getVersionLabel() : null);
    }
  }

  final Workers workers;
  final TfInputs inputs;
  private final VersionLabels labels;

  TfServing(Workers workers, TfInputs inputs, VersionLabels labels) {
    this.workers = workers;
    this.inputs = inputs;
    this.labels = labels;
  }

  /** The version a target names (0: the served one), its label resolved. */
  Future<Long> version(Target target) {
    if (target.version() < 0) {
      return Future.failedFuture(TfInputs.invalid("version must be positive, not " + target.version()));
    }
    return labels.version(target.model(), target.version(), target.label());
  }

  Future<ClassifyReply> classify(Target target, ClassifyInput input, Duration timeout) {
    return version(target).compose(v -> workers.classify(target.model(), v, input, timeout));
  }

  /** As above with the input still to be read from the request: input it cannot read counts as a failed request. */
  Future<ClassifyReply> classify(Target target, Supplier<ClassifyInput> input, Duration timeout) {
    ClassifyInput in;
    try {
      in = input.get();
    } catch (RuntimeException e) {
      return workers.rejected(target.model(), target.version(), e);
    }
    return classify(target, in, timeout);
  }

  /** The model (of the version the target names) as the workers describe it. */
  Future<ModelInfo> model(Target target, Duration timeout) {
    return version(target).compose(v -> workers.models(target.model(), v, timeout)).map(reply -> reply.getModels(0));
  }

  /** GetModelMetadata's answer: the model spec and the served signatures' defs. */
  static GetModelMetadataResponse metadata(ModelInfo info, long version) {
    long shown = version > 0 ? version : info.getServedVersion() > 0 ? info.getServedVersion()
        : info.getVersionsList().stream().mapToLong(ModelVersionStatus::getVersion).max().orElse(0);
    SignatureDefMap defs = SignatureDefMap.newBuilder().putAllSignatureDef(TfSignatures.defs(info)).build();
    return GetModelMetadataResponse.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName(info.getName()).setVersion(Int64Value.of(shown)))
        .putMetadata("signature_def", Any.pack(defs)).build();
  }

  /** The metadata as TF Serving's REST API prints it (model_spec, then the signature_def map unpacked). */
  static JsonObject metadataJson(GetModelMetadataResponse response) {
    JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();
    try {
      SignatureDefMap defs = response.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class);
      return new JsonObject().put("model_spec", new JsonObject(printer.print(response.getModelSpec())))
          .put("metadata", new JsonObject().put("signature_def", new JsonObject(printer.print(defs))));
    } catch (InvalidProtocolBufferException e) {
      throw new ServiceException(ErrorCode.INTERNAL, "metadata to JSON: " + e.getMessage(), e);
    }
  }

  /** The model spec a response names: the version that answered. */
  static ModelSpec answered(ClassifyReply reply, Signature signature) {
    return ModelSpec.newBuilder().setName(reply.getModel().getName())
        .setVersion(Int64Value.of(reply.getModel().getVersion())).setSignatureName(signature.key()).build();
  }

  /** Classify's result: per example every label with its score, in label order. */
  static ClassificationResult classifications(ClassifyReply reply) {
    ClassificationResult.Builder result = ClassificationResult.newBuilder();
    for (Prediction p : reply.getPredictionsList()) {
      Classifications.Builder c = result.addClassificationsBuilder();
      for (int i = 0; i < reply.getLabelsCount(); i++) {
        c.addClasses(Class.newBuilder().setLabel(reply.getLabels(i)).setScore(p.getProbabilities(i)));
      }
    }
    return result.build();
  }

  /** Classify with a signature: the default is {@code classify}; a predict signature is TF Serving's error. */
  static Signature classifySignature(String name) {
    Signature s = name.isEmpty() ? TfSignatures.CLASSIFY : TfSignatures.named(name);
    if (!s.takesExamples()) {
      throw TfInputs.invalid("Expected classification signature method_name to be " + TfSignatures.CLASSIFY_METHOD
          + ". Was: " + s.method());
    }
    return s;
  }

  /** Regress: no bundle has a regression signature. */
  static ServiceException noRegression(String model) {
    return TfInputs.invalid("Expected regression signature method_name to be " + TfSignatures.REGRESS_METHOD
        + ": model '" + model + "' classifies images and has no regression signature (signatures: "
        + String.join(", ", TfSignatures.ALL.stream().map(Signature::key).toList()) + "); use :classify or :predict");
  }
}
