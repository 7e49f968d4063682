package io.convnet.gateway;

import io.convnet.kit.ServiceException;
import io.convnet.kit.launch.ServiceDefinition;
import io.convnet.kit.launch.ServiceKit;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.Exchanges;
import io.convnet.proto.LabelsReply;
import io.convnet.proto.LabelsRequest;
import io.convnet.proto.PromotionPolicy;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A stand-in trainer for the gateway's own tests of the label routes (the real one keeps labels in the
 * model store: trainer-service's LabelRequestsTest, and end to end in src-test): it keeps model "echo"'s
 * labels and versions in memory (versions 1..3, stable 3 at first) and answers with what it was sent, the actor as
 * {@code updatedBy}, so a test sees what the gateway passed on. Other models are NOT_FOUND.
 */
public final class LabelsStandIn extends VerticleBase {
  private final ServiceKit kit;
  private final Map<String, Long> labels = new TreeMap<>(Map.of("stable", 3L));
  private final Set<Long> versions = new TreeSet<>(Set.of(1L, 2L, 3L));
  private PromotionPolicy policy = PromotionPolicy.newBuilder().setMode("manual").build();
  private long revision;

  private LabelsStandIn(ServiceKit kit) {
    this.kit = kit;
  }

  public static ServiceDefinition definition() {
    return new ServiceDefinition("gw-labels-stand-in", 0, false, LabelsStandIn::new);
  }

  @Override
  public Future<?> start() {
    return kit.responder().serve(Exchanges.LABELS, this::change);
  }

  private synchronized Future<LabelsReply> change(LabelsRequest r) {
    if (!r.getModel().equals("echo")) {
      return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model '" + r.getModel() + "' has no version"));
    }
    switch (r.getChangeCase()) {
      case MOVE -> {
        if (!versions.contains(r.getMove().getVersion())) {
          return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model 'echo' has no version "
              + r.getMove().getVersion()));
        }
        labels.put(r.getMove().getLabel(), r.getMove().getVersion());
      }
      case REMOVE -> labels.remove(r.getRemove());
      case POLICY -> policy = r.getPolicy();
      case DELETE_VERSION -> {
        if (labels.containsValue(r.getDeleteVersion())) {
          return Future.failedFuture(new ServiceException(ErrorCode.CONFLICT, "version " + r.getDeleteVersion()
              + " of model 'echo' is labelled: move the label first"));
        }
        if (!versions.remove(r.getDeleteVersion())) {
          return Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "model 'echo' has no version "
              + r.getDeleteVersion()));
        }
      }
      default -> {
        return Future.failedFuture(new ServiceException(ErrorCode.INVALID_ARGUMENT, "nothing to change"));
      }
    }
    return Future.succeededFuture(LabelsReply.newBuilder().setModel("echo").putAllVersionLabels(labels)
        .setPolicy(policy).setRevision(++revision).setUpdatedBy(r.getActor()).setUpdatedAt("2026-01-01T00:00:00Z")
        .build());
  }
}
