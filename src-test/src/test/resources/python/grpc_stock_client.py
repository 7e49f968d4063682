"""A stock gRPC client of both standard services, as a Python team would write it.

Stubs come from Debian's python3-grpc-tools (grpc_tools.protoc) run on the published .proto
files (proto-standard); the calls use python3-grpcio. Usage:
  grpc_stock_client.py <stubs dir> <host:port> <model> <image file> <float32 input file> <h> <w> <c>
Prints one JSON object: what each call answered (or the status code it failed with).
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402

from tensorflow_serving.apis import predict_pb2, classification_pb2, get_model_metadata_pb2  # noqa: E402
from tensorflow_serving.apis import prediction_service_pb2_grpc  # noqa: E402
from tensorflow.core.example import example_pb2, feature_pb2  # noqa: E402
from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2  # noqa: E402
from kserve import grpc_predict_v2_pb2, grpc_predict_v2_pb2_grpc  # noqa: E402

target, model, image_file, floats_file = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
h, w, c = (int(x) for x in sys.argv[6:9])
image = open(image_file, "rb").read()
raw_floats = open(floats_file, "rb").read()  # little-endian float32, [1, h, w, c]

channel = grpc.insecure_channel(target)
tf = prediction_service_pb2_grpc.PredictionServiceStub(channel)
v2 = grpc_predict_v2_pb2_grpc.GRPCInferenceServiceStub(channel)
out = {}


def shape(*dims):
    return tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])


# TF Serving: the encoded image (serving_bytes) and the preprocessed tensor (serving_default)
req = predict_pb2.PredictRequest()
req.model_spec.name = model
req.model_spec.signature_name = "serving_bytes"
req.inputs["image_bytes"].CopyFrom(tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=shape(1),
                                                          string_val=[image]))
res = tf.Predict(req, timeout=30)
out["tf_bytes"] = list(res.outputs["probabilities"].float_val)
out["tf_version"] = res.model_spec.version.value

req = predict_pb2.PredictRequest()
req.model_spec.name = model
req.inputs["input"].CopyFrom(tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=shape(1, h, w, c),
                                                    tensor_content=raw_floats))
out["tf_floats"] = list(tf.Predict(req, timeout=30).outputs["probabilities"].float_val)

meta = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
meta.model_spec.name = model
defs = get_model_metadata_pb2.SignatureDefMap()
tf.GetModelMetadata(meta, timeout=30).metadata["signature_def"].Unpack(defs)
out["tf_signatures"] = sorted(defs.signature_def.keys())

# Classify: a tf.Example with the encoded image as the bytes feature image_bytes
req = classification_pb2.ClassificationRequest()
req.model_spec.name = model
req.input.example_list.examples.append(example_pb2.Example(features=feature_pb2.Features(feature={
    "image_bytes": feature_pb2.Feature(bytes_list=feature_pb2.BytesList(value=[image]))})))
classes = tf.Classify(req, timeout=30).result.classifications[0].classes
out["tf_classify"] = {c.label: c.score for c in classes}

try:
    bad = predict_pb2.PredictRequest()
    bad.model_spec.name = "no-such-model"
    bad.inputs["image_bytes"].CopyFrom(tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=shape(1),
                                                              string_val=[image]))
    tf.Predict(bad, timeout=30)
    out["tf_unknown_model"] = "OK"
except grpc.RpcError as e:
    out["tf_unknown_model"] = e.code().name

# Open Inference Protocol: BYTES and FP32 inputs, raw outputs as Triton returns them
out["v2_live"] = v2.ServerLive(grpc_predict_v2_pb2.ServerLiveRequest(), timeout=30).live
out["v2_server_ready"] = v2.ServerReady(grpc_predict_v2_pb2.ServerReadyRequest(), timeout=30).ready
out["v2_ready"] = v2.ModelReady(grpc_predict_v2_pb2.ModelReadyRequest(name=model), timeout=30).ready
out["v2_server"] = v2.ServerMetadata(grpc_predict_v2_pb2.ServerMetadataRequest(), timeout=30).name
meta = v2.ModelMetadata(grpc_predict_v2_pb2.ModelMetadataRequest(name=model), timeout=30)
out["v2_inputs"] = {t.name: [t.datatype] + list(t.shape) for t in meta.inputs}
infer = grpc_predict_v2_pb2.ModelInferRequest(model_name=model, id="py-1")
t = infer.inputs.add()
t.name, t.datatype = "image", "BYTES"
t.shape.extend([1])
t.contents.bytes_contents.append(image)
res = v2.ModelInfer(infer, timeout=30)
names = [o.name for o in res.outputs]
p = res.raw_output_contents[names.index("probabilities")]
out["v2_bytes"] = list(struct.unpack("<%df" % (len(p) // 4), p))
label = res.raw_output_contents[names.index("label")]
out["v2_label"] = label[4:4 + struct.unpack("<I", label[:4])[0]].decode()
out["v2_id"] = res.id

infer = grpc_predict_v2_pb2.ModelInferRequest(model_name=model)
t = infer.inputs.add()
t.name, t.datatype = "input", "FP32"
t.shape.extend([1, h, w, c])
infer.raw_input_contents.append(raw_floats)
p = v2.ModelInfer(infer, timeout=30).raw_output_contents[0]
out["v2_floats"] = list(struct.unpack("<%df" % (len(p) // 4), p))

try:
    bad = grpc_predict_v2_pb2.ModelInferRequest(model_name=model)
    t = bad.inputs.add()
    t.name, t.datatype = "input", "FP32"
    t.shape.extend([1, 2, 2, c])
    t.contents.fp32_contents.extend([0.5] * (4 * c))
    v2.ModelInfer(bad, timeout=30)
    out["v2_bad_shape"] = "OK"
except grpc.RpcError as e:
    out["v2_bad_shape"] = e.code().name + ": " + e.details()

print(json.dumps(out))
