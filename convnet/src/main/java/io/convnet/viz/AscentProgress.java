package io.convnet.viz;

/** Told after every ascent step: how many of how many are done. */
@FunctionalInterface
public interface AscentProgress {
  AscentProgress NONE = (done, total) -> {};

  void step(int done, int total);
}
