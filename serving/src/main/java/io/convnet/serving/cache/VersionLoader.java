package io.convnet.serving.cache;

import java.nio.file.Path;

/**
 * Loads one model version from its bundle directory into what a service serves from it (a
 * classifier with its batcher, a visualization model). Runs on the cache's loader thread; what it
 * returns is closed there too, once no request holds it.
 */
@FunctionalInterface
public interface VersionLoader<M extends AutoCloseable> {
  M load(Path dir, String name, int version);
}
