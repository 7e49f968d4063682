package io.convnet.gateway.tfserving;

import io.convnet.gateway.grpc.GrpcCalls;
import io.convnet.gateway.grpc.GrpcService;
import io.convnet.gateway.tfserving.TfServing.Target;
import io.convnet.gateway.tfserving.TfSignatures.Signature;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;

/**
 * {@code tensorflow.serving.PredictionService} as TF Serving's model server answers it: Predict
 * (signature {@code serving_default} with DT_FLOAT {@code input}, {@code serving_bytes} with
 * DT_STRING {@code image_bytes}, or {@code classify} with serialized examples), Classify
 * (examples with the bytes feature {@code image_bytes}), GetModelMetadata ({@code signature_def}).
 * Regress is INVALID_ARGUMENT (no regression signature); MultiInference is UNIMPLEMENTED.
 */
final class TfServingGrpc implements GrpcService {
  static final String SERVICE = "tensorflow.serving.PredictionService";

  private final TfServing tf;

  TfServingGrpc(TfServing tf) {
    this.tf = tf;
  }

  @Override
  public void bind(GrpcCalls calls) {
    calls.read(SERVICE, "Predict", PredictRequest.getDefaultInstance(), TfServing.NO_DEADLINE,
        this::predict);
    calls.read(SERVICE, "Classify", ClassificationRequest.getDefaultInstance(), TfServing.NO_DEADLINE,
        this::classify);
    calls.read(SERVICE, "Regress", RegressionRequest.getDefaultInstance(), TfServing.NO_DEADLINE,
        (RegressionRequest r, Duration d) -> Future.<RegressionResponse>failedFuture(
            TfServing.noRegression(r.getModelSpec().getName())));
    calls.read(SERVICE, "GetModelMetadata", GetModelMetadataRequest.getDefaultInstance(),
        TfServing.NO_DEADLINE, this::metadata);
  }

  Future<PredictResponse> predict(PredictRequest request, Duration deadline) {
    Target target = Target.of(request.getModelSpec());
    String name = request.getModelSpec().getSignatureName();
    Signature signature = name.isEmpty() ? defaultSignature(request) : TfSignatures.named(name);
    return tf.classify(target, () -> tf.inputs.predict(signature, request.getInputsMap()), deadline)
        .map(reply -> PredictResponse.newBuilder()
        .setModelSpec(TfServing.answered(reply, signature))
        .putAllOutputs(TfOutputs.tensors(signature, reply, request.getOutputFilterList())).build());
  }

  /** serving_default, as TF Serving; a request feeding {@code image_bytes} means serving_bytes. */
  private static Signature defaultSignature(PredictRequest request) {
    return request.getInputsMap().containsKey(TfSignatures.SERVING_BYTES.input())
        && !request.getInputsMap().containsKey(TfSignatures.SERVING_DEFAULT.input())
        ? TfSignatures.SERVING_BYTES : TfSignatures.SERVING_DEFAULT;
  }

  Future<ClassificationResponse> classify(ClassificationRequest request, Duration deadline) {
    Target target = Target.of(request.getModelSpec());
    Signature signature = TfServing.classifySignature(request.getModelSpec().getSignatureName());
    Input in = request.getInput();
    return tf.classify(target, () -> switch (in.getKindCase()) {
      case EXAMPLE_LIST -> tf.inputs.examples(in.getExampleList().getExamplesList(), null);
      case EXAMPLE_LIST_WITH_CONTEXT -> tf.inputs.examples(in.getExampleListWithContext().getExamplesList(),
          in.getExampleListWithContext().getContext());
      default -> throw TfInputs.invalid("Input is empty");
    }, deadline).map(reply -> ClassificationResponse.newBuilder()
        .setModelSpec(TfServing.answered(reply, signature)).setResult(TfServing.classifications(reply)).build());
  }

  Future<GetModelMetadataResponse> metadata(GetModelMetadataRequest request, Duration deadline) {
    Target target = Target.of(request.getModelSpec());
    List<String> fields = request.getMetadataFieldList();
    if (fields.isEmpty()) {
      throw TfInputs.invalid("GetModelMetadataRequest must specify at least one metadata_field");
    }
    for (String field : fields) {
      if (!field.equals("signature_def")) {
        throw TfInputs.invalid("Metadata field " + field + " is not supported");
      }
    }
    return tf.version(target).compose(v -> tf.model(new Target(target.model(), v, null), deadline)
        .map(info -> TfServing.metadata(info, v)));
  }
}
