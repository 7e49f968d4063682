package io.convnet.gateway.serving;

import io.convnet.kit.config.KitConfig;
import io.convnet.kit.config.Settings;
import io.convnet.proto.Image;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages a request's large images in the upload folder the gateway shares with the inference workers
 * and visualizers ({@code CONVNET_UPLOAD_DIR}): an image over {@code CONVNET_INLINE_IMAGE_MAX_BYTES}
 * crosses Kafka as the name of a file ({@link Image#getUpload}) rather than twice as bytes (producer to
 * broker, broker to worker). Files are written off the event loop under a temporary name, then renamed
 * to {@code <instance id>-<uuid>.img} (owner-only where the file system has POSIX permissions), and
 * deleted when the request ends, however it ends; re-sends of the request name the same file. When a
 * file cannot be written (disk full, folder gone) the image travels inline, as without a folder: that is
 * logged once and never fails the request. At start, this instance's leftovers and any staged file older
 * than {@link #LEFTOVER_AGE} (a crashed gateway's) are removed.
 */
public final class StagedUploads {
  private static final Logger LOG = LoggerFactory.getLogger(StagedUploads.class);
  /** A staged file this old belongs to no request any more (requests wait seconds, not hours). */
  static final Duration LEFTOVER_AGE = Duration.ofHours(1);
  private static final String SUFFIX = ".img";
  /** Names being written start with a dot: no worker takes such a name (not a plain upload name). */
  private static final String WRITING = ".writing-";

  private final Vertx vertx;
  private final Path dir;
  private final long inlineMaxBytes;
  /** This instance's names: its id, reduced to characters a plain file name may hold. */
  private final String prefix;
  private final AtomicBoolean warned = new AtomicBoolean();
  private final Counter staged;
  private final Counter inlineFallbacks;
  private final Timer staging;

  /**
   * @param dir            the shared folder, or null: every image travels inline
   * @param inlineMaxBytes images larger than this are staged
   */
  public StagedUploads(Vertx vertx, Path dir, long inlineMaxBytes, String instanceId, MeterRegistry registry) {
    this.vertx = vertx;
    this.dir = dir;
    this.inlineMaxBytes = inlineMaxBytes;
    this.prefix = instanceId.replaceAll("[^A-Za-z0-9_.-]", "_").replaceFirst("^\\.", "_") + "-";
    this.staged = Counter.builder("convnet.uploads.staged")
        .description("request images staged in the upload folder, sent to workers by name instead of inline")
        .register(registry);
    this.inlineFallbacks = Counter.builder("convnet.uploads.inline.fallbacks")
        .description("images that should have been staged but went inline: the upload folder could not be written")
        .register(registry);
    this.staging = Timer.builder("convnet.uploads.stage")
        .description("writing a request's large images to the upload folder (on a worker thread)").register(registry);
  }

  /** From {@link Settings#UPLOAD_DIR} (refused when inside the data root or model store) and its threshold. */
  public static StagedUploads of(Vertx vertx, KitConfig config, MeterRegistry registry) {
    return new StagedUploads(vertx, config.uploadDir(), config.getLong(Settings.INLINE_IMAGE_MAX_BYTES),
        config.instanceId(), registry);
  }

  /** Creates the folder if missing and removes leftovers (this instance's, and any older than an hour). */
  public Future<Void> start() {
    if (dir == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      try {
        Files.createDirectories(dir);
        removeLeftovers();
      } catch (IOException e) {
        LOG.warn("upload folder {} cannot be used ({}); large images travel inline until it can", dir, e.toString());
      }
      return null;
    }, false);
  }

  private void removeLeftovers() throws IOException {
    Instant old = Instant.now().minus(LEFTOVER_AGE);
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        boolean ours = name.startsWith(prefix) || name.startsWith(WRITING + prefix);
        try {
          if (ours || Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(old)) {
            removed += Files.deleteIfExists(file) ? 1 : 0;
          }
        } catch (IOException e) {  // gone meanwhile (another gateway's clean-up), or not ours to delete
          LOG.debug("leftover {} not removed: {}", name, e.toString());
        }
      }
    }
    if (removed > 0) {
      LOG.info("removed {} leftover staged uploads from {}", removed, dir);
    }
  }

  /**
   * Sends {@code images} through {@code send}, the large ones staged (on a worker thread) and named as
   * uploads, and deletes the staged files once the future {@code send} returned completes.
   */
  public <T> Future<T> send(List<Image> images, Function<List<Image>, Future<T>> send) {
    if (dir == null || images.stream().noneMatch(this::large)) {
      return send.apply(images);
    }
    return vertx.executeBlocking(() -> staging.recordCallable(() -> images.stream().map(i -> large(i) ? stage(i) : i)
            .toList()), false)
        .compose(out -> {
          Future<T> sent;
          try {
            sent = send.apply(out);
          } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
          }
          return sent.andThen(done -> release(out));
        });
  }

  private boolean large(Image image) {
    return image.hasData() && image.getData().size() > inlineMaxBytes;
  }

  /** The image named as a staged file, or as it was when the file cannot be written. */
  private Image stage(Image image) {
    String name = prefix + UUID.randomUUID() + SUFFIX;
    Path writing = dir.resolve(WRITING + name);
    try {
      Files.createFile(writing, ownerOnly());
      try (OutputStream out = Files.newOutputStream(writing)) {
        image.getData().writeTo(out);
      }
      Files.move(writing, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      if (Files.exists(writing, LinkOption.NOFOLLOW_LINKS)) {
        delete(writing);
      }
      inlineFallbacks.increment();
      if (!warned.getAndSet(true)) {
        LOG.warn("cannot stage an image in the upload folder {} ({}); large images travel inline meanwhile "
            + "(logged once)", dir, e.toString());
      }
      return image;
    }
    staged.increment();
    return image.toBuilder().setUpload(name).build();
  }

  private FileAttribute<?>[] ownerOnly() {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private void release(List<Image> images) {
    List<Path> files = new ArrayList<>();
    images.stream().filter(Image::hasUpload).forEach(i -> files.add(dir.resolve(i.getUpload())));
    if (!files.isEmpty()) {
      vertx.executeBlocking(() -> {
        files.forEach(StagedUploads::delete);
        return null;
      }, false);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("cannot delete staged upload {}: {}", file.getFileName(), e.toString());
    }
  }
}
