package io.convnet.serving.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * What a closed model leaves behind, in small: many small blocks freed while a few around them stay
 * in use. glibc keeps the freed ones resident; trimming gives them back.
 */
class NativeHeapTest {
  static final int BLOCK = 64 * 1024;  // under glibc's mmap threshold: from an arena, as a graph's nodes are
  static final int BLOCKS = 3200;  // 200 MB

  @Test
  void trimmingGivesFreedSmallBlocksBackToTheSystem() throws Exception {
    org.tensorflow.TensorFlow.version();  // loads JavaCPP's natives (Pointer.malloc)
    List<Pointer> blocks = new ArrayList<>();
    for (int i = 0; i < BLOCKS; i++) {
      Pointer p = Pointer.malloc(BLOCK);
      Pointer.memset(p, 1, BLOCK);  // resident
      blocks.add(p);
    }
    for (int i = 0; i < BLOCKS; i++) {
      if (i % 16 != 15) {  // every 16th stays in use (the last one too): free() alone cannot shrink the heap
        Pointer.free(blocks.get(i));
      }
    }
    long before = rssKb();
    assertThat(NativeHeap.trim()).as("System.trim_native_heap ran").isTrue();
    long after = rssKb();
    System.out.printf("%d MB freed in small blocks: RSS %d -> %d MB after trimming%n", BLOCKS * 15L / 16 * BLOCK >> 20,
        before >> 10, after >> 10);
    assertThat(before - after).as("KB given back").isGreaterThan(100 * 1024);
    for (int i = 15; i < BLOCKS; i += 16) {
      Pointer.free(blocks.get(i));
    }
  }

  static long rssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS");
  }
}
