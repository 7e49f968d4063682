package io.convnet.worker.model;

import com.google.protobuf.ByteString;
import io.convnet.bundle.BundleStore;
import io.convnet.bundle.Manifest;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.kit.ServiceException;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.ModelInfo;
import io.convnet.proto.ModelVersionStatus;
import io.convnet.proto.ModelsReply;
import io.convnet.proto.ModelsRequest;
import io.convnet.serving.cache.LabelPolicy;
import io.convnet.proto.SignatureSpec;
import io.convnet.proto.TensorSpec;
import io.convnet.serving.cache.ModelCache;
import io.convnet.serving.cache.VersionStates;
import io.convnet.train.HistoryFiles;
import io.convnet.util.Json;
import io.convnet.viz.LearningCurves;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models exchange's answer: each model's versions, their states here, their labels, and what the
 * manifests say; or one file of a version (its learning curves, its training history).
 */
final class ModelCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);
  /** The files of a version that may be asked for: what training wrote beside the model. */
  static final List<String> FILES = List.of(LearningCurves.PNG, HistoryFiles.JSON);

  private final ModelCache<ServedModel> cache;
  private final LabelPolicy labels;
  private final TrainingWatch training;
  private final String instanceId;
  /** Published versions never change: each manifest is read once. */
  private final Map<Path, Manifest> manifests = new ConcurrentHashMap<>();

  ModelCatalog(ModelCache<ServedModel> cache, LabelPolicy labels, TrainingWatch training, String instanceId) {
    this.cache = cache;
    this.labels = labels;
    this.training = training;
    this.instanceId = instanceId;
  }

  /**
   * {@code request.name} (every model when empty), only the version it names (by number or label) when it
   * names one, or that version's {@code file}. Blocking: reads manifests and files.
   */
  ModelsReply describe(ModelsRequest request) {
    String name = request.getName();
    long version = request.getLabel().isEmpty() ? request.getVersion() : labelled(name, request.getLabel());
    if (!request.getFile().isEmpty()) {
      return file(name, version, request.getFile());
    }
    BundleStore store = cache.store();
    ModelsReply.Builder reply = ModelsReply.newBuilder().setWorker(instanceId).setStore(store.root().toString());
    List<String> names = name.isEmpty() ? cache.knownModels() : List.of(name);
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

  /** The version {@code label} names (for a model that has none kept: stable is the served version). */
  private long labelled(String name, String label) {
    if (name.isEmpty()) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "a label needs a model name");
    }
    Lifecycle l = labels.lifecycle(name);
    if (l != null && l.version(label).isPresent()) {
      return l.version(label).get();
    }
    int v = labels.resolve(name, label);  // NOT_FOUND, but for stable
    return v != 0 ? v : cache.states(name).served();
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
    Lifecycle lifecycle = labels.lifecycle(name);
    if (lifecycle != null) {
      LifecycleMessages.describe(lifecycle, info);
    }
    for (int v : all) {
      ModelVersionStatus.Builder status = ModelVersionStatus.newBuilder().setVersion(v);
      if (lifecycle != null) {
        lifecycle.labels().forEach((label, labelled) -> {
          if (labelled == v) {
            status.addVersionLabels(label);
          }
        });
      }
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

  /** One of {@link #FILES} of a version (0: the served one); NOT_FOUND when it has none. */
  private ModelsReply file(String name, long version, String file) {
    if (!FILES.contains(file)) {
      throw new ServiceException(ErrorCode.INVALID_ARGUMENT, "a version's files are " + FILES + ", not '" + file + "'");
    }
    int v = version != 0 ? (int) version : cache.states(name).served();
    if (!cache.published(name).contains(v)) {
      throw v == 0 ? cache.notServed(name) : cache.versionNotFound(name, v);
    }
    Path path = cache.store().path(name, v).resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' version " + v + " has no " + file
          + " (a bundle written by training has one)");
    }
    try {
      return ModelsReply.newBuilder().setWorker(instanceId).setFile(ByteString.copyFrom(Files.readAllBytes(path)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " of " + name + " v" + v, e);
    }
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
