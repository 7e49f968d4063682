package io.convnet.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Class labels of a pretrained model, index = output unit, from the files packages ship (none is bundled here):
 * <ul>
 *   <li>plain text, one label per line: OpenCV's {@code classification_classes_ILSVRC2012.txt} (Debian
 *       {@code opencv-doc}), gzipped or not;</li>
 *   <li>JSON: an array of labels, an object {@code {"0": "tench", ...}}, or Keras' {@code imagenet_class_index.json}
 *       {@code {"0": ["n01440764", "tench"], ...}} (the second element is taken);</li>
 *   <li>the JavaScript module of npm's {@code @tensorflow-models/mobilenet} ({@code dist/imagenet_classes.js}:
 *       {@code 0: 'tench, Tinca tinca', ...}, with {@code '...' + '...'} continuations).</li>
 * </ul>
 * All give the 1000 ImageNet classes in Keras' order (sorted WordNet ids).
 */
public final class ClassLabels {
  public static final int IMAGENET_CLASSES = 1000;
  private static final Pattern JS_ENTRY = Pattern.compile("(?m)^\\s*(\\d+)\\s*:\\s*((?:'(?:[^'\\\\]|\\\\.)*'\\s*\\+?\\s*)+)");
  private static final Pattern JS_STRING = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

  private ClassLabels() {}

  /** Reads a labels file and checks it has {@code expected} labels (0 = any number >= 2). */
  public static List<String> read(Path file, int expected) {
    List<String> labels = parse(file, text(file));
    if (labels.size() < 2 || expected > 0 && labels.size() != expected) {
      throw new IllegalArgumentException("labels file " + file + " has " + labels.size() + " labels, expected "
          + (expected > 0 ? expected : "at least 2"));
    }
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i).isBlank()) {
        throw new IllegalArgumentException("labels file " + file + ": label " + i + " is empty");
      }
    }
    return List.copyOf(labels);
  }

  private static List<String> parse(Path file, String text) {
    String t = text.strip();
    if (t.startsWith("[") || t.startsWith("{")) {
      return json(file, t);
    }
    if (JS_ENTRY.matcher(t).find() && (t.contains("IMAGENET_CLASSES") || t.contains("export"))) {
      return javascript(file, t);
    }
    List<String> out = new ArrayList<>();
    for (String line : t.split("\\R")) {
      out.add(line.strip());
    }
    return out;
  }

  private static List<String> json(Path file, String t) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(t);
    } catch (IOException e) {
      throw new IllegalArgumentException("labels file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    List<String> out = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(n -> out.add(label(file, n)));
      return out;
    }
    Map<Integer, String> byIndex = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        byIndex.put(Integer.parseInt(e.getKey().trim()), label(file, e.getValue()));
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("labels file " + file + ": key '" + e.getKey() + "' is not a class index");
      }
    }
    return contiguous(file, byIndex);
  }

  private static String label(Path file, JsonNode n) {
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isArray() && n.size() == 2 && n.get(1).isTextual()) {
      return n.get(1).asText(); // Keras: ["n01440764", "tench"]
    }
    throw new IllegalArgumentException("labels file " + file + ": cannot read a label from " + n);
  }

  private static List<String> javascript(Path file, String t) {
    Map<Integer, String> byIndex = new TreeMap<>();
    Matcher m = JS_ENTRY.matcher(t);
    while (m.find()) {
      StringBuilder label = new StringBuilder();
      Matcher s = JS_STRING.matcher(m.group(2));
      while (s.find()) {
        label.append(s.group(1).replaceAll("\\\\(.)", "$1"));
      }
      byIndex.put(Integer.parseInt(m.group(1)), label.toString());
    }
    return contiguous(file, byIndex);
  }

  private static List<String> contiguous(Path file, Map<Integer, String> byIndex) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<Integer, String> e : byIndex.entrySet()) {
      if (e.getKey() != out.size()) {
        throw new IllegalArgumentException("labels file " + file + ": class index " + out.size() + " is missing");
      }
      out.add(e.getValue());
    }
    return out;
  }

  private static String text(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("no such labels file: " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read labels file " + file + ": " + e.getMessage(), e);
    }
  }
}
