package io.convnet.train;

import io.convnet.util.FileTrees;
import io.convnet.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.Session;

/**
 * Per-epoch checkpoints in a work directory: {@code ckpt-NNNN/} holds a TensorFlow checkpoint of every
 * variable (weights, optimizer slots, step counter); {@code state.json}, replaced atomically after the
 * checkpoint is complete, says which epoch it is, which checkpoint is the best, and the history so far.
 * Only the last and the best checkpoints are kept.
 */
final class Checkpoints {
  static final String STATE = "state.json";

  /** What a resumed run needs besides the variables. */
  record State(int epoch, int bestEpoch, int epochsWithoutImprovement, String optimizer, List<String> variables,
      List<EpochMetrics> history) {}

  private final Path dir;

  Checkpoints(Path workDir) {
    this.dir = workDir.resolve("checkpoints");
  }

  Optional<State> load() {
    Path state = dir.resolve(STATE);
    return Files.exists(state) ? Optional.of(Json.read(state, State.class)) : Optional.empty();
  }

  void save(Session session, State state) {
    try {
      Files.createDirectories(dir);
      Path ckpt = dir.resolve(name(state.epoch()));
      FileTrees.delete(ckpt);
      session.save(prefix(state.epoch()));
      Json.write(dir.resolve(STATE), state);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.filter(p -> p.getFileName().toString().startsWith("ckpt-")).toList()) {
          String n = p.getFileName().toString();
          if (!n.equals(name(state.epoch())) && !n.equals(name(state.bestEpoch()))) {
            FileTrees.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint in " + dir, e);
    }
  }

  void restore(Session session, int epoch) {
    session.restore(prefix(epoch));
  }

  /** The TensorFlow checkpoint prefix of an epoch, e.g. to export its weights. */
  String prefix(int epoch) {
    return dir.resolve(name(epoch)).resolve("variables").toString();
  }

  private static String name(int epoch) {
    return String.format("ckpt-%04d", epoch);
  }
}
