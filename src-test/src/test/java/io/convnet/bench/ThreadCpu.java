package io.convnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time this JVM's threads spent, grouped by what they do, from Linux's {@code /proc/self/task/*}
 * ({@code schedstat}: nanoseconds on a CPU, native threads included). TensorFlow's own pool threads
 * are native and keep the process name {@code java}; Java threads carry their (truncated) names.
 * Take a snapshot before and after a window; {@link #minus} gives the window's CPU per group.
 */
final class ThreadCpu {
  static final String JIT = "JIT compilers";

  /** Groups in print order: the first whose prefix matches a thread's name takes it. */
  static final List<String> GROUPS = List.of("TensorFlow pools + main", "TF call (batcher)", "decode",
      "Kafka clients + protobuf", "Kafka broker", "Vert.x HTTP", JIT, "GC", "other");

  private ThreadCpu() {
  }

  static String group(String comm) {
    if (comm.equals("java")) {
      return GROUPS.get(0);
    }
    if (comm.startsWith("convnet-batcher")) {
      return GROUPS.get(1);
    }
    if (comm.startsWith("convnet-decode")) {
      return GROUPS.get(2);
    }
    if (comm.startsWith("kafka-producer") || comm.startsWith("convnet-serve") || comm.startsWith("convnet-replies")
        || comm.startsWith("consumer_")) {
      return GROUPS.get(3);
    }
    if (comm.startsWith("data-plane") || comm.startsWith("kafka") || comm.startsWith("broker") || comm.startsWith("controller")
        || comm.startsWith("group-coo") || comm.startsWith("quorum") || comm.startsWith("raft") || comm.startsWith("Expiration")
        || comm.startsWith("share-") || comm.startsWith("transaction")) {
      return GROUPS.get(4);
    }
    if (comm.startsWith("vert.x") || comm.startsWith("vertx")) {
      return GROUPS.get(5);
    }
    if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
      return GROUPS.get(6);
    }
    if (comm.startsWith("GC ") || comm.startsWith("G1 ")) {
      return GROUPS.get(7);
    }
    return GROUPS.get(8);
  }

  /** Nanoseconds on a CPU per group, all threads alive now (a thread that ended is missing: none do mid-run here). */
  static Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    GROUPS.forEach(g -> out.put(g, 0L));
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        try {
          String comm = Files.readString(task.resolve("comm")).strip();
          long ns = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
          out.merge(group(comm), ns, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended while we looked
        }
      }
    } catch (IOException e) {
      return out;  // not Linux: no figures
    }
    return out;
  }

  static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> out = new LinkedHashMap<>();
    after.forEach((g, ns) -> out.put(g, Math.max(0, ns - before.getOrDefault(g, 0L))));
    return out;
  }

  static void add(Map<String, Long> into, Map<String, Long> more) {
    more.forEach((g, ns) -> into.merge(g, ns, Long::sum));
  }

  /** A table row: CPU ms per image for each group and in all, for {@code images} images. */
  static String row(String system, Map<String, Long> cpu, double images) {
    StringBuilder b = new StringBuilder("| ").append(system).append(" |");
    long total = 0;
    for (String g : GROUPS) {
      long ns = cpu.getOrDefault(g, 0L);
      total += ns;
      b.append(String.format(" %.2f |", ns / 1e6 / images));
    }
    return b.append(String.format(" %.2f |", total / 1e6 / images)).toString();
  }

  static String header() {
    return "| system (CPU ms per image) | " + String.join(" | ", GROUPS) + " | all |\n|---|"
        + "---|".repeat(GROUPS.size() + 1);
  }

  /** A warm-up pass is settled when the JIT compiler threads used less than this share of one core in it. */
  private static final double SETTLED_JIT_SHARE = 0.03;

  /**
   * Runs {@code pass} until the JIT compilers settle: a fresh JVM keeps compiling the Kafka broker's and
   * clients' code for a minute or more, and on 2 cores that CPU is taken from what is measured next, which
   * would bill the warm-up to it. Settled: the compiler threads used under {@value #SETTLED_JIT_SHARE} of
   * one core in a pass. {@code -Dconvnet.bench.warmup.seconds} caps it (default 120).
   */
  static void warmUp(Runnable pass) {
    long cap = (long) (Double.parseDouble(System.getProperty("convnet.bench.warmup.seconds", "120")) * 1e9);
    long t0 = System.nanoTime();
    int passes = 0;
    double share;
    do {
      long start = System.nanoTime();
      Map<String, Long> before = snapshot();
      pass.run();
      share = minus(snapshot(), before).get(JIT) / (double) (System.nanoTime() - start);
      passes++;
    } while (share > SETTLED_JIT_SHARE && System.nanoTime() - t0 < cap);
    System.out.printf("warm-up: %d passes, %.0f s; JIT compilers used %.1f%% of a core in the last%n", passes,
        (System.nanoTime() - t0) / 1e9, share * 100);
  }
}
