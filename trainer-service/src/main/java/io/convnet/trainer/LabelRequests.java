package io.convnet.trainer;

import io.convnet.bundle.BundleStore;
import io.convnet.kit.ServiceException;
import io.convnet.lifecycle.Lifecycle;
import io.convnet.lifecycle.LifecycleStore;
import io.convnet.lifecycle.PromotionPolicy;
import io.convnet.limits.LifecycleLimits;
import io.convnet.proto.ErrorCode;
import io.convnet.proto.LabelsReply;
import io.convnet.proto.LabelsRequest;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels exchange: a trainer owns the model store, so it moves and removes a model's labels,
 * replaces its promotion policy and deletes versions no label names there ({@link LifecycleStore}: atomic, one change at a time per model
 * across trainers, kept across restarts) and then announces the model's new state on the models topic,
 * where every worker picks it up. A request delivered again (Kafka delivers at least once: a trainer that stopped
 * before committing its offsets) is answered with the state as it is, not applied again over later changes.
 * Blocking: run it off the event loop, one request at a time, in order.
 */
final class LabelRequests {
  private static final Logger LOG = LoggerFactory.getLogger(LabelRequests.class);

  private final BundleStore store;
  private final LifecycleStore lifecycles;
  private final TrainEvents events;

  LabelRequests(BundleStore store, TrainEvents events) {
    this.store = store;
    this.lifecycles = new LifecycleStore(store);
    this.events = events;
  }

  LabelsReply handle(LabelsRequest r) {
    String name = r.getModel();
    String actor = r.getActor().isEmpty() ? "(unknown)" : r.getActor();
    List<Integer> versions = ServiceException.checking(() -> store.versions(name));
    if (versions.isEmpty()) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' has no version in the model store; "
          + "known models: " + String.join(", ", store.models()));
    }
    Lifecycle next = switch (r.getChangeCase()) {
      case MOVE -> {
        String label = label(r.getMove().getLabel());
        int v = existing(name, r.getMove().getVersion(), versions);
        yield lifecycles.update(name, actor, r.getRequestId(), l -> l.withLabel(label, v));
      }
      case REMOVE -> {
        String label = label(r.getRemove());
        if (label.equals(LifecycleLimits.STABLE)) {
          throw new ServiceException(ErrorCode.CONFLICT, "the label stable cannot be removed while model '" + name
              + "' is served (requests without a version get it); move it to another version instead");
        }
        yield lifecycles.update(name, actor, r.getRequestId(), l -> {
          if (l.version(label).isEmpty()) {
            throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' has no label '" + label + "'");
          }
          return l.withoutLabel(label);
        });
      }
      case POLICY -> {
        PromotionPolicy policy = policy(r.getPolicy());
        yield lifecycles.update(name, actor, r.getRequestId(), l -> l.withPolicy(policy));
      }
      case DELETE_VERSION -> delete(name, r.getDeleteVersion(), actor, r.getRequestId());
      default -> throw new ServiceException(ErrorCode.INVALID_ARGUMENT,
          "say what to change: move, remove, policy or delete_version");
    };
    events.publishModel(ModelRecords.current(store, name, next));
    LOG.info("{}: labels {} and policy {} (revision {}, by {})", name, next.labels(), next.policy().mode(),
        next.revision(), actor);
    LabelsReply.Builder reply = LabelsReply.newBuilder().setModel(name).setPolicy(ModelRecords.policy(next.policy()))
        .setRevision(next.revision()).setUpdatedBy(next.updatedBy()).setUpdatedAt(next.updatedAt());
    next.labels().forEach((label, v) -> reply.putVersionLabels(label, v));
    return reply.build();
  }

  /** Deletes a version no label names; checked under the lock, after the request id: one delivered again is answered. */
  private Lifecycle delete(String name, long asked, String actor, String requestId) {
    int v = asked > 0 && asked <= Integer.MAX_VALUE ? (int) asked : 0;  // 0: no version has it
    Lifecycle next = lifecycles.deleteVersion(name, v, actor, requestId, l -> {
      existing(name, asked, store.versions(name));
      List<String> naming = l.labels().entrySet().stream().filter(e -> e.getValue() == v).map(Map.Entry::getKey)
          .toList();
      if (!naming.isEmpty()) {
        throw new ServiceException(ErrorCode.CONFLICT, "version " + v + " of model '" + name + "' is labelled "
            + String.join(", ", naming) + ": move the label first (or remove it), then delete the version");
      }
    });
    LOG.info("{}: v{} deleted (by {}); versions now {}", name, v, actor, store.versions(name));
    return next;
  }

  /** {@code v} if the model has that version, else NOT_FOUND listing the versions it has. */
  private static int existing(String name, long v, List<Integer> versions) {
    if (v != (int) v || !versions.contains((int) v)) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "model '" + name + "' has no version " + v + "; versions: "
          + versions);
    }
    return (int) v;
  }

  private static String label(String label) {
    return ServiceException.checking(() -> LifecycleLimits.checkLabel(label));
  }

  private static PromotionPolicy policy(io.convnet.proto.PromotionPolicy p) {
    return ServiceException.checking(() -> new PromotionPolicy(p.getMode(), p.getTolerance(), p.getFloor(),
        p.getCanaryShare(), p.getShadowShare()));
  }
}
