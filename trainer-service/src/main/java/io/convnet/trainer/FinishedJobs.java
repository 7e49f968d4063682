package io.convnet.trainer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.convnet.proto.ModelPublished;
import io.convnet.proto.TrainEvent;
import io.convnet.util.AtomicFiles;
import io.convnet.util.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each job ended, kept in the model store ({@code <store>/.work/finished/<job>.*.pb}) and
 * written before the job's offset is committed. A job delivered again (the trainer died, or
 * the commit was lost in a rebalance) then ends the same way instead of training twice.
 */
final class FinishedJobs {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedJobs.class);
  private static final String EVENT = ".event.pb";
  private static final String MODEL = ".model.pb";

  /** The terminal event, and the model record when the job published one. */
  record Ending(TrainEvent event, ModelPublished model) {
  }

  private final Path dir;

  FinishedJobs(Path store) {
    this.dir = store.resolve(".work").resolve("finished");
  }

  Optional<Ending> get(String jobId) {
    Path event = dir.resolve(jobId + EVENT);
    if (!Files.exists(event)) {
      return Optional.empty();
    }
    try {
      Path model = dir.resolve(jobId + MODEL);
      return Optional.of(new Ending(TrainEvent.parseFrom(Files.readAllBytes(event)),
          Files.exists(model) ? ModelPublished.parseFrom(Files.readAllBytes(model)) : null));
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("job {}: unreadable ending in {} ({}); running the job again", jobId, dir, e.getMessage());
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + event, e);
    }
  }

  /** The model first: a reader that finds the event finds everything. */
  void put(String jobId, Ending ending) {
    try {
      Files.createDirectories(dir);
      if (ending.model() != null) {
        AtomicFiles.write(dir.resolve(jobId + MODEL), ending.model().toByteArray());
      }
      AtomicFiles.write(dir.resolve(jobId + EVENT), ending.event().toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the end of job " + jobId + " in " + dir, e);
    }
  }

  /** Endings older than {@code age} (beyond the jobs topic's retention nothing asks for them). */
  void removeOlderThan(Duration age) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    Instant cutoff = Instant.now().minus(age);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          FileTrees.delete(p);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot clean {}: {}", dir, e.toString());
    }
  }
}
