package io.convnet.bundle;

import io.convnet.infer.Predictor;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run by BundleTest in a new JVM: loads a bundle and prints p(class 1) per image. */
public final class LoadInFreshJvm {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[2]);
    try (Predictor p = Predictor.open(Path.of(args[0]));
        DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(args[1])))) {
      float[] images = new float[n * p.imageSize()];
      for (int i = 0; i < images.length; i++) {
        images[i] = in.readFloat();
      }
      for (float[] row : p.predict(images, n)) {
        System.out.println("p " + row[1]);
      }
    }
  }
}
