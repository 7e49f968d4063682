package io.convnet.gateway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import io.convnet.proto.Image;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staging on a real file system with a real Vert.x: what is staged, for how long, and what happens when it cannot be. */
class StagedUploadsTest {
  @TempDir
  Path tmp;
  final Vertx vertx = Vertx.vertx();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Image small = image(100);
  final Image large = image(101);

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Image image(int bytes) {
    byte[] data = new byte[bytes];
    data[0] = (byte) 0xFF;
    data[bytes - 1] = 7;
    return Image.newBuilder().setData(ByteString.copyFrom(data)).setName("photo.jpg").build();
  }

  StagedUploads uploads(Path dir) {
    return new StagedUploads(vertx, dir, 100, "gateway/1", registry);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static List<String> files(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Deleting is done on a worker thread after the request ends: wait for it. */
  static void awaitEmpty(Path dir) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!files(dir).isEmpty() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(files(dir)).isEmpty();
  }

  @Test
  void largeImagesTravelByNameAsOwnerOnlyFilesThatLastAsLongAsTheirRequest() throws Exception {
    Path dir = tmp.resolve("uploads");
    StagedUploads uploads = uploads(dir);
    await(uploads.start());
    List<List<Image>> sent = new ArrayList<>();
    String reply = await(uploads.send(List.of(small, large), images -> {
      sent.add(images);
      Image staged = images.get(1);
      Path file = dir.resolve(staged.getUpload());
      try {
        assertThat(Files.readAllBytes(file)).isEqualTo(large.getData().toByteArray());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      return Future.succeededFuture("answered");
    }));
    assertThat(reply).isEqualTo("answered");
    Image staged = sent.get(0).get(1);
    assertThat(sent.get(0).get(0)).isEqualTo(small);
    assertThat(staged.hasData()).isFalse();
    assertThat(staged.getUpload()).matches("gateway_1-[0-9a-f-]{36}\\.img");
    assertThat(staged.getName()).isEqualTo("photo.jpg");
    awaitEmpty(dir);
    assertThat(registry.counter("convnet.uploads.staged").count()).isEqualTo(1);

    // an error reply, and a sender that throws: the file goes all the same
    Function<List<Image>, Future<String>> refused = images -> Future.failedFuture(new IllegalStateException("no"));
    assertThat(catchThrowable(() -> await(uploads.send(List.of(large), refused)))).hasRootCauseMessage("no");
    awaitEmpty(dir);
    Function<List<Image>, Future<String>> throwing = images -> {
      throw new IllegalStateException("bug");
    };
    assertThat(catchThrowable(() -> await(uploads.send(List.of(large), throwing)))).hasRootCauseMessage("bug");
    awaitEmpty(dir);
  }

  @Test
  void whenTheFolderCannotBeWrittenImagesTravelInlineAndTheRequestGoesOn() throws Exception {
    Path notAFolder = Files.writeString(tmp.resolve("file"), "x");
    StagedUploads uploads = uploads(notAFolder);
    await(uploads.start());
    List<Image> sent = await(uploads.send(List.of(large, large), images -> Future.succeededFuture(images)));
    assertThat(sent).containsExactly(large, large);
    assertThat(registry.counter("convnet.uploads.inline.fallbacks").count()).isEqualTo(2);
  }

  @Test
  void withoutAFolderEveryImageTravelsInline() throws Exception {
    StagedUploads uploads = uploads(null);
    await(uploads.start());
    List<Image> sent = await(uploads.send(List.of(small, large), images -> Future.succeededFuture(images)));
    assertThat(sent).containsExactly(small, large);
  }

  @Test
  void atStartThisInstancesLeftoversAndAnyHourOldStagedFileAreRemoved() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("uploads"));
    FileTime twoHoursAgo = FileTime.from(Instant.now().minusSeconds(7200));
    for (String name : List.of("gateway_1-a.img", ".writing-gateway_1-b.img", "gateway-2-c.img", "gateway-2-old.img",
        "notes.txt")) {
      Files.write(dir.resolve(name), new byte[1]);
    }
    Files.setLastModifiedTime(dir.resolve("gateway-2-old.img"), twoHoursAgo);
    Files.setLastModifiedTime(dir.resolve("notes.txt"), twoHoursAgo);
    await(uploads(dir).start());
    assertThat(files(dir)).containsExactly("gateway-2-c.img", "notes.txt");
  }
}
