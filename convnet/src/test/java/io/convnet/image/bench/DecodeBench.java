package io.convnet.image.bench;

import io.convnet.data.Preprocessing;
import io.convnet.data.TransformParameters;
import io.convnet.image.ImageDecoder;
import io.convnet.image.RgbImage;
import io.convnet.image.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Decode speed on the real 180x180 JPEGs, single-threaded, side by side with plain
 * {@code ImageIO.read}. Not a unit test: prints figures. Phone-sized photos: {@link PhotoDecodeBench}.
 *
 * <pre>java -cp ... io.convnet.image.bench.DecodeBench [data-dir] [images]</pre>
 */
public final class DecodeBench {
  private DecodeBench() {}

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Paths.get(args[0]) : TestImages.catsVsDogs().resolve("train");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    List<byte[]> files = new ArrayList<>();
    for (String cls : List.of("cat", "dog")) {
      try (Stream<Path> s = Files.list(dir.resolve(cls))) {
        for (Path p : s.sorted().limit(count / 2).toList()) {
          files.add(Files.readAllBytes(p));
        }
      }
    }
    ImageDecoder decoder = ImageDecoder.standard();
    Preprocessing prep = Preprocessing.rescale(150, 150);
    float[] floats = new float[prep.floatsPerImage()];
    List<RgbImage> decoded = new ArrayList<>();
    for (byte[] b : files) {
      decoded.add(decoder.decode(b, "bench"));
    }
    List<RgbImage> resized = decoded.stream().map(prep::resize).toList();
    TransformParameters augment = new TransformParameters(25, 10, -12, 0.2, 0.9, 1.1, true, false, 1.1);
    System.out.printf(Locale.ROOT, "%d JPEGs from %s, %.1f KB average, 1 thread, best and median of 7 rounds%n",
        files.size(), dir, files.stream().mapToInt(b -> b.length).average().orElse(0) / 1024);
    String[] names = {"ImageIO.read (JDK reader)", "ImageDecoder.decode", "resize 180 -> 150", "augment (affine+flip+brightness)",
        "scale to floats", "decode+resize+scale (inference path)"};
    double[][] ms = new double[names.length][7];
    for (int round = 0; round < 7; round++) {
      ms[0][round] = time(files.size(), i -> ImageIO.read(new ByteArrayInputStream(files.get(i))));
      ms[1][round] = time(files.size(), i -> decoder.decode(files.get(i), "bench"));
      ms[2][round] = time(files.size(), i -> prep.resize(decoded.get(i)));
      ms[3][round] = time(files.size(), i -> {
        augment.apply(resized.get(i), prep, floats, 0);
        return floats;
      });
      ms[4][round] = time(files.size(), i -> {
        prep.toFloats(resized.get(i), floats, 0);
        return floats;
      });
      ms[5][round] = time(files.size(), i -> {
        prep.apply(decoder.decode(files.get(i), "bench"), floats, 0);
        return floats;
      });
    }
    for (int k = 0; k < names.length; k++) {
      double[] sorted = ms[k].clone();
      java.util.Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "  %-38s best %.3f ms, median %.3f ms per image%n", names[k], sorted[0], sorted[3]);
    }
    // Phone-sized uploads (12 and 48 MP, full and reduced decode): PhotoDecodeBench.
  }

  interface Work {
    Object run(int index) throws IOException;
  }

  private static double time(int count, Work work) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (work.run(i) == null) {
        throw new IllegalStateException("no image");
      }
    }
    return (System.nanoTime() - start) / 1e6 / count;
  }
}
