package io.convnet.gateway.openinference;

import com.google.protobuf.ByteString;
import io.convnet.gateway.grpc.GrpcCalls;
import io.convnet.gateway.grpc.GrpcService;
import io.convnet.gateway.openinference.V2Tensors.Input;
import io.convnet.gateway.openinference.V2Tensors.Output;
import io.convnet.gateway.openinference.V2Tensors.Requested;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import inference.GrpcPredictV2.InferParameter;
import inference.GrpcPredictV2.ModelInferRequest;
import inference.GrpcPredictV2.ModelInferResponse;
import inference.GrpcPredictV2.ModelMetadataRequest;
import inference.GrpcPredictV2.ModelMetadataResponse;
import inference.GrpcPredictV2.ModelReadyRequest;
import inference.GrpcPredictV2.ModelReadyResponse;
import inference.GrpcPredictV2.ServerLiveRequest;
import inference.GrpcPredictV2.ServerLiveResponse;
import inference.GrpcPredictV2.ServerMetadataRequest;
import inference.GrpcPredictV2.ServerMetadataResponse;
import inference.GrpcPredictV2.ServerReadyRequest;
import inference.GrpcPredictV2.ServerReadyResponse;

/**
 * {@code inference.GRPCInferenceService}, the Open Inference Protocol over gRPC: ServerLive,
 * ServerReady, ModelReady, ServerMetadata, ModelMetadata, ModelInfer. Inputs come as typed
 * {@code contents} (bytes_contents, fp32_contents) or as {@code raw_input_contents}; outputs go
 * as {@code raw_output_contents} (as Triton answers: little-endian FP32, length-prefixed BYTES).
 * The request parameter {@code timeout} (microseconds) bounds the wait besides the deadline;
 * an output's {@code classification} parameter asks for the top k.
 */
final class OpenInferenceGrpc implements GrpcService {
  static final String SERVICE = "inference.GRPCInferenceService";

  private final OpenInference v2;

  OpenInferenceGrpc(OpenInference v2) {
    this.v2 = v2;
  }

  @Override
  public void bind(GrpcCalls calls) {
    Duration none = OpenInference.NO_DEADLINE;
    calls.open(SERVICE, "ServerLive", ServerLiveRequest.getDefaultInstance(), none,
        (ServerLiveRequest r, Duration d) -> Future.succeededFuture(ServerLiveResponse.newBuilder().setLive(true).build()));
    calls.open(SERVICE, "ServerReady", ServerReadyRequest.getDefaultInstance(), none,
        (ServerReadyRequest r, Duration d) -> v2.notReadyReason()
            .map(reason -> ServerReadyResponse.newBuilder().setReady(reason == null).build()));
    calls.read(SERVICE, "ModelReady", ModelReadyRequest.getDefaultInstance(), none,
        (ModelReadyRequest r, Duration d) -> v2.modelNotReadyReason(name(r.getName()), V2Tensors.version(r.getVersion()))
            .map(reason -> ModelReadyResponse.newBuilder().setReady(reason == null).build()));
    calls.read(SERVICE, "ServerMetadata", ServerMetadataRequest.getDefaultInstance(), none,
        (ServerMetadataRequest r, Duration d) -> Future.succeededFuture(ServerMetadataResponse.newBuilder()
            .setName(OpenInference.SERVER_NAME).setVersion(v2.serverVersion).addAllExtensions(OpenInference.EXTENSIONS)
            .build()));
    calls.read(SERVICE, "ModelMetadata", ModelMetadataRequest.getDefaultInstance(), none,
        (ModelMetadataRequest r, Duration d) -> v2.model(name(r.getName()), V2Tensors.version(r.getVersion()), d)
            .map(OpenInferenceGrpc::metadata));
    calls.read(SERVICE, "ModelInfer", ModelInferRequest.getDefaultInstance(), none, this::infer);
  }

  private static String name(String name) {
    if (name.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "the request names no model");
    }
    return name;
  }

  static ModelMetadataResponse metadata(ModelInfo info) {
    ModelMetadataResponse.Builder m = ModelMetadataResponse.newBuilder().setName(info.getName())
        .setPlatform(OpenInference.PLATFORM);
    info.getVersionsList().forEach(s -> m.addVersions(Long.toString(s.getVersion())));
    V2Tensors.inputsOf(info).forEach(t -> m.addInputs(tensor(t)));
    V2Tensors.outputsOf(info).forEach(t -> m.addOutputs(tensor(t)));
    return m.build();
  }

  private static ModelMetadataResponse.TensorMetadata tensor(Output t) {
    ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
        .setName(t.name()).setDatatype(t.datatype());
    for (long d : t.shape()) {
      b.addShape(d);
    }
    return b.build();
  }

  Future<ModelInferResponse> infer(ModelInferRequest request, Duration deadline) {
    String model = name(request.getModelName());
    long version = V2Tensors.version(request.getModelVersion());
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw V2Tensors.invalid("raw_input_contents has " + request.getRawInputContentsCount() + " entries for "
          + request.getInputsCount() + " inputs");
    }
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < request.getInputsCount(); i++) {
      var in = request.getInputs(i);
      long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
      String where = "input '" + in.getName() + "'";
      ByteString content = raw ? request.getRawInputContents(i) : null;
      inputs.add(switch (in.getDatatype()) {
        case "BYTES" -> new Input(in.getName(), "BYTES", shape,
            raw ? V2Tensors.bytesElements(content, where) : in.getContents().getBytesContentsList(), null);
        case "FP32" -> new Input(in.getName(), "FP32", shape, null,
            raw ? V2Tensors.floatElements(content, where) : floats(in.getContents().getFp32ContentsList()));
        default -> new Input(in.getName(), in.getDatatype(), shape, List.of(), new float[0]);
      });
    }
    List<Requested> outputs = new ArrayList<>();
    for (var o : request.getOutputsList()) {
      InferParameter k = o.getParametersMap().get("classification");
      outputs.add(new Requested(o.getName(), false, k == null ? 0 : (int) k.getInt64Param()));
    }
    InferParameter timeout = request.getParametersMap().get("timeout");
    Duration wait = timeout != null && timeout.getInt64Param() > 0
        && Duration.ofNanos(timeout.getInt64Param() * 1000).compareTo(deadline) < 0
        ? Duration.ofNanos(timeout.getInt64Param() * 1000) : deadline;
    return v2.infer(model, version, inputs, outputs, false, wait).map(result -> {
      ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
          .setModelName(result.reply().getModel().getName())
          .setModelVersion(Long.toString(result.reply().getModel().getVersion()))
          .setId(request.getId());
      for (Output o : result.outputs()) {
        var t = response.addOutputsBuilder().setName(o.name()).setDatatype(o.datatype());
        for (long d : o.shape()) {
          t.addShape(d);
        }
        response.addRawOutputContents(ByteString.copyFrom(o.raw()));
      }
      return response.build();
    });
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
