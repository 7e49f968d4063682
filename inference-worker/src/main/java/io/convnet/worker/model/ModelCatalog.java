package io.convnet.worker.model;

import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.SignatureSpec;
import io.convnet.proto.TensorSpec;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.cache.VersionStates;
import io.convnet.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The models exchange's answer: each model's versions, their states here, and what the manifests say. */
final class ModelCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);

  private final ModelCache<ServedModel> cache;
  private final TrainingWatch training;
  private final String instanceId;
  /** Published versions never change: each manifest is read once. */
  private final Map<Path, Manifest> manifests = new ConcurrentHashMap<>();

  ModelCatalog(ModelCache<ServedModel> cache, TrainingWatch training, String instanceId) {
    this.cache = cache;
    this.training = training;
    this.instanceId = instanceId;
  }

  /** {@code name} (every model when empty), and only {@code version} of it when not 0. Blocking: reads manifests. */
  ModelsReply describe(String name, long version) {
    BundleStore store = cache.store();
    ModelsReply.Builder reply = ModelsReply.newBuilder().setWorker(instanceId).setStore(store.root().toString());
    List<String> names = name == null || name.isEmpty() ? cache.knownModels() : List.of(name);
    for (String n : names) {
      ModelInfo info = describeOne(n, (int) version);
      if (info == null) {
        throw cache.notServed(n);
      }
      if (version != 0) {
        var only = info.getVersionsList().stream().filter(s -> s.getVersion() == version).toList();
        if (only.isEmpty()) {
          throw cache.versionNotFound(n, (int) version);
        }
        info = info.toBuilder().clearVersions().addAllVersions(only).build();
      }
      reply.addModels(info);
    }
    return reply.build();
  }

  /** {@code name}'s versions; labels, input and signatures those of {@code version} if it has it (0: served, else newest). */
  private ModelInfo describeOne(String name, int version) {
    List<Integer> versions = cache.published(name);
    VersionStates states = cache.states(name);
    if (versions.isEmpty() && states.served() == 0) {
      return null;
    }
    TreeSet<Integer> all = new TreeSet<>(versions);
    if (states.served() != 0) {
      all.add(states.served());
    }
    ModelInfo.Builder info = ModelInfo.newBuilder().setName(name).setServedVersion(states.served());
    training.describe(name).ifPresent(info::setTraining);
    for (int v : all) {
      ModelVersionStatus.Builder status = ModelVersionStatus.newBuilder().setVersion(v);
      boolean isServed = states.served() == v;
      String error = states.failed().get(v);
      status.setServed(isServed).setState(isServed ? "AVAILABLE" : error != null ? "FAILED"
          : states.loading().contains(v) ? "LOADING" : states.loaded().contains(v) ? "AVAILABLE" : "END");
      if (error != null) {
        status.setError(error);
      }
      Manifest m = manifest(name, v);
      if (m != null) {
        if (m.createdAt() != null) {
          status.setCreatedAt(m.createdAt());
        }
        if (m.metrics() != null) {
          status.putMetrics("loss", m.metrics().loss()).putMetrics("accuracy", m.metrics().accuracy())
              .putMetrics("val_loss", m.metrics().valLoss()).putMetrics("val_accuracy", m.metrics().valAccuracy());
        }
      }
      info.addVersions(status);
    }
    Manifest m = manifest(name, all.contains(version) ? version : states.served() != 0 ? states.served() : all.last());
    if (m != null) {
      if (m.labels() != null) {
        info.addAllLabels(m.labels());
      }
      if (m.architecture() != null) {
        info.setArchitecture(m.architecture());
      }
      if (m.input() != null) {
        info.setInputHeight(m.input().height()).setInputWidth(m.input().width()).setInputChannels(m.input().channels());
      }
      if (m.preprocessing() != null) {
        info.setPreprocessing(m.preprocessing().mode());
      }
      if (m.output() != null) {
        info.setOutputActivation(m.output().activation());
      }
      if (m.layers() != null) {
        info.addAllConvLayers(m.convLayers());
      }
      if (m.signatures() != null) {
        m.signatures().forEach((key, entry) -> {
          if (entry.methodName() != null) {
            info.addSignatures(signature(key, entry));
          }
        });
      }
    }
    return info.build();
  }

  /** A signature the manifest records with its method and types (older bundles record names only). */
  static SignatureSpec signature(String key, Manifest.SignatureEntry entry) {
    SignatureSpec.Builder s = SignatureSpec.newBuilder().setKey(key).setMethodName(entry.methodName());
    entry.inputs().forEach((k, tensor) -> s.addInputs(tensor(k, tensor, entry.inputSpecs())));
    entry.outputs().forEach((k, tensor) -> s.addOutputs(tensor(k, tensor, entry.outputSpecs())));
    return s.build();
  }

  private static TensorSpec tensor(String key, String tensorName, Map<String, Manifest.TensorSpec> specs) {
    TensorSpec.Builder t = TensorSpec.newBuilder().setKey(key).setTensorName(tensorName);
    Manifest.TensorSpec spec = specs == null ? null : specs.get(key);
    if (spec == null || spec.shape() == null) {
      t.setUnknownRank(true);
    } else {
      for (long d : spec.shape()) {
        t.addShape(d);
      }
    }
    if (spec != null && spec.dtype() != null) {
      t.setDtype(spec.dtype());
    }
    return t.build();
  }

  private Manifest manifest(String name, int version) {
    Path dir = cache.store().path(name, version);
    Path file = dir.resolve("manifest.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    return manifests.computeIfAbsent(dir, d -> {
      try {
        return Json.read(file, Manifest.class);
      } catch (RuntimeException e) {
        LOG.warn("unreadable manifest {}: {}", file, e.toString());
        return null;
      }
    });
  }
}
