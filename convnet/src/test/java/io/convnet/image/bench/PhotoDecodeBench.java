package io.convnet.image.bench;

import io.convnet.arch.TutorialCnn;
import io.convnet.data.Preprocessing;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import io.convnet.nn.Model;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Phone photos against data-set photos, one thread: per image, full decode + resize to 150x150 against
 * {@link ImageDecoder#decodeForSize} + resize, the Java heap each allocates, and TensorFlow's compute
 * of the tutorial CNN at batch 1, in the same run. Not a unit test: prints figures. Wall time is what a
 * client waits on a quiet machine; the process's CPU time per call (all threads) holds up better when
 * other jobs share the cores. Process CPU time also counts JIT and GC threads, and TensorFlow's
 * intra-op threads (so its compute can take more CPU than wall time).
 *
 * <pre>java -Dconvnet.datasets=... -cp ... io.convnet.image.bench.PhotoDecodeBench [cats-vs-dogs-dir] [rounds]</pre>
 */
public final class PhotoDecodeBench {
  private static final Preprocessing PREP = Preprocessing.rescale(150, 150);
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private PhotoDecodeBench() {}

  record Upload(String name, List<byte[]> files) {}

  /** Per call: wall time, and the process's CPU time (all threads: TensorFlow's too), both medians in ms. */
  record Timing(double wallMs, double cpuMs) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%8.2f ms (cpu %7.2f)", wallMs, cpuMs);
    }
  }

  public static void main(String[] args) throws IOException {
    Path data = args.length > 0 ? Paths.get(args[0]) : TestImages.catsVsDogs();
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 11;
    List<Path> cats = list(data.resolve("validation/cat"), 100);
    List<Path> dogs = list(data.resolve("validation/dog"), 100);
    List<Path> both = new ArrayList<>(cats);
    both.addAll(dogs);
    List<byte[]> dataSet = new ArrayList<>();
    for (Path p : both) {
      dataSet.add(Files.readAllBytes(p));
    }
    List<Upload> uploads = List.of(
        new Upload("data-set JPEG 180x180-ish (200 files)", dataSet),
        new Upload("12 MP 4032x3024 upscaled photo q0.92", List.of(TestImages.upscaledJpeg(cats.get(0), 4032, 3024, 0.92f))),
        new Upload("12 MP 4032x3024 same, EXIF orientation 6",
            List.of(TestImages.withExifOrientation(TestImages.upscaledJpeg(cats.get(0), 4032, 3024, 0.92f), 6))),
        new Upload("12 MP 4032x3024 mosaic, photos 2x, q0.92", List.of(TestImages.mosaicJpeg(dogs, 2, 4032, 3024, 0.92f))),
        new Upload("12 MP 4032x3024 mosaic of photos q0.90", List.of(TestImages.mosaicJpeg(dogs, 4032, 3024, 0.90f))),
        new Upload("48 MP 8064x6048 mosaic of photos q0.80", List.of(TestImages.mosaicJpeg(both, 8064, 6048, 0.80f))));

    ImageDecoder decoder = ImageDecoder.standard();
    System.out.printf(Locale.ROOT, "CPU: %s, %d cores; Java %s; 1 thread, median of %d rounds; load average %.1f;"
        + " default limits %s%n", io.convnet.util.Machine.cpu(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), rounds, OS.getSystemLoadAverage(), decoder.limits());

    Timing tf;
    try (Model model = new TutorialCnn().define(150, 2).build(1)) {
      float[] input = PREP.apply(decoder.decode(dataSet.get(0), "warm-up"));
      for (int i = 0; i < 20; i++) {
        model.predict(input, 1);
      }
      tf = median(rounds * 20, 1, () -> model.predict(input, 1));
    }
    System.out.printf(Locale.ROOT, "TensorFlow compute, tutorial CNN 150x150x3, batch 1: %s per image%n%n", tf);
    System.out.printf(Locale.ROOT, "%-40s %6s %9s | %-37s | %-37s | %s%n", "upload", "KB", "decoded", "full decode + resize",
        "decodeForSize + resize", "reduced / TF: wall, cpu");
    for (Upload u : uploads) {
      List<byte[]> files = u.files();
      double kb = files.stream().mapToInt(b -> b.length).average().orElse(0) / 1024;
      RgbImage reducedImage = decoder.decodeForSize(files.get(0), "bench", 150, 150);
      int[] next = {0};
      Supplier<Object> full = () -> PREP.resize(decoder.decode(files.get(next[0]++ % files.size()), "bench"));
      Supplier<Object> reduced = () -> PREP.load(decoder, files.get(next[0]++ % files.size()), "bench");
      int n = files.size() > 1 ? files.size() : 1;
      full.get(); // warm-up
      reduced.get();
      Timing fullTime = median(rounds, n, full);
      Timing reducedTime = median(rounds, n, reduced);
      double fullMb = allocatedMb(full);
      double reducedMb = allocatedMb(reduced);
      System.out.printf(Locale.ROOT, "%-40s %6.0f %9s | %s %6.1f MB | %s %6.1f MB | %.2fx, %.2fx%n",
          u.name(), kb, reducedImage.width() + "x" + reducedImage.height(), fullTime, fullMb, reducedTime, reducedMb,
          reducedTime.wallMs() / tf.wallMs(), reducedTime.cpuMs() / tf.cpuMs());
    }
    System.out.printf(Locale.ROOT, "load average at the end: %.1f%n", OS.getSystemLoadAverage());
    System.out.println("\n'decoded': the size decodeForSize(150x150) decodes at, upright; heap: Java bytes allocated by one call "
        + "(the reduced path's TensorFlow buffers are native: the encoded bytes once more, plus the decoded pixels).");
  }

  private static List<Path> list(Path dir, int n) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().limit(n).toList();
    }
  }

  /** Medians over {@code rounds} of the mean wall and CPU time of {@code perRound} calls. */
  private static Timing median(int rounds, int perRound, Supplier<Object> work) {
    double[] wall = new double[rounds];
    double[] cpu = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long c0 = cpuNanos();
      long t0 = System.nanoTime();
      for (int i = 0; i < perRound; i++) {
        if (work.get() == null) {
          throw new IllegalStateException();
        }
      }
      wall[r] = (System.nanoTime() - t0) / 1e6 / perRound;
      cpu[r] = (cpuNanos() - c0) / 1e6 / perRound;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new Timing(wall[rounds / 2], cpu[rounds / 2]);
  }

  /**
   * CPU time of all the process's threads in ns, from {@code /proc/self/task/<tid>/schedstat} (the
   * JVM's process CPU time ticks in 10 ms here, too coarse for one call); threads that ended in between
   * are missed, which these loops do not start or end.
   */
  private static long cpuNanos() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
      long sum = 0;
      for (Path task : tasks) {
        try {
          String stat = Files.readString(task.resolve("schedstat"));
          sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (IOException | RuntimeException gone) {
          // the thread ended while we listed it
        }
      }
      return sum;
    } catch (IOException e) {
      return OS.getProcessCpuTime();
    }
  }

  private static double allocatedMb(Supplier<Object> work) {
    long id = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(id);
    work.get();
    return (THREADS.getThreadAllocatedBytes(id) - before) / 1e6;
  }

}
