package io.convnet.testing;

import io.convnet.bundle.BundleWriter;
import io.convnet.bundle.Manifest;
import io.convnet.bundle.Signatures;
import io.convnet.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Copies of a bundle changed the way bundles from elsewhere differ from the trainer's. */
public final class BundleCopies {
  private BundleCopies() {}

  /**
   * {@code bundle} copied to {@code <store>/<name>/1} as model {@code name}, its manifest listing every signature
   * but {@code activations}, as a SavedModel exported for serving only would: a model that serves but cannot be
   * explored layer by layer.
   */
  public static Path withoutActivations(Path bundle, Path store, String name) {
    Path to = store.resolve(name).resolve("1");
    try (Stream<Path> files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(bundle.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Manifest m = Json.read(to.resolve(BundleWriter.MANIFEST), Manifest.class);
    Map<String, Manifest.SignatureEntry> signatures = new HashMap<>(m.signatures());
    signatures.remove(Signatures.ACTIVATIONS);
    Json.write(to.resolve(BundleWriter.MANIFEST), new Manifest(m.formatVersion(), name, 1,
        m.architecture(), m.createdAt(), m.input(), m.preprocessing(), m.labels(), m.output(), m.layers(), signatures,
        m.metrics(), m.training(), m.tensorflowVersion()));
    return to;
  }
}
