package io.convnet.data;

import java.nio.file.Path;

/**
 * An image file and its class index ({@code -1} when unlabelled).
 *
 * @param path the file
 * @param label index into the class names, or -1
 */
public record LabelledFile(Path path, int label) {
  public static final int UNLABELLED = -1;
}
